// Pact matchers for the shapes the API promises: exact where the contract
// fixes a value (systems, resource types, codes), by type or pattern where
// the value is the server's choice (IDs, times, texts).
import { enums } from "@nhs-app-api/contract";
import { MatchersV3 } from "@pact-foundation/pact";

const { like, eachLike, atLeastLike, arrayContaining, regex, uuid, datetime } = MatchersV3;

export const COMMUNICATION_ID_SYSTEM = "https://fhir.nhs.uk/Id/nhs-app-communication-id";
export const UUID = "8f7ec136-66eb-4a9e-97ca-5c7a53d2710c";

export const correlationHeader = {
  "X-Correlation-ID": regex(/^[0-9a-fA-F-]{36}$/, "11C46F5F-CDEF-4865-94B2-0EE0EDCC26DA"),
};

export const bearer = (token?: string) => (token ? `Bearer ${token}` : regex(/^Bearer \S+$/, "Bearer token-1"));

export const json = { "Content-Type": regex(/^application\/(fhir\+)?json(;.*)?$/, "application/fhir+json") };

/**
 * The client needs only an absolute URL ending in the communication ID, so the
 * pact asks no more: the published example (`.../communication/{id}`) and what
 * the gateway really sends (`.../communication/in-app/FHIR/R4/CommunicationRequest/{id}`)
 * both satisfy it.
 */
export const location = (kind: "in-app" | "notification") =>
  regex(
    /^https?:\/\/\S+\/[0-9a-fA-F-]{36}$/,
    `https://int.api.service.nhs.uk/nhs-app/communication/${kind}/FHIR/R4/CommunicationRequest/${UUID}`,
  );

/** The echoed identifiers: the communication ID first, then the request's own. */
export const echoedIdentifiers = [
  { system: COMMUNICATION_ID_SYSTEM, value: uuid(UUID) },
  { system: "https://fhir.nhs.uk/NHSApp/campaign-id", value: like("optional campaign id") },
  { system: "https://fhir.nhs.uk/NHSApp/request-id", value: like("optional request reference") },
];

export const operationOutcome = (code: string, options: { atLeast?: number; expression?: boolean } = {}) => {
  const issue = {
    severity: "error",
    code,
    diagnostics: like("Not specified"),
    ...(options.expression ? { expression: eachLike(like("recipient")) } : {}),
  };
  return {
    resourceType: "OperationOutcome",
    issue: options.atLeast ? atLeastLike(issue, options.atLeast) : eachLike(issue),
  };
};

const isoDateTime = (example: string) => datetime("yyyy-MM-dd'T'HH:mm:ssXXX", example);

/** A receipt of the report: its code pinned when given, else any code the contract lists. */
const receiptEntry = (code?: string) => ({
  fullUrl: like(
    "https://api.service.nhs.uk/nhs-app/communication/report/receipts/FHIR/R4/Task/b2ac2ae7-1a24-4e90-8f3f-9a62c6ebb4e7",
  ),
  resource: {
    id: uuid("b2ac2ae7-1a24-4e90-8f3f-9a62c6ebb4e7"),
    resourceType: "Task",
    intent: "order",
    status: regex(new RegExp(`^(${enums.receiptStatuses.join("|")})$`), "completed"),
    code: {
      coding: eachLike({
        system: "https://fhir.nhs.uk/CodeSystem/NHSApp-Communication-Status",
        code: code ?? regex(new RegExp(`^(${enums.receiptCodes.join("|")})$`), "Delivered"),
      }),
    },
    authoredOn: isoDateTime("2022-08-19T09:15:12Z"),
    lastModified: isoDateTime("2022-08-19T09:15:56Z"),
  },
});

const bundleOf = (entry: unknown) => ({
  resourceType: "Bundle",
  type: "searchset",
  link: eachLike({ relation: regex(/^(self|last|next)$/, "self"), url: like("https://api.service.nhs.uk/nhs-app/x") }),
  entry,
});

export const receiptBundle = bundleOf(eachLike(receiptEntry()));

/**
 * A page holding a receipt of each code the client handles, each pinned: a
 * release that drops a code from the contract breaks this interaction, not
 * only the comparison of documents.
 */
export const receiptBundleWithEveryCode = bundleOf(arrayContaining(...enums.receiptCodes.map(receiptEntry)));

// A type matcher, not a regex: a regex also matches a number's text, so an nhsNumber turned into a number would pass.
export const patientList = eachLike({
  nhsNumber: like("9074662803"),
  notificationsEnabled: MatchersV3.boolean(true),
});

/**
 * A Link header: with a next link (more pages), or at least a last link. The
 * provider side cannot be held to "no next link" on the last page: Prism
 * serves the spec's one header example for every page. The consumer still
 * sees a last page without one, from the example value.
 */
export const linkHeader = (hasNext: boolean, example: string) =>
  hasNext ? regex(/^.*<[^>]+>;\s*rel="next".*$/, example) : regex(/^.*<[^>]+>;\s*rel="last".*$/, example);
