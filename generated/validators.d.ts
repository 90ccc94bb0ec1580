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
  | "AddBatchCallRequest"
  | "AnswerRetCode"
  | "AnswerTaskStatus"
  | "CallbackUrl"
  | "CallbotAnswer"
  | "CreateAndCallRequest"
  | "CreateTaskRequest"
  | "DelCall"
  | "ExportBatchCallRequest"
  | "ExportBatchCallResponse"
  | "ExportedCall"
  | "FuncFlag"
  | "ListCallOptions"
  | "ListCallRequest"
  | "ListCallResponse"
  | "ListOrderDetailRequest"
  | "ListOrderDetailResponse"
  | "ListOrderOptions"
  | "ListOrderRequest"
  | "ListOrderResponse"
  | "ListTaskConditions"
  | "ListTaskRequest"
  | "ListTaskResponse"
  | "ManualCallSetting"
  | "MgrTaskStatusRequest"
  | "MgrTaskStatusResponse"
  | "OrderCall"
  | "OrderDetail"
  | "OrdersAddedResponse"
  | "PageNumber"
  | "PageSize"
  | "PingRequest"
  | "PingResponse"
  | "ProductID"
  | "RangeFilter"
  | "ResponseID"
  | "RetMsg"
  | "SceneID"
  | "SmsFuncFlag"
  | "StopOrderError"
  | "StopOrderRequest"
  | "StopOrderResponse"
  | "TaskCreateSetting"
  | "TaskData"
  | "TaskOperate"
  | "TaskStat"
  | "TaskStatus"
  | "TaskStatusCallback"
  | "UpdateTaskRequest"
  | "UserTaskID"
  | "ImportBatchCallRequest"
  | "CallInfoList"
  | "CallOrder"
  | "TemplateParam"
  | "CallParam"
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

export declare const AddBatchCallRequest: ValidateFunction;
export declare const AnswerRetCode: ValidateFunction;
export declare const AnswerTaskStatus: ValidateFunction;
export declare const CallbackUrl: ValidateFunction;
export declare const CallbotAnswer: ValidateFunction;
export declare const CreateAndCallRequest: ValidateFunction;
export declare const CreateTaskRequest: ValidateFunction;
export declare const DelCall: ValidateFunction;
export declare const ExportBatchCallRequest: ValidateFunction;
export declare const ExportBatchCallResponse: ValidateFunction;
export declare const ExportedCall: ValidateFunction;
export declare const FuncFlag: ValidateFunction;
export declare const ListCallOptions: ValidateFunction;
export declare const ListCallRequest: ValidateFunction;
export declare const ListCallResponse: ValidateFunction;
export declare const ListOrderDetailRequest: ValidateFunction;
export declare const ListOrderDetailResponse: ValidateFunction;
export declare const ListOrderOptions: ValidateFunction;
export declare const ListOrderRequest: ValidateFunction;
export declare const ListOrderResponse: ValidateFunction;
export declare const ListTaskConditions: ValidateFunction;
export declare const ListTaskRequest: ValidateFunction;
export declare const ListTaskResponse: ValidateFunction;
export declare const ManualCallSetting: ValidateFunction;
export declare const MgrTaskStatusRequest: ValidateFunction;
export declare const MgrTaskStatusResponse: ValidateFunction;
export declare const OrderCall: ValidateFunction;
export declare const OrderDetail: ValidateFunction;
export declare const OrdersAddedResponse: ValidateFunction;
export declare const PageNumber: ValidateFunction;
export declare const PageSize: ValidateFunction;
export declare const PingRequest: ValidateFunction;
export declare const PingResponse: ValidateFunction;
export declare const ProductID: ValidateFunction;
export declare const RangeFilter: ValidateFunction;
export declare const ResponseID: ValidateFunction;
export declare const RetMsg: ValidateFunction;
export declare const SceneID: ValidateFunction;
export declare const SmsFuncFlag: ValidateFunction;
export declare const StopOrderError: ValidateFunction;
export declare const StopOrderRequest: ValidateFunction;
export declare const StopOrderResponse: ValidateFunction;
export declare const TaskCreateSetting: ValidateFunction;
export declare const TaskData: ValidateFunction;
export declare const TaskOperate: ValidateFunction;
export declare const TaskStat: ValidateFunction;
export declare const TaskStatus: ValidateFunction;
export declare const TaskStatusCallback: ValidateFunction;
export declare const UpdateTaskRequest: ValidateFunction;
export declare const UserTaskID: ValidateFunction;
export declare const ImportBatchCallRequest: ValidateFunction;
export declare const CallInfoList: ValidateFunction;
export declare const CallOrder: ValidateFunction;
export declare const TemplateParam: ValidateFunction;
export declare const CallParam: ValidateFunction;
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

/** The schemas of what the vendor sends: every operation's answer and every callback's body. */
export type VendorSentName =
  | "CallFinishedCallback"
  | "CallbotAnswer"
  | "ExportBatchCallResponse"
  | "ImportBatchCallResponse"
  | "ListCallResponse"
  | "ListOrderDetailResponse"
  | "ListOrderResponse"
  | "ListTaskResponse"
  | "MgrTaskStatusResponse"
  | "OrderFinishedCallback"
  | "OrdersAddedResponse"
  | "PingResponse"
  | "StopOrderResponse"
  | "TaskStatusCallback";

/** What the vendor sends, against the closed reading of the spec (every object allows only the fields it declares). */
export declare const strictValidators: Readonly<Record<VendorSentName, ValidateFunction>>;
