// Every answer this package gives to a callback it does not take is one the
// callback specs allow: the OperationOutcome of the response the spec gives
// that status (400 and 401 by name, any other as 4XX or 5XX), checked through
// @nhs-app-api/contract, as application/fhir+json. An issue code outside FHIR
// R4's IssueType, a missing field, or a status the specs do not describe
// fails here. The last test checks that the cases reach every status and
// issue code the package sends.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { type OperationId, responseBodyIssues } from "@nhs-app-api/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CallbackHandlerOptions,
  type CallbackServer,
  createCallbackServer,
  createFetchHandler,
  createNodeHandler,
  handleCallback,
  RECEIPT_PATH,
  REPLY_PATH,
} from "../src/index.js";
import { authority, issue as issueCertificate } from "./certificates.js";
import { callbackExamples } from "./examples.js";

const RECEIPT: OperationId = "create-realtime-receipt";
const REPLY: OperationId = "create-realtime-replies";

const receipt = callbackExamples("realtime-receipts").delivered as Record<string, unknown>;
const reply = callbackExamples("realtime-replies")["keyword-completed"] as Record<string, unknown>;
const receiptText = JSON.stringify(receipt);

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
}

const accept: CallbackHandlerOptions = { onReceipt: () => undefined, onReply: () => undefined };

