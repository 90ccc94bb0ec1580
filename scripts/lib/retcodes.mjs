// Renders generated/retcodes.ts: the RetCode table as runtime values, taken from the spec's
// RetCode schema (enum, x-enum-varnames, x-enum-descriptions, x-callbot-retryable), so the
// client's error mapping and retry decisions are driven by the contract, not a second table.
export function renderRetCodeModule(spec) {
  const schema = spec.components.schemas.RetCode;
  const codes = schema.enum;
  const names = schema['x-enum-varnames'];
  const descriptions = schema['x-enum-descriptions'];
  const retryable = new Set(schema['x-callbot-retryable']);
  if (names.length !== codes.length || descriptions.length !== codes.length) {
    throw new Error('RetCode: enum, x-enum-varnames and x-enum-descriptions differ in length');
  }
  const rows = codes.map((code, i) =>
    `  ${JSON.stringify(names[i])}: { code: ${code}, name: ${JSON.stringify(names[i])}, ` +
    `description: ${JSON.stringify(descriptions[i])}, retryable: ${retryable.has(code)} },`,
  );
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
export interface RetCodeInfo {
  readonly code: number;
  readonly name: RetCodeName;
  readonly description: string;
  /** The vendor did not process the request: sending it again later cannot call anyone twice. */
  readonly retryable: boolean;
}

const byCode: ReadonlyMap<number, RetCodeInfo> = new Map(
  Object.values(RetCodes).map((info) => [info.code, info]),
);

/** The documented meaning of a retCode, or undefined for a code the vendor does not document. */
export function retCodeInfo(code: number): RetCodeInfo | undefined {
  return byCode.get(code);
}
`;
}
