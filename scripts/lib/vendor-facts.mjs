// Renders generated/vendor-facts.ts: the vendor's facts that hand-written code needs as values,
// taken from the bundled spec so that none is restated in code (test/internal/one-fact.test.ts
// holds the sources to that):
// - every named enum (a components.schemas entry with `enum` and `x-enum-varnames`; RetCode has
//   its own table, generated/retcodes.ts) as a name → value object plus its entries with their
//   `x-enum-descriptions`;
// - the fixed productID (the ProductID schema's `const`);
// - the caps on lists and numbers: the contract's (`maxItems`, `maximum`) and the mock's own
//   where the vendor publishes none (`x-callbot-mock-max-items`, `x-callbot-mock-maximum`), by
//   schema and property;
// - the three callbacks (webhooks), by the kind the receiver tells them apart by
//   (`x-callbot-callback-kind`), with their payload schema and the mock's `callbackType`
//   (`x-callbot-callback-type`).
const SCHEMA_REF = '#/components/schemas/';
const LIMIT_KEYWORDS = { maxItems: 'maxItems', maximum: 'maximum' };
const MOCK_LIMIT_KEYWORDS = { 'x-callbot-mock-max-items': 'maxItems', 'x-callbot-mock-maximum': 'maximum' };

const json = (value) => JSON.stringify(value);
const identifier = /^[A-Za-z_$][\w$]*$/;
const key = (name) => (identifier.test(name) ? name : json(name));

/** A description as a doc comment, indented by `indent`. */
function docComment(text, indent = '') {
  const lines = String(text ?? '')
    .trim()
    .replaceAll('*/', '*\\/')
    .split('\n');
  return [`${indent}/**`, ...lines.map((line) => `${indent} *${line ? ` ${line}` : ''}`), `${indent} */`].join('\n');
}

function renderEnum(name, schema) {
  const values = schema.enum;
  const names = schema['x-enum-varnames'];
  const descriptions = schema['x-enum-descriptions'];
  if (!Array.isArray(names) || names.length !== values.length) throw new Error(`${name}: x-enum-varnames must name every enum value`);
  if (!Array.isArray(descriptions) || descriptions.length !== values.length) throw new Error(`${name}: x-enum-descriptions must describe every enum value`);
  const pairs = values.map((value, i) => `  ${key(names[i])}: ${json(value)},`);
  const entries = values.map((value, i) => `  { value: ${json(value)}, name: ${json(names[i])}, description: ${json(descriptions[i])} },`);
  return `${docComment(schema.description)}
export const ${name} = {
${pairs.join('\n')}
} as const;
export type ${name}Value = (typeof ${name})[keyof typeof ${name}];
/** ${name}'s values with their names (\`x-enum-varnames\`) and meanings (\`x-enum-descriptions\`), in the spec's order. */
export const ${name}Entries: readonly EnumEntry<${name}Value>[] = [
${entries.join('\n')}
];
`;
}

