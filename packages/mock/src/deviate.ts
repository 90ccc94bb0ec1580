import { readFile } from 'node:fs/promises';
import { specFile } from './assets.js';
import { pick, randomFor, type Random } from './random.js';
import type { SimEvent } from './simulator/api.js';

/**
 * Deviations: answers and callbacks made off-shape the way a real vendor's may be, so that a
 * team can test its own tolerant reading against the mock (`deviate` option, `--deviate`).
 * What may deviate is read from the bundled spec's schemas — the answer schema of each
 * operation, the request body of each callback — never from a list kept here:
 *
 * - `extra`: a property the schema does not declare (`x_vendorNew…`) is added to an object;
 * - `missing`: a property the schema does not require is left out;
 * - `null`: a declared property (required or not) is `null`;
 * - `enum`: a property whose schema lists its values (`enum`/`const`, also inside `anyOf`) gets
 *   one it does not list (an integer above the largest, or `UNDOCUMENTED_n`).
 *
 * At any depth (the items of arrays too: orders, calls, intents). The payload is changed before
 * it is serialized and signed, so it is still authentic. Never touched: the HTTP headers, and
 * the top-level fields the contract reads to judge a payload at all (NEVER_DEVIATED): an
 * answer's `retCode` (ping's `code`) stays the integer its outcome is read from, a callback's
 * `callbackType` stays what tells the order callback from the call callback.
 *
 * Seeded (random.ts, no Math.random): whether a payload deviates, and how, is drawn from
 * (seed, key) — the key is an answer's operation and its number among that operation's answers,
 * or a callback's world event `seq` — so the same seed and the same requests deviate alike.
 */

export type DeviationKind = 'extra' | 'missing' | 'null' | 'enum';
export const DEVIATION_KINDS: readonly DeviationKind[] = ['extra', 'missing', 'null', 'enum'];

/** The answer header that lists an answer's deviations (`null orderDetailList[0].userName, extra x_vendorNewFlag`). */
export const DEVIATIONS_HEADER = 'x-callbot-mock-deviations';

/** Top-level fields never deviated, per payload: what the contract needs to judge it at all. */
export const NEVER_DEVIATED = { answer: ['retCode', 'code'], callback: ['callbackType'] } as const;

export interface DeviateSettings {
  /** Share of answers and callbacks that deviate, 0 to 1. */
  rate: number;
  seed: number;
  kinds: readonly DeviationKind[];
}

export interface Deviation {
  kind: DeviationKind;
  /** Where, as the contract names a field: `orderDetailList[0].callInfoDetailList[1].agent`. */
  path: string;
}

export interface Deviated<T> {
  /** The payload to send: `value` itself when nothing deviated, else a copy (the original is never changed). */
  value: T;
  deviations: Deviation[];
}

export type CallbackKind = SimEvent['kind'];

export interface Deviator {
  /** An answer of the operation at `operationPath`, maybe deviated. */
  answer<T extends object>(operationPath: string, value: T): Deviated<T>;
  /** The callback of a world event, maybe deviated (the same event: the same deviations). */
  callback<T extends object>(kind: CallbackKind, seq: number, payload: T): Deviated<T>;
}

/** `kind path, kind path`: for the answer header and log lines. */
export const describeDeviations = (deviations: readonly Deviation[]) => deviations.map(({ kind, path }) => `${kind} ${path}`).join(', ');

/** At most this many deviations in one payload (at least one when it deviates). */
const MAX_PER_PAYLOAD = 3;
/** Items of one array looked at (drawn): a deviation can land deep in a 100,000-call export without walking it all. */
const ITEMS_LOOKED_AT = 4;
/** Deepest a payload or a schema is followed. */
const MAX_DEPTH = 32;

type Json = Record<string, unknown>;
type Segment = string | number;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** What a (resolved, flattened) schema says about a value. */
interface Shape {
  properties: Map<string, Json>;
  required: Set<string>;
  items?: Json;
  /** The listed values (`enum`, `const`), when the schema lists any. */
  values?: unknown[];
}

/** The bundled spec's schemas, flattened for this module's questions: `$ref` followed, `allOf`/`anyOf`/`oneOf` merged. */
class Schemas {
  readonly #spec: Json;
  readonly #shapes = new WeakMap<Json, Shape>();

  constructor(spec: Json) {
    this.#spec = spec;
  }

