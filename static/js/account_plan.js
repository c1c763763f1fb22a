// Account plan: the relationship-health line from the JSON in <script id="…"
// type="application/json"> (json_script). No inline script: the CSP forbids it.
// The same numbers are in the table under the chart.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  document.querySelectorAll("canvas[data-ap-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.apChart);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: [{
          label: spec.label,
          data: spec.data.map(function (v) { return v === null ? null : Number(v); }),
          borderColor: "#0072B2",
          backgroundColor: "#0072B2",
          tension: 0,
          spanGaps: false,
        }],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, max: 4, ticks: { stepSize: 1 } } },
        plugins: { legend: { display: false } },
      },
    });
  });
})();
