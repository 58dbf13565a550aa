// Checks a CommunicationRequest before it is sent, exactly as the msw
// handlers and the sandbox check it: the spec's compiled schema, then the
// contract's rules, reported with the server's expressions and words, every
// problem at once. What is checked is the message as it goes on the wire (its
// JSON), so it works on anything a caller passes, typed or not: class
// instances, getters, toJSON and Dates are judged by what they serialise to.
import { type OperationId, requestBodyIssues } from "@nhs-app-api/contract";
import type { ValidationIssue } from "../errors/errors.js";
import { toWireJson } from "./wire-json.js";

/** Every problem with the JSON a body serialises to, or an empty list. */
function wireBodyIssues(operation: OperationId, resource: unknown): ValidationIssue[] {
  const wire = toWireJson(resource);
  return wire.issue ? [wire.issue] : requestBodyIssues(operation, wire.value);
}

/** Every problem with an in-app message, or an empty list. */
export const inAppMessageIssues = (resource: unknown): ValidationIssue[] => wireBodyIssues("create-in-app", resource);

/** Every problem with a push notification, or an empty list. */
export const pushNotificationIssues = (resource: unknown): ValidationIssue[] =>
  wireBodyIssues("create-notification", resource);
