// The identifier systems and URLs of the NHS App API. They are case-sensitive.

export const systems = Object.freeze({
  nhsNumber: "https://fhir.nhs.uk/Id/nhs-number",
  /** US spelling "organization" in the system, British "organisation" in the report's query parameter. */
  odsCode: "https://fhir.nhs.uk/Id/ods-organization-code",
  campaignId: "https://fhir.nhs.uk/NHSApp/campaign-id",
  requestId: "https://fhir.nhs.uk/NHSApp/request-id",
  onBehalfOf: "https://fhir.nhs.uk/NHSApp/on-behalf-of",
  /** Assigned by the API; receipts and replies refer to it. */
  communicationId: "https://fhir.nhs.uk/Id/nhs-app-communication-id",
  answersExtension: "https://fhir.nhs.uk/NHSApp/answers",
  receiptStatus: "https://fhir.nhs.uk/CodeSystem/NHSApp-Communication-Status",
});

/** The identifier systems the API records, with the names its errors use. */
export const recordedIdentifierSystems: Readonly<Record<string, string>> = Object.freeze({
  [systems.campaignId]: "Campaign IDs",
  [systems.requestId]: "Request IDs",
  [systems.onBehalfOf]: "On Behalf Of identifiers",
});

export const limits = Object.freeze({
  contentString: 5000,
  identifierValue: 128,
  pushText: 200,
  pushUrl: 1000,
  keywords: 6,
});
