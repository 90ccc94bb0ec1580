// Classifies the changes between two bundled specs for a consumer of our client and types.
// api-smart-diff is the engine: it resolves the $refs and lists every added, removed and replaced
// node under each operation. Its own breaking/non-breaking labels are not used: they do not know
// who reads what (it calls an answer header made optional, or a type widened on an answer,
// non-breaking; a widened type is breaking for a reader whose switch was exhaustive). Our rules
// below decide by the side of the exchange: the request (what a consumer sends: request bodies,
// parameters, and its answers to callbacks) or the answer (what it reads: responses, response
// headers, callback and webhook payloads).
import { apiCompare } from 'api-smart-diff';

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
// Words that only document: a change to them changes no type and no validation.
const DOCS = new Set(['description', 'summary', 'title', 'example', 'examples', 'tags', 'externalDocs', '$ref', '$comment', 'default']);
const UPPER = new Set(['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems', 'maxProperties']);
const LOWER = new Set(['minLength', 'minimum', 'exclusiveMinimum', 'minItems', 'minProperties']);

const show = (value) => (value === undefined ? 'none' : JSON.stringify(value));
const typesOf = (value) => new Set(value === undefined ? ['any'] : [value].flat());
function covers(wide, narrow) {
  if (wide.has('any')) return true;
  return [...narrow].every((t) => wide.has(t) || (t === 'integer' && wide.has('number')));
}

// Where a diff sits: the operation, the side, and the readable location of the node.
function locate(path, docs) {
  const root = path[0];
  if (root !== 'paths' && root !== 'webhooks') return undefined; // components: reported where used
  let i = 2;
  let side = root === 'webhooks' ? 'answer' : 'request'; // a webhook as a whole: a payload the consumer reads
  let inCallback = root === 'webhooks';
  let op = path[1]; // a webhook's name, or a path without its method
  const opIdAt = (upto) => {
    for (const doc of docs) {
      let node = doc;
      for (const key of path.slice(0, upto)) node = node?.[key];
      if (typeof node?.operationId === 'string') return node.operationId;
    }
    return undefined;
  };
  if (METHODS.has(path[i])) {
    op = opIdAt(i + 1) ?? `${path[i].toUpperCase()} ${path[1]}`;
    i += 1;
  }
  let opEnd = i;
  while (i < path.length) {
    const key = path[i];
    if (key === 'callbacks') {
      // paths/<p>/<m>/callbacks/<name>/<expression>/<method>/…: the vendor calls the consumer.
      inCallback = true;
      side = 'request';
      if (path.length <= i + 3) return { op: `${op} callback ${path[i + 1]}`, side: 'answer', opLevel: true };
      op = opIdAt(i + 4) ?? path[i + 1];
      i += 4;
      opEnd = i;
      continue;
    }
    if (key === 'requestBody') side = inCallback ? 'answer' : 'request';
    else if (key === 'parameters') side = inCallback ? 'answer' : 'request';
    else if (key === 'responses') side = inCallback ? 'request' : 'answer';
    break;
  }
  const rest = path.slice(i);
  return { op, side, rest, opLevel: rest.length === 0 && path.length <= opEnd };
}

// The readable location inside an operation: "200 body callList[].agent.agentName".
function describe(rest, docs, fullPath) {
  const parts = [];
  const field = [];
  for (let j = 0; j < rest.length; j++) {
    const key = rest[j];
    const next = rest[j + 1];
    if (key === 'requestBody') parts.push('body');
    else if (key === 'responses' && next !== undefined) {
      parts.push(String(next));
      j++;
    } else if (key === 'headers' && next !== undefined) {
      parts.push(`header ${next}`);
      j++;
    } else if (key === 'parameters' && next !== undefined) {
      const param = paramAt(fullPath.slice(0, fullPath.length - rest.length + j + 2), docs);
      parts.push(param ? `${param.in} ${param.name}` : `parameter ${next}`);
      j++;
    } else if (key === 'content' && next !== undefined) {
      if (!parts.includes('body') && parts.length > 0) parts.push('body');
      j++;
    } else if (key === 'properties' && next !== undefined) {
      field.push(String(next));
      j++;
    } else if (key === 'items') {
      if (field.length > 0) field[field.length - 1] += '[]';
      else field.push('[]');
    } else if (key === 'schema') {
      // the schema of a body, a header or a parameter: the field path starts here
    } else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') {
      j++; // an alternative of the same field
    } else break;
  }
  return { prefix: parts.join(' '), field };
}

