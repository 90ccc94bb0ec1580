import { RetCodes, retCodeInfo, type RetCodeValue } from 'callbot-contract';
import type { SimAnswer } from './api.js';
import type { Core } from './core.js';

/**
 * The answer envelope: every answer carries retCode, retMsg and a deterministic responseID.
 * `Object.assign` rather than a spread of `fields`: the same keys in the same order, without V8's
 * slow path for spreads (see payloads.ts).
 */
export function success(core: Core, fields: object = {}): SimAnswer {
  return { body: Object.assign({ retCode: RetCodes.Success.code, retMsg: 'success', responseID: core.responseID() }, fields) };
}

/** A refusal: the vendor's words for the code, then what exactly is wrong (naming the field). */
export function refusal(core: Core, retCode: Exclude<RetCodeValue, typeof RetCodes.Success.code>, detail: string, fields: object = {}): SimAnswer {
  const zh = retCodeInfo(retCode)?.zh ?? '';
  return { body: Object.assign({ retCode, retMsg: `${zh}: ${detail}`, responseID: core.responseID() }, fields) };
}

export const invalid = (core: Core, detail: string, fields: object = {}) => refusal(core, RetCodes.InvalidParameterValue.code, detail, fields);
