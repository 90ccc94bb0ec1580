import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { Callbacks, DelCallEntries, Limits, MockLimits, PRODUCT_ID, TaskOperateEntries, TaskStatusEntries } from '../../generated/vendor-facts.js';
import { Operations } from '../../generated/operations.js';
import { fromRoot } from 'callbot-test-kit/paths';

// One fact, one place: the vendor's facts that code needs as values — the enums (TaskStatus,
// TaskOperate, DelCall), the fixed productID, the list caps (the contract's `maxItems`, the
// mock's `x-callbot-mock-*`) and the callbacks' `callbackType`s and schemas — come from the
// spec through generated/vendor-facts.ts, and hand-written code imports them (from
// 'callbot-contract' in the command and the mock). This test parses every source file with
// TypeScript's own parser (comments are prose and are not read; type positions are not code)
// and lists, as file:line, where one is restated:
// - productID: a `productID` property, variable or comparison set to the productID string;
// - an enum: a number of the enum in a comparison or `case` on something named like it
//   (`task.status === 2`, `operate === 1`, `case 3:` in `switch (taskOperate)`), in a property
//   named like it (`taskOperate: 1`, `delCall: 1`), a hand-written table of it (`Running: 2`,
//   `{ 1: 'waiting' }`), or spelled out in text (`"taskOperate 1"`);
// - a cap: its number where something named like the list or the number is set or compared
//   (`MAX_DETAIL_IDS = 500`, `size > 1000`, `maxOrders: 100_000`), or in text next to such a name;
// - a callback: `callbackType` set to a literal, or a callback schema's name as a string;
// - an operation's request or answer schema named as a string (generated/operations.ts has them).
// The retCodes have their own test (test/contract/one-retcode-truth.test.ts).

/** The folders scanned, recursively. */
const SCANNED_FOLDERS = ['src', 'packages/cli/src', 'packages/mock/src'];

interface EnumRule {
  table: string;
  entries: readonly { value: number | string; name: string; description: string }[];
  /** What a value, property or switch of this enum is called in code. */
  named: RegExp;
}
const ENUMS: EnumRule[] = [
  { table: 'TaskStatus', entries: TaskStatusEntries, named: /(?:^|[.\s_])(?:task_?)?status$/i },
  { table: 'TaskOperate', entries: TaskOperateEntries, named: /operate$/i },
  { table: 'DelCall', entries: DelCallEntries, named: /del_?call$/i },
];
const ENUM_IN_TEXT = /\b(?:taskOperate|taskStatus|delCall)\s*[:=]?\s*\d/i;

/** What each generated cap is called in code, by its path in Limits / MockLimits. */
const CAP_NAMES: Record<string, RegExp> = {
  'Limits.ListOrderDetailRequest.orderList.maxItems': /ids|order_?list|detail/i,
  'MockLimits.PageSize.maximum': /page_?size|(?:^|[.\s_])size$/i,
  'MockLimits.CallInfoList.callList.maxItems': /orders|batch|call_?list/i,
};

/** Every leaf of a limits table as [path, number]. */
function leaves(prefix: string, value: unknown): [string, number][] {
  if (typeof value === 'number') return [[prefix, value]];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, sub]) => leaves(`${prefix}.${key}`, sub));
}
const CAPS = [...leaves('Limits', Limits), ...leaves('MockLimits', MockLimits)].map(([path, value]) => ({ path, value, named: CAP_NAMES[path] }));

const CALLBACK_SCHEMAS = new Set<string>(Object.values(Callbacks).map((callback) => callback.schema));
const OPERATION_SCHEMAS = new Set<string>(Object.values(Operations).flatMap((operation) => [operation.requestSchema, operation.answerSchema]));

const COMPARISON = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
]);

interface Finding {
  line: number;
  text: string;
  why: string;
}

/** `x as const`, `(x)`, `x satisfies T`, `-x` → x. */
function unwrap(node: ts.Node): ts.Node {
  while (ts.isAsExpression(node) || ts.isParenthesizedExpression(node) || ts.isSatisfiesExpression(node)) node = node.expression;
  return node;
}
const numberOf = (node: ts.Node): number | undefined => {
  const inner = unwrap(node);
  return ts.isNumericLiteral(inner) ? Number(inner.text) : undefined;
};
const stringOf = (node: ts.Node): string | undefined => {
  const inner = unwrap(node);
  return ts.isStringLiteral(inner) || ts.isNoSubstitutionTemplateLiteral(inner) ? inner.text : undefined;
};
/** The English part of `中文 — English`, lower case, as a hand-written table would spell it. */
const english = (description: string) => description.split(' — ').pop()!.toLowerCase();
const loose = (text: string) => text.toLowerCase().replace(/[-_\s]/g, '');
/** A number in text as people write it: 100000, 100,000, 100_000. */
const numberInText = (value: number) => new RegExp(`(?<![\\d.,_])(?:${value}|${value.toLocaleString('en-US').replaceAll(',', '[,_]')})(?![\\d_])`);

