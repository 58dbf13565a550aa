// @nhs-app-api/callbacks: receiving the NHS App's real-time receipts and replies.
export {
  applyReceipt,
  createDeliveryTracker,
  type DeliverySnapshot,
  type DeliveryState,
  type DeliveryTracker,
  type MessageStatus,
} from "./delivery-tracker.js";
export {
  type CallbackContext,
  type CallbackHandlerOptions,
  type CallbackLogger,
  type CallbackLogMethod,
  type CallbackResponse,
  createCallbackHandler,
  createFetchHandler,
  createNodeHandler,
  DEFAULT_CALLBACK_TIMEOUT_MS,
  handleCallback,
  RECEIPT_PATH,
  REPLY_PATH,
} from "./handler.js";
export { type CallbackIssue, type Refused, toOperationOutcome } from "./issues.js";
export { DEFAULT_MAX_BODY_BYTES, type RawBody } from "./read-body.js";
export {
  type ParseOptions,
  parseReceipt,
  RECEIPT_KINDS,
  RECEIPT_STATUSES,
  type Receipt,
  type ReceiptKind,
  type ReceiptResult,
  type ReceiptStatus,
  receiptFromTask,
} from "./receipts.js";
export { type Answer, parseReply, type Reply, type ReplyResult } from "./replies.js";
export {
  type CallbackServer,
  type CallbackServerOptions,
  type CallbackServerTimeouts,
  createCallbackServer,
  DEFAULT_SERVER_TIMEOUTS,
  type MinTlsVersion,
  TLS12_CIPHER_SUITES,
} from "./server.js";
