import { readFile } from 'node:fs/promises';
import { docsFile, specFile } from '../assets.js';
import type { HttpAnswer } from './exchange.js';

/** The generated artefacts the mock serves: the offline docs site and the bundled spec. */
const FILES: Record<string, { file: () => string; type: string }> = {
  '/docs/': { file: () => docsFile(), type: 'text/html; charset=utf-8' },
  // The contract changes since the last release (the API page links it as changes.html).
  '/docs/changes.html': { file: () => docsFile('changes.html'), type: 'text/html; charset=utf-8' },
  '/openapi.json': { file: () => specFile('json'), type: 'application/json; charset=utf-8' },
  '/openapi.yaml': { file: () => specFile('yaml'), type: 'application/yaml; charset=utf-8' },
};

const cache = new Map<string, Promise<Buffer>>();

export const isStaticPath = (path: string) => path === '/' || path === '/docs' || path in FILES;

/** The page, file or redirect for `path` (HEAD: the same headers, no body). */
export async function serveStatic(path: string, method: string): Promise<HttpAnswer> {
  if (path === '/docs') return { status: 301, headers: { Location: '/docs/', 'Content-Length': '0' }, body: new Uint8Array() };
  let type: string;
  let body: Buffer;
  let cacheControl: Record<string, string> = {};
  if (path === '/') {
    type = 'text/html; charset=utf-8';
    body = Buffer.from(
      // An empty icon, as in the docs page: no /favicon.ico request, no 404 in the console.
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>Callbot mock</title>' +
        '<h1>Callbot v3 mock</h1><ul><li><a href="/docs/">API docs</a></li>' +
        '<li><a href="/openapi.json">openapi.json</a> · <a href="/openapi.yaml">openapi.yaml</a></li>' +
        '<li><a href="/__mock/tasks">/__mock/tasks</a> · <a href="/__mock/callbacks">/__mock/callbacks</a> · <a href="/__mock/clock">/__mock/clock</a> (debug)</li></ul>' +
        '<p>POST /callcentre/api/v3/importBatchCall (and the other operations of the spec)</p>',
    );
  } else {
    const entry = FILES[path];
    if (!entry) throw new Error(`no static file for ${path}`);
    let content = cache.get(path);
    if (!content) {
      content = readFile(entry.file());
      cache.set(path, content);
      content.catch(() => cache.delete(path));
    }
    type = entry.type;
    body = await content;
    cacheControl = { 'Cache-Control': 'no-cache' };
  }
  return {
    status: 200,
    headers: { 'Content-Type': type, 'Content-Length': String(body.length), ...cacheControl },
    body: method === 'HEAD' ? new Uint8Array() : body,
  };
}
