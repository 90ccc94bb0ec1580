import { defineConfig, type Options } from 'tsup';

// openapi-fetch's CommonJS build is transpiled ESM: `exports.default = createClient` next to
// `__esModule: true`. Our sources are ES modules (package type "module"), so when esbuild turns
// them into CommonJS it follows Node's rule for an ES module importing CommonJS: the default
// import is the whole `module.exports` (`__toESM(require(...), 1)`), and `createClient` came out
// as the exports object ("import_openapi_fetch.default is not a function" on the first call).
// In the CJS build only, the import goes through a two-line ES module of this plugin's own, which
// esbuild does not take for a Node ES module (it has no package.json): it honours `__esModule`,
// so the default import is openapi-fetch's `exports.default` and named imports its named
// exports, as in the ESM build. openapi-fetch stays external (required at run time, not bundled):
// it is in noExternal below only so that tsup's own external plugin leaves it to this one.
const INTEROP = 'openapi-fetch';
const esModuleInterop: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'cjs-esmodule-interop',
  setup(build) {
    const cjs = build.initialOptions.format === 'cjs';
    build.onResolve({ filter: /^openapi-fetch(\/|$)/ }, (args) =>
      cjs && args.path === INTEROP && args.namespace !== 'esmodule-interop'
        ? { path: args.path, namespace: 'esmodule-interop' }
        : { path: args.path, external: true },
    );
    build.onLoad({ filter: /.*/, namespace: 'esmodule-interop' }, (args) => ({
      contents: `export * from ${JSON.stringify(args.path)};\nexport { default } from ${JSON.stringify(args.path)};\n`,
      loader: 'js',
    }));
  },
};

// callbot-contract: the client library, the types-only schema entry, the vendor facts alone
// (`facts`) and the plumbing shared with the sibling packages. ESM + CJS + types. `npm run build:contract` empties dist/ first.
// callbot-mock and callbot-cli build themselves (packages/*/tsup.config.ts).
export default defineConfig({
  entry: { index: 'src/index.ts', schema: 'src/schema.ts', facts: 'src/facts.ts', internal: 'src/internal/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  outDir: 'dist',
  // @streamparser/json (MIT; exportBatchCallStream's parser) is bundled into dist/: a team
  // installing the contract gets three packages, as before the streaming export.
  noExternal: [INTEROP, '@streamparser/json'],
  esbuildPlugins: [esModuleInterop],
});
