/* baophu: charts from JSON blocks in the page, confirmations, nothing loaded from outside. */
(function () {
  "use strict";
  var palette = ["#0b5ea8", "#1f7a3f", "#a15c00", "#7a3fa1", "#b42318"];

  function vnNumber(v, digits) {
    if (v === null || v === undefined) { return ""; }
    return Number(v).toLocaleString("vi-VN", { maximumFractionDigits: digits === undefined ? 1 : digits });
  }

  function drawChart(el) {
    if (!window.echarts || el.dataset.drawn) { return; }
    var block = el.querySelector('script[type="application/json"]');
    if (!block) { return; }
    var data = JSON.parse(block.textContent);
    var kind = el.dataset.chart;
    var percent = el.dataset.unit === "%";
    var chart = window.echarts.init(el, null, { locale: "VI", renderer: "canvas" });
    var series = data.series.map(function (s, i) {
      var item = { name: s.name, type: kind === "bar" ? "bar" : "line", data: s.data, smooth: false, showSymbol: data.dates.length < 40, color: palette[i % palette.length] };
      if (kind === "campaign" && i === 1) { item.lineStyle = { type: "dashed" }; }
      return item;
    });
    chart.setOption({
      animation: false,
      grid: { left: 56, right: 20, top: 40, bottom: kind === "bar" ? 110 : 40 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return vnNumber(v, 2) + (percent ? "%" : ""); } },
      legend: { top: 4 },
      xAxis: { type: "category", data: data.dates, axisLabel: kind === "bar" ? { rotate: 45, interval: 0 } : {} },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: function (v) { return vnNumber(v, 1) + (percent ? "%" : ""); } } },
      series: series
    });
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(drawChart);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (e) { drawAll(e.target); });
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) { e.preventDefault(); }
  });
  /* one outcome menu open at a time; close it after a choice */
  document.addEventListener("toggle", function (e) {
    if (e.target.matches && e.target.matches("details.menu") && e.target.open) {
      document.querySelectorAll("details.menu[open]").forEach(function (d) { if (d !== e.target) { d.open = false; } });
    }
  }, true);
})();
