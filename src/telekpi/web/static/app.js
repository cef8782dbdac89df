// Draw every chart the page describes; refresh the wallboard; submit filters (and any
// select marked data-submit) on change. No page has inline script: the CSP allows only this file.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-figure]").forEach((el) => {
    const fig = JSON.parse(el.dataset.figure);
    Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false,
      displayModeBar: !el.classList.contains("spark")}).then(() => el.setAttribute("data-drawn", "1"));
  });
  const wall = document.querySelector("[data-refresh]");
  if (wall) setTimeout(() => location.reload(), 1000 * Number(wall.dataset.refresh));
  const filters = document.getElementById("filters");
  if (filters) filters.querySelectorAll("select").forEach((s) => s.addEventListener("change", () => filters.submit()));
  document.querySelectorAll("select[data-submit]").forEach((s) => s.addEventListener("change", () => s.form.submit()));
});
