// What `nhs-app callbacks check` sends, and what the contract says must come
// back: every receipt and reply example of the callback specs (202), and
// broken copies of them that an endpoint must refuse with a 4xx and an
// OperationOutcome: a required field missing, the wrong resourceType, JSON
// cut short, the wrong Content-Type, a receipt sent where replies go. A
// "missing field" case is kept only when the contract itself refuses it.
import { operations, requestBodyIssues } from "@nhs-app-api/contract";
import { type CallbackOperation, callbackExamples, requiredFields } from "./callback-spec.js";

export type Expectation = "accepted" | "refused";

export interface HttpCase {
  title: string;
  path: string;
  contentType: string;
  body: string;
  expect: Expectation;
}

const NOUN: Readonly<Record<CallbackOperation, string>> = {
  "create-realtime-receipt": "receipt",
  "create-realtime-replies": "reply",
};

function without(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = body;
  return rest;
}

function casesOf(operation: CallbackOperation): { cases: HttpCase[]; first: Record<string, unknown> } {
  const path = operations[operation].path;
  const noun = NOUN[operation];
  const examples = callbackExamples(operation);
  const first = examples[0]?.body;
  if (!first) throw new Error(`the ${operations[operation].document} spec has no examples`);
  const json = "application/json";
  const cases: HttpCase[] = examples.map(({ name, body }) => ({
    title: `${noun} example ${name}`,
    path,
    contentType: json,
    body: JSON.stringify(body),
    expect: "accepted",
  }));
  const refused = (title: string, body: string, contentType = json): HttpCase => ({
    title: `${noun} ${title}`,
    path,
    contentType,
    body,
    expect: "refused",
  });
  for (const field of requiredFields(operation)) {
    const broken = without(first, field);
    if (field in first && requestBodyIssues(operation, broken).length > 0) {
      cases.push(refused(`without ${field}`, JSON.stringify(broken)));
    }
  }
  const text = JSON.stringify(first);
  cases.push(
    refused("with resourceType Patient", JSON.stringify({ ...first, resourceType: "Patient" })),
    refused("as JSON cut short", text.slice(0, Math.floor(text.length / 2))),
    refused("with an empty body", ""),
    refused("sent as text/plain", text, "text/plain"),
  );
  return { cases, first };
}

/** Every HTTP case, receipts first. */
export function callbackCases(): HttpCase[] {
  const receipts = casesOf("create-realtime-receipt");
  const replies = casesOf("create-realtime-replies");
  return [
    ...receipts.cases,
    ...replies.cases,
    {
      title: "a receipt sent to the replies path",
      path: operations["create-realtime-replies"].path,
      contentType: "application/json",
      body: JSON.stringify(receipts.first),
      expect: "refused",
    },
  ];
}

/** A valid receipt, for the TLS cases: an endpoint that lets the connection through would accept it. */
export function validReceipt(): { path: string; body: string } {
  const [example] = callbackExamples("create-realtime-receipt");
  if (!example) throw new Error("the realtime-receipts spec has no examples");
  return { path: operations["create-realtime-receipt"].path, body: JSON.stringify(example.body) };
}
