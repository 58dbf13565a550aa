import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { requestMediaTypes } from "@nhs-app-api/contract";
import { afterEach, describe, expect, it } from "vitest";
import {
  createCallbackHandler,
  createCallbackServer,
  createNodeHandler,
  handleCallback,
  type Receipt,
  type Reply,
} from "../src/index.js";
import { callbackExamples } from "./examples.js";

const receipts = callbackExamples("realtime-receipts");
const replies = callbackExamples("realtime-replies");

function setup(options: { failWith?: Error; hang?: boolean; callbackTimeoutMs?: number } = {}) {
  const got: { receipts: Receipt[]; replies: Reply[] } = { receipts: [], replies: [] };
  const handler = createCallbackHandler({
    ...(options.callbackTimeoutMs ? { callbackTimeoutMs: options.callbackTimeoutMs } : {}),
    onReceipt: async (receipt) => {
      if (options.failWith) throw options.failWith;
      if (options.hang) await new Promise(() => undefined);
      got.receipts.push(receipt);
    },
    onReply: (reply) => {
      got.replies.push(reply);
    },
  });
  return { handler, got };
}

const post = (path: string, body: string, contentType: string | undefined = "application/json") =>
  new Request(`https://supplier.example/callbacks${path}`, {
    method: "POST",
    body,
    headers: contentType ? { "content-type": contentType } : {},
  });

const issueCodes = async (response: Response) =>
  ((await response.json()) as { issue: { code: string }[] }).issue.map((i) => i.code);