function paramAt(path, docs) {
  for (const doc of docs) {
    let node = doc;
    for (const key of path) node = node?.[key];
    if (node?.$ref && typeof node.$ref === 'string') {
      node = node.$ref
        .slice(2)
        .split('/')
        .reduce((n, k) => n?.[k.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
    }
    if (node?.name) return node;
  }
  return undefined;
}

// One rule per keyword: [kind on the request side, kind on the answer side, what].
function judge(diff, side) {
  const { action, path, before, after } = diff;
  const key = path[path.length - 1];
  const parent = path[path.length - 2];
  const req = side === 'request';
  const sideKind = (onRequest, onAnswer) => (req ? onRequest : onAnswer);
  if (typeof key === 'string' && key.startsWith('x-')) return undefined;
  if (path.some((segment) => typeof segment === 'string' && (segment.startsWith('x-') || segment === 'examples' || segment === 'example'))) {
    return undefined;
  }
  if (DOCS.has(key)) return undefined;

  if (parent === 'required' && typeof (before ?? after) === 'string') {
    const out = [];
    if (before !== undefined)
      out.push(sideKind(['compatible', `no longer required: ${before}`, before], ['breaking', `field made optional: ${before}`, before]));
    if (after !== undefined) out.push(sideKind(['breaking', `new required field: ${after}`, after], ['compatible', `field now required: ${after}`, after]));
    return out;
  }
  if (key === 'required' && Array.isArray(before ?? after)) {
    const was = new Set(before ?? []);
    const now = new Set(after ?? []);
    return [
      ...[...was].filter((f) => !now.has(f)).flatMap((f) => judge({ action: 'remove', path: [...path, 0], before: f }, side)),
      ...[...now].filter((f) => !was.has(f)).flatMap((f) => judge({ action: 'add', path: [...path, 0], after: f }, side)),
    ];
  }
  if (key === 'required' && typeof (before ?? after) === 'boolean') {
    if (after === true) return [sideKind(['breaking', 'now required'], ['compatible', 'now always present'])];
    return [sideKind(['compatible', 'no longer required'], ['breaking', 'made optional (no longer required)'])];
  }
  if (parent === 'enum' || key === 'enum') {
    const value = (v) => (key === 'enum' ? show(v) : String(JSON.stringify(v)));
    if (action === 'add') return [sideKind(['compatible', `enum widened: + ${value(after)}`], ['breaking', `enum widened: + ${value(after)}`])];
    if (action === 'remove') return [sideKind(['breaking', `enum narrowed: - ${value(before)}`], ['compatible', `enum narrowed: - ${value(before)}`])];
    return [['breaking', `enum value changed: ${show(before)} → ${show(after)}`]];
  }
  if (key === 'const') {
    if (action === 'add') return [sideKind(['breaking', `narrowed to ${show(after)}`], ['compatible', `narrowed to ${show(after)}`])];
    if (action === 'remove') return [sideKind(['compatible', `widened from ${show(before)}`], ['breaking', `widened from ${show(before)}`])];
    return [['breaking', `const changed: ${show(before)} → ${show(after)}`]];
  }
  if (key === 'type') {
    const was = typesOf(before);
    const now = typesOf(after);
    if (covers(now, was))
      return [sideKind(['compatible', `type widened: ${show(before)} → ${show(after)}`], ['breaking', `type widened: ${show(before)} → ${show(after)}`])];
    if (covers(was, now))
      return [sideKind(['breaking', `type narrowed: ${show(before)} → ${show(after)}`], ['compatible', `type narrowed: ${show(before)} → ${show(after)}`])];
    return [['breaking', `type changed: ${show(before)} → ${show(after)}`]];
  }
  if (key === 'anyOf' || key === 'oneOf' || parent === 'anyOf' || parent === 'oneOf') {
    // An alternative added (an enum becoming "enum or any integer") widens what is accepted.
    if (action === 'add')
      return [
        sideKind(
          ['compatible', `type widened: alternative added (${key === 'anyOf' || parent === 'anyOf' ? 'anyOf' : 'oneOf'})`],
          ['breaking', `type widened: alternative added (${key === 'anyOf' || parent === 'anyOf' ? 'anyOf' : 'oneOf'})`],
        ),
      ];
    if (action === 'remove') return [sideKind(['breaking', 'type narrowed: alternative removed'], ['compatible', 'type narrowed: alternative removed'])];
    return [['breaking', 'alternative changed']];
  }
  if (key === 'pattern' || key === 'format') {
    if (action === 'remove') return [['compatible', `${key} removed: ${show(before)}`]];
    return [sideKind(['breaking', `${key} tightened: ${show(before)} → ${show(after)}`], ['compatible', `${key} changed: ${show(before)} → ${show(after)}`])];
  }
  if (UPPER.has(key) || LOWER.has(key)) {
    const tighter = action === 'add' || (action === 'replace' && (UPPER.has(key) ? after < before : after > before));
    if (!tighter) return [['compatible', `${key} relaxed: ${show(before)} → ${show(after)}`]];
    return [sideKind(['breaking', `${key} tightened: ${show(before)} → ${show(after)}`], ['compatible', `${key} tightened: ${show(before)} → ${show(after)}`])];
  }
  if (key === 'additionalProperties') {
    const closes = after === false;
    return [
      sideKind(
        [closes ? 'breaking' : 'compatible', `additionalProperties ${show(before)} → ${show(after)}`],
        ['compatible', `additionalProperties ${show(before)} → ${show(after)}`],
      ),
    ];
  }
  if (parent === 'properties') {
    if (action === 'add') return [['compatible', 'field added']];
    if (action === 'remove') return [sideKind(['breaking', 'field removed (the types no longer take it)'], ['breaking', 'field removed'])];
    return [['breaking', 'field replaced']];
  }
  if (key === 'items') {
    return [['breaking', `items ${action === 'add' ? 'added' : action === 'remove' ? 'removed' : 'changed'}`]];
  }
  if (parent === 'headers' || parent === 'parameters') {
    if (action === 'add')
      return [
        sideKind(
          [after?.required === true ? 'breaking' : 'compatible', after?.required === true ? 'new required parameter' : 'parameter added'],
          ['compatible', 'header added'],
        ),
      ];
    if (action === 'remove') return [['breaking', parent === 'headers' ? 'header removed' : 'parameter removed']];
  }
  if (parent === 'responses' || parent === 'content' || key === 'requestBody' || key === 'schema') {
    const what = parent === 'responses' ? `response ${key}` : parent === 'content' ? `media type ${key}` : key;
    if (action === 'add') return [[key === 'requestBody' && after?.required === true ? 'breaking' : 'compatible', `${what} added`]];
    if (action === 'remove') return [['breaking', `${what} removed`]];
  }
  if (METHODS.has(key) || parent === 'paths' || parent === 'webhooks' || parent === 'callbacks') {
    if (action === 'add') return [['compatible', 'operation added']];
    if (action === 'remove') return [['breaking', 'operation removed']];
  }
  if (['uniqueItems', 'nullable', 'deprecated', 'readOnly', 'writeOnly', 'contentMediaType', 'contentEncoding', 'style', 'explode'].includes(key)) {
    return [['compatible', `${key}: ${show(before)} → ${show(after)}`]];
  }
  // Anything else is listed, marked for a human to read, without failing the check.
  return [['compatible', `${key} ${action}: ${show(before)} → ${show(after)} (not classified: review)`]];
}

/**
 * @returns {{ kind: 'breaking'|'compatible', side: 'request'|'answer', path: string, what: string, names: string[] }[]}
 */
export function classifySpecChanges(before, after) {
  before = inlineRefs(before);
  after = inlineRefs(after);
  const { diffs } = apiCompare(before, after);
  const seen = new Set();
  const changes = [];
  for (const diff of asSets(diffs, before, after)) {
    const at = locate(diff.path, [after, before]);
    if (!at) continue;
    let verdicts;
    let location = { prefix: '', field: [] };
    if (at.opLevel || at.rest === undefined) {
      if (diff.action === 'replace') continue; // an operation's own scalars: documentation
      verdicts = [[diff.action === 'add' ? 'compatible' : 'breaking', diff.action === 'add' ? 'operation added' : 'operation removed']];
    } else {
      verdicts = judge(diff, at.side);
      location = describe(at.rest, [after, before], diff.path);
    }
    for (const [kind, what, field] of verdicts ?? []) {
      const fields = [...location.field, ...(field ? [field] : [])].join('.');
      const path = [at.op, location.prefix, fields].filter(Boolean).join(' ');
      const line = `${kind}|${at.side}|${path}|${what}`;
      if (seen.has(line)) continue; // a shared component reached through several callbacks
      seen.add(line);
      changes.push({ kind, side: at.side, path, what, names: namesOf(path) });
    }
  }
  const order = (c) => `${c.kind === 'breaking' ? 0 : 1}|${c.side}|${c.path}|${c.what}`;
  return changes.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

// `required` and `enum` are sets, but the engine compares arrays by position: one name taken out
// of the middle of `required` reads as every later name replaced by the next. Each such array that
// changed is compared here as a set instead: one remove per value gone, one add per value new.
function asSets(diffs, before, after) {
  const at = (doc, path) => path.reduce((node, key) => node?.[key], doc);
  const done = new Set();
  const out = [];
  for (const diff of diffs) {
    const { path } = diff;
    const last = path.length - 1;
    const cut = path[last] === 'required' || path[last] === 'enum' ? last : path[last - 1] === 'required' || path[last - 1] === 'enum' ? last - 1 : -1;
    const was = cut === -1 ? undefined : at(before, path.slice(0, cut + 1));
    const now = cut === -1 ? undefined : at(after, path.slice(0, cut + 1));
    if (cut === -1 || !(Array.isArray(was) || Array.isArray(now))) {
      out.push(diff);
      continue;
    }
    const key = JSON.stringify(path.slice(0, cut + 1));
    if (done.has(key)) continue;
    done.add(key);
    const base = path.slice(0, cut + 1);
    const wasKeys = new Set((was ?? []).map((v) => JSON.stringify(v)));
    const nowKeys = new Set((now ?? []).map((v) => JSON.stringify(v)));
    // A name dropped from `required` because its field is gone: "field removed" says it already.
    const gone = (value) => path[cut] === 'required' && at(after, [...path.slice(0, cut), 'properties', value]) === undefined;
    for (const value of was ?? []) if (!nowKeys.has(JSON.stringify(value)) && !gone(value)) out.push({ action: 'remove', path: [...base, 0], before: value });
    for (const value of now ?? []) if (!wasKeys.has(JSON.stringify(value))) out.push({ action: 'add', path: [...base, 0], after: value });
  }
  return out;
}

// The operations with every internal $ref replaced by what it points at. api-smart-diff follows
// a schema's $ref, but reports a change behind a shared callback, request body or response only
// at the component (no side known): inlined, every change shows under each operation it reaches.
// A $ref met again inside itself (a recursive schema) is left as it is.
export function inlineRefs(doc) {
  const resolve = (ref) =>
    ref
      .slice(2)
      .split('/')
      .reduce((node, key) => node?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
  const walk = (node, open) => {
    if (Array.isArray(node)) return node.map((item) => walk(item, open));
    if (node === null || typeof node !== 'object') return node;
    if (typeof node.$ref === 'string' && node.$ref.startsWith('#/') && !open.has(node.$ref)) {
      const target = resolve(node.$ref);
      if (target !== undefined) {
        const { $ref, ...siblings } = node;
        return walk({ ...target, ...siblings }, new Set(open).add($ref));
      }
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value, open)]));
  };
  return { openapi: doc.openapi, info: doc.info, paths: walk(doc.paths ?? {}, new Set()), webhooks: walk(doc.webhooks ?? {}, new Set()) };
}

// The names a changeset may use to name a change: the last segment of its path (the field, the
// header, the parameter or the operation) or the one holding it (`agent` for `agent.agentName`).
export function namesOf(path) {
  const segments = path
    .split(/[\s.]+/)
    .map((s) => s.replace(/\[\]$/, ''))
    .filter((s) => s && !/^\d+$/.test(s) && !['body', 'header', 'query', 'path', 'cookie'].includes(s));
  return segments.slice(-2).reverse();
}
