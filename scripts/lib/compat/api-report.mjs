import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

// The TypeScript surface of each published package, as a text report (one file per package), and
// its comparison with the committed report and with the last release's (issue 22). Built with the
// TypeScript compiler API from the built declarations (dist/*.d.ts): one ts.Program for every
// entry, each export printed by the checker, sorted — the same declarations always give the
// same text. (API Extractor was the alternative: it brings a second TypeScript of its own and
// wants one config and one run per entry; see CONTRIBUTING.md, "API reports".)
//
// Report format, per entry point: `## <import specifier> (<types file>)`, then one block per
// export, sorted by name. A block starts with `export <kind> <name>…` at column 0; an object type
// (interface, class, object literal type of a const or a type alias) is expanded one member per
// line, indented by two spaces a level, members sorted; any other type is the checker's one-line
// text (NoTruncation).

/** The packages whose surface is reported, by directory under the root. */
const PACKAGES = ['.', 'packages/mock', 'packages/cli'];
/** Entries that are not public API: `callbot-contract/internal` is the plumbing shared with the
 * sibling packages, which pin the contract's exact version (the three are a fixed group). */
const NOT_PUBLIC = new Set(['./internal']);
const HEADER_NOTE = '<!-- Made by `npm run api:report` from the built declarations (dist/*.d.ts). Do not edit: rebuild and rerun. -->';
const FLAGS = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType;
/** Object types nested deeper than this are printed on one line (a bound on the report's size). */
const MAX_DEPTH = 8;

const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** The public entries of a package: `[specifier, types file]` from its package.json "exports". */
function publicEntries(root, dir) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const entries = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (NOT_PUBLIC.has(subpath) || typeof target !== 'object') continue;
    // The ESM declarations; the .d.cts of the require condition are emitted from the same source.
    const types = target.import?.types ?? target.types;
    if (typeof types !== 'string') continue;
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    entries.push([specifier, join(root, dir, types)]);
  }
  return { name: pkg.name, entries };
}

function createChecker(files) {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  return { program, checker: program.getTypeChecker() };
}

/** An anonymous object type with members only (no call signatures): expanded member by member. */
function isExpandable(type) {
  return (
    (type.flags & ts.TypeFlags.Object) !== 0 &&
    !type.aliasSymbol &&
    (type.objectFlags & ts.ObjectFlags.Anonymous) !== 0 &&
    type.getCallSignatures().length === 0 &&
    type.getConstructSignatures().length === 0
  );
}

function memberModifiers(symbol) {
  const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
  const flags = decl ? ts.getCombinedModifierFlags(decl) : 0;
  let text = '';
  if (flags & ts.ModifierFlags.Protected) text += 'protected ';
  if (flags & ts.ModifierFlags.Static) text += 'static ';
  if (flags & ts.ModifierFlags.Readonly) text += 'readonly ';
  return text;
}

function isHidden(symbol) {
  const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
  if (!decl) return false;
  if (decl.name && ts.isPrivateIdentifier(decl.name)) return true;
  return (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Private) !== 0;
}

/** A member's name as written; a symbol-keyed one (`__@asyncIterator@1031`, the number differing
 * from run to run) as `[Symbol.asyncIterator]`. */
function memberName(name) {
  const symbol = /^__@([\w$]+)@\d+$/.exec(name);
  if (symbol) return `[Symbol.${symbol[1]}]`;
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

/** The member lines of an object type (properties, signatures, index signatures), sorted. */
function memberLines(checker, type, at, depth, { skip = () => false } = {}) {
  const pad = '  '.repeat(depth);
  const lines = [];
  for (const sig of type.getCallSignatures()) lines.push([`(`, `${pad}${checker.signatureToString(sig, at, FLAGS)};`]);
  for (const sig of type.getConstructSignatures()) lines.push([`new(`, `${pad}new ${checker.signatureToString(sig, at, FLAGS)};`]);
  for (const info of checker.getIndexInfosOfType(type)) {
    const key = checker.typeToString(info.keyType, at, FLAGS);
    const readonly = info.isReadonly ? 'readonly ' : '';
    lines.push([`[${key}`, `${pad}${readonly}[key: ${key}]: ${checker.typeToString(info.type, at, FLAGS)};`]);
  }
  const props = checker
    .getPropertiesOfType(type)
    .filter((prop) => !skip(prop) && !isHidden(prop))
    .sort((a, b) => byText(memberName(a.getName()), memberName(b.getName())));
  for (const prop of props) {
    const optional = prop.flags & ts.SymbolFlags.Optional ? '?' : '';
    const name = memberName(prop.getName());
    const head = `${pad}${memberModifiers(prop)}${name}${optional}: `;
    const propType = checker.getTypeOfSymbolAtLocation(prop, at);
    lines.push([name, ...typeLines(checker, propType, at, depth, head)]);
  }
  return lines.sort((a, b) => byText(a[0], b[0])).flatMap(([, ...text]) => text);
}

/** `head` followed by the type: expanded over several lines when it is an object type, else one line. */
function typeLines(checker, type, at, depth, head, tail = ';') {
  // `{ … } | undefined` (an optional member under strict null checks): the object expanded too.
  if (depth < MAX_DEPTH && type.isUnion()) {
    const objects = type.types.filter(isExpandable);
    const rest = type.types.filter((t) => t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null));
    if (objects.length === 1 && rest.length === type.types.length - 1 && rest.length > 0) {
      const others = rest.map((t) => checker.typeToString(t, at, FLAGS)).join(' | ');
      return typeLines(checker, objects[0], at, depth, head, ` | ${others}${tail}`);
    }
  }
  if (depth < MAX_DEPTH && isExpandable(type)) {
    const members = memberLines(checker, type, at, depth + 1);
    return [`${head}{`, ...members, `${'  '.repeat(depth)}}${tail}`];
  }
  return [`${head}${checker.typeToString(type, at, FLAGS)}${tail}`];
}

