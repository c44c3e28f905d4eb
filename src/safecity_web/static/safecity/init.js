// Safe City front-end start-up (an ES module, loaded by templates/base.html).
//
// 1. Initialises every GOV.UK Frontend component on the page (initAll).
// 2. Renders every chart placeholder
//      <div class="safecity-chart" data-spec-id="spec-ID"></div>
//    from the Vega-Lite spec in <script type="application/json" id="spec-ID"> with vega-embed.
//
// Everything is served from /static/ (no CDN). The Content-Security-Policy has no 'unsafe-eval',
// so Vega's expressions are evaluated by vega-interpreter (vega-embed options ast + expr) instead
// of being compiled with Function(), and vega-embed's injected <style> elements are turned off
// (their rules live in safecity/site.css). A chart that cannot be rendered leaves its data table,
// which always follows the chart, as the content; nothing is written to the console.

import { initAll } from "../govuk/govuk-frontend.min.js";

const VEGA_SCRIPTS = [
  "../vendor/vega/vega.min.js",
  "../vendor/vega/vega-interpreter.min.js",
  "../vendor/vega/vega-lite.min.js",
  "../vendor/vega/vega-embed.min.js",
];

const RENDERED_CLASS = "safecity-chart--rendered";
const FAILED_CLASS = "safecity-chart--failed";

// base.html adds govuk-frontend-supported to <body> in browsers that support ES modules;
// without it initAll only logs a SupportError, so it is not called.
if (document.body.classList.contains("govuk-frontend-supported")) {
  initAll();
}

/**
 * Loads Vega, vega-interpreter, Vega-Lite and vega-embed in dependency order.
 * Each is a UMD bundle that attaches itself to globalThis (vega, vegaLite, vegaEmbed).
 */
async function loadVega() {
  for (const script of VEGA_SCRIPTS) {
    await import(new URL(script, import.meta.url).href);
  }
  const { vega, vegaLite, vegaEmbed } = globalThis;
  if (
    typeof vegaEmbed !== "function" ||
    typeof vegaLite?.compile !== "function" ||
    typeof vega?.expressionInterpreter !== "object"
  ) {
    throw new Error("vega-embed, vega-lite or vega-interpreter did not load");
  }
  return { vega, vegaLite, vegaEmbed };
}

/**
 * The Vega spec to embed: Vega-Lite specs (no $schema, or a vega-lite one) are compiled here
 * with a silent logger, because vega-embed would compile them with Vega-Lite's default logger,
 * which writes authoring warnings to the reader's console.
 */
function vegaSpec(libraries, spec) {
  const schema = typeof spec.$schema === "string" ? spec.$schema : "";
  if (/\/schema\/vega\/v\d/.test(schema)) {
    return spec;
  }
  const logger = libraries.vega.logger(libraries.vega.None);
  // aria: false - the chart is one image (role="img", labelled below); Vega-Lite's per-mark
  // roles would each need a name of their own (axe: svg-img-alt) and repeat the data table.
  return libraries.vegaLite.compile(spec, { logger, config: { aria: false } }).spec;
}

/** The parsed spec named by the chart's data-spec-id, or null if absent or not JSON. */
function readSpec(chart) {
  const source = document.getElementById(chart.dataset.specId);
  if (source === null || source.type !== "application/json") {
    return null;
  }
  try {
    return JSON.parse(source.textContent);
  } catch {
    return null;
  }
}

/**
 * Gives the rendered SVG its text alternative: the spec's description as role="img" and
 * aria-label; without a description the SVG is hidden from assistive technology and the data
 * table that follows the chart is the alternative. Roles Vega gave to parts of the chart are
 * removed: inside one image they are presentational, and unnamed they fail axe's svg-img-alt.
 */
function labelChart(chart, spec) {
  const svg = chart.querySelector("svg");
  if (svg === null) {
    return;
  }
  svg.setAttribute("focusable", "false");
  for (const part of svg.querySelectorAll("[role], [aria-label], [aria-roledescription]")) {
    part.removeAttribute("role");
    part.removeAttribute("aria-label");
    part.removeAttribute("aria-roledescription");
  }
  if (typeof spec.description === "string" && spec.description.trim() !== "") {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", spec.description.trim());
    svg.removeAttribute("aria-roledescription");
  } else {
    svg.setAttribute("aria-hidden", "true");
    svg.removeAttribute("role");
    svg.removeAttribute("aria-label");
    svg.removeAttribute("aria-roledescription");
  }
}

async function renderCharts() {
  const charts = Array.from(document.querySelectorAll("div.safecity-chart[data-spec-id]"));
  if (charts.length === 0) {
    return;
  }
  let libraries;
  try {
    libraries = await loadVega();
  } catch {
    charts.forEach((chart) => chart.classList.add(FAILED_CLASS));
    return;
  }
  const options = {
    actions: false,
    renderer: "svg",
    ast: true,
    expr: libraries.vega.expressionInterpreter,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
    logLevel: libraries.vega.None,
    mode: "vega",
  };
  for (const chart of charts) {
    const spec = readSpec(chart);
    if (spec === null) {
      chart.classList.add(FAILED_CLASS);
      continue;
    }
    try {
      await libraries.vegaEmbed(chart, vegaSpec(libraries, spec), options);
      labelChart(chart, spec);
      chart.classList.add(RENDERED_CLASS);
    } catch {
      chart.replaceChildren();
      chart.classList.add(FAILED_CLASS);
    }
  }
}

renderCharts();
