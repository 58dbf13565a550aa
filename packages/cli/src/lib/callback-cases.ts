// What `nhs-app callbacks check` sends, and what the contract says must come
// back: every receipt and reply example of the callback specs (202, from
// @nhs-app-api/testing, which reads them from the bundled specs), and broken
// copies that an endpoint must refuse with a 4xx and an OperationOutcome: a
// field left out, the wrong resourceType, JSON cut short, an empty body, the
// wrong Content-Type, a receipt sent where replies go; and copies with a
// wrong value (a status or receipt code outside the contract's lists, a date
// that is no date, an NHS number with a wrong check digit). Only the wrong
// values are ours: a broken copy is kept only when the contract itself
// refuses it, so what is allowed is always the contract's word.
import { operations, requestBodyIssues } from "@nhs-app-api/contract";

export type CallbackOperation = "create-realtime-receipt" | "create-realtime-replies";
interface CallbackExample {
  name: string;
  body: object;
}

/** `refused-or-accepted`: a value the contract refuses today but the NHS App may send tomorrow (a new receipt code). */
export type Expectation = "accepted" | "refused" | "refused-or-accepted";

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

type Path = readonly (string | number)[];

/** A copy of `body` with the value at `path` replaced, or undefined when the body has nothing there. */
function withValue(body: object, path: Path, value: unknown): object | undefined {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const [index, step] of path.entries()) {
    if (!(step in parent)) return undefined;
    if (index === path.length - 1) parent[step] = value;
    else {
      const next = parent[step];
      if (typeof next !== "object" || next === null) return undefined;
      parent = next as Record<string | number, unknown>;
    }
  }
  return copy;
}

/** The value at `path` of `body`, if it is a string. */
function textAt(body: object, path: Path): string | undefined {
  let value: unknown = body;
  for (const step of path) value = (value as Record<string | number, unknown> | undefined)?.[step];
  return typeof value === "string" ? value : undefined;
}

interface WrongValue {
  title: string;
  path: Path;
  value: unknown;
  /** How the endpoint must answer; `refused` unless said. */
  expect?: Expectation;
}

/** An NHS number with its check digit changed: ten digits still, but not an NHS number. */
const wrongCheckDigit = (nhsNumber: string) => `${nhsNumber.slice(0, -1)}${(Number(nhsNumber.at(-1)) + 1) % 10}`;

/** The wrong values each operation's first example is sent with; the contract must refuse each. */
function wrongValues(operation: CallbackOperation, first: object): WrongValue[] {
  const date = "2025-13-45T99:00:00Z";
  if (operation === "create-realtime-receipt") {
    return [
      { title: 'with status "banana"', path: ["status"], value: "banana" },
      // The contract's list of codes is closed, but the NHS App may add codes: an endpoint
      // may refuse an unknown one or keep it (as @nhs-app-api/callbacks does), never fail or hang on it.
      {
        title: 'with code "banana" (no receipt code yet)',
        path: ["code", "coding", 0, "code"],
        value: "banana",
        expect: "refused-or-accepted",
      },
      { title: "with another code system", path: ["code", "coding", 0, "system"], value: "https://example.org/banana" },
      { title: 'with lastModified "yesterday"', path: ["lastModified"], value: "yesterday" },
      { title: `with authoredOn "${date}"`, path: ["authoredOn"], value: date },
    ];
  }
  const nhsNumberPath = ["requester", "identifier", "value"];
  const nhsNumber = textAt(first, nhsNumberPath);
  return [
    { title: 'with status "banana"', path: ["status"], value: "banana" },
    { title: 'with authoredOn "yesterday"', path: ["authoredOn"], value: "yesterday" },
    { title: `with answers authored "${date}"`, path: ["contained", 0, "authored"], value: date },
    ...(nhsNumber && /^\d{10}$/.test(nhsNumber)
      ? [
          {
            title: "with an NHS number whose check digit is wrong",
            path: nhsNumberPath,
            value: wrongCheckDigit(nhsNumber),
          },
        ]
      : []),
    { title: 'with recipient ODS code "banana!"', path: ["recipient", 0, "identifier", "value"], value: "banana!" },
  ];
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
  const refused = (title: string, body: string, contentType = json, expect: Expectation = "refused"): HttpCase => ({
    title: `${noun} ${title}`,
    operation,
    path,
    contentType,
    body,
    expect,
  });
  for (const field of Object.keys(first)) {
    const broken = without(first, field);
    if (requestBodyIssues(operation, broken).length > 0) {
      cases.push(refused(`without ${field}`, JSON.stringify(broken)));
    }
  }
  for (const { title, path: at, value, expect } of wrongValues(operation, first)) {
    const broken = withValue(first, at, value);
    if (broken && requestBodyIssues(operation, broken).length > 0) {
      cases.push(refused(title, JSON.stringify(broken), json, expect));
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