/** The limits a schema (or one of its properties) carries under the given keywords, as `{ maxItems: 500 }`. */
function limitsOf(schema, keywords) {
  const found = {};
  for (const [keyword, name] of Object.entries(keywords)) {
    if (schema?.[keyword] === undefined) continue;
    if (!Number.isInteger(schema[keyword])) throw new Error(`${keyword} must be an integer`);
    found[name] = schema[keyword];
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

const firstSentence = (text) =>
  String(text ?? '')
    .split('\n\n')[0]
    .replace(/\s+/g, ' ')
    .trim();

function renderLimits(schemas, keywords) {
  const rows = [];
  for (const [name, schema] of Object.entries(schemas)) {
    const own = limitsOf(schema, keywords);
    const props = Object.entries(schema.properties ?? {})
      .map(([property, sub]) => [property, sub, limitsOf(sub, keywords)])
      .filter(([, , limits]) => limits);
    if (!own && props.length === 0) continue;
    const lines = [];
    for (const [limit, value] of Object.entries(own ?? {})) lines.push(`    ${limit}: ${value},`);
    for (const [property, sub, limits] of props) {
      lines.push(docComment(firstSentence(sub.description), '    '));
      lines.push(
        `    ${key(property)}: { ${Object.entries(limits)
          .map(([limit, value]) => `${limit}: ${value}`)
          .join(', ')} },`,
      );
    }
    rows.push(`${docComment(`${name}: ${firstSentence(schema.description)}`, '  ')}\n  ${key(name)}: {\n${lines.join('\n')}\n  },`);
  }
  return rows.join('\n');
}

/** The webhook's request body, its $ref resolved. */
function callbackBody(spec, operation) {
  const body = operation.requestBody;
  return body?.$ref ? spec.components.requestBodies[body.$ref.replace('#/components/requestBodies/', '')] : body;
}

function callbackSchema(spec, name, operation) {
  const body = callbackBody(spec, operation);
  const ref = body?.content?.['application/json']?.schema?.$ref;
  if (typeof ref !== 'string' || !ref.startsWith(SCHEMA_REF)) throw new Error(`webhook ${name}: the payload must be a $ref to components.schemas`);
  return ref.slice(SCHEMA_REF.length);
}

/** The payload of the webhook's first example (`callbot trigger` starts from it). */
function callbackExample(spec, name, operation) {
  const examples = callbackBody(spec, operation)?.content?.['application/json']?.examples ?? {};
  const [first] = Object.values(examples);
  const example = first?.$ref ? spec.components.examples[first.$ref.replace('#/components/examples/', '')] : first;
  if (!example || typeof example.value !== 'object') throw new Error(`webhook ${name}: the request body needs an example with a value`);
  return example.value;
}

function renderCallbacks(spec) {
  const rows = [];
  for (const [name, item] of Object.entries(spec.webhooks ?? {})) {
    const operation = item.post;
    const kind = operation?.['x-callbot-callback-kind'];
    const callbackType = operation?.['x-callbot-callback-type'];
    if (typeof kind !== 'string') throw new Error(`webhook ${name}: x-callbot-callback-kind is missing`);
    if (typeof callbackType !== 'string' && !Number.isInteger(callbackType))
      throw new Error(`webhook ${name}: x-callbot-callback-type must be a string or an integer`);
    rows.push(`${docComment(operation.summary, '  ')}
  ${key(kind)}: { kind: ${json(kind)}, webhook: ${json(name)}, operationId: ${json(operation.operationId)}, schema: ${json(callbackSchema(spec, name, operation))}, callbackType: ${json(callbackType)},
    /** The spec's example of this callback's payload. */
    example: ${json(callbackExample(spec, name, operation))} },`);
  }
  return rows.join('\n');
}

export function renderVendorFactsModule(spec) {
  const schemas = spec.components.schemas;
  const enums = Object.entries(schemas)
    .filter(([name, schema]) => name !== 'RetCode' && Array.isArray(schema.enum) && schema['x-enum-varnames'])
    .map(([name, schema]) => renderEnum(name, schema));
  const productID = schemas.ProductID?.const;
  if (typeof productID !== 'string') throw new Error('ProductID: the schema must have a string const');
  return `/**
 * This file was generated from openapi/ (via generated/openapi.json) by scripts/generate.mjs.
 * Do not make direct changes to the file.
 */

/** One value of an enum of the spec, with its name and meaning. */
export interface EnumEntry<V extends number | string = number | string> {
  readonly value: V;
  /** From \`x-enum-varnames\` (\`WaitingToStart\`). */
  readonly name: string;
  /** From \`x-enum-descriptions\` (\`待启动 — Waiting to start\`). */
  readonly description: string;
}

${enums.join('\n')}
${docComment(schemas.ProductID.description)}
export const PRODUCT_ID = ${json(productID)};

/** The contract's caps (\`maxItems\`, \`maximum\`), by schema and property: a request over one is refused before it leaves. */
export const Limits = {
${renderLimits(schemas, LIMIT_KEYWORDS)}
} as const;

/**
 * The mock's caps where the vendor publishes none (\`x-callbot-mock-max-items\`,
 * \`x-callbot-mock-maximum\`), by schema and property: Choices written in the spec, which the
 * mock enforces (retCode 4001 for a list, 4 for a number) and the command takes as its defaults.
 */
export const MockLimits = {
${renderLimits(schemas, MOCK_LIMIT_KEYWORDS)}
} as const;

/**
 * The three callbacks the vendor sends (the spec's webhooks), by the kind a receiver tells them
 * apart by: the payload's schema (components.schemas) and the \`callbackType\` the mock sends
 * (a Choice: the vendor's pages contradict each other; see TaskStatusCallback).
 */
export const Callbacks = {
${renderCallbacks(spec)}
} as const;
`;
}
