// What `nhs-app callbacks check` sends, and what the contract says must come
// back: every receipt and reply example of the callback specs (202, from
// @nhs-app-api/testing, which reads them from the bundled specs), and broken
// copies that an endpoint must refuse with a 4xx and an OperationOutcome: a
// field left out, the wrong resourceType, JSON cut short, an empty body, the
// wrong Content-Type, a receipt sent where replies go. A copy without a
// field is kept only when the contract itself refuses it.
import { operations, requestBodyIssues } from "@nhs-app-api/contract";

export type CallbackOperation = "create-realtime-receipt" | "create-realtime-replies";
interface CallbackExample {
  name: string;
  body: object;
}

export type Expectation = "accepted" | "refused";

export interface HttpCase {
  title: string;
  /** The operation whose spec says what must come back. */
  operation: CallbackOperation;
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

function casesOf(
  operation: CallbackOperation,
  examples: readonly CallbackExample[],
): { cases: HttpCase[]; first: Record<string, unknown> } {
  const path = operations[operation].path;
  const noun = NOUN[operation];
  const first = examples[0]?.body as Record<string, unknown> | undefined;
  if (!first) throw new Error(`the ${operations[operation].document} spec has no examples`);
  const json = "application/json";
  const cases: HttpCase[] = examples.map(({ name, body }) => ({
    title: `example ${name}`,
    operation,
    path,
    contentType: json,
    body: JSON.stringify(body),
    expect: "accepted",
  }));
  const refused = (title: string, body: string, contentType = json): HttpCase => ({
    title: `${noun} ${title}`,
    operation,
    path,
    contentType,
    body,
    expect: "refused",
  });
  for (const field of Object.keys(first)) {
    const broken = without(first, field);
    if (requestBodyIssues(operation, broken).length > 0) {
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

/** The spec's examples, loaded only when a check runs. */
async function examples() {
  const { receiptExamples, replyExamples } = await import("@nhs-app-api/testing");
  return { receipts: receiptExamples(), replies: replyExamples() };
}

/** Every HTTP case, receipts first, and a valid receipt for the TLS cases. */
export async function callbackCases(): Promise<{
  cases: HttpCase[];
  validReceipt: { operation: CallbackOperation; path: string; body: string };
}> {
  const spec = await examples();
  const receipts = casesOf("create-realtime-receipt", spec.receipts);
  const replies = casesOf("create-realtime-replies", spec.replies);
  const receiptPath = operations["create-realtime-receipt"].path;
  return {
    cases: [
      ...receipts.cases,
      ...replies.cases,
      {
        title: "a receipt sent to the replies path",
        operation: "create-realtime-replies",
        path: operations["create-realtime-replies"].path,
        contentType: "application/json",
        body: JSON.stringify(receipts.first),
        expect: "refused",
      },
    ],
    // An endpoint that lets a connection through would accept this one.
    validReceipt: { operation: "create-realtime-receipt", path: receiptPath, body: JSON.stringify(receipts.first) },
  };
}
