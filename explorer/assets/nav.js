/* The main menu marks the page on screen: aria-current="page" on its link (screen readers say
 * "current page"; CSS fills it). Dash pages navigate on the client (history.pushState), so the
 * mark follows every URL change instead of being fixed when the server sent the shell. */
(function () {
    "use strict";
    function mark() {
        var here = window.location.pathname.replace(/\/+$/, "") || "/";
        var links = document.querySelectorAll(".site-nav a");
        for (var i = 0; i < links.length; i++) {
            var path = new URL(links[i].href, window.location.href).pathname.replace(/\/+$/, "") || "/";
            if (path === here) {
                if (links[i].getAttribute("aria-current") !== "page") { links[i].setAttribute("aria-current", "page"); }
            } else if (links[i].hasAttribute("aria-current")) {
                links[i].removeAttribute("aria-current");
            }
        }
    }
    ["pushState", "replaceState"].forEach(function (name) {
        var orig = history[name];
        history[name] = function () {
            var r = orig.apply(this, arguments);
            setTimeout(mark, 0);
            return r;
        };
    });
    window.addEventListener("popstate", mark);
    new MutationObserver(function () { mark(); })
        .observe(document.documentElement, { childList: true, subtree: true });
    document.addEventListener("DOMContentLoaded", mark);
})();
