// Renders generated/retcodes.ts: everything code needs to know about a retCode, as runtime
// values taken from the spec's RetCode schema — the name (x-enum-varnames), the vendor's Chinese
// message and its English translation (x-enum-descriptions, "中文 — English"), the outcome class
// (x-callbot-outcomes) and the hint for people (x-callbot-hints). The client's errors and retry
// decision, the mock's answers and the command's messages and exit codes all read this table,
// so no retCode is explained anywhere but in the contract.
const OUTCOMES = ['success', 'not-processed', 'refused', 'unknown'];

export function renderRetCodeModule(spec) {
  const schema = spec.components.schemas.RetCode;
  const codes = schema.enum;
  const names = schema['x-enum-varnames'];
  const descriptions = schema['x-enum-descriptions'];
  const outcomes = schema['x-callbot-outcomes'];
  const hints = schema['x-callbot-hints'] ?? {};
  if (names.length !== codes.length || descriptions.length !== codes.length) {
    throw new Error('RetCode: enum, x-enum-varnames and x-enum-descriptions differ in length');
  }
  const outcomeOf = new Map();
  for (const [outcome, list] of Object.entries(outcomes)) {
    if (!OUTCOMES.includes(outcome)) throw new Error(`RetCode: x-callbot-outcomes has an unknown class ${outcome}`);
    for (const code of list) {
      if (outcomeOf.has(code)) throw new Error(`RetCode: ${code} is in two x-callbot-outcomes classes`);
      outcomeOf.set(code, outcome);
    }
  }
  for (const code of [...outcomeOf.keys(), ...Object.keys(hints).map(Number)]) {
    if (!codes.includes(code)) throw new Error(`RetCode: ${code} is not in the enum`);
  }
  const rows = codes.map((code, i) => {
    const [zh, en, ...rest] = descriptions[i].split(' — ');
    if (!zh || !en || rest.length > 0) throw new Error(`RetCode ${code}: x-enum-descriptions must read "中文 — English"`);
    const outcome = outcomeOf.get(code);
    if (!outcome) throw new Error(`RetCode ${code} is in no x-callbot-outcomes class`);
    const hint = hints[code] === undefined ? '' : `, hint: ${JSON.stringify(hints[code])}`;
    return (
      `  ${JSON.stringify(names[i])}: { code: ${code}, name: ${JSON.stringify(names[i])}, zh: ${JSON.stringify(zh)}, en: ${JSON.stringify(en)}, ` +
      `outcome: ${JSON.stringify(outcome)}, retryable: ${outcome === 'not-processed'}${hint} },`
    );
  });
  return `/**
 * This file was generated from openapi/components/schemas/RetCode.yaml by scripts/generate.mjs.
 * Do not make direct changes to the file.
 */

/** Every retCode the vendor documents, by name. */
export const RetCodes = {
${rows.join('\n')}
} as const;

export type RetCodeName = keyof typeof RetCodes;
export type RetCodeValue = (typeof RetCodes)[RetCodeName]['code'];
/**
 * What a retCode says about the request: \`success\` processed; \`not-processed\` the vendor did not
 * process it (safe to send again later); \`refused\` processed and refused (the same request gets
 * the same answer); \`unknown\` it may or may not have been processed (check before sending again).
 */
export type RetCodeOutcome = ${OUTCOMES.map((o) => JSON.stringify(o)).join(' | ')};
export interface RetCodeInfo {
  readonly code: number;
  readonly name: RetCodeName;
  /** The vendor's message (中文). */
  readonly zh: string;
  /** Its English translation. */
  readonly en: string;
  readonly outcome: RetCodeOutcome;
  /** The vendor did not process the request: sending it again later cannot call anyone twice. */
  readonly retryable: boolean;
  /** What to do about it, for people; absent when the name says it all. */
  readonly hint?: string;
}

const byCode: ReadonlyMap<number, RetCodeInfo> = new Map(
  Object.values(RetCodes).map((info) => [info.code, info]),
);

/** The documented meaning of a retCode, or undefined for a code the vendor does not document. */
export function retCodeInfo(code: number): RetCodeInfo | undefined {
  return byCode.get(code);
}

/** The outcome class of any retCode; an undocumented one is \`unknown\` (see the RetCode schema). */
export function retCodeOutcome(code: number): RetCodeOutcome {
  return byCode.get(code)?.outcome ?? 'unknown';
}

/** The codes of one outcome class, in the spec's order. */
export function retCodesWithOutcome(outcome: RetCodeOutcome): number[] {
  return Object.values(RetCodes).filter((info) => info.outcome === outcome).map((info) => info.code);
}
`;
}
