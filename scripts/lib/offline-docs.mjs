// Redoc's static page can phone home (UI telemetry) and loads its "API docs by" logo from a CDN;
// the docs must render with the network cut and send nothing anywhere, so both are switched off
// here. Each patch must apply: a Redoc upgrade that moves them fails generation loudly.
const EMPTY_SVG = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";

const patches = [
  ['https://cdn.redoc.ly/redoc/logo-mini-full.svg', EMPTY_SVG],
  ['https://cdn.redoc.ly/redoc/logo-mini.svg', EMPTY_SVG],
];

export function makeDocsOffline(html) {
  let result = html;
  for (const [from, to] of patches) {
    if (!result.includes(from)) throw new Error(`docs: expected to patch ${from}, not found (Redoc changed?)`);
    result = result.replaceAll(from, to);
  }
  // redocly.yaml's `telemetry: off` is meant to reach the page's options; make sure it did.
  if (!result.includes('"disableTelemetry":true') || result.includes('"disableTelemetry":false')) {
    throw new Error('docs: the page does not have disableTelemetry:true in its options');
  }
  return result;
}
