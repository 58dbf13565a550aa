// Builders for the four kinds of message: a plain in-app message, one the
// patient answers with a keyword, one answered in free text, and a push
// notification. They produce the FHIR resources the API takes; validation
// happens when the message is sent (or call validateInAppMessage yourself).
import type {
  AnswersExtension,
  InAppCommunicationRequest,
  PushNotificationRequest,
  ReplyQuestionnaire,
} from "@nhs-app-api/types";
import { systems } from "../fhir-systems.js";
import { identifiers, type MessageIdentifiers } from "./identifiers.js";

/** The contained Questionnaire and the extension that make a message answerable. */
export interface ReplyOption {
  contained: [ReplyQuestionnaire];
  extension: [AnswersExtension];
}

function reply(id: string, item: ReplyQuestionnaire["item"][number]): ReplyOption {
  return {
    contained: [{ resourceType: "Questionnaire", id, status: "active", item: [item] }],
    extension: [{ url: systems.answersExtension, valueReference: { reference: `#${id}` } }],
  };
}

/** The patient answers by picking one keyword (at most `limits.keywords` of them), e.g. `keywordReply(["YES", "NO"])`. */
export function keywordReply(keywords: readonly string[], options: { id?: string } = {}): ReplyOption {
  return reply(options.id ?? "answeroptions", {
    linkId: "1",
    type: "choice",
    answerOption: keywords.map((code) => ({ valueCoding: { code } })),
  });
}

/** The patient answers in their own words. */
export function freeTextReply(options: { id?: string } = {}): ReplyOption {
  return reply(options.id ?? "answer", { linkId: "1", type: "text" });
}

export interface InAppMessageInput extends MessageIdentifiers {
  /** The patient's NHS number: ten digits, no spaces. */
  nhsNumber: string;
  /** The ODS code of the organisation sending the message, e.g. B82041 (upper-cased for you). */
  odsCode: string;
  /** The message, in the NHS App's Markdown subset, at most `limits.contentString` characters, no HTML tags. */
  text: string;
  /** Let the patient answer: keywordReply([...]) or freeTextReply(). */
  reply?: ReplyOption;
}

export function inAppMessage(input: InAppMessageInput): InAppCommunicationRequest {
  const ids = identifiers(input);
  return {
    resourceType: "CommunicationRequest",
    ...(ids.length > 0 ? { identifier: ids } : {}),
    status: "active",
    payload: [{ contentString: input.text }],
    ...(input.reply ? { contained: input.reply.contained, extension: input.reply.extension } : {}),
    recipient: [{ type: "Patient", identifier: { system: systems.nhsNumber, value: input.nhsNumber } }],
    requester: {
      type: "Organization",
      identifier: { system: systems.odsCode, value: input.odsCode.toUpperCase() },
    },
  };
}

export interface PushNotificationInput extends MessageIdentifiers {
  /** The patient's NHS number: ten digits, no spaces. */
  nhsNumber: string;
  /** The notification text: at most `limits.pushText` characters, no personal or sensitive information, no links. */
  text: string;
  /** The NHS App page to open on tap, an absolute https URL. */
  url: string;
}

export function pushNotification(input: PushNotificationInput): PushNotificationRequest {
  const ids = identifiers(input);
  return {
    resourceType: "CommunicationRequest",
    ...(ids.length > 0 ? { identifier: ids } : {}),
    status: "active",
    payload: [{ contentReference: { reference: input.url, display: input.text } }],
    recipient: [{ type: "Patient", identifier: { system: systems.nhsNumber, value: input.nhsNumber } }],
  };
}