function typeParams(decl) {
  return decl?.typeParameters?.length ? `<${decl.typeParameters.map((p) => p.getText()).join(', ')}>` : '';
}

/** The blocks that declare one export (a name can be a type and a value at once), in a fixed order. */
function exportBlocks(checker, name, exported, at) {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const decls = symbol.declarations ?? [];
  const find = (test) => decls.find(test);
  const blocks = [];
  if (symbol.flags & ts.SymbolFlags.Class) {
    const decl = find(ts.isClassDeclaration);
    const heritage = decl?.heritageClauses?.map((h) => ` ${h.getText()}`).join('') ?? '';
    const abstract = decl && ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Abstract ? 'abstract ' : '';
    const staticSide = checker.getTypeOfSymbol(symbol);
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    const statics = memberLines(checker, staticSide, at, 1, { skip: (p) => p.getName() === 'prototype' });
    blocks.push([`export ${abstract}class ${name}${typeParams(decl)}${heritage} {`, ...statics, ...memberLines(checker, instance, at, 1), '}']);
  }
  if (symbol.flags & ts.SymbolFlags.Interface) {
    const decl = find(ts.isInterfaceDeclaration);
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    blocks.push([`export interface ${name}${typeParams(decl)} {`, ...memberLines(checker, type, at, 1), '}']);
  }
  if (symbol.flags & ts.SymbolFlags.TypeAlias) {
    const decl = find(ts.isTypeAliasDeclaration);
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    const head = `export type ${name}${typeParams(decl)} = `;
    // InTypeAlias: print the alias's definition, not its own name.
    if (isExpandable(type)) blocks.push(typeLines(checker, type, at, 0, head));
    else blocks.push([`${head}${checker.typeToString(type, at, FLAGS | ts.TypeFormatFlags.InTypeAlias)};`]);
  }
  if (symbol.flags & ts.SymbolFlags.Enum) {
    const members = (find(ts.isEnumDeclaration)?.members ?? []).map((m) => `  ${m.name.getText()} = ${JSON.stringify(checker.getConstantValue(m) ?? null)},`);
    blocks.push([`export enum ${name} {`, ...members, '}']);
  }
  if (symbol.flags & ts.SymbolFlags.Function) {
    const type = checker.getTypeOfSymbol(symbol);
    for (const sig of type.getCallSignatures()) blocks.push([`export function ${name}${checker.signatureToString(sig, at, FLAGS)};`]);
  }
  if (symbol.flags & ts.SymbolFlags.Variable) {
    const decl = find(ts.isVariableDeclaration);
    const list = decl?.parent;
    const kind = list && list.flags & ts.NodeFlags.Const ? 'const' : list && list.flags & ts.NodeFlags.Let ? 'let' : 'var';
    blocks.push(typeLines(checker, checker.getTypeOfSymbol(symbol), at, 0, `export ${kind} ${name}: `));
  }
  if (symbol.flags & ts.SymbolFlags.Module) {
    const members = checker
      .getExportsOfModule(symbol)
      .map((m) => m.getName())
      .sort(byText);
    blocks.push([`export namespace ${name} {`, ...members.map((m) => `  ${m};`), '}']);
  }
  if (blocks.length === 0) blocks.push([`export unknown ${name};`]);
  return blocks;
}

