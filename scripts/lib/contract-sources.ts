// Where in the bundled spec each named constant of @nhs-app-api/contract is
// read from. This file names places, never values: when NHS England changes a
// system URL or a limit, the spec changes and `pnpm generate` carries it
// everywhere. When a schema moves, generation stops and names the constant
// whose place is gone, so this table is updated on purpose.

/** A value in one of the bundled documents: `alias#json-pointer`. */
export type Source = `${string}#/${string}`;

const schema = (path: string): Source => `nhs-app#/components/schemas/${path}`;

/** Identifier systems and URLs, each the single value of an `enum`. */
export const systemSources = {
  nhsNumber: schema("NhsNumberRecipient/properties/identifier/properties/system/enum"),
  /** US spelling "organization" in the system, British "organisation" in the report's query parameter. */
  odsCode: schema("OdsRequester/properties/identifier/properties/system/enum"),
  answersExtension: schema("AnswersExtension/properties/url/enum"),
  receiptStatus: schema("ReceiptCode/properties/coding/items/properties/system/enum"),
  /** Assigned by the API; receipts and replies refer to it. */
  communicationId:
    "realtime-replies#/components/schemas/RealtimeReply/properties/basedOn/items/properties/identifier/properties/system/enum",
} satisfies Record<string, Source>;

/** The systems the API records on a request, with the server's error for a repeat (x-recognised-systems). */
export const recognisedSystemsSource: Source = schema("Identifier/x-recognised-systems");

/** The Markdown subset the NHS App renders in an in-app message's text, and its entity handling (x-nhs-app-markdown). */
export const markdownSource: Source = schema("ContentString/x-nhs-app-markdown");

/** When the NHS App holds push notifications back, and in which time zone (x-nhs-app-quiet-hours, at the root). */
export const quietHoursSource: Source = "nhs-app#/x-nhs-app-quiet-hours";

/** Length and count limits. */
export const limitSources = {
  contentString: schema("ContentString/maxLength"),
  identifierValue: schema("Identifier/properties/value/maxLength"),
  pushText: schema(
    "PushNotificationRequest/properties/payload/items/properties/contentReference/properties/display/maxLength",
  ),
  pushUrl: schema(
    "PushNotificationRequest/properties/payload/items/properties/contentReference/properties/reference/maxLength",
  ),
  keywords: schema("ReplyKeywordItem/properties/answerOption/maxItems"),
  firstPage: "nhs-app#/components/parameters/Page/schema/minimum",
  lastPage: "nhs-app#/components/parameters/Page/schema/maximum",
} satisfies Record<string, Source>;

/** Regular expressions, as the spec writes them (JSON Schema `pattern`, ECMAScript syntax). */
export const patternSources = {
  nhsNumber: schema("NhsNumberRecipient/properties/identifier/properties/value/pattern"),
  requesterOdsCode: schema("OdsRequester/properties/identifier/properties/value/pattern"),
  practiceOdsCode: "nhs-app#/components/parameters/OdsOrganisationCode/schema/pattern",
  htmlTag: schema("ContentString/not/pattern"),
} satisfies Record<string, Source>;

/** Closed lists of values. */
export const enumSources = {
  receiptCodes: schema("ReceiptCode/properties/coding/items/properties/code/enum"),
  /** A Task's status in the daily receipt report. */
  receiptStatuses: schema("Receipt/properties/status/enum"),
  /** A real-time receipt's status (the callback spec's own enum). */
  realtimeReceiptStatuses: "realtime-receipts#/components/schemas/RealtimeReceipt/properties/status/enum",
  issueCodes: schema("OperationOutcomeIssue/properties/code/enum"),
  issueSeverities: schema("IssueSeverity/enum"),
} satisfies Record<string, Source>;

/** The fixed form fields of a client-credentials token request (each the single value of an enum). */
export const tokenRequestSources = {
  grantType: "oauth-token#/components/schemas/TokenRequest/properties/grant_type/enum",
  clientAssertionType: "oauth-token#/components/schemas/TokenRequest/properties/client_assertion_type/enum",
} satisfies Record<string, Source>;

/** The documents whose servers carry `x-environment`, and what each server is for. */
export const environmentSources = { api: "nhs-app", token: "oauth-token" } as const;