/** Where `source` (TypeScript) restates a vendor fact that generated/vendor-facts.ts holds. */
function findRestatedFacts(source: string, fileName = 'fixture.ts'): Finding[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const report = (node: ts.Node, why: string) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    findings.push({ line: line + 1, text: node.getText(file), why });
  };
  /** The name a value is given to: a property, a variable, or the other side of a comparison. */
  const nameOf = (node: ts.Node) => (ts.isIdentifier(node) || ts.isStringLiteral(node) || ts.isNumericLiteral(node) ? node.text : node.getText(file));

  const checkNamedValue = (node: ts.Node, name: string, value: ts.Node, how: string) => {
    const number = numberOf(value);
    const string = stringOf(value);
    if (string === PRODUCT_ID && /product_?id/i.test(name)) report(node, `productID ${how} (use PRODUCT_ID)`);
    if (/^callback_?type$/i.test(name) && (number !== undefined || string !== undefined))
      report(node, `callbackType ${how} (use Callbacks.<kind>.callbackType)`);
    if (number === undefined) return;
    for (const rule of ENUMS) {
      if (rule.named.test(name) && rule.entries.some((entry) => entry.value === number))
        report(node, `a ${rule.table} value ${how} (use ${rule.table}.<Name>)`);
    }
    for (const cap of CAPS) {
      if (cap.value === number && cap.named?.test(name)) report(node, `a cap ${how} (use ${cap.path})`);
    }
  };

  const checkTableRow = (node: ts.PropertyAssignment) => {
    const key = nameOf(node.name);
    const number = numberOf(node.initializer);
    const string = stringOf(node.initializer);
    for (const rule of ENUMS) {
      const byName =
        number !== undefined && key.length >= 3 && rule.entries.some((entry) => entry.value === number && loose(entry.name).startsWith(loose(key)));
      const byValue =
        string !== undefined &&
        string.length >= 3 &&
        rule.entries.some(
          (entry) => String(entry.value) === key && (loose(entry.name).startsWith(loose(string)) || english(entry.description) === string.toLowerCase()),
        );
      if (byName || byValue) report(node, `a hand-written ${rule.table} table (use ${rule.table} / ${rule.table}Entries)`);
    }
  };

  const checkText = (node: ts.Node, text: string) => {
    if (ENUM_IN_TEXT.test(text)) report(node, 'an enum value spelled out in text (interpolate the table)');
    for (const cap of CAPS) {
      if (cap.named && numberInText(cap.value).test(text) && cap.named.test(text)) report(node, `a cap spelled out in text (interpolate ${cap.path})`);
    }
    if (CALLBACK_SCHEMAS.has(text)) report(node, 'a callback schema named as a string (use Callbacks.<kind>.schema)');
    if (OPERATION_SCHEMAS.has(text)) report(node, "an operation's schema named as a string (use Operations.<id>.requestSchema / answerSchema)");
  };

  const visit = (node: ts.Node) => {
    if (ts.isLiteralTypeNode(node) || ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return; // types and module names are not values
    if (ts.isPropertyAssignment(node)) {
      checkNamedValue(node, nameOf(node.name), node.initializer, 'set to a literal');
      checkTableRow(node);
    } else if (ts.isVariableDeclaration(node) && node.initializer && ts.isIdentifier(node.name)) {
      checkNamedValue(node, node.name.text, node.initializer, 'set to a literal');
    } else if (ts.isBinaryExpression(node) && COMPARISON.has(node.operatorToken.kind)) {
      checkNamedValue(node, node.left.getText(file), node.right, 'compared with a literal');
      checkNamedValue(node, node.right.getText(file), node.left, 'compared with a literal');
    } else if (ts.isCaseClause(node) && ts.isSwitchStatement(node.parent.parent)) {
      checkNamedValue(node.expression, node.parent.parent.expression.getText(file), node.expression, 'as a `case`');
    } else if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      checkText(node, node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return findings;
}

const listTs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });

const show = (findings: Finding[]) => findings.map((f) => `${f.line}: ${f.why}: ${f.text}`);

