// A campaign's messages: each an in-app message or a push notification with
// a request reference unique in the campaign. The reference travels in the
// message itself (the API's request-id identifier), so that a message whose
// fate is unknown can later be found in the receipts report by it.
import { systems } from "@nhs-app-api/contract";
import type { InAppCommunicationRequest, PushNotificationRequest } from "@nhs-app-api/types";

export type CampaignMessage =
  | { kind: "in-app"; requestReference: string; message: InAppCommunicationRequest }
  | { kind: "push"; requestReference: string; message: PushNotificationRequest };

export type CampaignMessageKind = CampaignMessage["kind"];

type Identifier = { system?: string; value?: string };

/**
 * The body to send: the message with the request reference as its request-id
 * identifier (added when absent). A message that already names another
 * request-id is a mistake worth refusing: the returned string says why.
 */
export function bodyToSend(item: CampaignMessage): { body: CampaignMessage["message"] } | { refusal: string } {
  const identifiers = ((item.message as { identifier?: Identifier[] }).identifier ?? []).slice();
  const own = identifiers.filter((identifier) => identifier.system === systems.requestId);
  if (own.some((identifier) => identifier.value !== item.requestReference)) {
    return { refusal: "the message's request-id identifier is not its request reference" };
  }
  if (own.length === 0) identifiers.push({ system: systems.requestId, value: item.requestReference });
  return { body: { ...item.message, identifier: identifiers } as CampaignMessage["message"] };
}
