// @nhs-app-api/contract: the NHS App API's contract at run time, generated
// from spec/ by `pnpm generate`. The client, the callbacks package and the
// test doubles all read paths, systems, limits and validation from here, so
// that a change to the spec reaches every one of them.
export {
  contentStringMarkdown,
  enums,
  environments,
  limits,
  operations,
  patterns,
  pushQuietHours,
  recognisedIdentifierSystems,
  systems,
  tokenRequest,
} from "./generated/contract.js";
export { type ContractIssue, offendingValue, ruleOf, toExpression } from "./issues.js";
export { isQuietHours, QUIET_HOURS_RULE, type QuietHours, quietHoursEnd } from "./quiet-hours.js";
export {
  isCalendarDate,
  isReceiptReportComplete,
  isValidNhsNumber,
  NHS_NUMBER_INVALID,
  RECEIPT_REPORT_RULE,
  utcDayOf,
} from "./rules.js";
export {
  acceptsMediaType,
  mediaTypeOf,
  type OperationId,
  type QueryInput,
  queryIssues,
  requestBodyIssues,
  requestMediaTypes,
  responseBodyIssues,
} from "./validate.js";
