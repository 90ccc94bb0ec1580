import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { RetCodes } from 'callbot-contract';
import { fromRoot } from 'callbot-test-kit/paths';

// One retCode truth: what a code is called, means and hints comes from the contract's table
// (the spec's RetCode schema), so nothing in the command's sources may restate a code by its
// number. Comments may talk about codes; code and strings may not. Found by TypeScript's own
// parser, so comments, strings and numbers are told apart exactly:
// - a number that is one of the spec's four-digit codes (1001, 5001, …), anywhere;
// - a `case N:` whose N is a documented code;
// - a comparison (=== !== == !=) of a documented code with something named like a code
//   (retCode, code, claimed…; not exitCode);
// - an object property `retCode: N`;
// - a string or template text that holds a four-digit code, or "retCode N".

const CODES = new Set<number>(Object.values(RetCodes).map((info) => info.code));
const LONG_CODES = [...CODES].filter((code) => code >= 1000);
const LONG_CODE_IN_TEXT = new RegExp(`(?<![\\d.])(${LONG_CODES.join('|')})(?![\\d])`);
const RETCODE_NUMBER_IN_TEXT = /\bret_?codes?\s*[:=]?\s*\d/i;
const CODE_LIKE_NAME = /code|claimed/i;
const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

interface Finding {
  line: number;
  text: string;
  why: string;
}

/** Where `source` (TypeScript) restates a retCode by its number. */
function findRetCodeLiterals(source: string, fileName = 'fixture.ts'): Finding[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const report = (node: ts.Node, why: string) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    findings.push({ line: line + 1, text: node.getText(file), why });
  };
  const isCode = (node: ts.Node): node is ts.NumericLiteral => ts.isNumericLiteral(node) && CODES.has(Number(node.text));
  const namesACode = (node: ts.Node) => {
    const text = node.getText(file);
    return CODE_LIKE_NAME.test(text) && !/exit/i.test(text);
  };

  const visit = (node: ts.Node) => {
    if (ts.isNumericLiteral(node) && LONG_CODES.includes(Number(node.text))) {
      report(node, 'a four-digit retCode');
    } else if (ts.isCaseClause(node) && isCode(node.expression)) {
      report(node.expression, '`case` on a retCode');
    } else if (ts.isBinaryExpression(node) && EQUALITY.has(node.operatorToken.kind)) {
      if ((isCode(node.right) && namesACode(node.left)) || (isCode(node.left) && namesACode(node.right))) report(node, 'a comparison with a retCode');
    } else if (ts.isPropertyAssignment(node) && /^ret_?code$/i.test(node.name.getText(file)) && isCode(node.initializer)) {
      report(node, 'a retCode property set to a number');
    } else if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      const text = node.text;
      if (LONG_CODE_IN_TEXT.test(text) || RETCODE_NUMBER_IN_TEXT.test(text)) report(node, 'a retCode spelled out in text');
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

describe('no retCode literals in packages/cli/src', () => {
  it('the pattern catches codes restated in code and text, and leaves other numbers and comments alone', () => {
    const fixture = [
      'if (error.retCode === 1001) retry();', // 1
      'switch (retCode) { case 6: break; }', // 2
      'const unknown = 5001;', // 3
      'if (claimed !== 6001) {}', // 4
      'const why = "server maintenance (retCode 5)";', // 5
      'const help = `retrying (1001) in ${s}s`;', // 6
      'return { retCode: 0 };', // 7
      'if (7 == code) {}', // 8
      // Not findings: other numbers, exit codes, comments, a 1000 that is a row count.
      'if (rows % 1000 === 0) tick(); // retCode 1001 is named in a comment only', // 9
      'const limit = 100_000; const ms = 120_000; const kib = 1024;', // 10
      'if (exitCode === 3) {} /* case 6: */', // 11
      'const EXIT = { usage: 1, someRejected: 2 };', // 12
      'if (summary.outcome === "unknown") {}', // 13
      'const text = `seconds ${n} (took 5001 ms)`;', // 14: a long code in text is caught even so
    ].join('\n');
    expect(findRetCodeLiterals(fixture).map((f) => `${f.line}: ${f.why}: ${f.text}`)).toEqual([
      '1: a comparison with a retCode: error.retCode === 1001',
      '1: a four-digit retCode: 1001',
      '2: `case` on a retCode: 6',
      '3: a four-digit retCode: 5001',
      '4: a comparison with a retCode: claimed !== 6001',
      '4: a four-digit retCode: 6001',
      '5: a retCode spelled out in text: "server maintenance (retCode 5)"',
      '6: a retCode spelled out in text: `retrying (1001) in ${',
      '7: a retCode property set to a number: retCode: 0',
      '8: a comparison with a retCode: 7 == code',
      '14: a retCode spelled out in text: } (took 5001 ms)`',
    ]);
  });

  it('finds none in the sources (each finding as file:line)', () => {
    const srcDir = fromRoot('packages', 'cli', 'src');
    const files = listTs(srcDir);
    expect(files.length).toBeGreaterThan(10);
    const findings = files.flatMap((path) =>
      findRetCodeLiterals(readFileSync(path, 'utf8'), path).map((f) => `${relative(fromRoot(), path)}:${f.line}: ${f.why}: ${f.text}`),
    );
    expect(findings, `restate retCodes (use the contract's RetCodes / retCodeInfo / error.outcome):\n${findings.join('\n')}`).toEqual([]);
  });
});
