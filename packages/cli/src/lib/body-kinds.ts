// The four bodies `nhs-app validate` knows, how to tell them apart, and whose
// verdict each gets: the client's validators for the two requests (the
// contract's schema and rules, as the server judges them), the callbacks
// package's parsers for the two callbacks (as a supplier's endpoint built on
// it judges them). No rule is written here.
import { parseReceipt, parseReply } from "@nhs-app-api/callbacks";
import { validateInAppMessage, validatePushNotification } from "@nhs-app-api/client";
import type { IssueLike } from "./issues.js";

export const BODY_KINDS = ["in-app", "push", "receipt", "reply"] as const;
export type BodyKind = (typeof BODY_KINDS)[number];

export const KIND_NAMES: Readonly<Record<BodyKind, string>> = {
  "in-app": "in-app message",
  push: "push notification",
  receipt: "receipt callback",
  reply: "reply callback",
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const firstOf = (value: unknown): unknown => (Array.isArray(value) ? value[0] : undefined);

/**
 * The kind a body looks like, from its resourceType and shape: a Task is a
 * receipt; a CommunicationRequest holding a QuestionnaireResponse is a
 * patient's reply; one whose payload is a contentReference is a push
 * notification; any other CommunicationRequest an in-app message.
 */
export function detectKind(body: unknown): BodyKind | undefined {
  if (!isRecord(body)) return undefined;
  if (body.resourceType === "Task") return "receipt";
  if (body.resourceType !== "CommunicationRequest") return undefined;
  const contained = Array.isArray(body.contained) ? body.contained : [];
  if (contained.some((resource) => isRecord(resource) && resource.resourceType === "QuestionnaireResponse"))
    return "reply";
  const payload = firstOf(body.payload);
  if (isRecord(payload) && "contentReference" in payload && !("contentString" in payload)) return "push";
  return "in-app";
}

/** Every problem with a body of this kind, or an empty list. Callbacks take the raw bytes, as an endpoint gets them. */
export function bodyIssues(kind: BodyKind, body: unknown, raw?: Uint8Array): readonly IssueLike[] {
  const bytes = raw ?? JSON.stringify(body) ?? "";
  switch (kind) {
    case "in-app":
      return validateInAppMessage(body);
    case "push":
      return validatePushNotification(body);
    case "receipt": {
      const result = parseReceipt(bytes);
      return result.ok ? [] : result.issues;
    }
    case "reply": {
      const result = parseReply(bytes);
      return result.ok ? [] : result.issues;
    }
  }
}
