// @nhs-app-api/testing/msw: msw handlers that stand in for the NHS App API
// and its token endpoint. msw is a peer dependency of this entry point only.
export { DEFAULT_API_KEY, DEFAULT_BASE_URL, DEFAULT_TOKEN_URL } from "./defaults.js";
export {
  type CreatedMessage,
  createNhsAppMock,
  type GatewayRateLimit,
  type MockResponse,
  type NhsAppMock,
  type NhsAppMockOptions,
  type RecordedRequest,
  toMswResponse,
} from "./handlers.js";
