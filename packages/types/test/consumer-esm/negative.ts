// Compiled by test/consumers.test.ts, which expects exactly these errors: the
// proof that the generated types really reject malformed bodies.
import type { InAppCommunicationRequest } from "@nhs-app-api/types";

export const noRecipient: InAppCommunicationRequest = {
  resourceType: "CommunicationRequest",
  status: "active",
  payload: [{ contentString: "Hello" }],
  requester: { identifier: { system: "https://fhir.nhs.uk/Id/ods-organization-code", value: "B82041" } },
};

export const wrongStatus: InAppCommunicationRequest = {
  resourceType: "CommunicationRequest",
  status: "draft",
  payload: [{ contentString: "Hello" }],
  recipient: [{ identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: "9903002157" } }],
  requester: { identifier: { system: "https://fhir.nhs.uk/Id/ods-organization-code", value: "B82041" } },
};
