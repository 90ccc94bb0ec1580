// Renders generated/operations.ts: what the client needs to know about each operation, as
// runtime values taken from the bundled spec — its path, whether a request with an unknown
// outcome may be sent again (x-callbot-resend-unknown), the retCodes it can answer
// (x-callbot-retcodes), whether its answer may come gzip-compressed (x-callbot-answer-gzip),
// whether its body carries the fixed `productID`, and the names of its request and answer
// schemas (for the generated validators and types). The client's retry decision reads
// `resendUnknown` from here, so no operation is named in the retry code.
const refName = (schema, where) => {
  const ref = schema?.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/components/schemas/')) {
    throw new Error(`${where}: the schema must be a $ref to components.schemas`);
  }
  return ref.slice('#/components/schemas/'.length);
};

export function renderOperationsModule(spec) {
  const rows = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (method !== 'post') throw new Error(`${path}: only POST operations are expected (found ${method})`);
      const id = operation.operationId;
      const resendUnknown = operation['x-callbot-resend-unknown'];
      const retCodes = operation['x-callbot-retcodes'];
      if (typeof resendUnknown !== 'boolean') throw new Error(`${id}: x-callbot-resend-unknown must be true or false`);
      if (!Array.isArray(retCodes) || !retCodes.every(Number.isInteger)) throw new Error(`${id}: x-callbot-retcodes must list integers`);
      const requestSchema = refName(operation.requestBody?.content?.['application/json']?.schema, `${id} request`);
      const answerSchema = refName(operation.responses?.['200']?.content?.['application/json']?.schema, `${id} answer`);
      const productID = Object.hasOwn(spec.components.schemas[requestSchema]?.properties ?? {}, 'productID');
      rows.push(`  ${id}: {
    operationId: ${JSON.stringify(id)},
    path: ${JSON.stringify(path)},
    resendUnknown: ${resendUnknown},
    retCodes: [${retCodes.join(', ')}],
    answerGzip: ${operation['x-callbot-answer-gzip'] === true},
    productID: ${productID},
    requestSchema: ${JSON.stringify(requestSchema)},
    answerSchema: ${JSON.stringify(answerSchema)},
  },`);
    }
  }
  return `/**
 * This file was generated from openapi/ (via generated/openapi.json) by scripts/generate.mjs.
 * Do not make direct changes to the file.
 */

/** Every operation of the spec, by operationId. */
export const Operations = {
${rows.join('\n')}
} as const;

export type OperationId = keyof typeof Operations;
export type OperationPath = (typeof Operations)[OperationId]['path'];
export interface OperationInfo {
  readonly operationId: OperationId;
  readonly path: OperationPath;
  /**
   * May a request whose outcome is unknown (no answer, a timeout, an unreadable answer, retCode
   * 5001) be sent again as is? true for reads; false for anything that changes state.
   */
  readonly resendUnknown: boolean;
  /** The retCodes the operation can answer. */
  readonly retCodes: readonly number[];
  /** The answer may come gzip-compressed: ask with \`Accept-Encoding: gzip\`. */
  readonly answerGzip: boolean;
  /** The body has the fixed \`productID\` ("callbot"), which the client fills in. */
  readonly productID: boolean;
  /** The names in components.schemas of its request and answer bodies. */
  readonly requestSchema: string;
  readonly answerSchema: string;
}
`;
}
