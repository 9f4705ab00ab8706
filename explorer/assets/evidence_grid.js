/* Evidence table (DataTable): Enter on a focused link follows it.
   DataTable listens for Enter on the whole document to move between cells and cancels the
   key, so a keyboard user could Tab to a claim id but not open it. Stop the key from reaching
   the table's listener when focus is on a link inside the table; the browser then follows the
   link as on any page. */
(function () {
  window.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter') { return; }
    var a = document.activeElement;
    if (a && a.tagName === 'A' && a.closest && a.closest('.ev-grid-box')) {
      e.stopPropagation();
    }
  }, true);
})();
