/**
 * This file was generated from openapi/components/schemas/RetCode.yaml by scripts/generate.mjs.
 * Do not make direct changes to the file.
 */

/** Every retCode the vendor documents, by name. */
export const RetCodes = {
  "Success": { code: 0, name: "Success", zh: "成功", en: "Success", outcome: "success", retryable: false },
  "GeneralError": { code: 1, name: "GeneralError", zh: "通用错误", en: "General error", outcome: "refused", retryable: false },
  "MissingParameter": { code: 2, name: "MissingParameter", zh: "参数丢失", en: "Missing parameter", outcome: "refused", retryable: false },
  "ParameterFormatError": { code: 3, name: "ParameterFormatError", zh: "参数格式错误", en: "Parameter format error", outcome: "refused", retryable: false },
  "InvalidParameterValue": { code: 4, name: "InvalidParameterValue", zh: "参数值错误", en: "Invalid parameter value", outcome: "refused", retryable: false },
  "TooManyElements": { code: 4001, name: "TooManyElements", zh: "参数内容容量错误(数组元素过多)", en: "Too many array elements", outcome: "refused", retryable: false, hint: "Too many elements in a list of the request (orders, order IDs, filter values); the vendor's cap is lower than the list." },
  "ServerMaintenance": { code: 5, name: "ServerMaintenance", zh: "服务器维护", en: "Server maintenance", outcome: "not-processed", retryable: true },
  "InternalServerError": { code: 5001, name: "InternalServerError", zh: "服务器内部错误", en: "Internal server error", outcome: "unknown", retryable: false, hint: "The request may have been processed; check (e.g. the task's batch) before sending it again." },
  "IncorrectSignature": { code: 6, name: "IncorrectSignature", zh: "签名不正确", en: "Incorrect signature", outcome: "refused", retryable: false, hint: "The signature did not match; check the secret key and algorithm (`callbot sign` shows the signature base)." },
  "MissingSignature": { code: 6001, name: "MissingSignature", zh: "签名错误丢失", en: "Signature missing", outcome: "refused", retryable: false, hint: "A signing header is missing; check that every request carries requestID, uuid, createTs and sign." },
  "AccountNotFound": { code: 6002, name: "AccountNotFound", zh: "账号不存在", en: "Account does not exist", outcome: "refused", retryable: false, hint: "The uuid is not known to this server; check the account and the base URL." },
  "PermissionDenied": { code: 6003, name: "PermissionDenied", zh: "用户没有权限", en: "User has no permission", outcome: "refused", retryable: false, hint: "This account may not use this operation; ask the vendor to enable it." },
  "SystemBusy": { code: 7, name: "SystemBusy", zh: "系统正忙", en: "System busy", outcome: "not-processed", retryable: true },
  "BatchImportInProgress": { code: 1001, name: "BatchImportInProgress", zh: "批次导入进行中,不可导入导出", en: "Batch import in progress; import and export unavailable", outcome: "not-processed", retryable: true },
} as const;

export type RetCodeName = keyof typeof RetCodes;
export type RetCodeValue = (typeof RetCodes)[RetCodeName]['code'];
/**
 * What a retCode says about the request: `success` processed; `not-processed` the vendor did not
 * process it (safe to send again later); `refused` processed and refused (the same request gets
 * the same answer); `unknown` it may or may not have been processed (check before sending again).
 */
export type RetCodeOutcome = "success" | "not-processed" | "refused" | "unknown";
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

/** The outcome class of any retCode; an undocumented one is `unknown` (see the RetCode schema). */
export function retCodeOutcome(code: number): RetCodeOutcome {
  return byCode.get(code)?.outcome ?? 'unknown';
}

/** The codes of one outcome class, in the spec's order. */
export function retCodesWithOutcome(outcome: RetCodeOutcome): number[] {
  return Object.values(RetCodes).filter((info) => info.outcome === outcome).map((info) => info.code);
}
