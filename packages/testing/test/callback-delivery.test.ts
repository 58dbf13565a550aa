// The sandbox's simulated NHS App posting receipts and replies to a supplier's
// endpoint, against an endpoint written here with nothing but node:https
// (client certificate required), which records every call it gets and answers
// as each test says.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:https";
import type { TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import { freeTextReply, inAppMessage, keywordReply, pushNotification } from "@nhs-app-api/client";
import { operations, requestBodyIssues, systems } from "@nhs-app-api/contract";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { authority, type Issued, issue } from "../../callbacks/test/certificates.js";
import { answerVerdict } from "../src/callback-delivery.js";
import {
  CallbackDelivery,
  type CallbackDeliveryOptions,
  checkCallbackBaseUrl,
  checkReplySettings,
  createTestClient,
  type DeliveryClock,
  replyAnswerProblem,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
  testNhsNumber,
} from "../src/index.js";

interface Call {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  /** The client certificate's subject CN. */
  client: string | undefined;
}

interface Endpoint {
  url: string;
  calls: Call[];
  /** Chooses each answer's status (default 202). */
  answer: (call: Call, index: number) => number;
  close(): Promise<void>;
}

let ca: Issued;
let nhsApp: Issued;
let stranger: Issued;
let endpoints: Endpoint[] = [];
let sandboxes: Sandbox[] = [];

beforeAll(async () => {
  ca = await authority("Supplier callbacks CA");
  const serverCert = await issue(ca, "callbacks.supplier.test", "server");
  nhsApp = await issue(ca, "nhs-app", "client");
  stranger = await authority("not the NHS App");
  // One certificate for every endpoint of this file.
  Object.assign(serverPem, { key: serverCert.key, cert: serverCert.cert });
});
const serverPem = { key: "", cert: "" };

afterEach(async () => {
  await Promise.all(sandboxes.map((sandbox) => sandbox.stop()));
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  sandboxes = [];
  endpoints = [];
});
afterAll(async () => {
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
});

/** A callback endpoint that requires a client certificate signed by the CA, and records each call. */
async function startEndpoint(): Promise<Endpoint> {
  const calls: Call[] = [];
  let server: Server | undefined;
  const endpoint: Endpoint = {
    url: "",
    calls,
    answer: () => 202,
    close: () =>
      new Promise((resolve) => {
        server?.closeAllConnections();
        server?.close(() => resolve());
      }),
  };
  server = createServer(
    { key: serverPem.key, cert: serverPem.cert, ca: ca.cert, requestCert: true, rejectUnauthorized: true },
    (request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const call: Call = {
          path: request.url ?? "",
          headers: request.headers,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
          client: (request.socket as TLSSocket).getPeerCertificate().subject?.CN as string | undefined,
        };
        calls.push(call);
        response.statusCode = endpoint.answer(call, calls.length - 1);
        response.end();
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint.url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  endpoints.push(endpoint);
  return endpoint;
}

const tls = () => ({ cert: nhsApp.cert, key: nhsApp.key, ca: ca.cert });

/**
 * A delivery clock that the test moves by hand: each wait the delivery asks
 * for stays pending until the test moves the clock past it, so what a test
 * sees does not hang on how busy the machine is.
 */
function handClock() {
  let now = 0;
  const waits: { at: number; fire: () => void }[] = [];
  const asked: number[] = [];
  const clock: DeliveryClock = {
    now: () => now,
    after(ms, fire) {
      const wait = { at: now + ms, fire };
      waits.push(wait);
      asked.push(ms);
      return () => {
        if (waits.includes(wait)) waits.splice(waits.indexOf(wait), 1);
      };
    },
  };
  return {
    clock,
    /** Every wait asked for, in ms, in order. */
    asked,
    /** The waits still pending: how long until each is due. */
    pending: () => waits.map((wait) => wait.at - now),
    /** Moves the clock on, firing each wait that falls due, earliest first. */
    advance(ms: number) {
      now += ms;
      for (const wait of waits.filter((w) => w.at <= now).sort((a, b) => a.at - b.at)) {
        waits.splice(waits.indexOf(wait), 1);
        wait.fire();
      }
    },
  };
}

/** For waits on real sockets: long enough that a busy machine never reaches it. */
const PATIENTLY = { timeout: 30_000 };

/**
 * Noon UTC today: outside the push quiet hours (22:00-06:00 UK time), so the
 * notification receipts come as planned whatever the hour the suite runs at.
 */
const NOON_TODAY = `${new Date().toISOString().slice(0, 10)}T12:00:00Z`;

async function sandboxFor(endpoint: Endpoint, options: Partial<SandboxOptions> = {}) {
  const lines: string[] = [];
  const sandbox = await startSandbox({
    port: 0,
    ...(options.now ? {} : { clock: { start: NOON_TODAY } }),
    ...options,
    callbacks: { baseUrl: endpoint.url, tls: tls(), log: (line) => lines.push(line), ...options.callbacks },
  });
  sandboxes.push(sandbox);
  return { sandbox, lines, client: createTestClient(sandbox.gateway) };
}

const RECEIPT_PATH = operations["create-realtime-receipt"].path;
const REPLY_PATH = operations["create-realtime-replies"].path;
const [ORDINARY, READER, REJECTED, UNNOTIFIED, UNACKNOWLEDGED, PUSHED] = [1, 2, 3, 4, 5, 6].map(testNhsNumber) as [
  string,
  string,
  string,
  string,
  string,
  string,
];

/** The communication ID a call is about: a receipt's identifier, or the message a reply is based on. */
function aboutOf(call: Call): string | undefined {
  const body = call.body as {
    identifier?: { system: string; value: string }[];
    basedOn?: { identifier: { value: string } }[];
  };
  return call.path === REPLY_PATH
    ? body.basedOn?.[0]?.identifier.value
    : body.identifier?.find((i) => i.system === systems.communicationId)?.value;
}

/** What each message got, in arrival order: receipt codes, and `reply:<answer>`. */
function story(calls: Call[], names: Map<string, string>) {
  const byMessage: Record<string, string[]> = {};
  for (const call of calls) {
    const name = names.get(aboutOf(call) ?? "") ?? "?";
    const body = call.body as {
      code?: { coding: { code: string }[] };
      contained?: { item: { answer: { valueCoding?: { code: string }; valueString?: string }[] }[] }[];
    };
    const answer = body.contained?.[0]?.item[0]?.answer[0];
    const what =
      call.path === RECEIPT_PATH
        ? (body.code?.coding[0]?.code ?? "?")
        : `reply:${answer?.valueCoding?.code ?? answer?.valueString}`;
    byMessage[name] = [...(byMessage[name] ?? []), what];
  }
  return byMessage;
}

describe("callback delivery to an endpoint behind mutual TLS", () => {
  it("posts every message's receipts in state-model order, chosen outcomes by NHS number, and the reply after Read", async () => {
    const endpoint = await startEndpoint();
    const { sandbox, client, lines } = await sandboxFor(endpoint, {
      delivery: {
        timing: { stepMs: 5 },
        outcomes: {
          rejected: [REJECTED],
          unnotified: [UNNOTIFIED],
          notAcknowledged: [UNACKNOWLEDGED],
          read: [READER, UNNOTIFIED, UNACKNOWLEDGED],
        },
        replies: { text: "Tuesday suits me" },
      },
    });
    const names = new Map<string, string>();
    const send = async (name: string, nhsNumber: string, reply?: "keyword" | "text") => {
      const message = inAppMessage({
        nhsNumber,
        odsCode: "B82041",
        text: "Can you come on Tuesday?",
        campaignId: "clinic-7",
        requestId: `row-${name}`,
        ...(reply === "keyword" ? { reply: keywordReply(["YES", "NO"]) } : {}),
        ...(reply === "text" ? { reply: freeTextReply() } : {}),
      });
      names.set((await client.sendInAppMessage(message)).communicationId, name);
    };
    await send("ordinary", ORDINARY);
    await send("reader", READER, "text");
    await send("rejected", REJECTED, "keyword");
    await send("unnotified", UNNOTIFIED);
    await send("unacknowledged", UNACKNOWLEDGED);
    // Not on the read list, but it offers a keyword reply: read and answered only if listed, so neither.
    await send("keyword", ORDINARY, "keyword");
    const push = await client.sendPushNotification(
      pushNotification({ nhsNumber: PUSHED, text: "Hi", url: "https://www.nhsapp.service.nhs.uk/" }),
    );
    names.set(push.communicationId, "push");

    await sandbox.callbacks?.settled();
    expect(story(endpoint.calls, names)).toEqual({
      ordinary: ["Delivered", "NotificationAttempted", "Notified"],
      reader: ["Delivered", "NotificationAttempted", "Notified", "Read", "reply:Tuesday suits me"],
      rejected: ["Rejected"],
      unnotified: ["Delivered", "Unnotified", "Read"],
      unacknowledged: ["Delivered", "NotificationAttempted", "Read"],
      keyword: ["Delivered", "NotificationAttempted", "Notified"],
      push: ["NotificationAttempted", "Notified"],
    });
    const rejected = endpoint.calls.find((call) => (call.body.status as string) === "rejected");
    expect(rejected?.body.statusReason).toEqual({ text: "NHS number not found" });
    // Every call: the NHS App's client certificate, POST to the spec's paths as each spec's media type; each one taken.
    const mediaType = {
      [RECEIPT_PATH]: operations["create-realtime-receipt"].requestMediaTypes[0],
      [REPLY_PATH]: operations["create-realtime-replies"].requestMediaTypes[0],
    };
    for (const call of endpoint.calls) {
      expect(call.client).toBe("nhs-app");
      expect([RECEIPT_PATH, REPLY_PATH]).toContain(call.path);
      expect(call.headers["content-type"]).toBe(mediaType[call.path as keyof typeof mediaType]);
    }
    expect(sandbox.callbacks?.delivered).toHaveLength(endpoint.calls.length);
    expect(sandbox.callbacks?.undelivered).toEqual([]);
    expect(lines).toEqual([]);
  });

  it("sends bodies that are valid by the callback specs, every one of them", async () => {
    const endpoint = await startEndpoint();
    const { sandbox, client } = await sandboxFor(endpoint, {
      delivery: { timing: { stepMs: 1 }, outcomes: { rejected: [REJECTED], unnotified: [UNNOTIFIED], read: "all" } },
    });
    for (const nhsNumber of [ORDINARY, REJECTED, UNNOTIFIED]) {
      for (const reply of [undefined, keywordReply(["SMOKE", "VAPE", "NEITHER"]), freeTextReply()]) {
        await client.sendInAppMessage(
          inAppMessage({
            nhsNumber,
            odsCode: "B82041",
            text: "Do you smoke?",
            campaignId: "smoking-2026",
            requestId: `r-${nhsNumber}-${reply?.contained[0].item[0]?.type ?? "none"}`,
            onBehalfOf: "A12345",
            ...(reply ? { reply } : {}),
          }),
        );
      }
      await client.sendPushNotification(
        pushNotification({
          nhsNumber,
          text: "Hi",
          url: "https://www.nhsapp.service.nhs.uk/",
          requestId: `p-${nhsNumber}`,
        }),
      );
    }
    await sandbox.callbacks?.settled();
    const receipts = endpoint.calls.filter((call) => call.path === RECEIPT_PATH);
    const replies = endpoint.calls.filter((call) => call.path === REPLY_PATH);
    // Every receipt code the outcomes above can reach, and both kinds of reply.
    expect(new Set(receipts.map((call) => (call.body.code as { coding: { code: string }[] }).coding[0]?.code))).toEqual(
      new Set(["Delivered", "Rejected", "NotificationAttempted", "Notified", "Unnotified", "Read"]),
    );
    expect(replies).toHaveLength(4);
    for (const call of receipts) expect(requestBodyIssues("create-realtime-receipt", call.body)).toEqual([]);
    for (const call of replies) expect(requestBodyIssues("create-realtime-replies", call.body)).toEqual([]);
    // A reply carries the campaign and request identifiers, not on-behalf-of.
    expect(replies[0]?.body.identifier).toEqual([
      { system: systems.campaignId, value: "smoking-2026" },
      { system: systems.requestId, value: expect.stringMatching(/^r-/) },
    ]);
  });

  it("tries a call again after a 500, waiting longer each time, until it is taken", async () => {
    const endpoint = await startEndpoint();
    endpoint.answer = (_call, index) => (index < 2 ? 500 : 202);
    const hand = handClock();
    const { sandbox, client, lines } = await sandboxFor(endpoint, {
      callbacks: { baseUrl: endpoint.url, retry: { retries: 3, initialDelayMs: 40, factor: 2 }, clock: hand.clock },
    });
    await client.sendPushNotification(
      pushNotification({ nhsNumber: UNNOTIFIED, text: "Hi", url: "https://www.nhsapp.service.nhs.uk/" }),
    );
    // Refused once: the next try waits 40 ms, and nothing goes meanwhile.
    await expect.poll(() => hand.pending(), PATIENTLY).toEqual([40]);
    expect(endpoint.calls).toHaveLength(1);
    hand.advance(39);
    expect(hand.pending()).toEqual([1]);
    hand.advance(1);
    // Refused again: the wait doubles.
    await expect.poll(() => hand.pending(), PATIENTLY).toEqual([80]);
    expect(endpoint.calls).toHaveLength(2);
    hand.advance(80);
    await sandbox.callbacks?.settled();
    // The first receipt three times (500, 500, 202), then the second (whose time had come) once.
    const codes = endpoint.calls.map((call) => (call.body.code as { coding: { code: string }[] }).coding[0]?.code);
    expect(codes).toEqual(["NotificationAttempted", "NotificationAttempted", "NotificationAttempted", "Notified"]);
    expect(endpoint.calls[1]?.body).toEqual(endpoint.calls[0]?.body);
    expect(hand.asked).toEqual([40, 80]);
    expect(sandbox.callbacks?.delivered.map((d) => d.attempts)).toEqual([3, 1]);
    expect(sandbox.callbacks?.undelivered).toEqual([]);
    expect(lines).toEqual([]);
  });

  it("posts each callback when its plan says, from acceptance, waiting on its clock in between", async () => {
    const endpoint = await startEndpoint();
    const hand = handClock();
    const { sandbox, client } = await sandboxFor(endpoint, {
      delivery: { timing: { firstMs: 1000, stepMs: 5, replyMs: 500 }, outcomes: { read: "all" } },
      callbacks: { baseUrl: endpoint.url, clock: hand.clock },
    });
    await client.sendInAppMessage(
      inAppMessage({ nhsNumber: ORDINARY, odsCode: "B82041", text: "Can you come?", reply: keywordReply(["YES"]) }),
    );
    // Each wait as the plan times it, and the call before it already taken: a second to the first receipt,
    // 5 ms between receipts, half a second from Read to the reply.
    for (const [wait, callsBefore] of [
      [1000, 0],
      [5, 1],
      [5, 2],
      [5, 3],
      [500, 4],
    ] as const) {
      await expect.poll(() => hand.pending(), PATIENTLY).toEqual([wait]);
      expect(endpoint.calls).toHaveLength(callsBefore);
      hand.advance(wait);
    }
    await sandbox.callbacks?.settled();
    expect(Object.values(story(endpoint.calls, new Map()))).toEqual([
      ["Delivered", "NotificationAttempted", "Notified", "Read", "reply:YES"],
    ]);
    expect(hand.asked).toEqual([1000, 5, 5, 5, 500]);
  });

  it("reports what an endpoint that always fails never took: the reason, the last status, a log line", async () => {
    const endpoint = await startEndpoint();
    endpoint.answer = () => 500;
    const { sandbox, client, lines } = await sandboxFor(endpoint, {
      callbacks: { baseUrl: endpoint.url, retry: { retries: 2, initialDelayMs: 1 } },
    });
    const sent = await client.sendPushNotification(
      pushNotification({ nhsNumber: ORDINARY, text: "Hi", url: "https://www.nhsapp.service.nhs.uk/" }),
    );
    await sandbox.callbacks?.settled();
    // Each receipt three times, in order: the second is still sent after the first was given up.
    expect(endpoint.calls).toHaveLength(6);
    expect(sandbox.callbacks?.delivered).toEqual([]);
    expect(sandbox.callbacks?.undelivered).toEqual([
      expect.objectContaining({
        kind: "receipt",
        receipt: "NotificationAttempted",
        communicationId: sent.communicationId,
        url: `${endpoint.url}${RECEIPT_PATH}`,
        attempts: 3,
        reason: "the endpoint answered 500",
        lastStatus: 500,
      }),
      expect.objectContaining({ receipt: "Notified", attempts: 3, lastStatus: 500 }),
    ]);
    expect(lines).toEqual([
      `sandbox: could not deliver the NotificationAttempted receipt of communication ${sent.communicationId} to ${endpoint.url}${RECEIPT_PATH} after 3 attempts: the endpoint answered 500`,
      `sandbox: could not deliver the Notified receipt of communication ${sent.communicationId} to ${endpoint.url}${RECEIPT_PATH} after 3 attempts: the endpoint answered 500`,
    ]);
  });

  it("reports an endpoint it cannot reach, and one that refuses its certificate, with no status", async () => {
    const endpoint = await startEndpoint();
    const port = new URL(endpoint.url).port;
    await endpoint.close();
    endpoints = endpoints.filter((e) => e !== endpoint);
    const gone = await sandboxFor(endpoint, {
      callbacks: { baseUrl: `https://127.0.0.1:${port}`, retry: { retries: 1, initialDelayMs: 1 } },
    });
    await gone.client.sendPushNotification(
      pushNotification({ nhsNumber: UNNOTIFIED, text: "Hi", url: "https://www.nhsapp.service.nhs.uk/" }),
    );
    await gone.sandbox.callbacks?.settled();
    const [unreached] = gone.sandbox.callbacks?.undelivered ?? [];
    expect(unreached).toMatchObject({ attempts: 2, reason: "could not reach the endpoint (ECONNREFUSED)" });
    expect(unreached).not.toHaveProperty("lastStatus");

    const strict = await startEndpoint();
    const refused = await sandboxFor(strict, {
      callbacks: {
        baseUrl: strict.url,
        tls: { cert: stranger.cert, key: stranger.key, ca: ca.cert },
        retry: { retries: 0 },
      },
    });
    await refused.client.sendPushNotification(
      pushNotification({ nhsNumber: UNNOTIFIED, text: "Hi", url: "https://www.nhsapp.service.nhs.uk/" }),
    );
    await refused.sandbox.callbacks?.settled();
    expect(strict.calls).toEqual([]);
    expect(refused.sandbox.callbacks?.undelivered[0]?.reason).toMatch(/^could not reach the endpoint \(/);
    // One line for each receipt it could not deliver (NotificationAttempted, Notified).
    expect(refused.lines).toHaveLength(2);
  });

  it("sends nothing once the sandbox stops", async () => {
    const endpoint = await startEndpoint();
    const hand = handClock();
    const { sandbox, client } = await sandboxFor(endpoint, {
      delivery: { timing: { stepMs: 100 } },
      callbacks: { baseUrl: endpoint.url, retry: { initialDelayMs: 100 }, clock: hand.clock },
    });
    endpoint.answer = () => 503;
    await client.sendInAppMessage(inAppMessage({ nhsNumber: ORDINARY, odsCode: "B82041", text: "Hi" }));
    // The first receipt refused, its retry waiting.
    await expect.poll(() => hand.pending(), PATIENTLY).toEqual([100]);
    expect(endpoint.calls).toHaveLength(1);
    await sandbox.stop();
    // Every wait is cancelled: the retry and the later receipts never go, however far the clock moves.
    expect(hand.pending()).toEqual([]);
    hand.advance(3_600_000);
    await sandbox.callbacks?.settled();
    expect(endpoint.calls).toHaveLength(1);
    expect(sandbox.callbacks?.undelivered).toEqual([]);
  });

  it("leaves no timer behind: a process whose sandbox stopped mid-delivery exits at once", async () => {
    // Ten-minute waits (the next receipt, the retry of an unreachable endpoint): left behind, they would hold the process.
    const script = `
      const { startSandbox, createTestClient, testNhsNumber } = await import(${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)});
      const { inAppMessage } = await import("@nhs-app-api/client");
      const sandbox = await startSandbox({
        port: 0,
        delivery: { timing: { stepMs: 600000 } },
        callbacks: { baseUrl: "https://127.0.0.1:9", retry: { initialDelayMs: 600000, maxDelayMs: 600000 }, log: () => {} },
      });
      await createTestClient(sandbox.gateway).sendInAppMessage(
        inAppMessage({ nhsNumber: testNhsNumber(1), odsCode: "B82041", text: "Hi" }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      await sandbox.stop();
      console.log("stopped");
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    // A guard against a hang (the test's own failure), not a deadline: a busy machine takes seconds to start tsx.
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    try {
      expect(await exited).toBe(0);
      expect(output.trim()).toBe("stopped");
    } finally {
      clearTimeout(timer);
      child.kill("SIGKILL");
    }
  });
});

describe("callbacks checked against their contract before they are posted", () => {
  it("never posts a body the contract refuses: it is undelivered after 0 attempts, said in one line", async () => {
    const endpoint = await startEndpoint();
    // A patient whose free-text answer is empty: a reply the replies contract refuses (valueString, at least 1 character).
    const { sandbox, client, lines } = await sandboxFor(endpoint, {
      delivery: { timing: { stepMs: 1 }, outcomes: { read: "all" }, replies: { text: () => "" } },
    });
    // The request's ODS code pattern takes RX1; the reply's recipient pattern takes only practice codes.
    const trust = await client.sendInAppMessage(
      inAppMessage({ nhsNumber: ORDINARY, odsCode: "RX1", text: "Can you come?", reply: keywordReply(["YES"]) }),
    );
    const silent = await client.sendInAppMessage(
      inAppMessage({ nhsNumber: READER, odsCode: "B82041", text: "How are you?", reply: freeTextReply() }),
    );
    await sandbox.callbacks?.settled();
    // Every receipt posted (they are valid); neither reply.
    expect(endpoint.calls.filter((call) => call.path === REPLY_PATH)).toEqual([]);
    expect(endpoint.calls.filter((call) => call.path === RECEIPT_PATH)).toHaveLength(8);
    for (const call of endpoint.calls) expect(requestBodyIssues("create-realtime-receipt", call.body)).toEqual([]);
    const undelivered = sandbox.callbacks?.undelivered ?? [];
    expect(undelivered.map(({ kind, communicationId, attempts }) => ({ kind, communicationId, attempts }))).toEqual(
      expect.arrayContaining([
        { kind: "reply", communicationId: trust.communicationId, attempts: 0 },
        { kind: "reply", communicationId: silent.communicationId, attempts: 0 },
      ]),
    );
    expect(undelivered).toHaveLength(2);
    const reasonOf = (id: string) => undelivered.find((callback) => callback.communicationId === id)?.reason;
    expect(reasonOf(trust.communicationId)).toBe(
      "its body breaks the realtime replies contract (recipient[0].identifier.value: Invalid format)",
    );
    expect(reasonOf(silent.communicationId)).toMatch(
      /^its body breaks the realtime replies contract \(contained\[0\]\.item\[0\]\.answer\[0\]\.valueString: /,
    );
    expect(undelivered.every((callback) => callback.lastStatus === undefined)).toBe(true);
    expect(lines.sort()).toEqual(
      [trust, silent]
        .map(
          ({ communicationId }) =>
            `sandbox: did not post the reply of communication ${communicationId} to ${endpoint.url}${REPLY_PATH}: ${reasonOf(communicationId)}`,
        )
        .sort(),
    );
    // No NHS number in what is said.
    expect(lines.join("\n")).not.toMatch(/\d{10}/);
  });
});

describe("CallbackDelivery options", () => {
  const base: CallbackDeliveryOptions = { baseUrl: "https://127.0.0.1:9" };
  it("refuses settings that cannot work, when it is made", () => {
    expect(() => new CallbackDelivery({ baseUrl: "ftp://example.test" })).toThrow(/https/);
    expect(() => new CallbackDelivery({ baseUrl: "not a url" })).toThrow(/not a URL/);
    expect(() => new CallbackDelivery({ baseUrl: "http://127.0.0.1:9", tls: tls() })).toThrow(/Mutual TLS/);
    expect(() => new CallbackDelivery({ ...base, retry: { retries: -1 } })).toThrow(/retry.retries/);
    expect(() => new CallbackDelivery({ ...base, retry: { factor: 0.5 } })).toThrow(/retry.factor/);
    expect(() => new CallbackDelivery({ ...base, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new CallbackDelivery({ ...base, scenario: { timing: { stepMs: -5 } } })).toThrow(/timing.stepMs/);
  });

  it("refuses a base URL with user info, a query or a fragment, naming each, never repeating a password", () => {
    const refusal = (baseUrl: string, tls?: boolean) => {
      try {
        return `taken as ${checkCallbackBaseUrl(baseUrl, tls === undefined ? {} : { tls })}`;
      } catch (error) {
        return (error as Error).message;
      }
    };
    const everything = refusal("https://user:s3cret@127.0.0.1:9/cb/?code=x#top");
    expect(everything).toBe(
      "The callback base URL has user info (user:password@), a query (?...) and a fragment (#...): give only its scheme, host, port and path (the callback paths go after it)",
    );
    expect(refusal("https://user@127.0.0.1:9/cb")).toMatch(/^The callback base URL has user info \(user:password@\):/);
    expect(refusal("https://127.0.0.1:9/cb?code=x")).toMatch(/^The callback base URL has a query \(\?\.\.\.\):/);
    expect(refusal("https://127.0.0.1:9/cb#top")).toMatch(/^The callback base URL has a fragment \(#\.\.\.\):/);
    // A string that is not a URL may still hold a password: it is not repeated either.
    expect(refusal("https://user:s3cret@[bad")).toBe(
      "The callback base URL is not a URL: give one such as https://127.0.0.1:8443",
    );
    expect(refusal("http://127.0.0.1:9", true)).toBe("Mutual TLS needs an https callback base URL");
    // CallbackDelivery (and so the sandbox) applies the same rule.
    expect(() => new CallbackDelivery({ baseUrl: "https://u:p@127.0.0.1:9/cb" })).toThrow(/user info/);
    // A bare "?" or "#" carries nothing, so nothing is lost.
    expect(refusal("HTTPS://Callbacks.Example.TEST:443/nhs-app/?")).toBe(
      "taken as https://callbacks.example.test/nhs-app",
    );
  });

  it("keeps the base URL's path, without a trailing slash", () => {
    expect(new CallbackDelivery({ baseUrl: "https://callbacks.example.test/nhs-app/" }).baseUrl).toBe(
      "https://callbacks.example.test/nhs-app",
    );
  });

  it("a sandbox with bad callback settings does not start, and frees its port", async () => {
    await expect(startSandbox({ port: 0, callbacks: { baseUrl: "ftp://x" } })).rejects.toThrow(/https/);
  });

  it("sends plain http only to this machine: callbacks carry NHS numbers", async () => {
    const verdict = (baseUrl: string) => {
      try {
        return checkCallbackBaseUrl(baseUrl);
      } catch (error) {
        return (error as Error).message;
      }
    };
    const refusal =
      "The callback base URL must be https unless it is on this machine (localhost, 127.0.0.0/8 or ::1): callbacks carry NHS numbers, never sent in clear";
    // Loopback, as the URL parser writes it.
    expect(verdict("http://127.0.0.1:8080/cb")).toBe("http://127.0.0.1:8080/cb");
    expect(verdict("http://127.10.20.30:9")).toBe("http://127.10.20.30:9");
    expect(verdict("http://127.1:9")).toBe("http://127.0.0.1:9");
    expect(verdict("http://LocalHost:9/")).toBe("http://localhost:9");
    expect(verdict("http://localhost.:9")).toBe("http://localhost.:9");
    expect(verdict("http://[::1]:9")).toBe("http://[::1]:9");
    expect(verdict("http://[0:0:0:0:0:0:0:1]:9")).toBe("http://[::1]:9");
    expect(verdict("http://[::ffff:127.0.0.1]:9")).toBe("http://[::ffff:7f00:1]:9");
    // Anywhere else: https only.
    for (const elsewhere of [
      "http://callbacks.example.test",
      "http://10.0.0.7:8080",
      "http://128.0.0.1",
      "http://0.0.0.0:9",
      "http://localhost.example.test",
      "http://127.0.0.1.example.test",
      "http://[::2]:9",
      "http://[::ffff:10.0.0.1]:9",
    ]) {
      expect(`${elsewhere}: ${verdict(elsewhere)}`).toBe(`${elsewhere}: ${refusal}`);
    }
    expect(verdict("https://callbacks.example.test")).toBe("https://callbacks.example.test");
    // The library refuses it as the flag does: CallbackDelivery, and so a sandbox, which then frees its port.
    expect(() => new CallbackDelivery({ baseUrl: "http://callbacks.example.test" })).toThrow(refusal);
    await expect(startSandbox({ port: 0, callbacks: { baseUrl: "http://10.0.0.7:8080" } })).rejects.toThrow(refusal);
  });

  it("refuses fixed reply settings that would break the replies contract, naming the contract's limit", async () => {
    expect(() => new CallbackDelivery({ ...base, scenario: { replies: { text: "" } } })).toThrow(
      new RangeError(
        "replies.text must be at least 1 character, as the realtime replies contract's valueString asks (it has 0)",
      ),
    );
    expect(() => checkReplySettings({ keyword: "" })).toThrow(
      "replies.keyword must be at least 1 character, as the realtime replies contract's valueCoding.code asks (it has 0)",
    );
    await expect(
      startSandbox({ port: 0, delivery: { replies: { text: "" } }, callbacks: { baseUrl: "https://127.0.0.1:9" } }),
    ).rejects.toThrow(/replies.text/);
    // What the contract takes is taken; functions are judged reply by reply (above).
    expect(replyAnswerProblem({ kind: "text", text: "Tuesday suits me" })).toBeUndefined();
    expect(replyAnswerProblem({ kind: "text", text: "x".repeat(5000) })).toBeUndefined();
    expect(replyAnswerProblem({ kind: "keyword", code: "NOT-OFFERED" })).toBeUndefined();
    expect(() => checkReplySettings({ text: () => "", keyword: () => "" })).not.toThrow();
    // The contract has no maximum today; one would be named as the minimum is (the limits are read from it).
    expect(answerVerdict({ kind: "text", text: "x".repeat(60) }, { minLength: 1, maxLength: 50 }, [])).toBe(
      "must be 1 to 50 characters, as the realtime replies contract's valueString asks (it has 60)",
    );
    expect(answerVerdict({ kind: "text", text: "😀".repeat(50) }, { maxLength: 50 }, [])).toBeUndefined();
    expect(answerVerdict({ kind: "keyword", code: "NO" }, {}, ["Invalid format"])).toBe(
      "is refused by the realtime replies contract's valueCoding.code: Invalid format",
    );
  });
});
