import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { RetCodes } from '../../generated/retcodes.js';
import { fromRoot, repoRoot } from 'callbot-test-kit/paths';

// One retCode truth: the spec's RetCode schema, through generated/retcodes.ts (`RetCodes`,
// `retCodeInfo`, `retCodeOutcome`). Hand-written code takes codes, messages and outcome classes
// from that table (`RetCodes.SystemBusy.code`, `RetCodes.SystemBusy.zh`, `error.outcome`) and
// never restates them. This test greps the code (comments are prose and are not scanned) for
// documented codes used as codes and for the table's Chinese messages, and lists file:line.

/** The folders scanned, recursively. One list: add a package's src/ here to cover it. */
const SCANNED_FOLDERS = ['src', 'packages/mock/src', 'packages/cli/src'];
/** Files not scanned yet. */
const NOT_SCANNED = new Set<string>([]);
/** Calls whose arguments are a retCode (`refuse(4001, …)`, `json(500, 5001, …)`). */
const CODE_TAKING_CALLS = ['refuse', 'json', 'answer'];

// 0 is left out: "0 is success, anything else is failure" is the vendor's rule itself, and the
// success result's type says `retCode: 0`. Every other documented code counts.
const codes = Object.values(RetCodes)
  .map((info) => info.code)
  .filter((code) => code !== 0);
const messages = Object.values(RetCodes)
  .filter((info) => info.code !== 0)
  .map((info) => info.zh);
const CODE = `(?<![\\w.])(?:${[...codes].sort((a, b) => b - a).join('|')})(?![\\w.])`;
const BIG_CODE = `(?<![\\w.])(?:${codes.filter((code) => code >= 1000).join('|')})(?![\\w.])`;

const PATTERNS: { what: string; pattern: RegExp }[] = [
  // retCode: 5, retCode === 7, unverifiedRetCode === 6, code !== 7, retCode: 2 | 3 | 4, RETCODE ?? 3
  { what: 'a retCode property or comparison with a number', pattern: new RegExp(`(?:retcode|\\bcode)\\w*['"]?\\s*(?::|[!=]==?|\\?\\?)\\s*${CODE}`, 'i') },
  // case 7: (a switch over a retCode)
  { what: 'a case of a documented code', pattern: new RegExp(`\\bcase\\s+${CODE}\\s*:`) },
  // new Set([6002]), [5, 7, 1001], 'retCode 4001 …' in a message: the four-digit codes are never anything else
  { what: 'a four-digit documented code', pattern: new RegExp(BIG_CODE) },
  // refuse(4001, …), json(500, 5001, …), json(status, ok ? 6 : 3, …)
  { what: 'a code given to a code-taking call', pattern: new RegExp(`\\b(?:${CODE_TAKING_CALLS.join('|')})\\([^)]*?${CODE}`) },
  // 'retCode 7' in a help text or message
  { what: 'a code named in a text', pattern: new RegExp(`retcodes?\\s+${CODE}`, 'i') },
];

/** The source with every comment blanked out (line breaks kept, so line numbers still match). */
function withoutComments(text: string, fileName: string): string {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const blank = text.split('');
  const seen = new Set<number>();
  const erase = (ranges: ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) {
      if (seen.has(range.pos)) continue;
      seen.add(range.pos);
      for (let i = range.pos; i < range.end; i += 1) if (blank[i] !== '\n') blank[i] = ' ';
    }
  };
  const visit = (node: ts.Node) => {
    erase(ts.getLeadingCommentRanges(text, node.getFullStart()));
    erase(ts.getTrailingCommentRanges(text, node.getEnd()));
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return blank.join('');
}

/** Every line of `text` that restates a code or a message of the table, as `file:line: …`. */
function findRestatedRetCodes(text: string, file: string): string[] {
  const findings: string[] = [];
  withoutComments(text, file)
    .split('\n')
    .forEach((line, index) => {
      const reasons = PATTERNS.filter(({ pattern }) => pattern.test(line)).map(({ what }) => what);
      // A run of Chinese that is (part of) one of the table's messages: '系统正忙', or a shortened '参数内容容量错误'.
      for (const run of line.match(/\p{Script=Han}{2,}/gu) ?? []) {
        if (messages.some((message) => message.includes(run))) reasons.push(`the table's message "${run}"`);
      }
      if (reasons.length > 0) findings.push(`${file}:${index + 1}: ${reasons.join('; ')}: ${line.trim()}`);
    });
  return findings;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(fromRoot(folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(?:[cm]?ts|[cm]?js)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

describe("one retCode truth: codes and messages come from the spec's table, not literals", () => {
  it('the scan catches every form of a restated code or message (fixtures)', () => {
    const restated = [
      "const busy = { retCode: 5, retMsg: 'x' };",
      'if (answer.retCode === 1001) retry();',
      'if (code !== 7) stop();',
      'switch (code) { case 6: return hint; }',
      'const hint = unverifiedRetCode === 6 ? a : b;',
      'return refuse(4001, `too many`);',
      'return refuse(2);',
      "return json(500, 5001, 'handler failed');",
      'return json(status, status === 401 ? 6 : 3, message);',
      'const UNSIGNABLE = new Set([6002]);',
      'const problem: { retCode: 2 | 3 | 4 } = { retCode: RETCODE_BY_KEYWORD[k] ?? 3 };',
      "const help = 'the next import answers retCode 7';",
      "const busyMessage = '系统正忙';",
      "const capacity = '参数内容容量错误';",
    ];
    const findings = findRestatedRetCodes(restated.join('\n'), 'fixture.ts');
    expect(findings.map((finding) => Number(/^fixture\.ts:(\d+):/.exec(finding)?.[1]))).toEqual(restated.map((_, i) => i + 1));
    expect(findings[0]).toMatch(/^fixture\.ts:1: a retCode property or comparison with a number.*retCode: 5/);

    const tableDriven = [
      '// Answers retCode 7 (系统正忙) when busy; refuse(4001) in a comment is prose.',
      '/* retCode: 5001 === 5001 */',
      'const busy = { retCode: RetCodes.SystemBusy.code, retMsg: RetCodes.SystemBusy.zh };',
      "if (failure.outcome !== 'not-processed') throw failure;",
      'return refuse(RetCodes.TooManyElements.code, `at most ${max} orders`);',
      "return json(200, RetCodes.Success.code, 'success');",
      'if (data.retCode === 0) return data;',
      'const shown = issues.slice(0, 10); const more = issues.length > 1 ? 2 : 3;',
      "if (issues.length === 1) return ''; process.exitCode = 1; const exit = { exitCode: 2, statusCode: 404 };",
      "const url = 'http://127.0.0.1:4010'; const cap = 100_000; const half = 0.5;",
      "const intent = { intentName: '有意向', intentLevel: 1 };",
    ];
    expect(findRestatedRetCodes(tableDriven.join('\n'), 'fixture.ts')).toEqual([]);
  });

  it(`no file under ${SCANNED_FOLDERS.join(', ')} restates a retCode or its message`, () => {
    const files = SCANNED_FOLDERS.flatMap(sourceFiles).filter((file) => !NOT_SCANNED.has(file));
    // The scan really reads the consumers (a wrong folder name must not make it pass on nothing).
    expect(files).toEqual(
      expect.arrayContaining([
        'src/callbacks.ts',
        'src/errors.ts',
        'src/client.ts',
        'packages/mock/src/requests/faults.ts',
        'packages/mock/src/requests/refusals.ts',
      ]),
    );
    const findings = files.flatMap((file) => findRestatedRetCodes(readFileSync(fromRoot(file), 'utf8'), file));
    expect(findings).toEqual([]);
  });
});
