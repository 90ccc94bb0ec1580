/**
 * This file was generated from openapi/components/schemas/RetCode.yaml by scripts/generate.mjs.
 * Do not make direct changes to the file.
 */

/** Every retCode the vendor documents, by name. */
export const RetCodes = {
  "Success": { code: 0, name: "Success", description: "成功 — Success", retryable: false },
  "GeneralError": { code: 1, name: "GeneralError", description: "通用错误 — General error", retryable: false },
  "MissingParameter": { code: 2, name: "MissingParameter", description: "参数丢失 — Missing parameter", retryable: false },
  "ParameterFormatError": { code: 3, name: "ParameterFormatError", description: "参数格式错误 — Parameter format error", retryable: false },
  "InvalidParameterValue": { code: 4, name: "InvalidParameterValue", description: "参数值错误 — Invalid parameter value", retryable: false },
  "TooManyElements": { code: 4001, name: "TooManyElements", description: "参数内容容量错误(数组元素过多) — Too many array elements", retryable: false },
  "ServerMaintenance": { code: 5, name: "ServerMaintenance", description: "服务器维护 — Server maintenance", retryable: true },
  "InternalServerError": { code: 5001, name: "InternalServerError", description: "服务器内部错误 — Internal server error", retryable: false },
  "IncorrectSignature": { code: 6, name: "IncorrectSignature", description: "签名不正确 — Incorrect signature", retryable: false },
  "MissingSignature": { code: 6001, name: "MissingSignature", description: "签名错误丢失 — Signature missing", retryable: false },
  "AccountNotFound": { code: 6002, name: "AccountNotFound", description: "账号不存在 — Account does not exist", retryable: false },
  "PermissionDenied": { code: 6003, name: "PermissionDenied", description: "用户没有权限 — User has no permission", retryable: false },
  "SystemBusy": { code: 7, name: "SystemBusy", description: "系统正忙 — System busy", retryable: true },
  "BatchImportInProgress": { code: 1001, name: "BatchImportInProgress", description: "批次导入进行中,不可导入导出 — Batch import in progress; import and export unavailable", retryable: true },
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
