// Real-time replies: a patient's answer to an in-app message that offered a
// keyword or a free-text reply. parseReply validates the body against our
// callback spec and returns a normalised reply; it never throws on bad input.
import { systems } from "@nhs-app-api/contract";
import type { RealtimeReply } from "@nhs-app-api/types/realtime-replies";
import { type CallbackIssue, issue, type Refused, refused } from "./issues.js";
import { DEFAULT_MAX_BODY_BYTES, neverThrowing, type RawBody, readResource } from "./read-body.js";
import { identifierValue, type ParseOptions, toInstant } from "./receipts.js";
import { contractIssues } from "./schema-validation.js";

export type Answer = { kind: "keyword"; code: string } | { kind: "text"; text: string };

export interface Reply {
  /** The communication ID of the message being answered. */
  communicationId: string;
  /** The NHS number of the patient who answered. */
  patientNhsNumber: string;
  /** The ODS code of the organisation that sent the message. */
  odsCode: string;
  answer: Answer;
  /** When the patient answered, as an ISO 8601 UTC instant. */
  answeredAt: string;
  campaignId?: string;
  requestReference?: string;
}

/** What parseReply returns: the normalised reply and the body it came from, or why it was refused. */
export type ReplyResult = { ok: true; reply: Reply; raw: RealtimeReply } | Refused;

const trimmed = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

/**
 * The answer in either published form: `[{ valueCoding: { code } }]`,
 * `[{ valueString }]` or a plain string. The schema has already refused an
 * answer that is only whitespace (its `\S` pattern); text is kept as
 * written, a keyword is trimmed like the identifiers.
 */
function answerOf(raw: unknown): Answer | undefined {
  if (typeof raw === "string") return { kind: "text", text: raw };
  if (!Array.isArray(raw) || raw.length !== 1) return undefined;
  const [entry] = raw as [{ valueCoding?: { code?: unknown }; valueString?: unknown }];
  const code = entry?.valueCoding?.code;
  if (typeof code === "string") return { kind: "keyword", code: code.trim() };
  if (typeof entry?.valueString === "string") return { kind: "text", text: entry.valueString };
  return undefined;
}

/** Parses a real-time reply: raw text, a Buffer, or an already parsed object. Never throws. */
export function parseReply(body: RawBody, options: ParseOptions = {}): ReplyResult {
  return neverThrowing(readReply, body, options);
}

function readReply(body: RawBody, options: ParseOptions): ReplyResult {
  const resource = readResource(body, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, "CommunicationRequest");
  if (!resource.ok) return resource;
  const value = resource.value;
  const issues: CallbackIssue[] = contractIssues("create-realtime-replies", value);
  if (issues.length > 0) return refused(...issues);

  const reply = value as unknown as RealtimeReply;
  const communicationId = trimmed(reply.basedOn[0]?.identifier.value);
  const patientNhsNumber = trimmed(reply.requester.identifier?.value);
  const odsCode = trimmed(reply.recipient[0]?.identifier?.value);
  const answer = answerOf(reply.contained[0]?.item[0]?.answer);
  const answeredAt = toInstant(reply.contained[0]?.authored);
  if (!communicationId)
    issues.push(issue("required", "basedOn[0].identifier.value is required", "basedOn[0].identifier.value"));
  if (!patientNhsNumber)
    issues.push(issue("required", "requester.identifier.value is required", "requester.identifier.value"));
  if (!odsCode)
    issues.push(issue("required", "recipient[0].identifier.value is required", "recipient[0].identifier.value"));
  if (!answer) {
    issues.push(
      issue(
        "value",
        "the answer has neither a keyword (valueCoding.code) nor text (valueString)",
        "contained[0].item[0].answer",
      ),
    );
  }
  if (!answeredAt) issues.push(issue("value", "contained[0].authored is not a date-time", "contained[0].authored"));
  if (issues.length > 0 || !communicationId || !patientNhsNumber || !odsCode || !answer || !answeredAt)
    return refused(...issues);
  const campaignId = identifierValue(reply.identifier, systems.campaignId);
  const requestReference = identifierValue(reply.identifier, systems.requestId);
  return {
    ok: true,
    reply: {
      communicationId,
      patientNhsNumber,
      odsCode,
      answer,
      answeredAt,
      ...(campaignId ? { campaignId } : {}),
      ...(requestReference ? { requestReference } : {}),
    },
    raw: reply,
  };
}
