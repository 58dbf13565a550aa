// The bodies that tell a supplier what happened to a message: a receipt Task
// of the daily report, the same Task as a real-time receipt callback, and the
// patient's reply as a real-time reply callback. Shapes follow the spec (the
// receipt report's Receipt, spec/callbacks); the facts come from the created
// message and its delivery plan.
import { systems } from "@nhs-app-api/contract";
import type { EchoedIdentifier, Receipt } from "@nhs-app-api/types";
import type { RealtimeReceipt } from "@nhs-app-api/types/realtime-receipts";
import type { RealtimeReply } from "@nhs-app-api/types/realtime-replies";
import { replyExamples } from "./callback-examples.js";
import type { CreatedMessage } from "./created-messages.js";
import type { PlannedReceipt, PlannedReply } from "./delivery-plan.js";

type ReceiptCoding = Receipt["code"]["coding"][number];

/** Whole seconds in UTC, as the spec's examples write them: `Z` in the report, `+00:00` in callbacks. */
const inReport = (iso: string) => `${iso.slice(0, 19)}Z`;
const inCallback = (iso: string) => `${iso.slice(0, 19)}+00:00`;

/** The communication ID first, then the identifiers the API recorded from the request. */
function receiptIdentifiers(message: CreatedMessage): EchoedIdentifier[] {
  return [
    { system: systems.communicationId, value: message.communicationId },
    ...message.identifier.map(({ system, value }) => ({ system, value })),
  ];
}

function task(message: CreatedMessage, receipt: PlannedReceipt, time: (iso: string) => string) {
  return {
    resourceType: "Task" as const,
    intent: "order" as const,
    identifier: receiptIdentifiers(message),
    status: receipt.status,
    ...(receipt.reason === undefined ? {} : { statusReason: { text: receipt.reason } }),
    code: {
      coding: [
        { system: systems.receiptStatus as ReceiptCoding["system"], code: receipt.kind as ReceiptCoding["code"] },
      ],
    },
    authoredOn: time(message.receivedAt),
    lastModified: time(receipt.at),
  };
}

/** A receipt as the daily receipt report lists it, with its own `id`. */
export function reportReceipt(message: CreatedMessage, receipt: PlannedReceipt, id: string): Receipt {
  return { id, ...task(message, receipt, inReport) };
}

/** A receipt as the NHS App posts it to a supplier's endpoint (`POST {callbackBase}/FHIR/R4/Task`): no `id`. */
export function realtimeReceipt(message: CreatedMessage, receipt: PlannedReceipt): RealtimeReceipt {
  return task(message, receipt, inCallback) as RealtimeReceipt;
}

let answers: string | undefined;
/**
 * The id of the contained QuestionnaireResponse, which the payload points
 * at (`#answers`): the spec's reply examples' own, which must all agree. A
 * spec whose examples lost it is an error here, not an id made up.
 */
export function answersId(): string {
  if (answers !== undefined) return answers;
  const ids = new Set(
    replyExamples().map(({ body }) => {
      const id = body.contained[0]?.id;
      return id !== undefined && body.payload[0]?.contentReference?.reference === `#${id}` ? id : undefined;
    }),
  );
  const [id] = ids;
  if (ids.size !== 1 || id === undefined) {
    throw new Error(
      "The realtime replies spec's examples do not agree on a contained QuestionnaireResponse id that the payload points at: the sandbox takes a reply's from them",
    );
  }
  answers = id;
  return id;
}

/**
 * A patient's reply as the NHS App posts it to a supplier's endpoint
 * (`POST {callbackBase}/FHIR/R4/CommunicationRequest`): from the patient to
 * the organisation that sent the message, naming the message in `basedOn`.
 */
export function realtimeReply(message: CreatedMessage, reply: PlannedReply): RealtimeReply {
  const requester = message.kind === "in-app" ? message.body.requester : undefined;
  const answer =
    reply.answer.kind === "keyword" ? { valueCoding: { code: reply.answer.code } } : { valueString: reply.answer.text };
  return {
    resourceType: "CommunicationRequest",
    contained: [
      {
        resourceType: "QuestionnaireResponse",
        id: answersId(),
        status: "completed",
        authored: inCallback(reply.at),
        // The spec: the item's linkId is always 1.
        item: [{ linkId: "1", answer: [answer] }],
      },
    ],
    status: "completed",
    basedOn: [{ identifier: { system: systems.communicationId, value: message.communicationId } }],
    // The campaign ID and request reference of the message answered (not on-behalf-of).
    identifier: message.identifier
      .filter(({ system }) => system === systems.campaignId || system === systems.requestId)
      .map(({ system, value }) => ({ system, value })),
    payload: [{ contentReference: { reference: `#${answersId()}` } }],
    recipient: [
      {
        type: "Organization",
        identifier: { system: systems.odsCode, value: requester?.identifier.value ?? "" },
      },
    ],
    requester: { type: "Patient", identifier: { system: systems.nhsNumber, value: message.nhsNumber } },
    authoredOn: inCallback(message.receivedAt),
  };
}
