/* "Working…" status for slow requests. Every callback is a POST to _dash-update-component;
 * when one has been running for 400 ms the fixed #busy status (role=status, so screen readers
 * hear it) appears, and it goes when the last one ends. Outputs being recomputed are also
 * dimmed and labelled "Loading…" by CSS (Dash marks them data-dash-is-loading). */
(function () {
    "use strict";
    var running = 0, timer = null;
    function box() { return document.getElementById("busy"); }
    function show() { var b = box(); if (b && running > 0) { b.hidden = false; } }
    function done() {
        running = Math.max(0, running - 1);
        if (running === 0) {
            clearTimeout(timer); timer = null;
            var b = box(); if (b) { b.hidden = true; }
        }
    }
    var orig = window.fetch;
    window.fetch = function (input, init) {
        var url = typeof input === "string" ? input : (input && input.url) || "";
        if (url.indexOf("_dash-update-component") < 0) { return orig.apply(this, arguments); }
        running += 1;
        if (!timer) { timer = setTimeout(show, 400); }
        var p = orig.apply(this, arguments);
        p.then(done, done);
        return p;
    };
})();
