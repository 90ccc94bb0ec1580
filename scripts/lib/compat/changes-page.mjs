// The docs site's "changes since the last release" page (generated/docs/changes.html) and the link
// to it on the API page: the contract changes since compat/last-release/, classified as the
// compatibility check classifies them (scripts/lib/compat/spec-diff.mjs). Made by
// scripts/generate.mjs, so the drift check holds it to the spec and the record.

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/**
 * @param {{ version: string, apiVersion?: string, lastRelease?: { version: string, commit: string }, changes: { kind: string, side: string, path: string, what: string }[] }} input
 */
export function renderChangesPage({ version, apiVersion, lastRelease, changes }) {
  const since = lastRelease ? `since ${lastRelease.version}` : 'since the last release (none recorded)';
  const rows = changes
    .map((c) => `<tr class="${c.kind}"><td>${c.kind}</td><td>${c.side}</td><td><code>${escapeHtml(c.path)}</code></td><td>${escapeHtml(c.what)}</td></tr>`)
    .join('\n');
  const count = (kind) => changes.filter((c) => c.kind === kind).length;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">
  <title>Contract changes ${escapeHtml(since)} — callbot-contract ${escapeHtml(version)}</title>
  <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:90em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}tr.breaking td:first-child{color:#b00020;font-weight:bold}code{font-size:90%}</style>
</head>
<body>
  <p><a href="index.html">← API reference</a></p>
  <h1>Contract changes ${escapeHtml(since)}</h1>
  <p>callbot-contract <strong id="version">${escapeHtml(version)}</strong>${apiVersion ? ` (Callbot API ${escapeHtml(apiVersion)})` : ''}${
    lastRelease ? `; last release recorded: ${escapeHtml(lastRelease.version)} (commit <code>${escapeHtml(lastRelease.commit.slice(0, 7))}</code>)` : ''
  }.</p>
  <p>Classified for a program that uses the client and its types: a <em>request</em> change is in what you send (request bodies, parameters, your answers to callbacks), an <em>answer</em> change in what you read (answers, their headers, callback payloads). ${count('breaking')} breaking, ${count('compatible')} compatible. Not released yet: the next version's CHANGELOG lists them.</p>
${changes.length === 0 ? '  <p>No contract changes.</p>' : `  <table>\n<tr><th>kind</th><th>side</th><th>where</th><th>what</th></tr>\n${rows}\n  </table>`}
</body>
</html>
`;
}

/** The API page with a fixed link to changes.html, naming the version. */
export function linkChangesPage(html, { version, lastRelease, changes }) {
  const end = html.lastIndexOf('</body>');
  if (end === -1) throw new Error('docs: the page has no </body> to put the changes link before');
  const since = lastRelease ? ` since ${escapeHtml(lastRelease.version)}` : '';
  const link =
    `<a id="callbot-changes" href="changes.html" style="position:fixed;right:12px;bottom:12px;z-index:100;background:#fff;border:1px solid #ccc;border-radius:4px;padding:4px 8px;font:13px system-ui,sans-serif">` +
    `callbot-contract ${escapeHtml(version)} · ${changes.length} contract changes${since}</a>\n`;
  return html.slice(0, end) + link + html.slice(end);
}