function entryReport(checker, program, root, specifier, file) {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`api report: ${relative(root, file)} is missing: run npm run build first`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const exports = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
  const lines = [`## ${specifier} (${relative(root, file).split('\\').join('/')})`, ''];
  for (const exported of [...exports].sort((a, b) => byText(a.getName(), b.getName()))) {
    for (const block of exportBlocks(checker, exported.getName(), exported, source)) lines.push(...block, '');
  }
  return lines;
}

/**
 * The report text of each published package, from its built declarations under `root`.
 * @param {string} root the repository root (its dist/ and packages/*\/dist/ built)
 * @returns {Promise<Map<string, string>>} package name → report text
 */
export async function buildApiReports(root) {
  const packages = PACKAGES.filter((dir) => existsSync(join(root, dir, 'package.json'))).map((dir) => publicEntries(root, dir));
  const files = packages.flatMap((pkg) => pkg.entries.map(([, file]) => file));
  // The last build is kept (one entry): the test suite and the compatibility check ask for the
  // same reports in one process, and a build takes seconds. Any entry rewritten since (its size
  // or modification time) means a new build.
  const key = JSON.stringify([root, files.map((file) => (existsSync(file) ? [file, statSync(file).mtimeMs, statSync(file).size] : file))]);
  if (lastBuild?.key !== key) lastBuild = { key, reports: build(root, packages, files) };
  return new Map(lastBuild.reports);
}

/** @type {{ key: string, reports: Map<string, string> } | undefined} */
let lastBuild;

function build(root, packages, files) {
  const { program, checker } = createChecker(files);
  const reports = new Map();
  for (const pkg of packages) {
    const lines = [`# API report: ${pkg.name}`, '', HEADER_NOTE, ''];
    if (pkg.name === 'callbot-contract') lines.push('`callbot-contract/internal` is not public API and is not reported.', '');
    for (const [specifier, file] of pkg.entries) lines.push(...entryReport(checker, program, root, specifier, file));
    // A type the entry does not name itself prints as import("<absolute path>"): made relative to
    // the root, so a report does not depend on where the repository is.
    const text = lines
      .join('\n')
      .split(`import("${root.split('\\').join('/')}/`)
      .join('import("');
    reports.set(pkg.name, `${text.trimEnd()}\n`);
  }
  return reports;
}

const reportFile = (name) => `${name}.api.md`;

function writeReports(reports, dir) {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of reports) writeFileSync(join(dir, reportFile(name)), text);
}

/** Writes the current surface to api/ (the checked-in report, `npm run api:report`). */
export async function writeApiReports(root, dir = join(root, 'api')) {
  const reports = await buildApiReports(root);
  writeReports(reports, dir);
  return reports;
}

/** Writes the release's surface to compat/last-release/api/ (record-release, at version time). */
export async function recordApiReports(root) {
  return writeApiReports(root, join(root, 'compat', 'last-release', 'api'));
}

/**
 * A report's declarations: `<section> <export name>` → the set of its lines, each keyed by its
 * member path (so `  a: string;` under `  x: {` reads `x.a`).
 */
function parseReport(text) {
  const exports = new Map();
  let section = '';
  let current;
  let path = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) {
      section = line.slice(3).replace(/ \(.*\)$/, '');
      current = undefined;
      continue;
    }
    const head = /^export (?:abstract )?(?:class|interface|type|enum|function|const|let|var|namespace|unknown) ([\w$]+)/.exec(line);
    if (head) {
      const key = `${section} ${head[1]}`;
      current = exports.get(key) ?? { section, name: head[1], lines: [] };
      exports.set(key, current);
      path = [];
    }
    if (!current || line === '') continue;
    const level = (line.length - line.trimStart().length) / 2;
    const member = /^\s*(?:(?:protected|static|readonly) )*("[^"]*"|[\w$]+|\[[^\]]*\]|\(|new\b)/.exec(line);
    let where = '';
    if (!head) {
      path = path.slice(0, Math.max(level - 1, 0));
      where = [...path, level === 0 ? '}' : (member?.[1] ?? '}')].join('.');
      if (level > 0 && line.trimEnd().endsWith('{')) path[level - 1] = member?.[1] ?? '?';
    }
    current.lines.push({ where, text: line.trim() });
  }
  return exports;
}

/**
 * The checker prints a union's members in the order it created their types, which changes with
 * unrelated code (`'task' | 'order'` one release, `'order' | 'task'` the next). For comparing,
 * the `|` alternatives at each bracket level are sorted (the report keeps the checker's text).
 */
