/* A 58 mm receipt prints on one page exactly as tall as the receipt: the page size is measured from
   the laid-out receipt when the page loads and again before printing (issue 13 #11). */
(function () {
  "use strict";

  function fit() {
    var roll = document.querySelector(".receipt-58mm");
    var page = document.getElementById("roll-page");
    if (!roll || !page) return;
    var mm = Math.ceil(roll.getBoundingClientRect().height * 25.4 / 96) + 1;
    page.textContent = "@page { size: 58mm " + mm + "mm; margin: 0; }";
  }

  window.addEventListener("load", fit);
  window.addEventListener("beforeprint", fit);
  if (window.matchMedia) window.matchMedia("print").addEventListener("change", fit);
})();
