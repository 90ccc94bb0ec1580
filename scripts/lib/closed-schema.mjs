// A "closed" reading of the spec's schemas: every object schema that declares neither
// additionalProperties nor unevaluatedProperties allows no other property. The spec itself stays
// open (the vendor adds fields without notice, and a refused callback is a lost result); the closed
// reading is what tells a team that a verified payload carries a field the spec does not know
// (generated/validators.js `strictValidators`, used for `deviations`) and what holds the mock to
// sending only what the spec declares (packages/mock/test/answers-match-spec.test.ts).

/** A copy of `schema` in which every object that declares neither additional nor unevaluated properties allows no other. */
export function closedSchema(schema) {
  if (!schema || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map(closedSchema);
  const copy = { ...schema };
  const isObject = [copy.type].flat().includes('object') || copy.properties !== undefined;
  if (isObject && !('additionalProperties' in copy) && !('unevaluatedProperties' in copy)) copy.unevaluatedProperties = false;
  if (copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([name, child]) => [name, closedSchema(child)]));
  }
  for (const key of ['items', 'additionalProperties', 'not']) if (copy[key] && typeof copy[key] === 'object') copy[key] = closedSchema(copy[key]);
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) if (Array.isArray(copy[key])) copy[key] = copy[key].map(closedSchema);
  return copy;
}

/** The spec with every schema of components.schemas closed, under another `$id`. */
export function closedSpec(spec, id) {
  const schemas = Object.fromEntries(Object.entries(spec.components.schemas).map(([name, schema]) => [name, closedSchema(schema)]));
  return { ...spec, $id: id, components: { ...spec.components, schemas } };
}

/**
 * The schemas of what the vendor sends: every operation's answer (its 200 body) and every
 * callback's body (the top-level webhooks). Names of components.schemas, sorted.
 */
export function vendorSentSchemaNames(spec) {
  const refName = (schema) => (typeof schema?.$ref === 'string' ? schema.$ref.split('/').pop() : undefined);
  const deref = (node) =>
    typeof node?.$ref === 'string'
      ? node.$ref
          .slice(2)
          .split('/')
          .reduce((n, k) => n?.[k], spec)
      : node;
  const names = new Set();
  for (const item of Object.values(spec.paths ?? {})) {
    for (const operation of Object.values(item)) {
      const name = refName(deref(operation?.responses?.['200'])?.content?.['application/json']?.schema);
      if (name) names.add(name);
    }
  }
  for (const item of Object.values(spec.webhooks ?? {})) {
    for (const operation of Object.values(item)) {
      const name = refName(deref(operation?.requestBody)?.content?.['application/json']?.schema);
      if (name) names.add(name);
    }
  }
  return [...names].sort();
}
