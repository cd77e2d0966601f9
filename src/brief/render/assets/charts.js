// Draw every chart on the page with vega-embed (bundled offline; no other host).
// The static SVG stays in place until the interactive chart has been drawn, so a
// page opened without JavaScript, or from file://, still shows every chart.
// Vega measures text when it lays out a chart, so the web font must be loaded first,
// or legend labels overlap.
await Promise.all(["11px", "600 14px"].map((font) =>
  document.fonts.load(`${font} "Noto Sans"`).catch(() => [])));
for (const node of document.querySelectorAll('script[type="application/json"][data-chart-spec]')) {
  const name = node.dataset.chartSpec;
  const box = [...document.querySelectorAll(".chart[data-chart]")]
    .find((element) => element.dataset.chart === name);
  if (!box) continue;
  const spec = JSON.parse(node.textContent);
  const target = document.createElement("div");
  target.className = "chart-live";
  box.appendChild(target);
  vegaEmbed(target, spec, { renderer: "svg", actions: false })
    .then(() => {
      const still = box.querySelector(".chart-static");
      if (still) still.remove();
      const svg = target.querySelector("svg");
      if (svg) svg.setAttribute("aria-label", box.getAttribute("aria-label") || "");
    })
    .catch((error) => {
      target.remove();
      console.warn("chart " + name + " kept as a static image: " + error);
    });
}
