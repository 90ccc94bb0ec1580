import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { validators } from '../../generated/validators.js';
import { validateAgainst, validateImportRequest } from '../../src/validate.js';
import { batch } from 'callbot-test-kit/bodies';
import { fromRoot } from 'callbot-test-kit/paths';
import { bundledSpec, schemas } from 'callbot-test-kit/spec';

// generated/validators.js is Ajv standalone code emitted by `npm run generate`; src/validate.ts uses
// it instead of compiling the spec at start-up. These tests hold it to that, and check it answers
// exactly what a freshly compiled Ajv (same options as the generator) answers.

// Actual imports only: the bundled ucs2length helper carries its own code snippet as a string
// ('require("ajv/dist/runtime/ucs2length").default'), which is not a dependency.
const ajvImport = /(?:^|[^'"`])\b(?:from\s*["']ajv(?:-formats)?[/"']|require\(\s*["']ajv(?:-formats)?[/"']|import\(\s*["']ajv)/m;

describe('generated/validators.js', () => {
  it('has one validator per schema in components.schemas, and nothing else', () => {
    expect(Object.keys(validators).sort()).toEqual(Object.keys(schemas).sort());
    for (const [name, validate] of Object.entries(validators)) expect(validate, name).toBeTypeOf('function');
    expect(Object.isFrozen(validators)).toBe(true);
  });

  it('nothing compiles a schema at start-up: no Ajv in src/validate.ts nor in the built library', () => {
    const sources = {
      'src/validate.ts': readFileSync(fromRoot('src', 'validate.ts'), 'utf8'),
      // dist/ is built from the current sources by test/global-setup.ts.
      'dist/index.js': readFileSync(fromRoot('dist', 'index.js'), 'utf8'),
      'dist/index.cjs': readFileSync(fromRoot('dist', 'index.cjs'), 'utf8'),
    };
    for (const [file, text] of Object.entries(sources)) {
      expect(text, file).not.toMatch(/new Ajv/);
      expect(text, file).not.toMatch(/\bcompile\(/);
      expect(text, file).not.toMatch(ajvImport);
    }
    // …and the check can fail.
    expect('import { Ajv2020 } from "ajv/dist/2020.js";').toMatch(ajvImport);
    expect('var import_ajv = require("ajv");').toMatch(ajvImport);
  });

  describe('answers what a freshly compiled Ajv of the spec answers', () => {
    // The options src/validate.ts compiled with before the validators were generated.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    formats.default(ajv, ['uri']);
    ajv.addSchema(bundledSpec, 'spec');
    const fresh = ajv.getSchema('spec#/components/schemas/ImportBatchCallRequest')!;

    const valid = batch(3);
    const invalid = structuredClone(valid) as Record<string, any>;
    invalid.productID = 'sms';
    invalid.extra = true;
    invalid.callInfoList.callCallbackUrl = 'ftp://x';
    invalid.callInfoList.callList[1].userPhone = '+86 156';
    delete invalid.callInfoList.callList[2].orderID;
    invalid.callInfoList.callList[0].params[0].value = null;

    it.each([
      ['valid', { productID: 'callbot', ...valid }],
      ['invalid', invalid],
    ])('%s ImportBatchCallRequest', (_name, body) => {
      const expected = fresh(body) ? [] : fresh.errors!;
      const generated = validators.ImportBatchCallRequest;
      expect(generated(body)).toBe(expected.length === 0);
      // Error objects field for field (keyword, paths, params, message), and so the same issues.
      expect(generated.errors ?? []).toEqual(expected);
      const issues = validateImportRequest(body);
      expect(validateAgainst('ImportBatchCallRequest', body)).toEqual(issues);
      if (expected.length > 0) {
        expect(issues).toEqual(
          expect.arrayContaining([
            { path: 'productID', message: 'must be "callbot"' },
            { path: 'extra', message: 'is not a field of the contract' },
            { path: 'callInfoList.callList[2].orderID', message: 'is required' },
            { path: 'callInfoList.callCallbackUrl', message: 'must match ^https?://[^/]' },
          ]),
        );
        expect(issues.length).toBe(expected.length);
      } else {
        expect(issues).toEqual([]);
      }
    });
  });
});
