/* PNG / SVG export of a graph with a title, the key and a source line.
 *
 * Flow: the "Download PNG/SVG" buttons run a clientside callback (explorer/app.py) that calls
 * fromGraph(): it takes the picture from the graph's Cytoscape instance (cy.png / cy.svg, the
 * SVG exporter comes with dash-cytoscape's extra bundle) and hands it to compose() with the
 * graph's elements and export metadata (components.export_meta: label, key rows, source).
 *
 * compose() lays the picture out as
 *     title (page heading — graph label), the view (the URL's state), the date
 *     the graph picture
 *     "Key": one swatch (same colour and shape as on screen) + label per type shown
 *     the source line and the address of the view
 * and returns it as SVG text (the graph's own SVG nested, text stays text) or a PNG drawn on a
 * canvas. The result is downloaded and also kept in window.intersectionsLastExport (what the
 * browser tests read).
 */
(function () {
    "use strict";
    var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
    var measureCtx = null;

    function measure(text, size, weight) {
        if (!measureCtx) { measureCtx = document.createElement("canvas").getContext("2d"); }
        measureCtx.font = (weight || 400) + " " + size + "px " + FONT;
        return measureCtx.measureText(text).width;
    }

    function wrap(text, size, weight, maxWidth) {
        var words = String(text).split(/\s+/), lines = [], line = "";
        for (var i = 0; i < words.length; i++) {
            var next = line ? line + " " + words[i] : words[i];
            if (line && measure(next, size, weight) > maxWidth) { lines.push(line); line = words[i]; }
            else { line = next; }
        }
        if (line) { lines.push(line); }
        return lines;
    }

    function categoriesShown(elements) {
        var seen = {};
        (elements || []).forEach(function (e) {
            var d = e && e.data;
            if (d && d.category && d.source === undefined) { seen[d.category] = true; }
        });
        return seen;
    }

    function describeView() {
        var params = new URLSearchParams(window.location.search), parts = [];
        params.forEach(function (v, k) { parts.push(k + " = " + v); });
        return parts.length ? "View: " + parts.join(" · ") : "";
    }

    /** Positions of everything around a W×H picture (units: picture pixels). */
    function layout(W, H, elements, meta) {
        var f = Math.max(13, Math.round(Math.max(W, 640) / 62));
        var pad = Math.round(f * 1.1), maxW = Math.max(W, 640) - 2 * pad;
        var width = Math.max(W, 640);
        var ops = [], y = pad;
        var heading = (document.querySelector("main h1") || {}).textContent || "";
        var title = (heading && heading !== meta.label ? heading + " — " : "") + meta.label;
        var date = new Date().toISOString().slice(0, 10);
        function text(t, size, weight, fill) {
            wrap(t, size, weight, maxW).forEach(function (line) {
                y += Math.round(size * 1.25);
                ops.push({t: "text", x: pad, y: y, text: line, size: size, weight: weight,
                          fill: fill || "#1a1a1a"});
            });
        }
        text(title, Math.round(f * 1.45), 700);
        var view = describeView();
        text((view ? view + " · " : "") + "Exported " + date, Math.round(f * 0.85), 400, "#4a4a4a");
        y += Math.round(f * 0.6);
        var imgY = y, imgX = Math.round((width - W) / 2);
        y += H + Math.round(f * 0.8);
        text("Key", Math.round(f * 1.05), 700);
        var shown = categoriesShown(elements);
        var rows = (meta.key || []).filter(function (k) { return shown[k.category]; });
        if (!rows.length) { rows = meta.key || []; }
        var x = pad, sw = f, gap = Math.round(f * 0.4), lineH = Math.round(f * 1.6);
        y += Math.round(f * 0.5);
        var rowTop = y;
        rows.forEach(function (k) {
            var w = sw + gap + measure(k.label, f, 400) + Math.round(f * 1.2);
            if (x > pad && x + w > pad + maxW) { x = pad; rowTop += lineH; }
            ops.push({t: "poly", points: k.points.map(function (p) {
                return [x + p[0] * sw, rowTop + p[1] * sw]; }), fill: k.color});
            ops.push({t: "text", x: x + sw + gap, y: rowTop + Math.round(sw * 0.85), text: k.label,
                      size: f, weight: 400, fill: "#1a1a1a"});
            x += w;
        });
        y = rowTop + sw + Math.round(f * 0.6);
        text(meta.source + " · " + window.location.href, Math.round(f * 0.85), 400, "#4a4a4a");
        y += pad;
        return {width: width, height: y, imgX: imgX, imgY: imgY, ops: ops, title: title};
    }

    function esc(s) {
        return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
            .replace(/"/g, "&quot;");
    }

    function decodeDataUri(uri) {
        var m = /^data:([^;,]+)(;base64)?,(.*)$/s.exec(uri);
        if (!m) { return null; }
        if (m[2]) {
            var bin = atob(m[3]), bytes = new Uint8Array(bin.length);
            for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
            return new TextDecoder("utf-8").decode(bytes);
        }
        return decodeURIComponent(m[3]);
    }

    function composeSvg(uri, elements, meta) {
        var inner = new DOMParser().parseFromString(decodeDataUri(uri), "image/svg+xml").documentElement;
        var W = parseFloat(inner.getAttribute("width")) || 800;
        var H = parseFloat(inner.getAttribute("height")) || 600;
        if (!inner.getAttribute("viewBox")) { inner.setAttribute("viewBox", "0 0 " + W + " " + H); }
        var L = layout(W, H, elements, meta);
        inner.setAttribute("x", L.imgX); inner.setAttribute("y", L.imgY);
        inner.setAttribute("width", W); inner.setAttribute("height", H);
        var out = ['<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' +
                   'width="' + L.width + '" height="' + L.height + '" viewBox="0 0 ' + L.width + " " +
                   L.height + '" role="img">',
                   "<title>" + esc(L.title) + "</title>",
                   '<rect width="100%" height="100%" fill="#ffffff"/>'];
        L.ops.forEach(function (op) {
            if (op.t === "text") {
                out.push('<text x="' + op.x + '" y="' + op.y + '" font-family="' + esc(FONT) +
                         '" font-size="' + op.size + '" font-weight="' + op.weight + '" fill="' +
                         op.fill + '">' + esc(op.text) + "</text>");
            } else {
                out.push('<polygon points="' + op.points.map(function (p) {
                    return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" ") +
                         '" fill="' + op.fill + '" stroke="#1a1a1a" stroke-width="1"/>');
            }
        });
        out.push(new XMLSerializer().serializeToString(inner));
        out.push("</svg>");
        return Promise.resolve({kind: "svg", text: out.join("\n"), width: L.width, height: L.height,
                                imageTop: L.imgY, imageHeight: H, title: L.title});
    }

    function composePng(uri, elements, meta) {
        return new Promise(function (resolve, reject) {
            var img = new Image();
            img.onerror = function () { reject(new Error("the graph picture could not be read")); };
            img.onload = function () {
                var L = layout(img.naturalWidth, img.naturalHeight, elements, meta);
                var c = document.createElement("canvas");
                c.width = L.width; c.height = L.height;
                var g = c.getContext("2d");
                g.fillStyle = "#ffffff"; g.fillRect(0, 0, c.width, c.height);
                g.drawImage(img, L.imgX, L.imgY);
                L.ops.forEach(function (op) {
                    if (op.t === "text") {
                        g.font = op.weight + " " + op.size + "px " + FONT;
                        g.fillStyle = op.fill; g.fillText(op.text, op.x, op.y);
                    } else {
                        g.beginPath();
                        op.points.forEach(function (p, i) { if (i) { g.lineTo(p[0], p[1]); } else { g.moveTo(p[0], p[1]); } });
                        g.closePath(); g.fillStyle = op.fill; g.fill();
                        g.strokeStyle = "#1a1a1a"; g.lineWidth = 1; g.stroke();
                    }
                });
                resolve({kind: "png", dataUrl: c.toDataURL("image/png"), width: L.width,
                         height: L.height, imageTop: L.imgY, imageHeight: img.naturalHeight,
                         title: L.title});
            };
            img.src = uri;
        });
    }

    function download(result, filename) {
        var blob;
        if (result.kind === "svg") {
            blob = new Blob([result.text], {type: "image/svg+xml;charset=utf-8"});
        } else {
            var bin = atob(result.dataUrl.split(",")[1]), bytes = new Uint8Array(bin.length);
            for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
            blob = new Blob([bytes], {type: "image/png"});
        }
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = filename + "." + result.kind;
        a.style.display = "none";
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }

    function run(uri, elements, meta, graphId) {
        if (!uri || !meta) { return; }
        var isSvg = uri.indexOf("data:image/svg") === 0;
        var job = isSvg ? composeSvg(uri, elements, meta) : composePng(uri, elements, meta);
        job.then(function (result) {
            result.filename = "intersections-" + graphId + "." + result.kind;
            window.intersectionsLastExport = result;
            download(result, "intersections-" + graphId);
        }).catch(function (err) {
            window.intersectionsLastExport = {error: String(err)};
        });
    }

    /** The Cytoscape instance drawing graph ``graphId`` (cytoscape.js registers it on its
     *  container element as _cyreg.cy). */
    function cyOf(graphId) {
        var root = document.getElementById(JSON.stringify({graph: graphId, type: "graph"}));
        if (!root) { return null; }
        var nodes = [root].concat(Array.prototype.slice.call(root.querySelectorAll("div")));
        for (var i = 0; i < nodes.length; i++) {
            if (nodes[i]._cyreg && nodes[i]._cyreg.cy) { return nodes[i]._cyreg.cy; }
        }
        return null;
    }

    function fromGraph(graphId, kind, elements, meta) {
        var cy = cyOf(graphId);
        if (!cy) { window.intersectionsLastExport = {error: "graph " + graphId + " not found"}; return; }
        var opts = {full: true, scale: 2, bg: "#ffffff"};
        var uri;
        if (kind === "svg") {
            uri = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(cy.svg(opts))));
        } else {
            opts.output = "base64uri";
            uri = cy.png(opts);
        }
        run(uri, elements, meta, graphId);
    }

    window.intersectionsExport = {fromGraph: fromGraph, compose: function (uri, elements, meta) {
        return uri.indexOf("data:image/svg") === 0 ? composeSvg(uri, elements, meta)
            : composePng(uri, elements, meta);
    }, run: run, layout: layout};
})();
