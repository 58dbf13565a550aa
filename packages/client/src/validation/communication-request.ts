// Checks a CommunicationRequest before it is sent, exactly as the msw
// handlers and the sandbox check it: the spec's compiled schema, then the
// contract's rules, reported with the server's expressions and words, every
// problem at once. Works on anything a caller passes, typed or not.
import { requestBodyIssues } from "@nhs-app-api/contract";
import type { ValidationIssue } from "../errors/errors.js";

/** Every problem with an in-app message, or an empty list. */
export const inAppMessageIssues = (resource: unknown): ValidationIssue[] =>
  requestBodyIssues("create-in-app", resource);

/** Every problem with a push notification, or an empty list. */
export const pushNotificationIssues = (resource: unknown): ValidationIssue[] =>
  requestBodyIssues("create-notification", resource);
