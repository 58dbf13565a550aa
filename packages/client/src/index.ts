// @nhs-app-api/client: a typed, safe client for NHS England's NHS App API.
export type { AssertionClaims, AssertionHeader, AssertionSigner } from "./auth/client-assertion.js";
export type { PrivateKeyInput } from "./auth/private-key.js";
export { identifiers, type MessageIdentifiers } from "./builders/identifiers.js";
export type { InAppMessageInput, PushNotificationInput, ReplyOption } from "./builders/messages.js";
export { freeTextReply, inAppMessage, keywordReply, pushNotification } from "./builders/messages.js";
export type { CallOptions } from "./call.js";
export { createNhsAppClient, type NhsAppClient } from "./client.js";
export type { NhsAppClientOptions } from "./config.js";
export { DEV_AND_INT_REQUESTS_PER_SECOND, type Endpoints, type EnvironmentName, environments } from "./environments.js";
export {
  AuthenticationError,
  type AuthenticationSource,
  BadRequestError,
  ClientValidationError,
  ConfigurationError,
  ConnectionError,
  isNhsAppError,
  type NhsAppClientError,
  NhsAppError,
  type NhsAppErrorKind,
  NotFoundError,
  PaginationError,
  PermissionError,
  RateLimitError,
  type RateLimitKind,
  type RequestDescription,
  ServerError,
  TimeoutError,
  UnexpectedResponseError,
  type ValidationIssue,
} from "./errors/errors.js";
export type { GatewayFault, Issue } from "./errors/operation-outcome.js";
export { limits, systems } from "./fhir-systems.js";
export type { Hooks, RequestInfo } from "./http/hooks.js";
export type { LogFields, Logger, LogMethod } from "./http/logger.js";
export type { RateLimitOptions } from "./http/rate-limiter.js";
export type { RetryPolicy } from "./http/retry-policy.js";
export type { SentMessage } from "./messages.js";
export type { PageLinks } from "./pagination/links.js";
export type { ItemIterable, Page, PageIterable } from "./pagination/page-iterable.js";
export type { PingResult, PlatformAnswer, StatusResult } from "./platform.js";
export { maskNhsNumber, redactText } from "./redaction.js";
export type { PatientReportPage, PatientReportQuery, ReceiptReportPage, ReceiptReportQuery } from "./reports.js";
export {
  inAppMessageIssues as validateInAppMessage,
  pushNotificationIssues as validatePushNotification,
} from "./validation/communication-request.js";
export { isValidNhsNumber, normaliseNhsNumber } from "./validation/nhs-number.js";
export { isValidPracticeOdsCode, isValidRequesterOdsCode } from "./validation/ods-code.js";
export {
  formatDay,
  isRealCalendarDate,
  patientReportQueryIssues as validatePatientReportQuery,
  type ReportDay,
  receiptReportQueryIssues as validateReceiptReportQuery,
} from "./validation/report-parameters.js";