  /** `#/a/b` references followed (local ones only, as in the bundle). */
  resolve(value: unknown): Json | undefined {
    for (let hops = 0; hops < MAX_DEPTH && isObject(value) && typeof value.$ref === 'string'; hops += 1) {
      if (!value.$ref.startsWith('#/')) return undefined;
      let target: unknown = this.#spec;
      for (const part of value.$ref.slice(2).split('/')) target = isObject(target) ? target[part.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
      value = target;
    }
    return isObject(value) ? value : undefined;
  }

  /**
   * A property required by any branch counts as required (never left out): the conservative
   * reading, as a branch's `required` may be the one that applies.
   */
  shape(schema: unknown): Shape {
    const resolved = this.resolve(schema);
    if (!resolved) return { properties: new Map(), required: new Set() };
    const cached = this.#shapes.get(resolved);
    if (cached) return cached;
    const shape: Shape = { properties: new Map(), required: new Set() };
    this.#merge(shape, resolved, 0);
    this.#shapes.set(resolved, shape);
    return shape;
  }

  #merge(shape: Shape, schema: Json, depth: number): void {
    if (depth > MAX_DEPTH) return;
    if (isObject(schema.properties)) {
      for (const [name, property] of Object.entries(schema.properties)) {
        if (isObject(property) && !shape.properties.has(name)) shape.properties.set(name, property);
      }
    }
    if (Array.isArray(schema.required)) for (const name of schema.required) shape.required.add(String(name));
    if (isObject(schema.items) && !shape.items) shape.items = schema.items;
    if (Array.isArray(schema.enum)) shape.values = [...(shape.values ?? []), ...schema.enum];
    if ('const' in schema) shape.values = [...(shape.values ?? []), schema.const];
    for (const combinator of ['allOf', 'anyOf', 'oneOf'] as const) {
      const branches = schema[combinator];
      if (!Array.isArray(branches)) continue;
      for (const branch of branches) {
        const resolved = this.resolve(branch);
        if (resolved) this.#merge(shape, resolved, depth + 1);
      }
    }
  }

  /** `paths[path].post.responses.200` → its JSON schema. */
  answerSchema(operationPath: string): Json | undefined {
    const paths = this.resolve(this.#spec.paths);
    const post = this.resolve(this.resolve(paths?.[operationPath])?.post);
    return this.#jsonSchema(this.resolve(post?.responses)?.['200']);
  }

  /**
   * Each callback's request body schema, by kind: the spec declares the callbacks under the
   * runtime expression of the URL they go to (`{$request.body#/callInfoList/orderCallbackUrl}`),
   * and the simulator's kinds are those URLs' names (`order` ← `orderCallbackUrl`).
   */
  callbackSchemas(): Map<string, Json> {
    const found = new Map<string, Json>();
    for (const item of Object.values(this.resolve(this.#spec.paths) ?? {})) {
      const callbacks = this.resolve(this.resolve(this.resolve(item)?.post)?.callbacks);
      for (const callback of Object.values(callbacks ?? {})) {
        for (const [expression, pathItem] of Object.entries(this.resolve(callback) ?? {})) {
          const kind = /\/(\w+)CallbackUrl\}$/.exec(expression)?.[1];
          const schema = this.#jsonSchema(this.resolve(this.resolve(pathItem)?.post)?.requestBody);
          if (kind && schema && !found.has(kind)) found.set(kind, schema);
        }
      }
    }
    return found;
  }

  #jsonSchema(holder: unknown): Json | undefined {
    const content = this.resolve(this.resolve(holder)?.content);
    return this.resolve(this.resolve(content?.['application/json'])?.schema);
  }
}

/** One place a deviation can go: `path` names the property (for `extra`: the object). */
interface Site {
  kind: DeviationKind;
  path: Segment[];
  /** `enum`: the listed values, to pick one outside. */
  values?: unknown[];
}

/** Up to ITEMS_LOOKED_AT distinct indexes of an array of `length`, drawn, ascending. */
function drawIndexes(length: number, random: Random): number[] {
  if (length <= ITEMS_LOOKED_AT) return Array.from({ length }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < ITEMS_LOOKED_AT) chosen.add(Math.floor(random() * length));
  return [...chosen].sort((a, b) => a - b);
}

/** A value outside `values` of the same kind as `current`, or undefined when there is no telling one. */
function undocumented(values: readonly unknown[], current: unknown, random: Random): unknown {
  if (typeof current === 'number' && values.every((value) => typeof value === 'number')) {
    return Math.floor(Math.max(...(values as number[]))) + 1 + Math.floor(random() * 10);
  }
  if (typeof current === 'string' && values.every((value) => typeof value === 'string')) {
    let candidate: string;
    do candidate = `UNDOCUMENTED_${1 + Math.floor(random() * 99)}`;
    while (values.includes(candidate));
    return candidate;
  }
  return undefined;
}

const EXTRA_NAMES = ['Field', 'Status', 'Flag', 'Score', 'Info'];
const extraValue = (random: Random): unknown => pick(random, ['added by the vendor', 42, true, { note: 'added by the vendor' }, [1, 2]]);

function extraName(target: Json, random: Random): string {
  const base = `x_vendorNew${pick(random, EXTRA_NAMES)}`;
  let name = base;
  for (let n = 2; Object.hasOwn(target, name); n += 1) name = `${base}${n}`;
  return name;
}

const isPrefix = (a: readonly Segment[], b: readonly Segment[]) => a.length <= b.length && a.every((segment, i) => segment === b[i]);

export function formatPath(path: readonly Segment[]): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
}

/** The value at `path` (undefined when a step is missing). */
function at(root: unknown, path: readonly Segment[]): unknown {
  let node: unknown = root;
  for (const segment of path) node = node !== null && typeof node === 'object' ? (node as Record<Segment, unknown>)[segment] : undefined;
  return node;
}

