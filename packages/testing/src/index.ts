// @nhs-app-api/testing: test aids for code that uses the NHS App API. This
// entry point needs neither msw nor Prism: the msw handlers are in
// `@nhs-app-api/testing/msw`, and `startPrism` says what to install when
// Prism is missing.
export {
  type ContractIssue,
  queryIssues,
  requestBodyIssues,
  responseBodyIssues,
  toExpression,
} from "@nhs-app-api/contract";
export {
  type CallbackAttempt,
  type CallbackCall,
  CallbackDelivery,
  type CallbackDeliveryOptions,
  type CallbackRecord,
  type CallbackRetry,
  type CallbackTls,
  checkCallbackBaseUrl,
  checkReplySettings,
  DEFAULT_CALLBACK_RETRY,
  DEFAULT_CALLBACK_TIMEOUT_MS,
  type DeliveredCallback,
  type DeliveryClock,
  isLoopbackHost,
  replyAnswerProblem,
  type UndeliveredCallback,
} from "./callback-delivery.js";
export { type CallbackExample, receiptExamples, replyExamples } from "./callback-examples.js";
export { controlHandler, INSPECTOR_PATH } from "./control-api.js";
export type { CreatedMessage } from "./created-messages.js";
export { DEFAULT_API_KEY, DEFAULT_BASE_URL, DEFAULT_TOKEN_URL } from "./defaults.js";
export { realtimeReceipt, realtimeReply, reportReceipt } from "./delivery-bodies.js";
export {
  DEFAULT_DELIVERY_TIMING,
  DEFAULT_FREE_TEXT_REPLY,
  type DeliveryOutcomes,
  type DeliveryPlan,
  type DeliveryScenario,
  type DeliveryTiming,
  type PlannedReceipt,
  type PlannedReply,
  type PushHold,
  planDelivery,
  type ReceiptKind,
  type ReplyAnswer,
  type ReplyOffer,
  type ReplyScenario,
  receiptsBy,
  replyOffered,
} from "./delivery-plan.js";
export {
  FAULT_OPERATIONS,
  FAULT_STATUSES,
  type FaultAnswer,
  type FaultOperation,
  type FaultStatus,
  MAX_FAULT_COUNT,
  MAX_SLOW_MS,
  parseFault,
} from "./faults.js";
export { patientReportPage, receiptPageOf, receiptReportPage, testNhsNumber } from "./fixtures.js";
export {
  type ControlHandler,
  DEFAULT_REQUEST_HISTORY,
  FakeGateway,
  type GatewayOptions,
  type GatewayRequest,
  type GatewayRequestHead,
  type GatewayResponse,
  MAX_REQUEST_BODY_BYTES,
  MULTI_PAGE_ODS_CODE,
  type Override,
  type RecordedRequest,
  type RequestHistory,
  SANDBOX_CLOCK_PATH,
  SANDBOX_CONTROL_PREFIX,
  type SandboxClock,
} from "./gateway.js";
export { createTestKeys, type TestKeys } from "./keys.js";
export {
  type ContentStringOptions,
  type EntityHandling,
  escapeHtml,
  FREE_TEXT_PLACEHOLDER,
  MARKDOWN_FEATURES,
  type MarkdownFeature,
  type MarkdownSubset,
  NHS_APP_MARKDOWN,
  PUSH_APP_NAME,
  renderContentString,
  renderPatientView,
  renderPushNotification,
  renderReplyOptions,
} from "./patient-view.js";
export { bundledSpecPath, freePort, type PrismServer, startPrism } from "./prism.js";
export { type GatewayRateLimit, INTEGRATION_RATE_LIMIT, type RateLimitRefusal } from "./rate-limit.js";
export { SANDBOX_API_KEY, SANDBOX_KEY_ID, type Sandbox, type SandboxOptions, startSandbox } from "./sandbox.js";
export { parseDuration, SandboxTime, type SandboxTimeOptions, type TimeSource } from "./sandbox-time.js";
export { exampleNames, exampleResponse, nhsAppSpec, type OperationId, operationPaths } from "./spec.js";
export { createTestClient, type TestTarget } from "./test-client.js";
export { TEST_PATIENTS, type TestPatient, testPatient } from "./test-patients.js";
export {
  type IssuedToken,
  isTokenError,
  type ReceivedAssertion,
  type TokenEndpointRules,
  type TokenError,
  TokenIssuer,
} from "./token-rules.js";
export {
  type ClockChange,
  MAX_MESSAGES_LISTED,
  type ReceiptRequest,
  Workbench,
  WorkbenchError,
  type WorkbenchOptions,
} from "./workbench.js";
export type {
  CallbackAttemptView,
  CallbackView,
  ClockView,
  FaultView,
  MessageView,
  PushHoldView,
  ReceiptView,
  ReplyView,
  TestPatientView,
  WorkbenchView,
} from "./workbench-views.js";
