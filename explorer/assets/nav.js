/* The main menu marks the page on screen: aria-current="page" on its link (screen readers say
 * "current page"; CSS fills it). Dash pages navigate on the client (history.pushState), so the
 * mark follows every URL change instead of being fixed when the server sent the shell. */
(function () {
    "use strict";
    function mark() {
        var here = window.location.pathname.replace(/\/+$/, "") || "/";
        var links = document.querySelectorAll(".site-nav a"), paths = [], exact = false;
        for (var i = 0; i < links.length; i++) {
            paths.push(new URL(links[i].href, window.location.href).pathname.replace(/\/+$/, "") || "/");
            if (paths[i] === here) { exact = true; }
        }
        // the page itself is "page"; a page below a menu entry (/evidence/claim/x under
        // /evidence) marks that entry as the current section ("true")
        for (var j = 0; j < links.length; j++) {
            var want = paths[j] === here ? "page"
                : (!exact && paths[j] !== "/" && here.indexOf(paths[j] + "/") === 0 ? "true" : null);
            if (want) {
                if (links[j].getAttribute("aria-current") !== want) { links[j].setAttribute("aria-current", want); }
            } else if (links[j].hasAttribute("aria-current")) {
                links[j].removeAttribute("aria-current");
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
