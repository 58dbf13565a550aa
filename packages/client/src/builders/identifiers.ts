// The optional identifiers a message can carry for later analysis.
import type { Identifier } from "@nhs-app-api/types";
import { systems } from "../fhir-systems.js";

export interface MessageIdentifiers {
  /** Groups many messages, e.g. every invitation of one vaccination programme (at most `limits.identifierValue` characters). */
  campaignId?: string;
  /** The sender's own reference for this message (at most `limits.identifierValue` characters). */
  requestId?: string;
  /** The organisation the message is sent for; only for applications registered as intermediaries. */
  onBehalfOf?: string;
}

export function identifiers(ids: MessageIdentifiers = {}): Identifier[] {
  const list: Identifier[] = [];
  if (ids.campaignId !== undefined) list.push({ system: systems.campaignId, value: ids.campaignId });
  if (ids.requestId !== undefined) list.push({ system: systems.requestId, value: ids.requestId });
  if (ids.onBehalfOf !== undefined) list.push({ system: systems.onBehalfOf, value: ids.onBehalfOf });
  return list;
}
