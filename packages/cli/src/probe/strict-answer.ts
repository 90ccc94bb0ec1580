import { bundledSpec, escapeToken, resolvePointer, sourceFile, type Json } from './spec.js';

// The strict reading of an answer against the contract. The contract's own validators are
// lenient on purpose (a client must not break when the vendor adds a field); the probe wants
// the opposite: every field the spec does not name, every documented field missing, every type
// that differs, and every value of an enum the spec does not list — even where the spec lets
// an answer carry "any other integer" (`AnswerRetCode`, `AnswerTaskStatus`: anyOf a closed enum
// and integer), because such a value is exactly what the enum should learn.
//
// The answer schemas are plain (objects, arrays, $ref, anyOf, enum); this walks them directly
// so that each finding carries the schema pointer and the file under openapi/ to change.
// Values from answers never enter a finding (they may be phone numbers or names): only paths,
// JSON types and integer enum values.

export type AnswerIssueKind = 'undocumented-field' | 'missing-field' | 'type' | 'enum-value' | 'constraint';

export interface AnswerIssue {
  operation: string;
  kind: AnswerIssueKind;
  /** Where in the answer, e.g. `$.taskData[0].taskStat.extra`. */
  path: string;
  /** The schema the finding is about, as a pointer into the bundled spec. */
  pointer: string;
  /** The file under openapi/ that holds that schema. */
  file: string;
  detail: string;
}

/** Integer values seen at fields whose description says their values are unknown (`**Unknown:**`, `**Unknown enum**`). */
export type ValuesSeen = Map<string, Set<number>>;

type Schema = { [key: string]: Json };

const MAX_ITEMS_CHECKED = 50;
const MAX_VALUES_KEPT = 20;

const jsonType = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value === 'number' ? 'number' : typeof value;

const typeMatches = (expected: string, actual: string) => expected === actual || (expected === 'number' && actual === 'integer');

const isSchema = (value: Json | undefined): value is Schema => value !== null && typeof value === 'object' && !Array.isArray(value);

const childPath = (path: string, key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

interface Walk {
  operation: string;
  issues: AnswerIssue[];
  valuesSeen: ValuesSeen;
}

function issue(walk: Walk, kind: AnswerIssueKind, path: string, pointer: string, detail: string): void {
  walk.issues.push({ operation: walk.operation, kind, path, pointer, file: sourceFile(pointer), detail });
}

/** A `$ref`'d schema, resolved, with its own pointer. */
function deref(schema: Schema, pointer: string): [Schema, string] {
  let current = schema;
  let at = pointer;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 20; hops++) {
    at = current.$ref;
    const target = resolvePointer(at, bundledSpec());
    if (!isSchema(target)) break;
    current = target;
  }
  return [current, at];
}

/**
 * `anyOf: [<closed enum>, {type: integer}]` — the spec's "a documented value or any other"
 * (the enum the vendor may extend). Returns the enum schema and its pointer.
 */
function openEnum(schema: Schema, pointer: string): { values: Json[]; pointer: string; type: string } | undefined {
  const branches = schema.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return undefined;
  const resolved = branches.map((b, i) => (isSchema(b) ? deref(b, `${pointer}/anyOf/${i}`) : undefined));
  const closed = resolved.find((r) => r && Array.isArray(r[0].enum));
  const open = resolved.find(
    (r) => r && !r[0].enum && typeof r[0].type === 'string' && Object.keys(r[0]).every((k) => ['type', 'description', 'example', 'examples'].includes(k)),
  );
  if (!closed || !open) return undefined;
  return { values: closed[0].enum as Json[], pointer: closed[1], type: open[0].type as string };
}

