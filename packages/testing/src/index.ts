// @nhs-app-api/testing: test aids for code that uses the NHS App API.
export { patientReportPage, receiptReportPage, testNhsNumber } from "./fixtures.js";
export {
  createNhsAppMock,
  DEFAULT_API_KEY,
  DEFAULT_BASE_URL,
  DEFAULT_TOKEN_URL,
  type MockResponse,
  type NhsAppMock,
  type NhsAppMockOptions,
  type RecordedRequest,
} from "./handlers.js";
export { createTestKeys, type TestKeys } from "./keys.js";
export { bundledSpecPath, freePort, type PrismServer, startPrism } from "./prism.js";
export {
  MULTI_PAGE_ODS_CODE,
  SANDBOX_API_KEY,
  SANDBOX_KEY_ID,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from "./sandbox.js";
export { exampleNames, exampleResponse, nhsAppSpec, type OperationId, operationPaths } from "./spec.js";
export { createTestClient } from "./test-client.js";
export {
  type IssuedToken,
  isTokenError,
  type TokenEndpointRules,
  type TokenError,
  TokenIssuer,
} from "./token-rules.js";
export { queryIssues, requestBodyIssues, responseBodyIssues, toExpression } from "./validate-request.js";
