/**
 * This file was generated from openapi/ (via generated/openapi.json) by scripts/generate.mjs.
 * Do not make direct changes to the file.
 */

/** Every operation of the spec, by operationId. */
export const Operations = {
  ping: {
    operationId: "ping",
    path: "/callcentre/api/v3/ping",
    resendUnknown: true,
    retCodes: [0, 1, 2, 3, 4, 5, 5001, 6, 6001, 6002, 6003, 7],
    answerGzip: false,
    productID: false,
    requestSchema: "PingRequest",
    answerSchema: "PingResponse",
  },
  createTask: {
    operationId: "createTask",
    path: "/callcentre/api/v3/createTask",
    resendUnknown: false,
    retCodes: [0, 1, 2, 3, 4, 5, 5001, 6, 6001, 6002, 6003, 7],
    answerGzip: false,
    productID: true,
    requestSchema: "CreateTaskRequest",
    answerSchema: "CallbotAnswer",
  },
  addBatchCall: {
    operationId: "addBatchCall",
    path: "/callcentre/api/v3/addBatchCall",
    resendUnknown: false,
    retCodes: [0, 1, 2, 3, 4, 4001, 5, 5001, 6, 6001, 6002, 6003, 7],
    answerGzip: false,
    productID: true,
    requestSchema: "AddBatchCallRequest",
    answerSchema: "OrdersAddedResponse",
  },
  createAndCall: {
    operationId: "createAndCall",
    path: "/callcentre/api/v3/createAndCall",
    resendUnknown: false,
    retCodes: [0, 1, 2, 3, 4, 4001, 5, 5001, 6, 6001, 6002, 6003, 7],
    answerGzip: false,
    productID: true,
    requestSchema: "CreateAndCallRequest",
    answerSchema: "OrdersAddedResponse",
  },
  mgrTaskStatus: {
    operationId: "mgrTaskStatus",
    path: "/callcentre/api/v3/mgrTaskStatus",
    resendUnknown: false,
    retCodes: [0, 1, 2, 3, 4, 5, 5001, 6, 6001, 6002, 6003, 7],
    answerGzip: false,
    productID: true,
    requestSchema: "MgrTaskStatusRequest",
    answerSchema: "MgrTaskStatusResponse",
  },
  updateTask: {
    operationId: "updateTask",
    path: "/callcentre/api/v3/updateTask",
    resendUnknown: false,
    retCodes: [0, 1, 2, 3, 4, 5, 5001, 6, 6001, 6002, 6003, 7],
    answerGzip: false,
    productID: true,
    requestSchema: "UpdateTaskRequest",
    answerSchema: "CallbotAnswer",
  },
  listTask: {
    operationId: "listTask",
    path: "/callcentre/api/v3/listTask",
    resendUnknown: true,
    retCodes: [0, 1, 2, 3, 4, 5, 5001, 6, 6001, 6002, 6003, 7],
    answerGzip: false,
    productID: true,
    requestSchema: "ListTaskRequest",
    answerSchema: "ListTaskResponse",
  },
  listCall: {
    operationId: "listCall",
    path: "/callcentre/api/v3/listCall",
    resendUnknown: true,
    retCodes: [0, 1, 2, 3, 4, 4001, 5, 5001, 6, 6001, 6002, 6003, 7],
    answerGzip: true,
    productID: true,
    requestSchema: "ListCallRequest",
    answerSchema: "ListCallResponse",
  },
  listOrder: {
    operationId: "listOrder",
    path: "/callcentre/api/v3/listOrder",
    resendUnknown: true,
    retCodes: [0, 1, 2, 3, 4, 5, 5001, 6, 6001, 6002, 6003, 7],
    answerGzip: false,
    productID: true,
    requestSchema: "ListOrderRequest",
    answerSchema: "ListOrderResponse",
  },
  stopOrder: {
    operationId: "stopOrder",
    path: "/callcentre/api/v3/stopOrder",
    resendUnknown: false,
    retCodes: [0, 1, 2, 3, 4, 4001, 5, 5001, 6, 6001, 6002, 6003, 7],
    answerGzip: false,
    productID: true,
    requestSchema: "StopOrderRequest",
    answerSchema: "StopOrderResponse",
  },
  listOrderDetail: {
    operationId: "listOrderDetail",
    path: "/callcentre/api/v3/listOrderDetail",
    resendUnknown: true,
    retCodes: [0, 1, 2, 3, 4, 4001, 5, 5001, 6, 6001, 6002, 6003, 7],
    answerGzip: false,
    productID: true,
    requestSchema: "ListOrderDetailRequest",
    answerSchema: "ListOrderDetailResponse",
  },
  exportBatchCall: {
    operationId: "exportBatchCall",
    path: "/callcentre/api/v3/exportBatchCall",
    resendUnknown: true,
    retCodes: [0, 1, 2, 3, 4, 4001, 5, 5001, 6, 6001, 6002, 6003, 7, 1001],
    answerGzip: true,
    productID: true,
    requestSchema: "ExportBatchCallRequest",
    answerSchema: "ExportBatchCallResponse",
  },
  importBatchCall: {
    operationId: "importBatchCall",
    path: "/callcentre/api/v3/importBatchCall",
    resendUnknown: false,
    retCodes: [0, 1, 2, 3, 4, 4001, 5, 5001, 6, 6001, 6002, 6003, 7, 1001],
    answerGzip: false,
    productID: true,
    requestSchema: "ImportBatchCallRequest",
    answerSchema: "ImportBatchCallResponse",
  },
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
  /** The answer may come gzip-compressed: ask with `Accept-Encoding: gzip`. */
  readonly answerGzip: boolean;
  /** The body has the fixed `productID` ("callbot"), which the client fills in. */
  readonly productID: boolean;
  /** The names in components.schemas of its request and answer bodies. */
  readonly requestSchema: string;
  readonly answerSchema: string;
}
