/* ansinh's one script: small, no framework, loaded with `defer` from base.html (no inline script, so a
   Content-Security-Policy without 'unsafe-inline' holds). Every page works without it; it only adds:
   1. beside every <input type=date>, the chosen date written dd/mm/yyyy (Chromium shows the browser
      locale's order, mm/dd/yyyy in en-US: an agent must never read 05/08 for 08/05), issue 13 #16;
   2. on tables whose first row is a header, each cell's column name (data-label), so that on a phone
      the stylesheet can lay each row out as a card (table.stack in ansinh.css), issue 13 #3;
   3. a confirmation before an irreversible write: a form (or its submit button) with data-confirm="question"
      asks first;
   4. a link or button with data-print prints the page (the receipts and declarations). */
(function () {
  "use strict";

  function ddmmyyyy(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] : "";
  }

  function showDates(root) {
    root.querySelectorAll('input[type="date"]').forEach(function (input) {
      if (input.dataset.viDate) return;
      input.dataset.viDate = "1";
      var shown = document.createElement("output");
      shown.className = "date-vi";
      if (input.id) { shown.htmlFor = input.id; shown.id = input.id + "-vi"; }
      shown.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", shown);
      var update = function () {
        var text = ddmmyyyy(input.value);
        shown.textContent = text ? "Ngày đã chọn: " + text : "Chưa chọn ngày (ngày/tháng/năm)";
      };
      input.addEventListener("input", update);
      input.addEventListener("change", update);
      update();
    });
  }

  function labelTables(root) {
    root.querySelectorAll("table.grid, .result table").forEach(function (table) {
      var rows = table.rows;
      if (!rows.length || table.classList.contains("stack") || table.classList.contains("no-stack")) return;
      var head = rows[0].cells;
      var names = [];
      for (var i = 0; i < head.length; i++) {
        if (head[i].tagName !== "TH") return;  // a label/value table: it already reads as a card
        for (var span = 0; span < head[i].colSpan; span++) names.push(head[i].textContent.trim());
      }
      if (names.length < 3) return;
      table.classList.add("stack");
      rows[0].classList.add("stack-head");
      for (var r = 1; r < rows.length; r++) {
        var column = 0;
        for (var c = 0; c < rows[r].cells.length; c++) {
          var cell = rows[r].cells[c];
          if (cell.colSpan === 1 && names[column] && !cell.dataset.label) cell.dataset.label = names[column];
          column += cell.colSpan;
        }
      }
    });
  }

  function enhance(root) { showDates(root); labelTables(root); }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.dataset.confirm) || (form instanceof HTMLFormElement && form.dataset.confirm);
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) { event.preventDefault(); window.print(); }
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  // fragments swapped in by htmx (the board's figures) get the same treatment
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
})();
