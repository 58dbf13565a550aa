// What the fake gateway keeps of each message it accepted (201), so a test can
// check that a sender sent each message once, and so its receipts (planned in
// delivery-plan.ts) can name it.
import { recognisedIdentifierSystems, systems } from "@nhs-app-api/contract";
import type { EchoedIdentifier, InAppCommunicationRequest, PushNotificationRequest } from "@nhs-app-api/types";

interface CreatedCommon {
  /** The communication ID the gateway gave the message (a fresh UUID), as in its 201 and its receipt. */
  readonly communicationId: string;
  /** The sender's `request-id` identifier, when it sent one. */
  readonly requestReference?: string;
  /** The `campaign-id` identifier, when it sent one. */
  readonly campaignId?: string;
  /** The `on-behalf-of` identifier, when it sent one. */
  readonly onBehalfOf?: string;
  /** The identifiers the API records (campaign, request reference, on-behalf-of), in the order sent; others are dropped. */
  readonly identifier: readonly { readonly system: string; readonly value: string }[];
  /** The recipient's NHS number. */
  readonly nhsNumber: string;
  /** When the gateway accepted it: ISO 8601, UTC. */
  readonly receivedAt: string;
  /** The UTC date of `receivedAt` (YYYY-MM-DD): the day whose receipt report lists the message. */
  readonly day: string;
}

/** A message the gateway accepted with 201, with the request body as sent. */
export type CreatedMessage =
  | (CreatedCommon & { readonly kind: "in-app"; readonly body: InAppCommunicationRequest })
  | (CreatedCommon & { readonly kind: "push"; readonly body: PushNotificationRequest });

const recognised = new Set<string>(recognisedIdentifierSystems.map(({ system }) => system));

/** What the gateway records of an accepted (already validated) request. */
export function createdMessage(
  operation: "create-in-app" | "create-notification",
  body: InAppCommunicationRequest | PushNotificationRequest,
  communicationId: string,
  receivedAt: Date,
): CreatedMessage {
  const identifier = (body.identifier ?? [])
    .filter(({ system }) => recognised.has(system))
    .map(({ system, value }) => ({ system, value }));
  const sent = (system: string) => identifier.find((i) => i.system === system)?.value;
  const requestReference = sent(systems.requestId);
  const campaignId = sent(systems.campaignId);
  const onBehalfOf = sent(systems.onBehalfOf);
  const iso = receivedAt.toISOString();
  const common: CreatedCommon = {
    communicationId,
    ...(requestReference === undefined ? {} : { requestReference }),
    ...(campaignId === undefined ? {} : { campaignId }),
    ...(onBehalfOf === undefined ? {} : { onBehalfOf }),
    identifier,
    nhsNumber: body.recipient[0]?.identifier.value ?? "",
    receivedAt: iso,
    day: iso.slice(0, 10),
  };
  return operation === "create-in-app"
    ? { ...common, kind: "in-app", body: body as InAppCommunicationRequest }
    : { ...common, kind: "push", body: body as PushNotificationRequest };
}

/** The 201 body: the request echoed, its identifiers the communication ID and the recognised ones (as the API does). */
export function createdResponse(message: CreatedMessage) {
  const identifier: EchoedIdentifier[] = [
    { system: systems.communicationId, value: message.communicationId },
    ...message.identifier.map(({ system, value }) => ({ system, value })),
  ];
  return { ...message.body, identifier };
}
