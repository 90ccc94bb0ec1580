// Renders generated/validators.js and generated/validators.d.ts: one precompiled validate function
// per schema in components.schemas, emitted by Ajv's standalone code generator at generate time, so
// the package never compiles a schema (nor ships Ajv's compiler) at run time.
import Ajv2020 from 'ajv/dist/2020.js';
import { _ } from 'ajv';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { closedSpec, vendorSentSchemaNames } from './closed-schema.mjs';

const SPEC_ID = 'callbot-openapi';
const CLOSED_SPEC_ID = 'callbot-openapi-closed';
const STRICT_PREFIX = 'Strict';
const FORMATS_MODULE = 'ajv-formats/dist/formats';
// The only run-time helpers the emitted code may take from other packages. tsup bundles them into
// dist/ (ajv and ajv-formats are devDependencies); a new one must be looked at, not slipped in.
const ALLOWED_REQUIRES = [/^ajv\/dist\/runtime\/[a-z0-9_]+$/i, new RegExp(`^${FORMATS_MODULE}$`)];

const BANNER = `/**
 * This file was generated from openapi/ (via generated/openapi.json) by scripts/generate.mjs.
 * Do not make direct changes to the file.
 */
`;

export function renderValidatorModules(spec) {
  const names = Object.keys(spec.components.schemas);
  for (const name of names) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) throw new Error(`validators: schema name ${name} is not a plain export name`);
  }
  // The same options src/validate.ts compiled with before: results and messages stay identical.
  // code.formats is the snippet the emitted code uses to reach the format definitions (Ajv's
  // standalone docs); lines: one statement per line, so a spec change gives a readable diff.
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    code: { source: true, esm: true, lines: true, formats: _`require(${FORMATS_MODULE}).fullFormats` },
  });
  addFormats(ajv, ['uri']);
  ajv.addSchema(spec, SPEC_ID);
  // What the vendor sends (answers, callbacks) once more, against the closed reading of the spec:
  // the deviations a verified payload is handed on with then name undeclared fields too.
  const vendorSent = vendorSentSchemaNames(spec);
  ajv.addSchema(closedSpec(spec, CLOSED_SPEC_ID), CLOSED_SPEC_ID);
  const refs = Object.fromEntries(names.map((n) => [n, `${SPEC_ID}#/components/schemas/${n}`]));
  for (const n of vendorSent) refs[`${STRICT_PREFIX}${n}`] = `${CLOSED_SPEC_ID}#/components/schemas/${n}`;
  const code = standaloneCode(ajv, refs);
  return { js: toEsm(code, names, vendorSent), dts: renderTypes(names, vendorSent) };
}

// Even with code.esm, Ajv emits `require("ajv/dist/runtime/…")` for its helpers (and the formats
// snippet above is a require too): turn each into a static import, which Node, vitest and tsup all
// resolve (Ajv's leading "use strict" goes: an ES module is strict anyway). The helpers are
// TypeScript-compiled CommonJS (`__esModule`); `cjs()` gives back their exports object whether the
// importer's interop puts it on `default` (Node, esbuild's node mode) or spreads it (esbuild
// otherwise), so `.default` / `.fullFormats` mean what they meant to require().
function toEsm(code, names, vendorSent) {
  const modules = [];
  const body = code.replace(/^"use strict";/, '').replace(/require\("([^"\\]+)"\)/g, (_match, spec) => {
    if (!ALLOWED_REQUIRES.some((re) => re.test(spec))) throw new Error(`validators: unexpected run-time import ${spec}`);
    if (!modules.includes(spec)) modules.push(spec);
    return `cjs(cjsModule${modules.indexOf(spec)})`;
  });
  const imports = modules.map((spec, i) => `import * as cjsModule${i} from ${JSON.stringify(`${spec}.js`)};`);
  return `${BANNER}${imports.join('\n')}
const cjs = (ns) => (ns.default && ns.default.__esModule ? ns.default : ns);
${body}
/** Every validator, by schema name. */
export const validators = Object.freeze({
${names.map((n) => `  ${n},`).join('\n')}
});
/** What the vendor sends (answers, callbacks), by schema name, against the closed reading: undeclared fields are errors too. */
export const strictValidators = Object.freeze({
${vendorSent.map((n) => `  ${n}: ${STRICT_PREFIX}${n},`).join('\n')}
});
`;
}

function renderTypes(names, vendorSent) {
  return `${BANNER}
/** One error as the generated code reports it (the fields of Ajv's ErrorObject it fills in). */
export interface ValidatorError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A precompiled validator: true when the value fits; otherwise \`errors\` lists every problem. */
export interface ValidateFunction {
  (data: unknown): boolean;
  errors?: ValidatorError[] | null;
}

/** The name of a schema in components.schemas of the spec. */
export type ValidatorName =
${names.map((n) => `  | ${JSON.stringify(n)}`).join('\n')};

${names.map((n) => `export declare const ${n}: ValidateFunction;`).join('\n')}

/** Every validator, by schema name. */
export declare const validators: Readonly<Record<ValidatorName, ValidateFunction>>;

/** The schemas of what the vendor sends: every operation's answer and every callback's body. */
export type VendorSentName =
${vendorSent.map((n) => `  | ${JSON.stringify(n)}`).join('\n')};

/** What the vendor sends, against the closed reading of the spec (every object allows only the fields it declares). */
export declare const strictValidators: Readonly<Record<VendorSentName, ValidateFunction>>;
`;
}
