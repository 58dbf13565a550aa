// Project lint rules that guard the NHS App API contract. Redocly's built-in
// rules cannot say "every error body is an OperationOutcome" or "every
// response declares X-Correlation-ID", and a drift in either would break the
// client's error handling and tracing, so they are checked here. Operations
// marked `x-nhs-app-platform-endpoint: true` are answered by the platform
// itself, so the rules about the API's errors leave their errors alone.

/** The raw `$ref` string of a node, if it is a reference. */
const refOf = (node) => (node && typeof node === "object" && typeof node.$ref === "string" ? node.$ref : undefined);

const isOperationOutcomeRef = (ref) => /(^|\/)OperationOutcome(\.yaml)?$/.test(ref ?? "");

/**
 * Whether an operation is one the API platform's proxy answers itself
 * (`_ping`, `_status`): its errors are the platform's, not the API's.
 */
const isPlatformEndpoint = (operation) => operation?.["x-nhs-app-platform-endpoint"] === true;

/** Visits each response of each operation, with its status code, resolved, and its operation. */
function eachResponse(check) {
  return {
    Operation: {
      Responses(responses, ctx, parents) {
        for (const [status, raw] of Object.entries(responses)) {
          const { node, location } = ctx.resolve(raw);
          if (!node) continue;
          check(status, node, ctx, location ?? ctx.location.child([status]), parents.Operation);
        }
      },
    },
  };
}

function errorBodyIsOperationOutcome() {
  return eachResponse((status, response, ctx, location, operation) => {
    if (!/^[45]/.test(status) || isPlatformEndpoint(operation)) return;
    const content = response.content ?? {};
    if (Object.keys(content).length === 0) {
      ctx.report({
        message: `The ${status} response has no body; error responses carry an OperationOutcome.`,
        location,
      });
      return;
    }
    for (const [mediaType, media] of Object.entries(content)) {
      if (!isOperationOutcomeRef(refOf(media.schema))) {
        ctx.report({
          message: `The ${status} response (${mediaType}) must use the OperationOutcome schema.`,
          location: location.child(["content", mediaType]),
        });
      }
    }
  });
}

function responseHasCorrelationId() {
  return eachResponse((status, response, ctx, location, operation) => {
    // The platform's own refusals (a wrong status key) come from a fault rule that mirrors nothing.
    if (/^[45]/.test(status) && isPlatformEndpoint(operation)) return;
    if (!response.headers || !("X-Correlation-ID" in response.headers)) {
      ctx.report({ message: `The ${status} response must declare the X-Correlation-ID header.`, location });
    }
  });
}

function operationHasTag() {
  return {
    Operation(operation, ctx) {
      if (!Array.isArray(operation.tags) || operation.tags.length === 0) {
        ctx.report({ message: "Every operation needs at least one tag.", location: ctx.location });
      }
    },
  };
}

/**
 * Redocly's operation-4xx-response, except for platform endpoints: `_ping`
 * takes no credentials and has no error of its own to describe.
 */
function operation4xxResponse() {
  return {
    Operation(operation, ctx) {
      if (isPlatformEndpoint(operation)) return;
      const statuses = Object.keys(operation.responses ?? {});
      if (!statuses.some((status) => /^4/i.test(status))) {
        ctx.report({
          message: "Operation must have at least one 4XX response.",
          location: ctx.location.child(["responses"]),
        });
      }
    },
  };
}

export default function nhsAppRules() {
  return {
    id: "nhs-app",
    rules: {
      oas3: {
        "error-body-is-operation-outcome": errorBodyIsOperationOutcome,
        "response-has-correlation-id": responseHasCorrelationId,
        "operation-has-tag": operationHasTag,
        "operation-4xx-response": operation4xxResponse,
      },
    },
  };
}
