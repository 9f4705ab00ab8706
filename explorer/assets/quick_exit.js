/* Quick exit: the button and the Esc key leave the site at once.
 * location.replace() swaps this page out of the tab's history, so Back does not return here.
 * Loaded as a plain asset (no Dash callback round trip), so it works while the app is busy. */
(function () {
    "use strict";
    var SAFE = "https://weather.com/";
    function leave(event) {
        if (event) { event.preventDefault(); }
        try { document.title = "Weather"; document.body.style.visibility = "hidden"; }
        catch (e) { /* ignore */ }
        var link = document.getElementById("quick-exit");
        window.location.replace((link && link.href) || SAFE);
    }
    document.addEventListener("keydown", function (e) {
        if (e.key === "Escape" || e.key === "Esc") { leave(e); }
    }, true);
    document.addEventListener("click", function (e) {
        var t = e.target;
        while (t && t !== document) {
            if (t.getAttribute && t.getAttribute("data-quick-exit")) { leave(e); return; }
            t = t.parentNode;
        }
    }, true);
    window.intersectionsQuickExit = leave;
})();
