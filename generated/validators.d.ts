/**
 * This file was generated from openapi/ (via generated/openapi.json) by scripts/generate.mjs.
 * Do not make direct changes to the file.
 */

/** One error as the generated code reports it (the fields of Ajv's ErrorObject it fills in). */
export interface ValidatorError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A precompiled validator: true when the value fits; otherwise `errors` lists every problem. */
export interface ValidateFunction {
  (data: unknown): boolean;
  errors?: ValidatorError[] | null;
}

/** The name of a schema in components.schemas of the spec. */
export type ValidatorName =
  | "ImportBatchCallRequest"
  | "CallInfoList"
  | "CallOrder"
  | "TemplateParam"
  | "ImportBatchCallResponse"
  | "ImportError"
  | "RetCode"
  | "SignAlgorithm"
  | "CallFinishedCallback"
  | "OrderFinishedCallback"
  | "CallInfoDetail"
  | "Intent"
  | "SmsRecord"
  | "AgentInfo"
  | "CallbackAck"
  | "CallbackRefusal";

export declare const ImportBatchCallRequest: ValidateFunction;
export declare const CallInfoList: ValidateFunction;
export declare const CallOrder: ValidateFunction;
export declare const TemplateParam: ValidateFunction;
export declare const ImportBatchCallResponse: ValidateFunction;
export declare const ImportError: ValidateFunction;
export declare const RetCode: ValidateFunction;
export declare const SignAlgorithm: ValidateFunction;
export declare const CallFinishedCallback: ValidateFunction;
export declare const OrderFinishedCallback: ValidateFunction;
export declare const CallInfoDetail: ValidateFunction;
export declare const Intent: ValidateFunction;
export declare const SmsRecord: ValidateFunction;
export declare const AgentInfo: ValidateFunction;
export declare const CallbackAck: ValidateFunction;
export declare const CallbackRefusal: ValidateFunction;

/** Every validator, by schema name. */
export declare const validators: Readonly<Record<ValidatorName, ValidateFunction>>;
