/* The dashboards' charts, drawn with the vendored Chart.js from the figures the page carries in
   <script type="application/json"> blocks (Django's json_script): no inline script, so the
   Content-Security-Policy holds. Each chart is drawn only if its canvas and its data are on the page. */
(function () {
  "use strict";

  function data(id) {
    var block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  // counts of people: whole numbers, written the Vietnamese way
  var tick = {precision: 0, callback: function (v) { return Number(v).toLocaleString("vi-VN"); }};

  function draw() {
    var trend = data("trend-data"), ranked = data("ranked-data"), rates = data("rates-data");
    var canvas = document.getElementById("trend");
    if (canvas && trend) {
      new Chart(canvas, {type: "bar", data: {labels: trend.labels, datasets: [
        {label: "BHXH tự nguyện", data: trend.vsi}, {label: "BHYT hộ gia đình", data: trend.hi}]},
        options: {animation: false, locale: "vi-VN", scales: {y: {ticks: tick}}}});
    }
    canvas = document.getElementById("ranked");
    if (canvas && ranked) {
      new Chart(canvas, {type: "bar", data: {labels: ranked.labels, datasets: [
        {label: "BHXH tự nguyện (mới)", data: ranked.vsi}, {label: "BHYT hộ gia đình (mới)", data: ranked.hi}]},
        options: {indexAxis: "y", maintainAspectRatio: false, animation: false, locale: "vi-VN",
                  scales: {x: {stacked: true, ticks: tick}, y: {stacked: true}}}});
    }
    canvas = document.getElementById("rates");
    if (canvas && rates) {
      new Chart(canvas, {type: "line", data: {labels: rates.labels, datasets: [
        {label: "BHXH tự nguyện (%)", data: rates.vsi}, {label: "BHYT hộ gia đình (%)", data: rates.hi}]},
        options: {animation: false, locale: "vi-VN", scales: {y: {min: 0, max: 100}}}});
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
