import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { fromRoot } from 'callbot-test-kit/paths';

// The house's floor plan, checked. `src/import/` is `callbot import`'s own room: what other verbs
// share (connection settings, exit codes) lives in `src/shared/`, so no other verb reaches into
// it. Only the command's front (commands/import.ts) and the package's entry (index.ts, which
// exports runImport) may. And no source file imports itself back through others: a circle makes
// the load order decide what is defined. Import specifiers are read by TypeScript's own scanner
// (static imports, `export … from`, `import type`, dynamic `import()`), relative ones resolved
// `.js` → `.ts`.

const CLI_SRC = fromRoot('packages', 'cli', 'src');
const MOCK_SRC = fromRoot('packages', 'mock', 'src');
const IMPORT_ROOM = join(CLI_SRC, 'import');
const DOORS_TO_IMPORT = new Set([join(CLI_SRC, 'commands', 'import.ts'), join(CLI_SRC, 'index.ts')]);

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(dir, name))
    .sort();
}

/** The files a source imports by a relative specifier, as absolute `.ts` paths. */
function relativeImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((entry) => entry.fileName)
    .filter((specifier) => specifier.startsWith('./') || specifier.startsWith('../'))
    .map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
}

/** Every import circle of a graph, each once, as the list of its files (first file repeated at the end). */
function circles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const loop = path.slice(path.indexOf(next));
        // One key per circle, whichever file the walk entered it by.
        const key = [...loop].sort().join('|');
        if (!found.has(key)) found.set(key, [...loop, next]);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return [...found.values()];
}

/** The bin: the one module that builds the verbs' IO from the process. */
const BIN = join(CLI_SRC, 'main.ts');
/**
 * Constants of the process, no IO: its id names temporary files (two runs never collide) and
 * `callbot mock` starts the mock on the same Node (execPath).
 */
const PROCESS_CONSTANTS = new Set(['process.pid', 'process.execPath']);

/** Each use of the global `process` in a source (`process.env`, or `process` alone) and each import of node:process. */
function processUses(file: string, text = readFileSync(file, 'utf8')): string[] {
  const uses: string[] = ts
    .preProcessFile(text, true, true)
    .importedFiles.map((entry) => entry.fileName)
    .filter((specifier) => specifier === 'node:process' || specifier === 'process');
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === 'process') {
      const parent = node.parent;
      const isName = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node);
      if (!isName) uses.push(ts.isPropertyAccessExpression(parent) && parent.expression === node ? `process.${parent.name.text}` : 'process');
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true));
  return uses;
}

function graphOf(dir: string): Map<string, string[]> {
  return new Map(sources(dir).map((file) => [file, relativeImports(file)]));
}

const shown = (root: string) => (file: string) => relative(root, file).split(sep).join('/');

describe('the floor plan of packages/cli and packages/mock', () => {
  it('finds the sources it walks (a walk over nothing would pass)', () => {
    expect(sources(CLI_SRC).length).toBeGreaterThan(20);
    expect(sources(MOCK_SRC).length).toBeGreaterThan(10);
    expect(sources(CLI_SRC)).toContain(join(IMPORT_ROOM, 'engine.ts'));
  });

  it('nothing outside src/import/ but the import command and the package entry imports from it', () => {
    const intruders: string[] = [];
    for (const [file, imports] of graphOf(CLI_SRC)) {
      if (file.startsWith(IMPORT_ROOM + sep) || DOORS_TO_IMPORT.has(file)) continue;
      for (const target of imports) {
        if (target.startsWith(IMPORT_ROOM + sep)) intruders.push(`${shown(CLI_SRC)(file)} → ${shown(CLI_SRC)(target)}`);
      }
    }
    expect(intruders).toEqual([]);
  });

  it.each([
    ['packages/cli/src', CLI_SRC],
    ['packages/mock/src', MOCK_SRC],
  ])('no source file of %s over 400 lines', (_name, dir) => {
    const files = sources(dir);
    expect(files.length).toBeGreaterThan(20);
    const long = files.map((file) => [shown(dir)(file), readFileSync(file, 'utf8').split('\n').length] as const).filter(([, lines]) => lines > 400);
    expect(long).toEqual([]);
  });

  it.each([
    ['packages/cli/src', CLI_SRC],
    ['packages/mock/src', MOCK_SRC],
  ])('%s has no import circle', (_name, dir) => {
    expect(circles(graphOf(dir)).map((loop) => loop.map(shown(dir)).join(' → '))).toEqual([]);
  });

  it('no module of the command but the bin (main.ts) reads `process`: verbs get their IO injected (shared/io.ts)', () => {
    const readers: string[] = [];
    for (const file of sources(CLI_SRC)) {
      if (file === BIN) continue;
      for (const use of processUses(file)) if (!PROCESS_CONSTANTS.has(use)) readers.push(`${shown(CLI_SRC)(file)}: ${use}`);
    }
    expect(readers).toEqual([]);
  });

  // The checks themselves, on made-up sources: they must be able to fail.
  it('sees every use of `process`: a member, the bare name, an import of node:process; not a word in a comment or a property', () => {
    const text = [
      '// the process ends',
      'const a = process.env.X;',
      'const b = process;',
      "import { argv } from 'node:process';",
      'const c = { process: 1 }.process;',
      'const d = `${process.pid}`;',
    ].join('\n');
    expect(processUses('/src/x.ts', text)).toEqual(['node:process', 'process.env', 'process', 'process.pid']);
  });

  it('sees every kind of relative import and resolves .js to .ts', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c/index.js';",
      "import 'node:fs';",
      "import x from 'callbot-contract';",
      "const d = await import('./d.js');",
    ].join('\n');
    expect(relativeImports('/src/x/file.ts', text)).toEqual(['/src/x/a.ts', '/src/b.ts', '/src/x/c/index.ts', '/src/x/d.ts']);
  });

  it('finds a circle, a self-import and a long circle, each once, and no circle in a diamond', () => {
    const loops = circles(
      new Map([
        ['a', ['b']],
        ['b', ['a', 'c']],
        ['c', ['c']],
        ['d', ['e']],
        ['e', ['f']],
        ['f', ['d']],
      ]),
    );
    expect(loops).toEqual([
      ['a', 'b', 'a'],
      ['c', 'c'],
      ['d', 'e', 'f', 'd'],
    ]);
    expect(
      circles(
        new Map([
          ['top', ['left', 'right']],
          ['left', ['bottom']],
          ['right', ['bottom']],
          ['bottom', []],
        ]),
      ),
    ).toEqual([]);
  });
});
