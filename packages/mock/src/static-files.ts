import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { docsFile, specFile } from './assets.js';

/** The generated artefacts the mock serves: the offline docs site and the bundled spec. */
const FILES: Record<string, { file: () => string; type: string }> = {
  '/docs/': { file: docsFile, type: 'text/html; charset=utf-8' },
  '/openapi.json': { file: () => specFile('json'), type: 'application/json; charset=utf-8' },
  '/openapi.yaml': { file: () => specFile('yaml'), type: 'application/yaml; charset=utf-8' },
};

const cache = new Map<string, Promise<Buffer>>();

export const isStaticPath = (path: string) => path === '/' || path === '/docs' || path in FILES;

export async function serveStatic(path: string, method: string, res: ServerResponse): Promise<void> {
  if (path === '/docs') {
    res.writeHead(301, { Location: '/docs/' }).end();
    return;
  }
  if (path === '/') {
    const body = Buffer.from(
      '<!doctype html><meta charset="utf-8"><title>Callbot mock</title>' +
        '<h1>Callbot v3 mock</h1><ul><li><a href="/docs/">API docs</a></li>' +
        '<li><a href="/openapi.json">openapi.json</a> · <a href="/openapi.yaml">openapi.yaml</a></li>' +
        '<li><a href="/__mock/batches">/__mock/batches</a> · <a href="/__mock/callbacks">/__mock/callbacks</a> (debug, read-only)</li></ul>' +
        '<p>POST /callcentre/api/v3/importBatchCall</p>',
    );
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
    res.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const entry = FILES[path];
  if (!entry) throw new Error(`no static file for ${path}`);
  let content = cache.get(path);
  if (!content) {
    content = readFile(entry.file());
    cache.set(path, content);
    content.catch(() => cache.delete(path));
  }
  const body = await content;
  res.writeHead(200, { 'Content-Type': entry.type, 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
  res.end(method === 'HEAD' ? undefined : body);
}