function canonical(text) {
  let i = 0;
  // One bracket level: segments split by `,` and `;`; in each, the text after the last `: `,
  // `=> ` or `= ` before the first `|` is the union, whose alternatives are sorted.
  const level = (close) => {
    let out = '';
    let prefix = '';
    let current = '';
    let alternatives = [];
    const flush = () => {
      alternatives.push(current.trim());
      out += prefix + alternatives.sort(byText).join(' | ');
      prefix = '';
      current = '';
      alternatives = [];
    };
    while (i < text.length) {
      const c = text[i++];
      if (c === "'" || c === '"') {
        let end = i;
        while (end < text.length && text[end] !== c) end += text[end] === '\\' ? 2 : 1;
        current += text.slice(i - 1, end + 1);
        i = end + 1;
      } else if ('([{<'.includes(c)) {
        current += c + level({ '(': ')', '[': ']', '{': '}', '<': '>' }[c]);
      } else if (c === close && !(c === '>' && text[i - 2] === '=')) {
        flush();
        return `${out}${c}`;
      } else if (c === ',' || c === ';') {
        flush();
        out += `${c} `;
      } else if (c === '|') {
        alternatives.push(current.trim());
        current = '';
      } else if (alternatives.length === 0 && (c === ':' || c === '=') && text[i] === ' ') {
        prefix += `${current}${c} `;
        current = '';
        i++;
      } else if (alternatives.length === 0 && c === '=' && text[i] === '>') {
        prefix += `${current}=> `;
        current = '';
        i += 2;
      } else current += c;
    }
    flush();
    return out;
  };
  return level(undefined);
}

const OPTIONAL_MEMBER = /^(?:(?:protected|static|readonly) )*(?:"[^"]*"|[\w$]+)\?: /;
/** A long line cut down to where it differs from its counterpart (the other release's line). */
function around(text, other) {
  if (text.length <= 160) return text;
  let start = 0;
  while (start < text.length && text[start] === other[start]) start++;
  let end = 0;
  while (end < text.length - start && text[text.length - 1 - end] === other[other.length - 1 - end]) end++;
  const from = Math.max(0, start - 50);
  const to = Math.min(text.length, Math.max(text.length - end, start) + 50);
  return `${from > 0 ? '...' : ''}${brief(text.slice(from, to))}${to < text.length ? '...' : ''}`;
}

const brief = (text) => (text.length > 160 ? `${text.slice(0, 157)}...` : text);

/** Splits `(a: A, b?: B): R` into its top-level parameters and what follows the closing parenthesis. */
function splitSignature(text) {
  const open = text.indexOf('(');
  if (open < 0) return undefined;
  let depth = 0;
  let start = open + 1;
  const params = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if ('([{<'.includes(c)) depth++;
    else if (')]}'.includes(c) || (c === '>' && text[i - 1] !== '=')) depth--;
    if (depth === 1 && c === ',') {
      params.push(text.slice(start, i).trim());
      start = i + 1;
    }
    if (depth === 0) {
      const last = text.slice(start, i).trim();
      if (last) params.push(last);
      return { before: text.slice(0, open), params, after: text.slice(i + 1) };
    }
  }
  return undefined;
}

/** A parameter without its name (`?` and `...` kept): renaming a parameter changes no caller. */
const paramKey = (param) => canonical(param.replace(/^(\.\.\.)?(?:[\w$]+|\{.*?\}|\[.*?\])(\?)?: /, '$1$2: '));

/**
 * A signature (a function's line, or a member whose type is a function) whose new text differs
 * only in parameter names and in optional (or rest) parameters added at the end.
 */
function onlyAddsOptionalParams(oldLine, newLine) {
  // An optional member's function type is printed `name?: ((…) => R) | undefined;`.
  const unwrap = (line) => line.replace(/^(.*?\?: )\((.*)\) \| undefined;$/, '$1$2;');
  const before = splitSignature(unwrap(oldLine));
  const after = splitSignature(unwrap(newLine));
  if (!before || !after || before.before !== after.before || canonical(before.after) !== canonical(after.after)) return false;
  const added = after.params.slice(before.params.length).map(paramKey);
  return (
    before.params.length <= after.params.length &&
    before.params.every((param, i) => paramKey(param) === paramKey(after.params[i])) &&
    added.every((param) => param.startsWith('?: ') || param.startsWith('...'))
  );
}

/**
 * The rule (CONTRIBUTING.md, "API reports"): an export removed is breaking; an export added is
 * compatible; a changed declaration is breaking unless all it does is add lines that are optional
 * members (`name?:`), members of a const's or a class's value (the package gives those, the user
 * does not build them), or trailing optional parameters of a function or of a member that is a
 * function (parameter names aside). Everything else that changed is breaking, widenings included.
 */
