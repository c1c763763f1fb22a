// Negotiation tab: the planned ladder against our actual concessions, with the
// bottom line, the target and the customer's estimated limit as flat lines.
// Data from json_script (no inline script: the CSP forbids it); the same
// numbers are in the table and the plan next to the chart.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  var locale = document.documentElement.lang || "en";
  var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  // Okabe–Ito colours; flat lines dashed so they read without colour too.
  var STYLE = {
    planned: { color: "#56B4E9", dash: [6, 4], width: 2 },
    actual: { color: "#0072B2", dash: [], width: 3 },
    bottom_line: { color: "#D55E00", dash: [2, 2], width: 2 },
    target: { color: "#009E73", dash: [2, 2], width: 1 },
    customer_limit: { color: "#CC79A7", dash: [8, 3], width: 1 },
  };

  function datasets(spec) {
    return Object.keys(STYLE)
      .filter(function (key) { return spec[key] && spec[key].length; })
      .map(function (key) {
        var style = STYLE[key];
        return {
          label: spec.legend[key],
          data: spec[key].map(Number),
          borderColor: style.color,
          backgroundColor: style.color,
          borderDash: style.dash,
          borderWidth: style.width,
          pointRadius: key === "planned" || key === "actual" ? 3 : 0,
          tension: 0,
        };
      });
  }

  document.querySelectorAll("canvas[data-ladder-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.ladderChart);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "line",
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { ticks: { callback: function (v) { return number.format(v); } } } },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) { return ctx.dataset.label + ": " + number.format(ctx.parsed.y); },
            },
          },
        },
      },
    });
  });
})();
