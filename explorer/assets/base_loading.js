/* While the evidence base opens in the background (explorer/state.py start_loading), the shell
 * shows #base-loading (role=status). Poll the server's status every 1.5 s and reload the page
 * once the base is ready (or failed: the page then shows the error as usual). */
(function () {
    "use strict";
    function check() {
        if (!document.getElementById("base-loading")) { return; }
        window.fetch("/_intersections/status", {cache: "no-store"})
            .then(function (r) { return r.json(); })
            .then(function (s) { if (!s.loading) { window.location.reload(); } })
            .catch(function () { /* server restarting: try again on the next tick */ });
    }
    window.setInterval(check, 1500);
})();
