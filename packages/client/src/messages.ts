// Sending in-app messages and push notifications. Each send validates first
// (unless told not to), goes out once, and returns the communication ID the
// NHS App assigned, which receipts and replies will refer to.
import type {
  InAppCommunicationRequest,
  InAppCommunicationResponse,
  PushNotificationRequest,
  PushNotificationResponse,
} from "@nhs-app-api/types";
import {
  bodyOf,
  type CallOptions,
  type ClientCore,
  correlationIdOf,
  exchange,
  failure,
  fetchFor,
  startCall,
  unexpected,
} from "./core.js";
import { ClientValidationError } from "./errors/errors.js";
import { systems } from "./fhir-systems.js";
import { inAppMessageIssues, pushNotificationIssues } from "./validation/communication-request.js";

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
const IN_APP_PATH = "/communication/in-app/FHIR/R4/CommunicationRequest";
const PUSH_PATH = "/communication/notification/FHIR/R4/CommunicationRequest";

function communicationIdOf(resource: unknown): string | undefined {
  const list = (resource as { identifier?: unknown })?.identifier;
  if (!Array.isArray(list)) return undefined;
  const found = list.find((i) => (i as { system?: unknown })?.system === systems.communicationId) as
    | { value?: unknown }
    | undefined;
  return typeof found?.value === "string" && found.value.trim() !== "" ? found.value.trim() : undefined;
}

async function send<Resource>(
  core: ClientCore,
  kind: "in-app" | "push",
  message: unknown,
  options: CallOptions,
): Promise<SentMessage<Resource>> {
  const operation = kind === "in-app" ? "create-in-app" : "create-notification";
  if (options.validate ?? core.config.validate) {
    const issues = kind === "in-app" ? inAppMessageIssues(message) : pushNotificationIssues(message);
    if (issues.length > 0) {
      throw new ClientValidationError(kind === "in-app" ? "The in-app message" : "The push notification", issues);
    }
  }
  const context = startCall(core, operation, options);
  const init = {
    // biome-ignore lint/suspicious/noExplicitAny: validated above (or deliberately not); the body's type is the caller's choice
    body: message as any,
    headers: {
      "Content-Type": core.config.contentType ?? (kind === "in-app" ? "application/json" : "application/fhir+json"),
    },
    parseAs: "text" as const,
    fetch: fetchFor(core, context),
  };
  const { response, data, error } = await exchange(context, () =>
    kind === "in-app" ? core.raw.POST(IN_APP_PATH, init) : core.raw.POST(PUSH_PATH, init),
  );
  const body = bodyOf(response, data, error);
  if (!response.ok) throw failure("POST", response, body, context);

  const location = response.headers.get("location") ?? undefined;
  const fromLocation = location?.split("?")[0]?.split("/").pop();
  const communicationId =
    communicationIdOf(body) ?? (fromLocation && UUID.test(fromLocation) ? fromLocation : undefined);
  if (!communicationId) {
    // The message WAS accepted: say so loudly, so nobody sends it again.
    throw unexpected(
      "POST",
      response,
      context,
      "neither the body nor Location holds a communication ID; the message was accepted, do not send it again",
    );
  }
  if (location && !location.replace(/\/$/, "").endsWith(`/${communicationId}`)) {
    core.logger.warn?.("the Location header does not end with the communication ID", {
      operation,
      status: response.status,
    });
  }
  return {
    communicationId,
    location,
    correlationId: correlationIdOf(response, context),
    status: response.status,
    resource: (typeof body === "object" && body !== null ? body : {}) as Resource,
  };
}

export const sendInAppMessage = (core: ClientCore, message: InAppCommunicationRequest, options: CallOptions = {}) =>
  send<InAppCommunicationResponse>(core, "in-app", message, options);

export const sendPushNotification = (core: ClientCore, message: PushNotificationRequest, options: CallOptions = {}) =>
  send<PushNotificationResponse>(core, "push", message, options);
