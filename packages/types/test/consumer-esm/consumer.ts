// Compiled, never run, by test/consumers.test.ts: what a strict consumer of
// @nhs-app-api/types can write, and (with @ts-expect-error) what it cannot.
import type {
  InAppCommunicationRequest,
  OperationOutcome,
  operations,
  PatientReport,
  PushNotificationRequest,
  paths,
  ReceiptReport,
} from "@nhs-app-api/types";
import type { TokenResponse } from "@nhs-app-api/types/oauth-token";
import type { RealtimeReceipt } from "@nhs-app-api/types/realtime-receipts";
import type { RealtimeReply } from "@nhs-app-api/types/realtime-replies";

type InAppBody =
  paths["/communication/in-app/FHIR/R4/CommunicationRequest"]["post"]["requestBody"]["content"]["application/json"];

export const message: InAppBody = {
  resourceType: "CommunicationRequest",
  status: "active",
  payload: [{ contentString: "Your appointment is confirmed." }],
  recipient: [{ type: "Patient", identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: "9903002157" } }],
  requester: {
    type: "Organization",
    identifier: { system: "https://fhir.nhs.uk/Id/ods-organization-code", value: "B82041" },
  },
};

export const sameType: InAppCommunicationRequest = message;

export const push: PushNotificationRequest = {
  resourceType: "CommunicationRequest",
  status: "active",
  payload: [
    {
      contentReference: {
        reference: "https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging",
        display: "You have a new message.",
      },
    },
  ],
  recipient: [{ identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: "9903002157" } }],
};

// @ts-expect-error resourceType is fixed
export const wrongResourceType: InAppBody = { ...message, resourceType: "Patient" };

// @ts-expect-error an in-app message needs a requester
export const noRequester: InAppBody = {
  resourceType: "CommunicationRequest",
  status: "active",
  payload: message.payload,
  recipient: message.recipient,
};

// @ts-expect-error the text is a string
export const numericText: InAppBody = { ...message, payload: [{ contentString: 42 }] };

// @ts-expect-error exactOptionalPropertyTypes: an optional field is left out, not set to undefined
export const undefinedIdentifier: InAppBody = { ...message, identifier: undefined };

const linkOnly = { reference: "https://www.nhsapp.service.nhs.uk/" };
// @ts-expect-error a push notification needs the text to display
export const noDisplay: PushNotificationRequest = { ...push, payload: [{ contentReference: linkOnly }] };

// Authentication is a security scheme: no call's types demand an Authorization header.
type InAppHeaders = NonNullable<operations["create-in-app"]["parameters"]["header"]>;
export const headers: InAppHeaders = { "X-Correlation-ID": "b5bc6879-103e-4a78-975e-87e815c5da58" };
export const noHeaders: operations["create-in-app"]["parameters"]["header"] = {};
// @ts-expect-error Authorization is not a parameter
export const authorization: InAppHeaders = { Authorization: "Bearer token" };

type ReceiptQuery = operations["get-receipt-report"]["parameters"]["query"];
export const query: ReceiptQuery = { day: "2022-08-22", page: 2 };
// @ts-expect-error day is required
export const noDay: ReceiptQuery = { page: 2 };

export function firstIssue(outcome: OperationOutcome): string {
  const issue = outcome.issue[0]; // noUncheckedIndexedAccess: may be undefined
  return issue ? `${issue.code}: ${issue.diagnostics ?? ""}` : "";
}

export function receiptKinds(report: ReceiptReport): string[] {
  return report.entry.flatMap((e) => e.resource.code.coding.map((c) => c.code));
}

export const patients = (report: PatientReport) => report.map((p) => p.nhsNumber);

export const expiresIn = (token: TokenResponse) => Number(token.expires_in);

export const receiptKind = (receipt: RealtimeReceipt) => receipt.code.coding[0]?.code;

export const replyTo = (reply: RealtimeReply) => reply.basedOn[0]?.identifier.value?.trim();
