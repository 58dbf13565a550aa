// Checks a CommunicationRequest before it is sent, the way the server would,
// and reports every problem at once. Works on anything a caller passes (a
// builder's output or a hand-made resource), so it reads the input as
// unknown and never trusts its shape.
import { limits, recordedIdentifierSystems, systems } from "../fhir-systems.js";
import { HTML_TAG, IssueList, isRecord } from "./issues.js";
import { isValidNhsNumber } from "./nhs-number.js";
import { isValidRequesterOdsCode } from "./ods-code.js";

function checkEnvelope(issues: IssueList, resource: Record<string, unknown>) {
  if (resource.resourceType === undefined)
    issues.add("resourceType", "Root object has no type indication (resourceType)");
  else if (resource.resourceType !== "CommunicationRequest") {
    issues.add("resourceType", "resourceType must be CommunicationRequest", resource.resourceType);
  }
  if (resource.status !== "active") issues.add("status", "status must be active", resource.status);
}

function checkIdentifiers(issues: IssueList, identifiers: unknown) {
  if (identifiers === undefined) return;
  if (!Array.isArray(identifiers)) return issues.add("identifier", "identifier must be a list");
  const seen = new Set<string>();
  for (const [i, identifier] of identifiers.entries()) {
    if (!isRecord(identifier)) {
      issues.add(`identifier[${i}]`, "identifier must be an object");
      continue;
    }
    const { system, value } = identifier;
    if (typeof system !== "string" || system === "") issues.add(`identifier[${i}].system`, "Not specified");
    if (typeof value !== "string" || value === "") issues.add(`identifier[${i}].value`, "Not specified");
    else {
      if (value.length > limits.identifierValue) issues.add(`identifier[${i}].value`, "Exceeds maximum length", value);
      if (HTML_TAG.test(value)) issues.add(`identifier[${i}].value`, "Must not contain HTML tags", value);
    }
    if (typeof system === "string" && recordedIdentifierSystems[system]) {
      if (seen.has(system)) issues.add("identifier", `Multiple ${recordedIdentifierSystems[system]} specified`);
      seen.add(system);
    }
  }
}

function checkRecipient(issues: IssueList, recipient: unknown) {
  if (!Array.isArray(recipient) || recipient.length === 0) return issues.add("recipient", "Not specified");
  if (recipient.length > 1) return issues.add("recipient", "Exceeds maximum length");
  const identifier = isRecord(recipient[0]) ? recipient[0].identifier : undefined;
  if (!isRecord(identifier)) return issues.add("recipient[0].identifier", "Not specified");
  if (identifier.system !== systems.nhsNumber) {
    issues.add("recipient[0].identifier.system", `Identifier system must be ${systems.nhsNumber}`, identifier.system);
  }
  const value = identifier.value;
  if (typeof value !== "string" || !isValidNhsNumber(value)) {
    issues.add("recipient[0].identifier.value", "NHS Number is invalid", value);
  }
}

/** One payload item, required; the server's errors name it payload[0]. */
function onlyPayload(issues: IssueList, payload: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(payload) || payload.length === 0) {
    issues.add("payload", "Not specified");
    return undefined;
  }
  if (payload.length > 1) issues.add("payload", "Exactly one payload item is supported");
  if (!isRecord(payload[0])) {
    issues.add("payload[0]", "payload item must be an object");
    return undefined;
  }
  return payload[0];
}

function checkRequester(issues: IssueList, requester: unknown) {
  if (!isRecord(requester)) return issues.add("requester", "Not specified");
  const identifier = requester.identifier;
  if (!isRecord(identifier)) return issues.add("requester.identifier", "Not specified");
  if (identifier.system !== systems.odsCode) {
    issues.add("requester.identifier.system", "Identifier system is invalid", identifier.system);
  }
  const value = identifier.value;
  if (typeof value !== "string" || !isValidRequesterOdsCode(value)) {
    issues.add(
      "requester.identifier.value",
      "Invalid format: an ODS code in capitals and digits, such as B82041",
      value,
    );
  }
}