describe("the Fetch handler", () => {
  it("answers 202 to a valid receipt and a valid reply, after calling the supplier's code", async () => {
    const { handler, got } = setup();
    const a = await handler.fetch(post("/FHIR/R4/Task", JSON.stringify(receipts.delivered)));
    const b = await handler.fetch(post("/FHIR/R4/CommunicationRequest", JSON.stringify(replies["keyword-completed"])));
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(await a.text()).toBe("");
    expect(got.receipts.map((r) => r.kind)).toEqual(["Delivered"]);
    expect(got.replies.map((r) => r.answer)).toEqual([{ kind: "keyword", code: "SMOKE" }]);
  });

  it("answers 400 with an OperationOutcome to an invalid body, and does not call the supplier's code", async () => {
    const { handler, got } = setup();
    const response = await handler.fetch(post("/FHIR/R4/Task", JSON.stringify(replies["keyword-completed"])));
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/fhir+json");
    expect(await response.json()).toEqual({
      resourceType: "OperationOutcome",
      issue: [
        {
          severity: "error",
          code: "value",
          diagnostics: 'resourceType must be Task, not "CommunicationRequest"',
          expression: ["resourceType"],
        },
      ],
    });
    expect(got.receipts).toEqual([]);
  });

  it("answers 500 when the supplier's code throws, so the NHS App sends it again, without leaking the error", async () => {
    const { handler } = setup({ failWith: new Error("database password is hunter2") });
    const response = await handler.fetch(post("/FHIR/R4/Task", JSON.stringify(receipts.read)));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("hunter2");
    expect(JSON.parse(text).issue[0].code).toBe("exception");
  });

  it("answers 500 when the supplier's code does not finish in time, instead of never answering", async () => {
    const { handler } = setup({ hang: true, callbackTimeoutMs: 50 });
    const response = await handler.fetch(post("/FHIR/R4/Task", JSON.stringify(receipts.read)));
    expect(response.status).toBe(500);
    expect(await issueCodes(response)).toEqual(["timeout"]);
  });

  it("awaits any thenable the supplier's code returns, not only native promises", async () => {
    const ran: string[] = [];
    // A lazy thenable (as query builders are) does its work only when awaited; a rejecting one must give 500.
    const lazy = (fail: boolean): PromiseLike<void> => ({
      // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is the point of this test
      then(resolve, reject) {
        ran.push(fail ? "failed" : "stored");
        return Promise.resolve()
          .then(() => {
            if (fail) throw new Error("database down");
          })
          .then(resolve, reject);
      },
    });
    let fail = false;
    const handler = createCallbackHandler({ onReceipt: () => lazy(fail) });
    expect((await handler.fetch(post("/FHIR/R4/Task", JSON.stringify(receipts.read)))).status).toBe(202);
    fail = true;
    expect((await handler.fetch(post("/FHIR/R4/Task", JSON.stringify(receipts.read)))).status).toBe(500);
    expect(ran).toEqual(["stored", "failed"]);
  });

  it("refuses a callback timeout that is not a positive number when the handler is made; Infinity means none", async () => {
    for (const callbackTimeoutMs of [Number.NaN, 0, -5]) {
      expect(() => createCallbackHandler({ onReceipt: () => undefined, callbackTimeoutMs })).toThrow(RangeError);
    }
    const handler = createCallbackHandler({
      onReceipt: () => new Promise<void>((resolve) => setTimeout(resolve, 20)),
      callbackTimeoutMs: Number.POSITIVE_INFINITY,
    });
    expect((await handler.fetch(post("/FHIR/R4/Task", JSON.stringify(receipts.read)))).status).toBe(202);
  });

  it("refuses options of the wrong type when the handler is made, naming each, not on the first callback", () => {
    const loose = createCallbackHandler as unknown as (options: unknown) => unknown;
    for (const options of [null, "onReceipt", 5, []]) {
      expect(() => loose(options), String(options)).toThrow(/the handler's options must be an object/);
    }
    expect(() => loose({ onReceipt: "log it", onReply: 5, maxBodyBytes: "1mb", logger: "console" })).toThrow(
      /onReceipt must be a function; onReply must be a function; maxBodyBytes must be .*; logger must be an object/,
    );
    expect(() => loose({ onReceipt: () => undefined })).not.toThrow();
    // No options at all: a handler that answers 202 and does nothing with what it is given.
    expect(() => loose(undefined)).not.toThrow();
  });

  it("refuses a callback server without options with a TypeError that says what it needs", async () => {
    const loose = createCallbackServer as unknown as (options: unknown) => Promise<unknown>;
    await expect(loose(null)).rejects.toThrow(/createCallbackServer needs its options/);
    await expect(loose(undefined)).rejects.toThrow(TypeError);
  });

  it("answers 500 from handleCallback when its callback timeout is not a positive number, without calling the code", async () => {
    const got: Receipt[] = [];
    const answer = await handleCallback(
      { method: "POST", path: "/FHIR/R4/Task", body: JSON.stringify(receipts.read), contentType: "application/json" },
      { onReceipt: (receipt) => void got.push(receipt), callbackTimeoutMs: 0 },
    );
    expect(answer.status).toBe(500);
    expect(got).toEqual([]);
  });

  it("answers 404 on other paths and 405 on other methods", async () => {
    const { handler } = setup();
    const notFound = await handler.fetch(post("/FHIR/R4/Patient", "{}"));
    expect(notFound.status).toBe(404);
    expect(await issueCodes(notFound)).toEqual(["not-found"]);
    const get = await handler.fetch(new Request("https://supplier.example/FHIR/R4/Task"));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("takes JSON in any JSON media type or with none stated, and refuses other content types with 415", async () => {
    const { handler, got } = setup();
    const body = JSON.stringify(receipts.read);
    for (const type of ["application/json", "application/fhir+json; charset=utf-8", "Application/JSON", undefined]) {
      expect((await handler.fetch(post("/FHIR/R4/Task", body, type))).status).toBe(202);
    }
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonp"]) {
      const response = await handler.fetch(post("/FHIR/R4/Task", body, type));
      expect(response.status).toBe(415);
      expect(await issueCodes(response)).toEqual(["not-supported"]);
    }
    // The advice names the media types the callback spec lists.
    const refused = await handler.fetch(post("/FHIR/R4/Task", body, "text/plain"));
    expect(((await refused.json()) as { issue: { diagnostics: string }[] }).issue[0]?.diagnostics).toBe(
      `Callbacks are JSON: send Content-Type ${requestMediaTypes("create-realtime-receipt").join(" or ")}`,
    );
    expect(got.receipts).toHaveLength(4);
  });

  it("refuses a body over the limit without reading it all", async () => {
    const { handler } = setup();
    const response = await handler.fetch(post("/FHIR/R4/Task", "x".repeat(70_000)));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { issue: { code: string }[] }).issue[0]?.code).toBe("too-long");
  });
});