describe('one fact: no vendor fact restated outside generated/', () => {
  it('knows what every generated cap is called in code (a new cap in the spec needs its names here)', () => {
    expect(CAPS.filter((cap) => !cap.named).map((cap) => cap.path)).toEqual([]);
    expect(Object.keys(CAP_NAMES).sort()).toEqual(CAPS.map((cap) => cap.path).sort());
  });

  it('catches a planted literal of each kind, and leaves other numbers, strings, types and comments alone', () => {
    const fixture = [
      "const body = { productID: 'callbot', userTaskID };", // 1
      "return { productID: 'callbot' as const, ...input };", // 2
      'if (task.status !== 2) return;', // 3
      'if (operate === 3) complete();', // 4
      'switch (body.taskOperate) { case 1: start(); }', // 5
      'client.completeTask(id, { delCall: 1 });', // 6
      'setTaskStatus({ userTaskID, taskOperate: 2 });', // 7
      'const TaskStatus = { Waiting: 1, Running: 2 } as const;', // 8
      "const NAMES = { 1: 'waiting', 5: 'paused' };", // 9
      "const help = 'Start a task (mgrTaskStatus, taskOperate 1)';", // 10
      'export const MAX_DETAIL_IDS = 500;', // 11
      'if (size > 1000) refuse();', // 12
      'const options = { maxOrders: 100_000 };', // 13
      'const help = `more orders than this (default 100000)`;', // 14
      "return { callbackType: '2', ...fields };", // 15
      "validate('TaskStatusCallback', payload);", // 16
      // Not findings: the bin's name, other numbers and names, types, imports, comments.
      "program.name('callbot'); const ms = Math.floor(now / 1000); if (response.status >= 500) fail();", // 17
      "type T = components['schemas']['TaskStatusCallback']; // taskOperate 1, MAX 500, productID 'callbot'", // 18
      'if (exitCode === 3) {} const maxTasks = 10_000; const maxCallbackRecords = 1000;', // 19
      "import { PRODUCT_ID, TaskStatus } from 'callbot-contract'; if (task.status !== TaskStatus.Running) {}", // 20
      'const body = { productID: PRODUCT_ID, taskOperate: TaskOperate.Start, delCall: DelCall.Delete };', // 21
      'const text = `${status} (taskStatus ${status})`; const n = ids.length; const page = { page: 1, size: 100 };', // 22
      "validateAgainst('ImportBatchCallRequest', body); const answers = { listTask: 'ListTaskResponse' };", // 23
    ].join('\n');
    expect(show(findRestatedFacts(fixture))).toEqual([
      "1: productID set to a literal (use PRODUCT_ID): productID: 'callbot'",
      "2: productID set to a literal (use PRODUCT_ID): productID: 'callbot' as const",
      '3: a TaskStatus value compared with a literal (use TaskStatus.<Name>): task.status !== 2',
      '4: a TaskOperate value compared with a literal (use TaskOperate.<Name>): operate === 3',
      '5: a TaskOperate value as a `case` (use TaskOperate.<Name>): 1',
      '6: a DelCall value set to a literal (use DelCall.<Name>): delCall: 1',
      '7: a TaskOperate value set to a literal (use TaskOperate.<Name>): taskOperate: 2',
      '8: a hand-written TaskStatus table (use TaskStatus / TaskStatusEntries): Waiting: 1',
      '8: a hand-written TaskStatus table (use TaskStatus / TaskStatusEntries): Running: 2',
      "9: a hand-written TaskStatus table (use TaskStatus / TaskStatusEntries): 1: 'waiting'",
      "9: a hand-written TaskStatus table (use TaskStatus / TaskStatusEntries): 5: 'paused'",
      "10: an enum value spelled out in text (interpolate the table): 'Start a task (mgrTaskStatus, taskOperate 1)'",
      '11: a cap set to a literal (use Limits.ListOrderDetailRequest.orderList.maxItems): MAX_DETAIL_IDS = 500',
      '12: a cap compared with a literal (use MockLimits.PageSize.maximum): size > 1000',
      '13: a cap set to a literal (use MockLimits.CallInfoList.callList.maxItems): maxOrders: 100_000',
      '14: a cap spelled out in text (interpolate MockLimits.CallInfoList.callList.maxItems): `more orders than this (default 100000)`',
      "15: callbackType set to a literal (use Callbacks.<kind>.callbackType): callbackType: '2'",
      "16: a callback schema named as a string (use Callbacks.<kind>.schema): 'TaskStatusCallback'",
      "23: an operation's schema named as a string (use Operations.<id>.requestSchema / answerSchema): 'ImportBatchCallRequest'",
      "23: an operation's schema named as a string (use Operations.<id>.requestSchema / answerSchema): 'ListTaskResponse'",
    ]);
  });

  it('finds none in the sources (each finding as file:line)', () => {
    const files = SCANNED_FOLDERS.flatMap((folder) => listTs(fromRoot(folder)));
    expect(files.length).toBeGreaterThan(100);
    const findings = files.flatMap((path) => show(findRestatedFacts(readFileSync(path, 'utf8'), path)).map((f) => `${relative(fromRoot(), path)}:${f}`));
    expect(
      findings,
      `restated vendor facts (import them from generated/vendor-facts.ts, 'callbot-contract' outside the contract):\n${findings.join('\n')}`,
    ).toEqual([]);
  });
});