function checkReply(issues: IssueList, resource: Record<string, unknown>) {
  const { contained, extension } = resource;
  if (contained === undefined) {
    if (extension !== undefined) issues.add("extension", "The answers extension needs a contained Questionnaire");
    return;
  }
  if (!Array.isArray(contained) || contained.length !== 1 || !isRecord(contained[0])) {
    return issues.add("contained", "contained should contain one resource of type Questionnaire");
  }
  const questionnaire = contained[0];
  // The expressions of these three checks are the server's own (see the spec's 400 examples), odd as they are:
  // `contained[0].type` for resourceType, `answerOptions` for answerOption, and `contained` for the item type.
  if (questionnaire.resourceType !== "Questionnaire") {
    issues.add("contained[0].type", "contained should contain one resource of type Questionnaire");
  }
  if (typeof questionnaire.id !== "string" || questionnaire.id === "") issues.add("contained[0].id", "Not specified");
  if (questionnaire.status !== "active") issues.add("contained[0].status", "status must be active");
  const items = questionnaire.item;
  if (!Array.isArray(items) || items.length !== 1 || !isRecord(items[0])) {
    issues.add("contained[0].item", "The Questionnaire must have exactly one item");
  } else {
    const item = items[0];
    if (typeof item.linkId !== "string" || item.linkId === "")
      issues.add("contained[0].item[0].linkId", "Not specified");
    const options = item.answerOption;
    if (item.type === "choice") {
      if (!Array.isArray(options) || options.length === 0) {
        issues.add("contained[0].item[0].answerOption", "A keyword reply needs at least one keyword");
      } else if (options.length > limits.keywords) {
        issues.add("contained[0].item[0].answerOptions", "Exceeds maximum length");
      } else {
        options.forEach((option: unknown, i) => {
          const code = isRecord(option) && isRecord(option.valueCoding) ? option.valueCoding.code : undefined;
          if (typeof code !== "string" || code.trim() === "") {
            issues.add(`contained[0].item[0].answerOption[${i}].valueCoding.code`, "Not specified");
          }
        });
      }
    } else if (item.type === "text") {
      if (options !== undefined) issues.add("contained[0].item[0].answerOption", "A free-text reply has no keywords");
    } else {
      issues.add("contained", "[0].item.type should be text or choice", item.type);
    }
  }
  if (!Array.isArray(extension) || extension.length !== 1 || !isRecord(extension[0])) {
    return issues.add("extension", "A reply message needs exactly one answers extension");
  }
  const answers = extension[0];
  if (answers.url !== systems.answersExtension) issues.add("extension[0].url", "url is invalid", answers.url);
  const reference = isRecord(answers.valueReference) ? answers.valueReference.reference : undefined;
  if (typeof questionnaire.id === "string" && reference !== `#${questionnaire.id}`) {
    issues.add("extension[0].valueReference.reference", `reference must be #${questionnaire.id}`, reference);
  }
}

/** Every problem with an in-app message, or an empty list. */
export function inAppMessageIssues(resource: unknown) {
  const issues = new IssueList();
  if (!isRecord(resource)) {
    issues.add("", "The message must be a CommunicationRequest object");
    return issues.issues;
  }
  checkEnvelope(issues, resource);
  checkIdentifiers(issues, resource.identifier);
  const payload = onlyPayload(issues, resource.payload);
  if (payload) {
    const text = payload.contentString;
    if (typeof text !== "string" || text.trim() === "") issues.add("payload[0].contentString", "Not specified");
    else {
      // UTF-16 units, as the .NET server counts: stricter than code points, never looser.
      if (text.length > limits.contentString) issues.add("payload[0].contentString", "Exceeds maximum length");
      if (HTML_TAG.test(text)) issues.add("payload[0].contentString", "Must not contain HTML tags");
    }
  }
  checkRecipient(issues, resource.recipient);
  checkRequester(issues, resource.requester);
  checkReply(issues, resource);
  return issues.issues;
}

/** Every problem with a push notification, or an empty list. */
export function pushNotificationIssues(resource: unknown) {
  const issues = new IssueList();
  if (!isRecord(resource)) {
    issues.add("", "The notification must be a CommunicationRequest object");
    return issues.issues;
  }
  checkEnvelope(issues, resource);
  checkIdentifiers(issues, resource.identifier);
  const payload = onlyPayload(issues, resource.payload);
  if (payload) {
    const content = payload.contentReference;
    if (!isRecord(content)) issues.add("payload[0].contentReference", "Not specified");
    else {
      const { display, reference } = content;
      if (typeof display !== "string" || display.trim() === "") {
        issues.add("payload[0].contentReference.display", "Not specified");
      } else if (display.length > limits.pushText) {
        issues.add("payload[0].contentReference.display", "Exceeds maximum length");
      }
      if (typeof reference !== "string" || reference === "") {
        issues.add("payload[0].contentReference.reference", "Not specified");
      } else if (reference.length > limits.pushUrl) {
        issues.add("payload[0].contentReference.reference", "Exceeds maximum length");
      } else if (!isAbsoluteHttpsUrl(reference)) {
        issues.add(
          "payload[0].contentReference.reference",
          "Must be an absolute https URL of an NHS App page",
          reference,
        );
      }
    }
  }
  checkRecipient(issues, resource.recipient);
  return issues.issues;
}

function isAbsoluteHttpsUrl(value: string) {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}