/** An answer of the Fetch handler. */
async function viaFetch(
  path: string,
  body: NonNullable<RequestInit["body"]> | null,
  options: CallbackHandlerOptions = accept,
  init: RequestInit = {},
): Promise<Answer> {
  const response = await createFetchHandler(options)(
    new Request(`https://supplier.example${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      ...(body === null ? {} : { body }),
      ...init,
    }),
  );
  return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text() };
}

const without = (body: Record<string, unknown>, field: string) =>
  Object.fromEntries(Object.entries(body).filter(([name]) => name !== field));

/** An answer of the Node handler behind an http server, to a body written in one go. */
async function viaNode(
  path: string,
  body: string,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<Answer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port, path, method: "POST", headers: { "content-type": "application/json" } },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"] ?? null, text }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A request whose body stream fails part way. */
const failingStream = () =>
  new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(new Error("connection reset"));
    },
  });

interface Case {
  name: string;
  /** The operations whose spec must allow the answer (both, for a path neither serves). */
  operations: OperationId[];
  answer: () => Promise<Answer>;
}

let restricted: CallbackServer | undefined;
let stranger: { cert: string; key: string; ca: string } | undefined;

const cases: Case[] = [
  { name: "JSON cut short", operations: [RECEIPT], answer: () => viaFetch(RECEIPT_PATH, receiptText.slice(0, 40)) },
  { name: "an empty body", operations: [RECEIPT], answer: () => viaFetch(RECEIPT_PATH, "") },
  {
    name: "bytes that are not UTF-8",
    operations: [RECEIPT],
    answer: () => viaFetch(RECEIPT_PATH, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
  },
  { name: "JSON that is not an object", operations: [RECEIPT], answer: () => viaFetch(RECEIPT_PATH, "[1]") },
  {
    name: "a reply sent as a receipt",
    operations: [RECEIPT],
    answer: () => viaFetch(RECEIPT_PATH, JSON.stringify(reply)),
  },
  {
    name: "a receipt without code (schema: required)",
    operations: [RECEIPT],
    answer: () => viaFetch(RECEIPT_PATH, JSON.stringify(without(receipt, "code"))),
  },
  {
    name: "a receipt with an unknown status (schema: enum)",
    operations: [RECEIPT],
    answer: () => viaFetch(RECEIPT_PATH, JSON.stringify({ ...receipt, status: "in-progress" })),
  },
  {
    name: "a reply without basedOn (schema: required)",
    operations: [REPLY],
    answer: () => viaFetch(REPLY_PATH, JSON.stringify(without(reply, "basedOn"))),
  },
  {
    name: "a reply whose answer holds a keyword and a text (schema: oneOf)",
    operations: [REPLY],
    answer: () => {
      const both = structuredClone(reply) as { contained: { item: { answer: unknown }[] }[] };
      (both.contained[0]?.item[0] as { answer: unknown }).answer = [
        { valueCoding: { code: "SMOKE" }, valueString: "I smoke" },
      ];
      return viaFetch(REPLY_PATH, JSON.stringify(both));
    },
  },
  {
    name: "a body over the limit (Fetch handler)",
    operations: [RECEIPT],
    answer: () => viaFetch(RECEIPT_PATH, "x".repeat(70_000)),
  },
  {
    name: "a body over the limit (handleCallback)",
    operations: [RECEIPT],
    answer: async () => {
      const answer = await handleCallback(
        { method: "POST", path: RECEIPT_PATH, body: " ".repeat(200), contentType: "application/json" },
        { ...accept, maxBodyBytes: 100 },
      );
      return { status: answer.status, contentType: answer.headers["content-type"] ?? null, text: answer.body };
    },
  },
  {
    name: "a body over the limit (Node handler)",
    operations: [RECEIPT],
    answer: () => viaNode(RECEIPT_PATH, " ".repeat(1_000), createNodeHandler({ ...accept, maxBodyBytes: 100 })),
  },
  {
    name: "a body stream that fails",
    operations: [RECEIPT],
    answer: () => viaFetch(RECEIPT_PATH, failingStream(), accept, { duplex: "half" } as RequestInit),
  },
  {
    name: "a body read before the Node handler ran",
    operations: [RECEIPT],
    answer: () => {
      const handler = createNodeHandler(accept);
      return viaNode(RECEIPT_PATH, receiptText, async (request, response) => {
        for await (const _ of request) {
          // drained by something else, and nothing kept
        }
        handler(request, response);
      });
    },
  },
  {
    name: "a refused body when the supplier's logger throws",
    operations: [RECEIPT],
    answer: () =>
      viaNode(
        RECEIPT_PATH,
        "{",
        createNodeHandler({
          ...accept,
          logger: {
            warn() {
              throw new Error("log sink down");
            },
          },
        }),
      ),
  },
  {
    name: "a content type that is not JSON",
    operations: [RECEIPT],
    answer: () => viaFetch(RECEIPT_PATH, receiptText, accept, { headers: { "content-type": "text/plain" } }),
  },
  {
    name: "a method other than POST",
    operations: [REPLY],
    answer: () => viaFetch(REPLY_PATH, null, accept, { method: "GET" }),
  },
  {
    name: "a path no callback is served at",
    operations: [RECEIPT, REPLY],
    answer: () => viaFetch("/FHIR/R4/Patient", receiptText),
  },
  {
    name: "replies to an endpoint that takes only receipts",
    operations: [REPLY],
    answer: () => viaFetch(REPLY_PATH, JSON.stringify(reply), { onReceipt: () => undefined }),
  },
  {
    name: "a receipt callback that throws",
    operations: [RECEIPT],
    answer: () =>
      viaFetch(RECEIPT_PATH, receiptText, {
        onReceipt: () => {
          throw new Error("database down");
        },
      }),
  },
  {
    name: "a reply callback that rejects",
    operations: [REPLY],
    answer: () =>
      viaFetch(REPLY_PATH, JSON.stringify(reply), { onReply: () => Promise.reject(new Error("queue full")) }),
  },
  {
    name: "a receipt callback that does not finish in time",
    operations: [RECEIPT],
    answer: () =>
      viaFetch(RECEIPT_PATH, receiptText, { onReceipt: () => new Promise(() => undefined), callbackTimeoutMs: 20 }),
  },
  {
    name: "a callback timeout that is not a positive number (handleCallback)",
    operations: [RECEIPT],
    answer: async () => {
      const answer = await handleCallback(
        { method: "POST", path: RECEIPT_PATH, body: receiptText, contentType: "application/json" },
        { ...accept, callbackTimeoutMs: 0 },
      );
      return { status: answer.status, contentType: answer.headers["content-type"] ?? null, text: answer.body };
    },
  },
  {
    name: "a client certificate the server does not expect (mutual TLS server)",
    operations: [RECEIPT],
    answer: () =>
      new Promise<Answer>((resolve, reject) => {
        if (!restricted || !stranger) throw new Error("the TLS server was not started");
        const req = httpsRequest(
          `${restricted.url}${RECEIPT_PATH}`,
          { method: "POST", ...stranger, headers: { "content-type": "application/json" } },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              text += chunk;
            });
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"] ?? null, text }),
            );
          },
        );
        req.on("error", reject);
        req.end(receiptText);
      }),
  },
];

/** Each case's answer and the status and issue codes it carried. */
const seen = new Map<string, string[]>();

describe("every refusal of the callback handler and server", () => {
  beforeAll(async () => {
    const ca = await authority("Supplier callbacks CA");
    const server = await issueCertificate(ca, "callbacks.supplier.test", "server");
    const client = await issueCertificate(ca, "someone-else", "client");
    restricted = await createCallbackServer({
      key: server.key,
      cert: server.cert,
      ca: ca.cert,
      ...accept,
      allowedClients: ["nhs-app-client"],
    });
    stranger = { cert: client.cert, key: client.key, ca: ca.cert };
  });
  afterAll(async () => {
    await restricted?.close();
  });

  it.each(cases)("answers $name with an OperationOutcome its callback spec allows", async ({ answer, operations }) => {
    const { status, contentType, text } = await answer();
    expect(status).toBeGreaterThanOrEqual(400);
    expect(contentType).toBe("application/fhir+json");
    const body = JSON.parse(text) as { issue: { code: string }[] };
    for (const operation of operations) {
      expect(responseBodyIssues(operation, status, body, contentType ?? undefined)).toEqual([]);
    }
    seen.set(String(status), [...(seen.get(String(status)) ?? []), ...body.issue.map((i) => i.code)]);
  });

  it("reaches every status and issue code the package answers with", () => {
    const pairs = [...seen].flatMap(([status, codes]) => [...new Set(codes)].map((code) => `${status} ${code}`));
    expect(pairs.sort()).toEqual([
      "400 required",
      "400 structure",
      "400 too-long",
      "400 value",
      "401 security",
      "404 not-found",
      "405 not-supported",
      "415 not-supported",
      "500 exception",
      "500 timeout",
    ]);
  });
});
