import type { OperationId, Operations } from '../generated/operations.js';
import type { components } from '../generated/schema.js';
import type { CallOptions } from './call-options.js';
import type { ExportCallStream } from './export-stream.js';
import type { PagingOptions } from './paging.js';

// The types of the client's methods, from the spec's schemas (generated/schema.ts): the request
// and answer of each operation, the inputs as the methods take them, the items of the lists.
// Types only, kept apart from client.ts (which re-exports them all).
type Schemas = components['schemas'];
/** The request body of an operation, as the spec's schema (components.schemas) types it. */
export type OperationRequest<K extends OperationId> = Schemas[(typeof Operations)[K]['requestSchema']];
/** The answer body of an operation (HTTP 200), as the spec's schema types it. */
export type OperationAnswer<K extends OperationId> = Schemas[(typeof Operations)[K]['answerSchema']];
/** A request body as the methods take it: `productID` optional (it can only be "callbot"; the client fills it in). */
export type CallbotInput<T> = T extends { productID: infer P } ? Omit<T, 'productID'> & { productID?: P } : T;
/** A successful answer (retCode 0), with the `requestID` of the attempt that got it and how many attempts it took. */
export type CallbotResult<T> = T & {
  /** The `requestID` of the attempt that succeeded. */
  requestID: string;
  /** How many attempts it took (more than 1 only after "not processed" answers, refused connections or, for reads, lost answers). */
  attempts: number;
};

export type PingRequest = OperationRequest<'ping'>;
export type PingResponse = OperationAnswer<'ping'>;
export type CreateTaskRequest = OperationRequest<'createTask'>;
export type CreateTaskResponse = OperationAnswer<'createTask'>;
export type CreateTaskInput = CallbotInput<CreateTaskRequest>;
export type CreateAndCallRequest = OperationRequest<'createAndCall'>;
export type CreateAndCallResponse = OperationAnswer<'createAndCall'>;
export type CreateAndCallInput = CallbotInput<CreateAndCallRequest>;
export type UpdateTaskRequest = OperationRequest<'updateTask'>;
export type UpdateTaskResponse = OperationAnswer<'updateTask'>;
export type UpdateTaskInput = CallbotInput<UpdateTaskRequest>;
export type MgrTaskStatusRequest = OperationRequest<'mgrTaskStatus'>;
export type MgrTaskStatusResponse = OperationAnswer<'mgrTaskStatus'>;
export type MgrTaskStatusInput = CallbotInput<MgrTaskStatusRequest>;
export type AddBatchCallRequest = OperationRequest<'addBatchCall'>;
export type AddBatchCallResponse = OperationAnswer<'addBatchCall'>;
export type AddBatchCallInput = CallbotInput<AddBatchCallRequest>;
export type StopOrderRequest = OperationRequest<'stopOrder'>;
export type StopOrderResponse = OperationAnswer<'stopOrder'>;
export type StopOrderInput = CallbotInput<StopOrderRequest>;
export type ListTaskRequest = OperationRequest<'listTask'>;
export type ListTaskResponse = OperationAnswer<'listTask'>;
export type ListTaskInput = CallbotInput<ListTaskRequest>;
export type ListOrderRequest = OperationRequest<'listOrder'>;
export type ListOrderResponse = OperationAnswer<'listOrder'>;
export type ListOrderInput = CallbotInput<ListOrderRequest>;
export type ListCallRequest = OperationRequest<'listCall'>;
export type ListCallResponse = OperationAnswer<'listCall'>;
export type ListCallInput = CallbotInput<ListCallRequest>;
export type ListOrderDetailRequest = OperationRequest<'listOrderDetail'>;
export type ListOrderDetailResponse = OperationAnswer<'listOrderDetail'>;
export type ListOrderDetailInput = CallbotInput<ListOrderDetailRequest>;
export type ExportBatchCallRequest = OperationRequest<'exportBatchCall'>;
export type ExportBatchCallResponse = OperationAnswer<'exportBatchCall'>;
export type ExportBatchCallInput = CallbotInput<ExportBatchCallRequest>;
export type ImportBatchCallRequest = OperationRequest<'importBatchCall'>;
export type ImportBatchCallResponse = OperationAnswer<'importBatchCall'>;
/** The body, with `productID` optional (it can only be "callbot"; the client fills it in). */
export type ImportBatchCallInput = CallbotInput<ImportBatchCallRequest>;

/** One item of each paged list. */
export type TaskItem = NonNullable<ListTaskResponse['taskData']>[number];
export type OrderItem = NonNullable<ListOrderResponse['orderList']>[number];
export type CallItem = NonNullable<ListCallResponse['callList']>[number];
export type OrderDetailItem = NonNullable<ListOrderDetailResponse['orderDetailList']>[number];
/** One entry of exportBatchCall's `callList` (one per call made; an order not yet called has one without a callID). */
export type ExportedCallItem = NonNullable<ExportBatchCallResponse['callList']>[number];
/** exportBatchCallStream's answer: its calls as they are parsed, then its other fields. */
export type ExportBatchCallStream = ExportCallStream<ExportedCallItem, Omit<ExportBatchCallResponse, 'callList'>>;

/**
 * The last argument of the paged iterators: the paging bounds, and the call options of each
 * page's request (`timeoutMs`, `retry`); `signal` cancels the whole listing — between pages (no
 * further page is asked for) and inside one (as for any call).
 */
export type PagedListOptions = PagingOptions & CallOptions;

/** A paged query without its `page` (the iterator counts pages); `size` defaults to 100, `page` to 1 (the first page to read). */
export type PagedQuery<T> = Omit<T, 'page' | 'size'> & { page?: number; size?: number };

/** A batch the vendor imported (retCode 0). Orders it refused are in `errList`. */
export interface ImportBatchCallResult extends ImportBatchCallResponse {
  retCode: 0;
  errList: NonNullable<ImportBatchCallResponse['errList']>;
  /** The `requestID` of the attempt that succeeded. */
  requestID: string;
  /** How many attempts it took (more than 1 only after "not processed" answers or refused connections). */
  attempts: number;
}

/** listOrderDetails' answer: the answers of its calls (≤ 500 ids each) merged. */
export type ListOrderDetailsResult = CallbotResult<ListOrderDetailResponse> & {
  orderDetailList: OrderDetailItem[];
  /** The requestID of each call made, in order (one per 500 order ids). */
  requestIDs: string[];
};
