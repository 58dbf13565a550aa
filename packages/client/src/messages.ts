// Sending in-app messages and push notifications. Each send validates first
// (unless told not to), goes out once, and returns the communication ID the
// NHS App assigned, which receipts and replies will refer to.
import { operations, requestBodyIssues } from "@nhs-app-api/contract";
import type {
  InAppCommunicationRequest,
  InAppCommunicationResponse,
  PushNotificationRequest,
  PushNotificationResponse,
} from "@nhs-app-api/types";
import { type CallOptions, type ClientCore, callOperation, traced, unexpected, validates } from "./call.js";
import { ClientValidationError } from "./errors/errors.js";
import { systems } from "./fhir-systems.js";
import { wireRequestClass } from "./http/wire-request.js";
import { toWireJson } from "./validation/wire-json.js";

export interface SentMessage<Resource> {
  /** The NHS App's ID for this communication (identifier system https://fhir.nhs.uk/Id/nhs-app-communication-id). */
  communicationId: string;
  /** The `Location` header: where the new CommunicationRequest lives. */
  location: string | undefined;
  correlationId: string;
  status: number;
  /** The CommunicationRequest as the API echoed it. */
  resource: Resource;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function communicationIdOf(resource: unknown): string | undefined {
  const list = (resource as { identifier?: unknown })?.identifier;
  if (!Array.isArray(list)) return undefined;
  const found = list.find((i) => (i as { system?: unknown })?.system === systems.communicationId) as
    | { value?: unknown }
    | undefined;
  return typeof found?.value === "string" && found.value.trim() !== "" ? found.value.trim() : undefined;
}

const kinds = {
  "in-app": { operation: "create-in-app", what: "The in-app message" },
  push: { operation: "create-notification", what: "The push notification" },
} as const;

function send<Resource>(
  core: ClientCore,
  kind: keyof typeof kinds,
  message: unknown,
  options: CallOptions,
): Promise<SentMessage<Resource>> {
  const { operation, what } = kinds[kind];
  return traced(core, operation, options, async (context) => {
    // Serialised once: the JSON text is what is validated and what is sent, byte for byte.
    const wire = toWireJson(message);
    // A body with no JSON form cannot be sent at all, validation or not.
    if (wire.issue) throw new ClientValidationError(what, [wire.issue]);
    if (validates(core, options)) {
      const problems = requestBodyIssues(operation, wire.value);
      if (problems.length > 0) throw new ClientValidationError(what, problems);
    }
    const init = {
      // biome-ignore lint/suspicious/noExplicitAny: validated above (or deliberately not); the body's type is the caller's choice
      body: wire.value as any,
      bodySerializer: () => wire.text,
      Request: wireRequestClass,
      headers: {
        "Content-Type": core.config.contentType ?? operations[operation].requestMediaTypes[0],
      },
      parseAs: "text" as const,
    };
    const answer = await callOperation(core, context, (fetch) =>
      kind === "in-app"
        ? core.raw.POST(operations["create-in-app"].path, { ...init, fetch })
        : core.raw.POST(operations["create-notification"].path, { ...init, fetch }),
    );
    const { response, body } = answer;
    const location = response.headers.get("location") ?? undefined;
    const fromLocation = location?.split("?")[0]?.split("/").pop();
    const communicationId =
      communicationIdOf(body) ?? (fromLocation && UUID.test(fromLocation) ? fromLocation : undefined);
    if (!communicationId) {
      // The message WAS accepted: say so loudly, so nobody sends it again.
      throw unexpected(
        answer,
        "neither the body nor Location holds a communication ID; the message was accepted, do not send it again",
      );
    }
    if (location && !location.replace(/\/$/, "").endsWith(`/${communicationId}`)) {
      core.logger.warn?.(
        { operation, status: response.status, correlationId: answer.correlationId },
        "the Location header does not end with the communication ID",
      );
    }
    return {
      communicationId,
      location,
      correlationId: answer.correlationId,
      status: answer.status,
      resource: (typeof body === "object" && body !== null ? body : {}) as Resource,
    };
  });
}

export const sendInAppMessage = (core: ClientCore, message: InAppCommunicationRequest, options: CallOptions = {}) =>
  send<InAppCommunicationResponse>(core, "in-app", message, options);

export const sendPushNotification = (core: ClientCore, message: PushNotificationRequest, options: CallOptions = {}) =>
  send<PushNotificationResponse>(core, "push", message, options);
