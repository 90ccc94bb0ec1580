import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// The bundled spec (callbot-contract/openapi.json), read when a verb needs what only the spec
// says: a field's example for an error message (an enum's names are the contract's generated
// tables, e.g. TaskStatusEntries). Read once, on first use; the verbs that never ask never read it.

type SchemaObject = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  example?: unknown;
  description?: string;
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  'x-enum-varnames'?: string[];
  'x-enum-descriptions'?: string[];
};

let schemas: Record<string, SchemaObject> | undefined;

function allSchemas(): Record<string, SchemaObject> {
  if (!schemas) {
    const file = createRequire(import.meta.url).resolve('callbot-contract/openapi.json');
    schemas = (JSON.parse(readFileSync(file, 'utf8')) as { components: { schemas: Record<string, SchemaObject> } }).components.schemas;
  }
  return schemas;
}

const resolve = (schema: SchemaObject | undefined): SchemaObject | undefined =>
  schema?.$ref ? allSchemas()[schema.$ref.replace('#/components/schemas/', '')] : schema;

/**
 * The schema of a field of a request, by the path the validators report
 * (`taskCreateSetting.dialAtUpHour`, `funcFlag.smsFuncFlag[0].intent`); undefined if the spec
 * has no such field.
 */
export function fieldSchema(schemaName: string, path: string): SchemaObject | undefined {
  let at = resolve(allSchemas()[schemaName]);
  for (const segment of path.split(/\.|(?=\[)/)) {
    if (!at) return undefined;
    at = resolve(/^\[\d+\]$/.test(segment) ? at.items : at.properties?.[segment]);
  }
  return at;
}

/** The spec's example of a field, as JSON text (`"09:00"`), for "must match …" messages; undefined when it has none. */
export function fieldExample(schemaName: string, path: string): string | undefined {
  const example = fieldSchema(schemaName, path)?.example;
  return example === undefined ? undefined : JSON.stringify(example);
}
