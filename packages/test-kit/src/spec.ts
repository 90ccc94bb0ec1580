import { readFileSync } from 'node:fs';
import { fromRoot } from './paths.js';

// The bundled spec, as every consumer of the package sees it.
export type JsonObject = Record<string, any>;
export const bundledSpec: JsonObject = JSON.parse(readFileSync(fromRoot('generated', 'openapi.json'), 'utf8'));
export const operation: JsonObject = bundledSpec.paths['/callcentre/api/v3/importBatchCall'].post;
export const schemas: JsonObject = bundledSpec.components.schemas;
