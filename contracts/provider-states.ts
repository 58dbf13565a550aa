// The provider states of the NHS App API pact, and how Prism is told to
// answer each: the status code and the name of the spec's example, sent as
// Prism's `Prefer` header. Consumer tests name states from here, and the
// verification looks them up here, so the two cannot disagree.

export const CONSUMER = "nhs-app-api-client";
export const PROVIDER = "nhs-app-api";

/** The platform's token endpoint, which the client calls before anything else. */
export const TOKEN_PROVIDER = "platform-token-endpoint";

/** For the callbacks the roles turn round: the NHS App calls the supplier's endpoint. */
export const CALLBACK_CONSUMER = "nhs-app";
export const CALLBACK_PROVIDER = "supplier-callbacks";

export const providerStates = {
  inAppAccepted: { name: "the NHS App accepts an in-app message", prefer: "code=201, example=in-app" },
  keywordReplyAccepted: {
    name: "the NHS App accepts an in-app message with a keyword reply",
    prefer: "code=201, example=in-app-with-keyword-reply",
  },
  freeTextReplyAccepted: {
    name: "the NHS App accepts an in-app message with a free-text reply",
    prefer: "code=201, example=in-app-with-free-text-reply",
  },
  pushAccepted: { name: "the NHS App accepts a push notification", prefer: "code=201, example=push-notification" },
  receiptsSeveralPages: {
    name: "the receipts of a day fill more than one page",
    prefer: "code=200, example=receipt-report-every-code",
  },
  receiptsLastPage: {
    name: "page 2 is the last page of the receipts of a day",
    prefer: "code=200, example=receipt-report",
  },
  patientsSeveralPages: {
    name: "GP practice T00001 has more than one page of NHS App users",
    prefer: "code=200, example=patient-report",
  },
  patientsLastPage: {
    name: "page 2 is the last page of the NHS App users at GP practice T00001",
    prefer: "code=200, example=patient-report",
  },
  severalProblems: {
    name: "the NHS App refuses a message with several problems",
    prefer: "code=400, example=no-recipient-and-campaign-id-too-long",
  },
  tokenExpired: { name: "the access token has expired", prefer: "code=401, example=expired-access-token" },
  renewedTokenValid: { name: "a renewed access token is valid", prefer: "code=201, example=in-app" },
  noInAppPermission: {
    name: "the application may not send in-app messages",
    prefer: "code=403, example=missing-app-message-permission",
  },
  noReceiptReport: { name: "there is no receipt report for the day", prefer: "code=404, example=report-not-found" },
  tokenIssued: {
    name: "the application's public key is registered",
    prefer: "code=200, example=token",
  },
  rateLimited: {
    name: "the application has exceeded its rate limit",
    prefer: "code=429, example=exceeded-spike-arrest",
  },
  proxyUp: { name: "the API's proxy is up", prefer: "code=200, example=ping" },
  statusPasses: {
    name: "the NHS App behind the proxy answers its health check",
    prefer: "code=200, example=pass",
  },
  statusKeyRefused: {
    name: "the status key sent is not the platform's",
    prefer: "code=401, example=wrong-status-key",
  },
} as const;

export const preferFor = (stateName: string) =>
  Object.values(providerStates).find((state) => state.name === stateName)?.prefer;