/**
 * `root` with `change` made to the container at `path[..-1]`: the containers on the way are
 * copied (shallow), so the original — the simulator's own objects — is never changed and a large
 * answer is not copied whole.
 */
function changedAt<T>(root: T, path: readonly Segment[], change: (container: Record<Segment, unknown>, key: Segment) => void): T {
  const copy = (value: unknown) => (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<Segment, unknown>;
  const top = copy(root);
  let node = top;
  for (const segment of path.slice(0, -1)) {
    const child = copy(node[segment]);
    node[segment] = child;
    node = child;
  }
  change(node, path.at(-1)!);
  return top as T;
}

export function createDeviator(spec: Json, settings: DeviateSettings): Deviator {
  const schemas = new Schemas(spec);
  const callbackSchemas = schemas.callbackSchemas();
  for (const kind of ['call', 'order', 'task'] satisfies CallbackKind[]) {
    if (!callbackSchemas.has(kind)) throw new Error(`deviate: the bundled spec declares no callback sent to ${kind}CallbackUrl`);
  }
  const kinds = new Set(settings.kinds);
  /** Answers so far per operation: the key of each answer's draws (at most one entry per operation of the spec). */
  const answered = new Map<string, number>();

  /** The places deviations can go in `value` (read against `schema`), array items drawn. */
  function sites(value: unknown, schema: unknown, path: Segment[], never: ReadonlySet<string>, random: Random, out: Site[]): void {
    if (path.length > MAX_DEPTH) return;
    const shape = schemas.shape(schema);
    if (Array.isArray(value)) {
      if (shape.items) for (const index of drawIndexes(value.length, random)) sites(value[index], shape.items, [...path, index], never, random, out);
      return;
    }
    if (!isObject(value) || shape.properties.size === 0) return;
    out.push({ kind: 'extra', path });
    for (const [name, property] of shape.properties) {
      if (!Object.hasOwn(value, name) || (path.length === 0 && never.has(name))) continue;
      const here = [...path, name];
      const current = value[name];
      if (!shape.required.has(name)) out.push({ kind: 'missing', path: here });
      if (current !== null) out.push({ kind: 'null', path: here });
      const { values } = schemas.shape(property);
      if (values?.some((listed) => listed === current)) out.push({ kind: 'enum', path: here, values });
      sites(current, property, here, never, random, out);
    }
  }

  function deviate<T extends object>(value: T, schema: Json | undefined, never: readonly string[], key: string): Deviated<T> {
    const unchanged = { value, deviations: [] };
    if (!schema || settings.rate <= 0) return unchanged;
    const random = randomFor(settings.seed, `deviate ${key}`);
    if (random() >= settings.rate) return unchanged;
    const found: Site[] = [];
    sites(value, schema, [], new Set(never), random, found);
    let result = value;
    const deviations: Deviation[] = [];
    const taken: Segment[][] = [];
    const wanted = 1 + Math.floor(random() * MAX_PER_PAYLOAD);
    while (deviations.length < wanted) {
      // A site inside (or around) one already changed is not one any more.
      const open = found.filter((site) => kinds.has(site.kind) && !taken.some((path) => isPrefix(path, site.path) || isPrefix(site.path, path)));
      if (open.length === 0) break;
      const kind = pick(random, [...new Set(open.map((site) => site.kind))]);
      const site = pick(
        random,
        open.filter((candidate) => candidate.kind === kind),
      );
      let path = site.path;
      if (kind === 'extra') {
        const name = extraName(at(result, path) as Json, random);
        path = [...path, name];
        const added = extraValue(random);
        result = changedAt(result, path, (container, key) => (container[key] = added));
      } else if (kind === 'missing') {
        result = changedAt(result, path, (container, key) => delete container[key]);
      } else if (kind === 'null') {
        result = changedAt(result, path, (container, key) => (container[key] = null));
      } else {
        const replacement = undocumented(site.values ?? [], at(result, path), random);
        found.splice(found.indexOf(site), 1);
        if (replacement === undefined) continue;
        result = changedAt(result, path, (container, key) => (container[key] = replacement));
      }
      taken.push(path);
      deviations.push({ kind, path: formatPath(path) });
    }
    return { value: result, deviations };
  }

  return {
    answer(operationPath, value) {
      const count = (answered.get(operationPath) ?? 0) + 1;
      const schema = schemas.answerSchema(operationPath);
      if (schema) answered.set(operationPath, count);
      return deviate(value, schema, NEVER_DEVIATED.answer, `answer ${operationPath} ${count}`);
    },
    callback(kind, seq, payload) {
      return deviate(payload, callbackSchemas.get(kind), NEVER_DEVIATED.callback, `callback ${seq}`);
    },
  };
}

/** A deviator over the bundled spec (read once here; the mock makes one only when `deviate.rate` > 0). */
export async function loadDeviator(settings: DeviateSettings): Promise<Deviator> {
  return createDeviator(JSON.parse(await readFile(specFile('json'), 'utf8')) as Json, settings);
}
