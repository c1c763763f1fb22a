// Dashboards: draws each <canvas data-chart="ID"> from the JSON in <script id="ID"
// type="application/json"> (json_script). No inline script: the CSP forbids it.
// The same numbers are always in a table next to the chart.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  // Okabe–Ito: distinguishable with the common colour-vision deficiencies.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  var AGEING = ["#009E73", "#56B4E9", "#E69F00", "#D55E00", "#A6361C"];
  var locale = document.documentElement.lang || "en";
  var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#343a40";

  function dataset(spec, index) {
    var colour = PALETTE[index % PALETTE.length];
    var out = {
      label: spec.label,
      data: spec.data.map(function (v) { return v === null ? null : Number(v); }),
      backgroundColor: spec.perBar ? AGEING : colour,
      borderColor: spec.perBar ? AGEING : colour,
      borderWidth: 1,
      maxBarThickness: 56,
    };
    return out;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var horizontal = Boolean(spec.horizontal);
    var valueAxis = horizontal ? "x" : "y";
    var scales = {};
    scales[valueAxis] = { beginAtZero: true, ticks: { callback: function (v) { return number.format(v); } } };
    if (spec.stacked) {
      scales[valueAxis].stacked = true;
      scales[horizontal ? "y" : "x"] = { stacked: true };
    }
    new Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: spec.datasets.map(dataset) },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: { display: spec.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return ctx.dataset.label + ": " + number.format(ctx.parsed[valueAxis]);
              },
            },
          },
        },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
