/* Accessibility repairs for third-party components, applied as they appear.
 * dcc.Dropdown (Dash 4) renders a hidden helper <input aria-hidden="true"> that can still take
 * keyboard focus (axe rule aria-hidden-focus); take it out of the tab order. */
(function () {
    "use strict";
    function fix(root) {
        var nodes = (root.querySelectorAll ? root : document)
            .querySelectorAll(".dash-dropdown-wrapper > input[aria-hidden='true']");
        for (var i = 0; i < nodes.length; i++) {
            if (nodes[i].getAttribute("tabindex") !== "-1") { nodes[i].setAttribute("tabindex", "-1"); }
        }
    }
    new MutationObserver(function () { fix(document); })
        .observe(document.documentElement, { childList: true, subtree: true });
    document.addEventListener("DOMContentLoaded", function () { fix(document); });
})();