function check(walk: Walk, given: Schema, value: unknown, path: string, givenPointer: string): void {
  const [schema, pointer] = deref(given, givenPointer);

  const extendable = openEnum(schema, pointer);
  if (extendable) {
    const actual = jsonType(value);
    if (!typeMatches(extendable.type, actual)) return issue(walk, 'type', path, pointer, `is ${actual}, the contract says ${extendable.type}`);
    if (!extendable.values.includes(value as Json))
      issue(walk, 'enum-value', path, extendable.pointer, `value ${JSON.stringify(value)} is not in the enum (${extendable.values.join(', ')})`);
    return;
  }
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const branches = (schema.anyOf ?? schema.oneOf) as Json[];
    const keyword = schema.anyOf ? 'anyOf' : 'oneOf';
    let best: AnswerIssue[] | undefined;
    branches.forEach((branch, i) => {
      if (!isSchema(branch) || best?.length === 0) return;
      const trial: Walk = { ...walk, issues: [] };
      check(trial, branch, value, path, `${pointer}/${keyword}/${i}`);
      if (best === undefined || trial.issues.length < best.length) best = trial.issues;
    });
    walk.issues.push(...(best ?? []));
    return;
  }

  const actual = jsonType(value);
  const expected = schema.type;
  if (typeof expected === 'string' && !typeMatches(expected, actual)) return issue(walk, 'type', path, pointer, `is ${actual}, the contract says ${expected}`);
  if (Array.isArray(expected) && !expected.some((t) => typeof t === 'string' && typeMatches(t, actual)))
    return issue(walk, 'type', path, pointer, `is ${actual}, the contract says ${expected.join(' or ')}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value as Json)) {
    const shown = typeof value === 'number' || typeof value === 'boolean' ? ` ${JSON.stringify(value)}` : '';
    return issue(walk, 'enum-value', path, pointer, `value${shown} is not in the enum (${schema.enum.map((v) => JSON.stringify(v)).join(', ')})`);
  }
  if ('const' in schema && schema.const !== value) return issue(walk, 'constraint', path, pointer, `must be ${JSON.stringify(schema.const)}`);

  if (actual === 'integer' && typeof schema.description === 'string' && schema.description.includes('**Unknown')) {
    const seen = walk.valuesSeen.get(pointer) ?? new Set<number>();
    if (seen.size < MAX_VALUES_KEPT) seen.add(value as number);
    walk.valuesSeen.set(pointer, seen);
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum)
    issue(walk, 'constraint', path, pointer, `is below the minimum ${schema.minimum}`);
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength)
      issue(walk, 'constraint', path, pointer, `is shorter than ${schema.minLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      issue(walk, 'constraint', path, pointer, `does not match the pattern ${schema.pattern}`);
  }

  if (actual === 'object' && isSchema(value as Json)) {
    const object = value as Record<string, unknown>;
    const properties = isSchema(schema.properties) ? schema.properties : undefined;
    for (const name of Array.isArray(schema.required) ? schema.required : []) {
      if (typeof name === 'string' && !(name in object))
        issue(walk, 'missing-field', childPath(path, name), `${pointer}/properties/${escapeToken(name)}`, 'is required by the contract but absent');
    }
    for (const [key, child] of Object.entries(object)) {
      const property = properties?.[key];
      if (isSchema(property)) check(walk, property, child, childPath(path, key), `${pointer}/properties/${escapeToken(key)}`);
      else if (isSchema(schema.additionalProperties)) check(walk, schema.additionalProperties, child, childPath(path, key), `${pointer}/additionalProperties`);
      else if (properties !== undefined || schema.additionalProperties === false)
        issue(walk, 'undocumented-field', childPath(path, key), pointer, `is not in the contract (a ${jsonType(child)})`);
    }
  }
  if (actual === 'array' && isSchema(schema.items)) {
    (value as unknown[]).slice(0, MAX_ITEMS_CHECKED).forEach((item, i) => {
      check(walk, schema.items as Schema, item, `${path}[${i}]`, `${pointer}/items`);
    });
  }
}

/** Every way `answer` departs from the named answer schema (`components.schemas[name]`), strictly. */
export function strictAnswerIssues(operation: string, schemaName: string, answer: unknown, valuesSeen: ValuesSeen = new Map()): AnswerIssue[] {
  const walk: Walk = { operation, issues: [], valuesSeen };
  check(walk, { $ref: `#/components/schemas/${schemaName}` }, answer, '$', `#/components/schemas/${schemaName}`);
  return walk.issues;
}

/** One finding per operation, kind, schema and path with the array indices removed, with how often it was seen. */
export function dedupeIssues(issues: readonly AnswerIssue[]): (AnswerIssue & { count: number })[] {
  const byKey = new Map<string, AnswerIssue & { count: number }>();
  for (const found of issues) {
    const path = found.path.replace(/\[\d+\]/g, '[]');
    const key = `${found.operation}\u0000${found.kind}\u0000${found.pointer}\u0000${path}\u0000${found.detail}`;
    const seen = byKey.get(key);
    if (seen) seen.count++;
    else byKey.set(key, { ...found, path, count: 1 });
  }
  return [...byKey.values()];
}
