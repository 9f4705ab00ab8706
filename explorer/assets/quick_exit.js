/* Quick exit: the button and the Esc key leave the site at once.
 *
 * location.replace() swaps this page out of the tab's history, so Back does not return here.
 * Loaded as a plain asset (no Dash callback round trip), so it works while the app is busy.
 *
 * The Esc rule (documented in README "Safety"): Esc leaves the site unless Esc already has a
 * job where the user is, namely
 *   - focus is in something you type into: a text/search/number field, a text area (the
 *     SPARQL/Cypher editor), a select, anything contenteditable or role=textbox/searchbox/
 *     combobox; there Esc keeps its usual meaning and nothing you typed is lost;
 *   - a menu or popup is open (a dropdown list, anything with aria-expanded="true"): the first
 *     Esc closes it. Focus then returns to the dropdown button, and a second Esc leaves.
 * The decision is taken in a capture listener on window, the first listener to see the key,
 * so it reflects the page as the user saw it when they pressed Esc (before any menu closes).
 * The red "Quick exit" button is always on screen and always leaves.
 */
(function () {
    "use strict";
    var SAFE = "https://weather.com/";
    var TEXT_TYPES = /^(text|search|number|email|url|tel|password|date|datetime-local|month|time|week)$/i;

    function leave(event) {
        if (event) { event.preventDefault(); event.stopPropagation(); }
        try { document.title = "Weather"; document.body.style.visibility = "hidden"; }
        catch (e) { /* ignore */ }
        var link = document.getElementById("quick-exit");
        window.location.replace((link && link.href) || SAFE);
    }

    function isTextEntry(el) {
        if (!el || el === document.body) { return false; }
        var tag = el.tagName;
        if (tag === "TEXTAREA" || tag === "SELECT") { return true; }
        if (tag === "INPUT") {
            if (el.readOnly && el.classList.contains("dash-dropdown-focus-target")) { return false; }
            return TEXT_TYPES.test(el.getAttribute("type") || "text");
        }
        if (el.isContentEditable) { return true; }
        var role = el.getAttribute && el.getAttribute("role");
        return role === "textbox" || role === "searchbox" || role === "combobox";
    }

    function popupOpen(el) {
        if (el && el.closest && el.closest("[role='listbox'], [role='menu'], [role='dialog'], " +
                                            ".dash-dropdown-content, [data-radix-popper-content-wrapper]")) {
            return true;
        }
        return !!document.querySelector("[aria-expanded='true'], .dash-dropdown-content, " +
                                        "[data-radix-popper-content-wrapper]");
    }

    /** Why Esc should NOT leave right now ("" when it should). Exposed for tests and docs. */
    function escBlockedBy(el) {
        if (isTextEntry(el)) { return "text-entry"; }
        if (popupOpen(el)) { return "open-menu"; }
        return "";
    }

    window.addEventListener("keydown", function (e) {
        if (e.key !== "Escape" && e.key !== "Esc") { return; }
        if (e.isComposing || e.repeat) { return; }
        var active = document.activeElement;
        if (escBlockedBy(active)) { return; }
        leave(e);
    }, true);

    document.addEventListener("click", function (e) {
        var t = e.target;
        while (t && t !== document) {
            if (t.getAttribute && t.getAttribute("data-quick-exit")) { leave(e); return; }
            t = t.parentNode;
        }
    }, true);
    window.intersectionsQuickExit = leave;
    window.intersectionsEscBlockedBy = escBlockedBy;
})();
