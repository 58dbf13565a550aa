// Project lint rules that guard the NHS App API contract. Redocly's built-in
// rules cannot say "every error body is an OperationOutcome" or "every
// response declares X-Correlation-ID", and a drift in either would break the
// client's error handling and tracing, so they are checked here.

/** The raw `$ref` string of a node, if it is a reference. */
const refOf = (node) => (node && typeof node === "object" && typeof node.$ref === "string" ? node.$ref : undefined);

const isOperationOutcomeRef = (ref) => /(^|\/)OperationOutcome(\.yaml)?$/.test(ref ?? "");

/** Visits each response of each operation, with its status code, resolved. */
function eachResponse(check) {
  return {
    Responses(responses, ctx) {
      for (const [status, raw] of Object.entries(responses)) {
        const { node, location } = ctx.resolve(raw);
        if (!node) continue;
        check(status, node, ctx, location ?? ctx.location.child([status]));
      }
    },
  };
}

function errorBodyIsOperationOutcome() {
  return eachResponse((status, response, ctx, location) => {
    if (!/^[45]/.test(status)) return;
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
  return eachResponse((status, response, ctx, location) => {
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

export default function nhsAppRules() {
  return {
    id: "nhs-app",
    rules: {
      oas3: {
        "error-body-is-operation-outcome": errorBodyIsOperationOutcome,
        "response-has-correlation-id": responseHasCorrelationId,
        "operation-has-tag": operationHasTag,
      },
    },
  };
}
