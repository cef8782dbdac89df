// Draw every chart the page describes (a click on a point follows its link); refresh the wallboard; submit filters (and any
// select marked data-submit) on change; open and close the phone menu; let the keyboard
// reach a table that scrolls. No page has inline script: the CSP allows only this file.
"use strict";

// The mode bar shows on hover, top right, with only the PNG download: the title is HTML
// above the chart (presentation.py), so nothing covers it.
const CONFIG = {responsive: true, displaylogo: false, displayModeBar: "hover",
  modeBarButtons: [["toImage"]]};

function themed(layout) {
  // Text and grid lines in the page's colours (the dark wall screen included).
  const css = getComputedStyle(document.body);
  const fg = css.getPropertyValue("--fg").trim() || "#1f2328";
  const line = css.getPropertyValue("--line").trim() || "#d0d7de";
  const out = {...layout, font: {...(layout.font || {}), color: fg}};
  for (const axis of ["xaxis", "yaxis"]) {
    if (layout[axis] && layout[axis].visible === false) continue;
    out[axis] = {gridcolor: line, zerolinecolor: line, linecolor: line, ...(layout[axis] || {})};
  }
  return out;
}

function fitted(el, data) {
  // A heatmap too narrow for its cells' text (a phone) shows the values on hover only.
  return data.map((t) => (t.type === "heatmap" && el.clientWidth / (t.x || []).length < 36
    ? {...t, texttemplate: ""} : t));
}

function draw(el) {
  const fig = JSON.parse(el.dataset.figure);
  fig.data = fitted(el, fig.data);
  const spark = el.classList.contains("spark");
  if (spark) el.setAttribute("aria-hidden", "true");   // the card says the number; this is decoration
  const config = spark ? {responsive: true, displayModeBar: false} : CONFIG;
  return Plotly.newPlot(el, fig.data, themed(fig.layout), config).then(() => {
    if (el.dataset.links) {
      // A point (a bar) leads to the rows behind it, as its row in the data table does
      // (newPlot purges the element's listeners: one handler per drawing).
      const links = JSON.parse(el.dataset.links);
      el.on("plotly_click", (d) => {
        const href = d.points.length ? links[d.points[0].pointIndex] : null;
        if (href) window.location.assign(href);
      });
    }
    el.setAttribute("data-drawn", "1");
  });
}

function scrollable() {
  // A table wider than the screen scrolls inside itself: the keyboard can reach and scroll it.
  document.querySelectorAll("table").forEach((t) => {
    if (t.scrollWidth > t.clientWidth + 1) t.setAttribute("tabindex", "0");
    else t.removeAttribute("tabindex");
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-figure]").forEach(draw);
  scrollable();
  window.addEventListener("resize", scrollable);
  const wall = document.querySelector("[data-refresh]");
  if (wall) setTimeout(() => location.reload(), 1000 * Number(wall.dataset.refresh));
  const filters = document.getElementById("filters");
  if (filters) filters.querySelectorAll("select").forEach((s) => s.addEventListener("change", () => filters.submit()));
  document.querySelectorAll("select[data-submit]").forEach((s) => s.addEventListener("change", () => s.form.submit()));
  const toggle = document.querySelector(".menu-toggle");
  if (toggle) toggle.addEventListener("click", () => {
    const top = toggle.closest(".top");
    const open = top.dataset.menu !== "open";
    top.dataset.menu = open ? "open" : "closed";
    toggle.setAttribute("aria-expanded", String(open));
  });
});