function classify(old, current) {
  const key = (line) => `${line.where}\t${canonical(line.text)}`;
  const oldKeys = new Set(old.lines.map(key));
  const newKeys = new Set(current.lines.map(key));
  const removed = old.lines.filter((line) => !newKeys.has(key(line)));
  const added = current.lines.filter((line) => !oldKeys.has(key(line)));
  if (removed.length === 0 && added.length === 0) return undefined;
  const kind = current.lines[0]?.text.match(/^export (?:abstract )?(\w+)/)?.[1];
  const valueSide = kind === 'const' || kind === 'class';
  // Lines inside an added optional member belong to it.
  const optionalRoots = added.filter((line) => OPTIONAL_MEMBER.test(line.text)).map((line) => line.where);
  const addedOk = (line) => valueSide || OPTIONAL_MEMBER.test(line.text) || optionalRoots.some((root) => line.where.startsWith(`${root}.`));
  // A line replaced, at the same place, by one that only adds optional parameters is widened.
  const widened = new Set();
  for (const line of removed) {
    const next = added.find((n) => n.where === line.where && !widened.has(n) && onlyAddsOptionalParams(line.text, n.text));
    if (next) widened.add(line).add(next);
  }
  const compatible = removed.every((line) => widened.has(line)) && added.every((line) => widened.has(line) || addedOk(line));
  const shown = (lines, others) =>
    lines
      .slice(0, 3)
      .map((line) => {
        const twin = others.find((other) => other.where === line.where);
        return `${line.where ? `${line.where}: ` : ''}${twin ? around(line.text, twin.text) : brief(line.text)}`;
      })
      .join('; ') + (lines.length > 3 ? ` (+${lines.length - 3} more)` : '');
  const parts = [];
  if (removed.length) parts.push(`was ${shown(removed, added)}`);
  if (added.length) parts.push(`now ${shown(added, removed)}`);
  return { kind: compatible ? 'compatible' : 'breaking', message: `${old.section}: ${old.name} changed: ${parts.join(' | ')}` };
}

/** The differences from a release's report to the current one, export by export. */
function compareReports(name, releaseText, currentText) {
  const release = parseReport(releaseText);
  const current = parseReport(currentText);
  const changes = [];
  const path = `api/${reportFile(name)}`;
  for (const [key, old] of release) {
    const now = current.get(key);
    if (!now) {
      const shown = brief(old.lines[0]?.text ?? old.name);
      changes.push({ package: name, kind: 'breaking', path, exportName: old.name, message: `${old.section}: ${old.name} removed (was ${shown})` });
      continue;
    }
    const change = classify(old, now);
    if (change) changes.push({ package: name, path, exportName: now.name, ...change });
  }
  for (const [key, now] of current) {
    if (!release.has(key)) {
      const shown = brief(now.lines[0]?.text ?? now.name);
      changes.push({ package: name, kind: 'compatible', path, exportName: now.name, message: `${now.section}: ${now.name} added (${shown})` });
    }
  }
  return changes;
}

/**
 * Compares the current surface (from the built dist/) with the checked-in reports (`reportsDir`,
 * default api/: a difference is a problem) and with the last release's (`releaseDir`, default
 * compat/last-release/api/: each difference is a change, breaking or compatible).
 * @returns {Promise<{ changes: { package: string, kind: 'breaking'|'compatible', path: string, exportName?: string, message: string }[], problems: string[] }>}
 */
export async function checkApiReports({ root, reportsDir, releaseDir } = {}) {
  const reports = await buildApiReports(root);
  const checkedIn = reportsDir ?? join(root, 'api');
  const released = releaseDir ?? join(root, 'compat', 'last-release', 'api');
  const changes = [];
  const problems = [];
  for (const [name, text] of reports) {
    const file = join(checkedIn, reportFile(name));
    const inRoot = relative(root, file);
    const shown = inRoot.startsWith('..') ? file : inRoot.split('\\').join('/');
    if (!existsSync(file)) problems.push(`${shown} is missing: run npm run api:report and commit it`);
    else if (readFileSync(file, 'utf8') !== text) problems.push(`${shown} is out of date: run npm run api:report and commit it`);
    const releaseFile = join(released, reportFile(name));
    if (existsSync(releaseFile)) changes.push(...compareReports(name, readFileSync(releaseFile, 'utf8'), text));
    else if (existsSync(released) && readdirSync(released).length > 0)
      changes.push({ package: name, kind: 'compatible', path: `api/${reportFile(name)}`, message: `${name}: not in the last release (new package)` });
  }
  return { changes, problems };
}