describe("the Node handler", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void) {
    server = createServer(handler);
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("serves both callback paths from one handler", async () => {
    const { handler, got } = setup();
    const url = await listen(handler.node);
    const headers = { "content-type": "application/json" };
    const a = await fetch(`${url}/FHIR/R4/Task`, { method: "POST", headers, body: JSON.stringify(receipts.rejected) });
    const b = await fetch(`${url}/FHIR/R4/CommunicationRequest`, {
      method: "POST",
      headers,
      body: JSON.stringify(replies["freetext-completed"]),
    });
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(got.receipts[0]?.reason).toBe("NHS number not found");
    expect(got.replies[0]?.answer).toEqual({ kind: "text", text: "Brief sentence or paragraph" });
  });

  it("answers 400 to a reply whose answer holds both a keyword and a text, naming the answer, in both handlers", async () => {
    const both = structuredClone(replies["keyword-completed"]) as { contained: { item: { answer: unknown }[] }[] };
    (both.contained[0]?.item[0] as { answer: unknown }).answer = [
      { valueCoding: { code: "SMOKE" }, valueString: "I smoke" },
    ];
    const { handler, got } = setup();
    const url = await listen(handler.node);
    const viaNode = await fetch(`${url}/FHIR/R4/CommunicationRequest`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(both),
    });
    const viaFetch = await handler.fetch(post("/FHIR/R4/CommunicationRequest", JSON.stringify(both)));
    for (const response of [viaNode, viaFetch]) {
      expect(response.status).toBe(400);
      const outcome = (await response.json()) as { issue: { expression?: string[]; diagnostics: string }[] };
      expect(outcome.issue.map((i) => i.expression?.[0])).toEqual(["contained[0].item[0].answer[0]"]);
      expect(outcome.issue[0]?.diagnostics).toContain("exactly one of valueCoding and valueString");
    }
    expect(got.replies).toEqual([]);
  });

  it("answers 400 to an oversized body streamed in, and the server stays up", async () => {
    const { handler } = setup();
    const url = await listen(handler.node);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${url}/FHIR/R4/Task`, { method: "POST" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      for (let i = 0; i < 20; i++) req.write("x".repeat(10_000));
      req.end();
    }).catch(() => 400); // the server may close the connection before the client finishes writing
    expect(status).toBe(400);
    const after = await fetch(`${url}/FHIR/R4/Task`, { method: "POST", body: JSON.stringify(receipts.read) });
    expect(after.status).toBe(415); // fetch labels a string body text/plain
    const json = await fetch(`${url}/FHIR/R4/Task`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(receipts.read),
    });
    expect(json.status).toBe(202);
  });

  it("reads a body that arrives in several chunks, and answers 202 with an empty body", async () => {
    const { handler, got } = setup();
    const url = await listen(handler.node);
    const text = JSON.stringify(receipts.read);
    const thirds = [text.slice(0, 100), text.slice(100, 200), text.slice(200)];
    const answer = await new Promise<{ status: number; length: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = httpRequest(
          `${url}/FHIR/R4/Task`,
          {
            method: "POST",
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) },
          },
          (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => {
              body += chunk.toString();
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, length: res.headers["content-length"], body }));
          },
        );
        req.on("error", reject);
        // Pauses between the writes, so that the server reads three chunks rather than one.
        void (async () => {
          for (const third of thirds) {
            req.write(third);
            await new Promise((wait) => setTimeout(wait, 20));
          }
          req.end();
        })();
      },
    );
    expect(answer).toEqual({ status: 202, length: "0", body: "" });
    expect(got.receipts.map((r) => r.kind)).toEqual(["Read"]);
  });

  it("answers 500 when the supplier's code throws at once rather than rejecting", async () => {
    const url = await listen(
      createNodeHandler({
        onReceipt: () => {
          throw new Error("not connected");
        },
      }),
    );
    const answer = await fetch(`${url}/FHIR/R4/Task`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(receipts.read),
    });
    expect(answer.status).toBe(500);
    expect(await issueCodes(answer)).toEqual(["exception"]);
  });

  it("answers 400, and keeps serving, when the supplier's own logger throws", async () => {
    const got: Receipt[] = [];
    const url = await listen(
      createNodeHandler({
        onReceipt: (receipt) => void got.push(receipt),
        logger: {
          warn() {
            throw new Error("log sink down");
          },
        },
      }),
    );
    const post = (body: string) =>
      fetch(`${url}/FHIR/R4/Task`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(5_000),
      });
    expect((await post(JSON.stringify(replies["keyword-completed"]))).status).toBe(400);
    expect((await post(JSON.stringify(receipts.read))).status).toBe(202);
    expect(got).toHaveLength(1);
  });

  it("takes the body a parser left on request.body (express.json, express.raw) instead of an empty stream", async () => {
    const { handler, got } = setup();
    const text = JSON.stringify(receipts.notified);
    // As Express's body parsers do: read the stream, then hand over what they made of it.
    for (const parse of [(raw: Buffer) => JSON.parse(raw.toString()) as unknown, (raw: Buffer) => raw]) {
      const url = await listen(async (request, response) => {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        Object.assign(request, { body: parse(Buffer.concat(chunks)) });
        handler.node(request, response);
      });
      const answer = await fetch(`${url}/FHIR/R4/Task`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: text,
      });
      expect(answer.status).toBe(202);
      await new Promise<void>((resolve) => server?.close(() => resolve()));
      server = undefined;
    }
    expect(got.receipts.map((r) => r.kind)).toEqual(["Notified", "Notified"]);
  });

  it("answers 400 at once when something read the body first and left nothing, instead of waiting for ever", async () => {
    const { handler, got } = setup();
    const url = await listen(async (request, response) => {
      for await (const _ of request) {
        // a logging middleware that drains the stream and keeps nothing
      }
      handler.node(request, response);
    });
    const answer = await fetch(`${url}/FHIR/R4/Task`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(receipts.read),
      signal: AbortSignal.timeout(5_000),
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("mount it before body parsers");
    expect(got.receipts).toEqual([]);
  });
});
