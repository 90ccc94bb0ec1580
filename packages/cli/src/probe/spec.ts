import { createRequire } from 'node:module';

// The bundled contract (callbot-contract/openapi.json) as the probe reads it: a JSON pointer
// resolves to a value, a pointer names the file under openapi/ it was bundled from, and a
// marker (e.g. `**Choice (gzip):**`) finds the paragraph a probe confirms or contradicts. The
// probe quotes that paragraph from the spec rather than restating it, so a report always cites
// the contract it was run against.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Where in the contract a finding belongs: the file to change and the words it bears on. */
export interface SpecLocation {
  /** The file under openapi/ the pointer was bundled from, e.g. `openapi/components/headers/Sign.yaml`. */
  file: string;
  /** JSON pointer into generated/openapi.json (the bundled spec). */
  pointer: string;
  /** The operation concerned, when there is one. */
  operation?: string;
  /** The paragraph's start as found in the spec, shortened (absent when no marker was asked for). */
  paragraph?: string;
}

let bundled: Json | undefined;

/** The bundled spec shipped by callbot-contract (read once). */
export function bundledSpec(): Json {
  bundled ??= createRequire(import.meta.url)('callbot-contract/openapi.json') as Json;
  return bundled;
}

const unescape = (token: string) => token.replaceAll('~1', '/').replaceAll('~0', '~');
export const escapeToken = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');

/** The value at `#/a/b` in the bundled spec, or undefined. */
export function resolvePointer(pointer: string, root: Json = bundledSpec()): Json | undefined {
  let node: Json | undefined = root;
  for (const token of pointer.replace(/^#\/?/, '').split('/').filter(Boolean).map(unescape)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[Number(token)] : node[token];
  }
  return node;
}

/**
 * The source file of a pointer, following openapi/README.md's layout: one file per component
 * (`components/<kind>/<Name>.yaml`) and one per path (`/callcentre/api/v3/ping` →
 * `paths/callcentre_api_v3_ping.yaml`).
 */
export function sourceFile(pointer: string): string {
  const [root, kind, name] = pointer.replace(/^#\/?/, '').split('/').map(unescape);
  if (root === 'components' && kind && name) return `openapi/components/${kind}/${name}.yaml`;
  if (root === 'paths' && kind) return `openapi/paths/${kind.replace(/^\//, '').replaceAll('/', '_')}.yaml`;
  return 'openapi/openapi.yaml';
}

/** The pointer of an operation's path item in the bundled spec. */
export function operationPointer(path: string): string {
  return `#/paths/${escapeToken(path)}/post`;
}

const QUOTE_LENGTH = 220;

/**
 * The paragraph of the description at `pointer` that contains `marker`, shortened. Undefined
 * when the marker is not there (the spec changed: test/probe-spec.test.ts catches that).
 */
export function findParagraph(pointer: string, marker: string): string | undefined {
  const text = resolvePointer(pointer);
  if (typeof text !== 'string') return undefined;
  const paragraph = text.split(/\n\s*\n/).find((p) => p.includes(marker));
  if (paragraph === undefined) return undefined;
  const from = paragraph.indexOf(marker);
  const flat = paragraph.slice(from).replace(/\s+/g, ' ').trim();
  return flat.length > QUOTE_LENGTH ? `${flat.slice(0, QUOTE_LENGTH - 1)}…` : flat;
}

/** A spec location with its paragraph quoted (pointer to a description string, marker in it). */
export function cite(pointer: string, marker: string | undefined, operation?: string): SpecLocation {
  const location: SpecLocation = { file: sourceFile(pointer), pointer };
  if (operation) location.operation = operation;
  if (marker !== undefined) {
    const paragraph = findParagraph(pointer, marker);
    location.paragraph = paragraph ?? `(marker "${marker}" not found in the bundled spec)`;
  }
  return location;
}
