/* Accessibility repairs for third-party components, applied as they appear.
 *
 * dcc.Dropdown (Dash 4) renders
 *     <input class="dash-dropdown-focus-target" aria-hidden="true" tabindex="0">
 *     <button id="<dropdown id>" tabindex="-1" aria-haspopup="listbox" ...>
 * The hidden input is a focus "trampoline": Tab lands on it and it forwards focus to the
 * button. axe reports it (rule aria-hidden-focus: a focusable element inside aria-hidden), and
 * taking the input out of the tab order alone leaves the dropdown unreachable by keyboard.
 *
 * The fix here makes the real control the tab stop: the button (which carries the name,
 * aria-haspopup and opens on Enter / Space / ArrowDown) gets tabindex=0 and the hidden input
 * tabindex=-1. Dash resets the input's tabindex when the button loses focus, so the observer
 * re-applies the rule whenever that attribute changes. The button's accessible name comes from
 * aria-labelledby (its current value only); the visible <label for=id> is prepended so screen
 * readers announce "Harm A, Intimate partner violence" rather than the value alone.
 */
(function () {
    "use strict";
    var seq = 0;
    function fixDropdown(wrapper) {
        var input = wrapper.querySelector(":scope > input.dash-dropdown-focus-target");
        var button = wrapper.querySelector(":scope > button.dash-dropdown");
        if (!button) { return; }
        if (input && input.getAttribute("tabindex") !== "-1") { input.setAttribute("tabindex", "-1"); }
        var want = button.disabled ? "-1" : "0";
        if (button.getAttribute("tabindex") !== want) { button.setAttribute("tabindex", want); }
        if (button.id) {
            var label = document.querySelector("label[for='" + CSS.escape(button.id) + "']");
            if (label) {
                if (!label.id) { label.id = "dd-label-" + (++seq); }
                var by = button.getAttribute("aria-labelledby") || "";
                if ((" " + by + " ").indexOf(" " + label.id + " ") < 0) {
                    button.setAttribute("aria-labelledby", (label.id + " " + by).trim());
                }
            }
        }
    }
    /* dcc.Checklist / dcc.RadioItems (Dash 4) render role="listbox" with role="option" labels
     * around native checkboxes/radios: axe reports the listbox without a name
     * (aria-input-field-name) and a focusable input inside an option (nested-interactive).
     * The native inputs already say everything, so the wrapper becomes a plain group
     * (radiogroup for radios) named by its label, and the labels lose the option role.
     * Option lists inside an open dropdown menu are the real listbox and are left alone. */
    function fixOptionList(list) {
        if (list.closest(".dash-dropdown-content")) { return; }
        var radio = list.classList.contains("dash-radioitems");
        var role = radio ? "radiogroup" : "group";
        if (list.getAttribute("role") !== role) { list.setAttribute("role", role); }
        var opts = list.querySelectorAll(":scope > .dash-options-list-option[role]");
        for (var k = 0; k < opts.length; k++) {
            opts[k].removeAttribute("role");
            opts[k].removeAttribute("aria-selected");
        }
        if (list.id && !list.getAttribute("aria-labelledby") && !list.getAttribute("aria-label")) {
            var lab = document.querySelector("label[for='" + CSS.escape(list.id) + "']");
            if (lab) {
                if (!lab.id) { lab.id = "dd-label-" + (++seq); }
                list.setAttribute("aria-labelledby", lab.id);
            }
        }
    }
    function fix(root) {
        var scope = root && root.querySelectorAll ? root : document;
        var wrappers = scope.querySelectorAll(".dash-dropdown-wrapper");
        for (var i = 0; i < wrappers.length; i++) { fixDropdown(wrappers[i]); }
        var lists = scope.querySelectorAll(".dash-checklist, .dash-radioitems");
        for (var m = 0; m < lists.length; m++) { fixOptionList(lists[m]); }
        if (scope.classList && scope.classList.contains("dash-dropdown-wrapper")) { fixDropdown(scope); }
    }
    var pending = false;
    function schedule() {
        if (pending) { return; }
        pending = true;
        // fix before the next paint and before any key can reach the old tab order
        Promise.resolve().then(function () { pending = false; fix(document); });
    }
    new MutationObserver(function (records) {
        for (var i = 0; i < records.length; i++) {
            var r = records[i];
            if (r.type === "childList" || (r.target.closest &&
                    r.target.closest(".dash-dropdown-wrapper, .dash-checklist, .dash-radioitems"))) {
                schedule();
                return;
            }
        }
    }).observe(document.documentElement, {
        childList: true, subtree: true, attributes: true,
        attributeFilter: ["tabindex", "aria-labelledby", "disabled", "role"]
    });
    document.addEventListener("DOMContentLoaded", function () { fix(document); });
    window.intersectionsA11yFix = fix;

    /* dash_table.DataTable listens for Tab on the whole document to move its active cell and
     * cancels the key, so once focus is inside a table (a filter box, a link in a cell) Tab
     * never leaves it: a keyboard trap (WCAG 2.1.2). When focus is inside a DataTable, keep Tab
     * from reaching that listener; the browser then moves focus to the next control as on any
     * page (arrow keys still move between cells). */
    window.addEventListener("keydown", function (e) {
        if (e.key !== "Tab") { return; }
        var a = document.activeElement;
        if (a && a.closest && a.closest(".dash-table-container")) { e.stopPropagation(); }
    }, true);
})();
