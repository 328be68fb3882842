// The Reportes page: filters that apply as they change, and a chart for every series (Chart.js,
// served from our own static files). The numbers come from the page itself (json_script), the
// same ones its tables show.
(function () {
  "use strict";
  const $ = (sel) => document.querySelector(sel);

  const periodForm = $(".periods");
  if (periodForm) periodForm.addEventListener("change", () => periodForm.requestSubmit());

  const form = $(".report-filters");
  if (form) {
    form.addEventListener("change", (event) => {
      const custom = form.querySelector(".custom-range");
      if (event.target.name === "range") custom.hidden = event.target.value !== "custom";
      if (event.target.name === "range" && event.target.value === "custom") return;
      if (event.target.matches("[data-autosubmit]") || event.target.type === "date") form.requestSubmit();
    });
  }

  const dataEl = $("#report-data");
  if (!dataEl || !window.Chart) return;
  const data = JSON.parse(dataEl.textContent);
  const words = JSON.parse($("#report-words").textContent);
  const brand = "#0b7a5f", soft = "#86efac", ai = "#6d28d9", amber = "#b45309", red = "#b91c1c", grey = "#94a3b8";
  const palette = [brand, ai, amber, "#0369a1", red, "#be185d", "#4d7c0f", grey, "#0f766e", "#7c2d12"];
  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  // Charts appear at once: an animation would only delay reading them.
  Chart.defaults.animation = false;
  // A range with one busy day must not draw one bar across the whole chart.
  Chart.defaults.datasets.bar.maxBarThickness = 48;
  const lang = document.documentElement.lang || "es";
  const dayLabel = (iso) => new Date(iso + "T12:00:00").toLocaleDateString(lang, { day: "numeric", month: "short" });
  const secs = (s) => (s < 60 ? (Math.round(s * 10) / 10) + " " + words.seconds : s < 3600 ? Math.round(s / 60) + " min" : Math.round(s / 360) / 10 + " h");

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  draw("chart-daily", {
    data: {
      labels: data.daily.map((d) => dayLabel(d.day)),
      datasets: [
        { type: "bar", label: words.opened, data: data.daily.map((d) => d.opened), backgroundColor: soft, yAxisID: "y" },
        { type: "bar", label: words.closed, data: data.daily.map((d) => d.closed), backgroundColor: brand, yAxisID: "y" },
        { type: "line", label: words.first_human_p50, data: data.daily.map((d) => d.first_human_response_p50), borderColor: amber,
          backgroundColor: amber, yAxisID: "y2", spanGaps: true, tension: 0.25 },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, y2: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
      ticks: { callback: (v) => secs(v) } } } },
  });

  const closed = data.closed;
  const periods = closed.periods;
  const agents = Object.keys(closed.names);
  draw("chart-closed", {
    type: "bar",
    data: {
      labels: periods.map((p) => (closed.by === "day" || closed.by === "week" ? dayLabel(p) : closed.by === "hour" ? p.slice(5) : p)),
      datasets: agents.map((id, i) => ({
        label: closed.names[id],
        data: periods.map((p) => (closed.rows.find((r) => r.period === p && String(r.agent_id) === id) || { cases_closed: 0 }).cases_closed),
        backgroundColor: palette[i % palette.length],
      })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });

  const curve = data.curve;
  const target = curve.suggested_wait_target_seconds;
  draw("chart-curve", {
    data: {
      labels: curve.buckets.map((b) => secs(b.wait_from) + "–" + (b.wait_to === null ? "∞" : secs(b.wait_to))),
      datasets: [
        { type: "bar", label: words.share, data: curve.buckets.map((b) => Math.round(b.no_continuation_share * 1000) / 10),
          // From the suggested target on, the bars turn red: the waits customers do not put up with.
          backgroundColor: curve.buckets.map((b) => (target !== null && b.wait_from >= target ? red : brand)), yAxisID: "y" },
        { type: "line", label: words.cases, data: curve.buckets.map((b) => b.cases), borderColor: grey, backgroundColor: grey, yAxisID: "y2" },
      ],
    },
    options: {
      plugins: { subtitle: { display: target !== null, text: target !== null ? words.target + ": " + secs(target) : "", color: red, font: { weight: "bold" } } },
      scales: { y: { beginAtZero: true, max: 100, ticks: { callback: (v) => v + " %" } },
        y2: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 } } },
    },
  });

  draw("chart-routes", {
    type: "bar",
    data: {
      labels: data.routes.map((r) => r.route),
      datasets: [
        { label: words.cases, data: data.routes.map((r) => r.cases), backgroundColor: brand },
        { label: words.rerouted, data: data.routes.map((r) => r.rerouted), backgroundColor: amber },
      ],
    },
    options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });

  draw("chart-csat", {
    type: "line",
    data: {
      labels: data.daily.map((d) => dayLabel(d.day)),
      datasets: [
        { label: words.csat, data: data.daily.map((d) => d.csat_avg), borderColor: brand, backgroundColor: brand, spanGaps: true, tension: 0.25, yAxisID: "y" },
        { label: "NPS", data: data.daily.map((d) => d.nps), borderColor: ai, backgroundColor: ai, spanGaps: true, tension: 0.25, yAxisID: "y2" },
      ],
    },
    options: { scales: { y: { min: 1, max: 5 }, y2: { position: "right", min: -100, max: 100, grid: { drawOnChartArea: false } } } },
  });

  const handled = data.handled_by;
  draw("chart-handled", {
    type: "doughnut",
    data: {
      labels: [words.ai, words.ai_then_people, words.people],
      datasets: [{ data: [handled.ai, handled.ai_then_people, handled.people], backgroundColor: [ai, "#a78bfa", brand] }],
    },
    options: { plugins: { legend: { position: "bottom" } } },
  });
})();
