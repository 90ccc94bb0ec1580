// Rough edges of Redoc's static page, fixed in the generated HTML (issue 21). Like the offline
// patches, each one must apply: a Redoc upgrade that moves its anchor fails generation loudly.

// An empty icon: without one a browser asks the server for /favicon.ico, and the mock's 404 (or
// any static host's) is a console error on every load of the docs.
const FAVICON = '<link rel="icon" href="data:,">';

// Markdown tables sit in the middle panel (about 460 px of a 1400 px window) with `word-break:
// keep-all`, so the five columns of RetCode's table (retCode, name, 中文, English, outcome) were
// wider than the panel and the last two were cut off behind a scroll bar. Chinese may break between
// characters (a column of at least 4.5em, not one character), and the text is a little smaller.
// `html body` outranks Redoc's own `.<hash> table.md td` rule, which comes later in the page.
const T = 'html body .md-table-wrapper>table.md';
const TABLE_STYLE =
  `<style>${T} th,${T} td{word-break:normal;overflow-wrap:normal;padding:4px 6px;font-size:12.5px;min-width:4.5em}` +
  `${T} code{font-size:11px;word-break:keep-all}</style>`;

const HEAD_ANCHOR = '<meta name="viewport" content="width=device-width, initial-scale=1">';

// The search index (and excerpts) take a description's plain text from its Markdoc tree by
// concatenating text nodes: a soft line break or the end of a paragraph added nothing, so
// "the\nprevious" read "theprevious". The patched walker adds a space after soft/hard breaks and
// block nodes, then collapses runs of white space.
const PLAIN_TEXT =
  /typeof (\w+)\.attributes\?\.content==`string`&&(\w+)\.push\(\1\.attributes\.content\);for\(let (\w+) of \1\.children\?\?\[\]\)(\w+)\(\3\)\}\}return \4\((\w+)\),\2\.join\(``\)\}/g;
const SPACED = new Set(['softbreak', 'hardbreak', 'paragraph', 'heading', 'item', 'list', 'blockquote', 'fence', 'tr', 'th', 'td', 'hr']);

function spacedPlainText(_match, node, parts, child, walk, root) {
  const spaced = JSON.stringify([...SPACED]);
  return (
    `typeof ${node}.attributes?.content==\`string\`&&${parts}.push(${node}.attributes.content);` +
    `for(let ${child} of ${node}.children??[])${walk}(${child});${spaced}.includes(${node}.type)&&${parts}.push(\` \`)}}` +
    `return ${walk}(${root}),${parts}.join(\`\`).replace(/\\s+/g,\` \`).trim()}`
  );
}

export function fixDocsPage(html) {
  if (html.indexOf(HEAD_ANCHOR) === -1) throw new Error('docs: the page has no viewport <meta> to put the icon and table style after (Redoc changed?)');
  let result = html.replace(HEAD_ANCHOR, `${HEAD_ANCHOR}\n  ${FAVICON}\n  ${TABLE_STYLE}`);
  const walkers = result.match(PLAIN_TEXT)?.length ?? 0;
  if (walkers !== 1) throw new Error(`docs: expected one Markdoc plain-text walker to patch, found ${walkers} (Redoc changed?)`);
  result = result.replace(PLAIN_TEXT, spacedPlainText);
  return result;
}
