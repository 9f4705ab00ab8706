/* Presentation mode keys: ArrowRight / PageDown = next hop, ArrowLeft / PageUp = back.
 * They click the page's own Next / Back buttons, so the server keeps the step in the URL. */
(function () {
    "use strict";
    document.addEventListener("keydown", function (e) {
        if (!document.querySelector(".presenting")) { return; }
        var tag = (e.target && e.target.tagName) || "";
        if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
        var id = null;
        if (e.key === "ArrowRight" || e.key === "PageDown" || e.key === " ") { id = "present-next"; }
        if (e.key === "ArrowLeft" || e.key === "PageUp") { id = "present-prev"; }
        if (!id) { return; }
        var btn = document.querySelector("[id$='" + id + "']");
        if (btn) { e.preventDefault(); btn.click(); }
    });
})();
