// `nhs-app sandbox messages|deliver|reply|replay|fail|faults|reset|clock`
// against a real sandbox started in this process on a free port, with a
// callback endpoint of its own on 127.0.0.1. The sandbox's clock starts at a
// fixed time and nothing happens by itself for an hour, so every receipt
// here is one a command made happen. Most command lines run the CLI's own
// `run` in this process; the built executable is run too.
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import { freeTextReply, inAppMessage, keywordReply } from "@nhs-app-api/client";
import { enums } from "@nhs-app-api/contract";
import {
  createTestClient,
  type FaultView,
  freePort,
  type MessageView,
  type Sandbox,
  startSandbox,
  TEST_PATIENTS,
  testNhsNumber,
} from "@nhs-app-api/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, isOneErrorLine, runCli, runInProcess } from "./support/cli.ts";

await ensureBuilt();

const START = "2026-12-05T14:00:00.000Z";
const HOUR = 3_600_000;

/** A plain-http callback endpoint on 127.0.0.1 that takes every post (202). */
async function callbackEndpoint() {
  let posts = 0;
  const server: Server = createHttpServer((request, response) => {
    request.resume().on("end", () => {
      posts++;
      response.writeHead(202).end();
    });
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    posts: () => posts,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

let endpoint: Awaited<ReturnType<typeof callbackEndpoint>>;
let sandbox: Sandbox;
let client: ReturnType<typeof createTestClient>;
let origin: string;
let env: Record<string, string>;

beforeAll(async () => {
  endpoint = await callbackEndpoint();
  sandbox = await startSandbox({
    port: 0,
    clock: { start: START },
    delivery: { timing: { firstMs: HOUR, stepMs: 60_000 } },
    callbacks: { baseUrl: endpoint.url, retry: { retries: 0 }, log: () => {} },
  });
  client = createTestClient({ ...sandbox, keys: sandbox.gateway.keys });
  origin = new URL(sandbox.baseUrl).origin;
  env = { NHS_APP_SANDBOX_URL: origin };
});
afterEach(() => {
  sandbox.workbench.reset();
  sandbox.workbench.clearFaults();
});
afterAll(async () => {
  await sandbox?.stop();
  await endpoint?.close();
});

async function send(options: { nhsNumber?: string; requestId?: string; reply?: "keywords" | "text" } = {}) {
  const created = await client.sendInAppMessage(
    inAppMessage({
      nhsNumber: options.nhsNumber ?? testNhsNumber(1),
      odsCode: "B82041",
      text: "Your appointment is on Monday.",
      ...(options.requestId ? { requestId: options.requestId } : {}),
      ...(options.reply === "keywords" ? { reply: keywordReply(["YES", "NO"]) } : {}),
      ...(options.reply === "text" ? { reply: freeTextReply() } : {}),
    }),
  );
  return created.communicationId;
}

/** Waits, by turns of the event loop, until the sandbox has `count` callbacks and none is still being sent. */
async function callbacksSettled(count: number) {
  const records = () => sandbox.callbacks?.callbacks ?? [];
  while (records().length < count || records().some((record) => record.state === "sending")) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const cli = (...args: string[]) => runInProcess(["sandbox", ...args], env);

/** A command line that must fail as a usage error, before any call: no sandbox listens at its URL. */
async function usage(args: string[], says: string | RegExp) {
  const run = await runInProcess(["sandbox", ...args], { NHS_APP_SANDBOX_URL: `http://127.0.0.1:${await freePort()}` });
  expect(run.code).toBe(2);
  expect(run.stdout).toBe("");
  expect(isOneErrorLine(run.stderr)).toBe(true);
  expect(run.stderr).toMatch(says);
}

/** A command line the sandbox refuses: exit 1, its diagnostics on one line. */
async function refused(args: string[], status: number, says: string | RegExp) {
  const run = await cli(...args);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe("");
  expect(isOneErrorLine(run.stderr)).toBe(true);
  expect(run.stderr).toContain(`nhs-app: the sandbox at ${origin} refused (${status}): `);
  expect(run.stderr).toMatch(says);
}

describe("nhs-app sandbox messages", () => {
  it("says on stderr when there are none, and prints nothing", async () => {
    const run = await cli("messages");
    expect(run).toEqual({ code: 0, stdout: "", stderr: expect.stringContaining("no messages") });
  });

  it("lists the messages newest first, one line each: time, kind, ID, reference, test patient, last receipt, callbacks", async () => {
    const first = await send({ requestId: "ref-first" });
    const rejected = TEST_PATIENTS.find((patient) => patient.name === "rejected")?.nhsNumber;
    const second = await send({ nhsNumber: rejected ?? "" });
    expect((await cli("deliver", first)).code).toBe(0);
    await callbacksSettled(1);

    const run = await cli("messages");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const [header, ...lines] = run.stdout.trimEnd().split("\n");
    expect(header?.split(/\s{2,}/)).toEqual([
      "RECEIVED",
      "KIND",
      "COMMUNICATION ID",
      "REFERENCE",
      "TEST PATIENT",
      "LAST RECEIPT",
      "CALLBACKS",
    ]);
    expect(lines.map((line) => line.split(/\s{2,}/))).toEqual([
      [expect.stringMatching(/^2026-12-05T14:/), "in-app", second, "-", "rejected", "-", "-"],
      [
        expect.stringMatching(/^2026-12-05T14:/),
        "in-app",
        first,
        "ref-first",
        "-",
        "Delivered",
        "1 delivered, 0 undelivered",
      ],
    ]);
  });

  it("--limit lists the newest n and says on stderr how many there are; --json prints the sandbox's JSON", async () => {
    await send();
    const newest = await send();
    const limited = await cli("messages", "--limit", "1");
    expect(limited.code).toBe(0);
    expect(limited.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(limited.stdout).toContain(newest);
    expect(limited.stderr).toBe("the newest 1 of 2 messages (--limit for more)\n");

    const json = await cli("messages", "--json", "--limit", "1");
    expect(json.code).toBe(0);
    const answer = JSON.parse(json.stdout) as { total: number; messages: MessageView[] };
    expect(answer.total).toBe(2);
    expect(answer.messages.map((message) => message.communicationId)).toEqual([newest]);
    expect(answer.messages[0]?.receipts.map((receipt) => receipt.kind)).toEqual([
      "Delivered",
      "NotificationAttempted",
      "Notified",
    ]);
  });

  it("refuses a limit that is not a whole number from 1", async () => {
    await usage(
      ["messages", "--limit", "0"],
      /argument '0' is invalid\. A limit must be a whole number from 1 to 1000\./,
    );
  });
});

describe("nhs-app sandbox deliver", () => {
  it("makes the next receipt happen now, or the chosen one with those before it", async () => {
    const id = await send();
    const next = await cli("deliver", id);
    expect(next).toEqual({
      code: 0,
      stdout: `${id}: receipts so far: Delivered; still to come: NotificationAttempted, Notified\n`,
      stderr: "",
    });
    const read = await cli("deliver", id, "--receipt", "Read");
    expect(read.stdout).toBe(
      `${id}: receipts so far: Delivered, NotificationAttempted, Notified, Read; still to come: none\n`,
    );
    const json = await cli(
      "deliver",
      await send(),
      "--receipt",
      "Rejected",
      "--reason",
      "Patient has left the practice",
      "--json",
    );
    const view = JSON.parse(json.stdout) as MessageView;
    expect(view.receipts).toEqual([
      expect.objectContaining({
        kind: "Rejected",
        reason: "Patient has left the practice",
        happened: true,
        source: "control",
      }),
    ]);
  });

  it("checks the receipt against the contract's codes before calling, and --reason goes with Rejected only", async () => {
    await usage(
      ["deliver", "some-id", "--receipt", "Opened"],
      `argument 'Opened' is invalid. A receipt is one of ${enums.receiptCodes.join(", ")}.`,
    );
    await usage(
      ["deliver", "some-id", "--receipt", "Read", "--reason", "why"],
      "--reason goes only with --receipt Rejected",
    );
    await usage(["deliver"], "missing required argument 'communication-id'");
  });

  it("says what the sandbox refuses: a message it has not got (naming it), a receipt the state model does not allow", async () => {
    await refused(["deliver", "no-such-message"], 404, "No message no-such-message in this sandbox");
    const id = await send();
    await cli("deliver", id);
    await refused(["deliver", id, "--receipt", "Rejected"], 409, "cannot be Rejected now");
  });
});

describe("nhs-app sandbox reply", () => {
  it("makes the patient reply now with a keyword offered, or free text, reading the message first", async () => {
    const id = await send({ reply: "keywords" });
    const run = await cli("reply", id, "--keyword", "YES");
    expect(run).toEqual({
      code: 0,
      stdout: `${id}: receipts so far: Delivered, NotificationAttempted, Notified, Read; still to come: none; replied YES\n`,
      stderr: "",
    });
    const text = await cli("reply", await send({ reply: "text" }), "--text", "Yes please", "--json");
    expect((JSON.parse(text.stdout) as MessageView).reply).toMatchObject({
      answer: { kind: "text", text: "Yes please" },
      happened: true,
      source: "control",
    });
  });

  it("takes exactly one of --keyword or --text", async () => {
    await usage(
      ["reply", "some-id"],
      "give exactly one of --keyword <code> (a keyword the message offered) or --text <text>",
    );
    await usage(["reply", "some-id", "--keyword", "YES", "--text", "yes"], "give exactly one of --keyword");
    await usage(["reply", "some-id", "--text", " "], "The text must not be empty.");
  });

  it("says what the sandbox refuses: a keyword not offered, a reply to a message that offered none", async () => {
    await refused(
      ["reply", await send({ reply: "keywords" }), "--keyword", "MAYBE"],
      400,
      "keyword must be one of those offered: YES, NO",
    );
    await refused(["reply", await send(), "--keyword", "YES"], 409, "offered no reply");
  });
});

describe("nhs-app sandbox replay", () => {
  it("posts a callback again, as a new callback", async () => {
    const id = await send();
    await cli("deliver", id);
    await callbacksSettled(1);
    const first = sandbox.callbacks?.callbacks[0]?.id ?? "";
    const run = await cli("replay", first);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^${first} posted again as cb-\\d+: the Delivered receipt of ${id} to ${endpoint.url}/FHIR/R4/Task \\((sending|delivered)\\)\\n$`,
      ),
    );
    await callbacksSettled(2);
    const messages = JSON.parse((await cli("messages", "--json")).stdout) as { messages: MessageView[] };
    expect(messages.messages[0]?.callbacks.map((callback) => callback.replayOf)).toEqual([undefined, first]);
  });

  it("says which callback the sandbox has not got", async () => {
    await refused(["replay", "cb-999"], 404, "No callback cb-999");
  });
});

describe("nhs-app sandbox fail, faults", () => {
  it("makes the next calls of an operation fail as chosen, lists the faults and forgets them with --clear", async () => {
    const added = await cli("fail", "get-ping", "--count", "2", "--status", "503", "--retry-after", "30");
    expect(added).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^fault-\d+: the next 2 calls of get-ping get 503 with Retry-After 30 s\n$/),
      stderr: "",
    });
    const ping = await fetch(`${sandbox.baseUrl}/_ping`);
    expect(ping.status).toBe(503);
    expect(ping.headers.get("retry-after")).toBe("30");
    await ping.body?.cancel();

    const dropped = await cli("fail", "create-in-app", "--drop", "--processed", "--json");
    expect(JSON.parse(dropped.stdout)).toMatchObject({
      operation: "create-in-app",
      remaining: 1,
      answer: { kind: "drop" },
      processed: true,
    } satisfies Partial<FaultView>);
    await cli("fail", "token", "--slow", "250");

    const listed = await cli("faults");
    expect(listed.code).toBe(0);
    expect(
      listed.stdout
        .trimEnd()
        .split("\n")
        .map((line) => line.split(/\s{2,}/)),
    ).toEqual([
      ["ID", "OPERATION", "CALLS LEFT", "ANSWER", "PROCESSED FIRST"],
      [expect.any(String), "get-ping", "1", "503 with Retry-After 30 s", "no"],
      [expect.any(String), "create-in-app", "1", "the connection closed, no answer", "yes"],
      [expect.any(String), "token", "1", "their answer 250 ms late", "no"],
    ]);

    expect(await cli("fail", "--clear")).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("every fault forgotten"),
    });
    expect(JSON.parse((await cli("faults", "--json")).stdout)).toEqual({ faults: [] });
    expect(await cli("faults")).toEqual({ code: 0, stdout: "", stderr: expect.stringContaining("no faults waiting") });
  });

  it("checks the operation against the contract's operation IDs (and token) and the fault's options before calling", async () => {
    await usage(
      ["fail", "send-letter", "--status", "500"],
      /value 'send-letter' is invalid for argument 'operation'\. The operation is one of create-in-app, create-notification, get-receipt-report, get-patient-report, get-ping, get-status, token\./,
    );
    await usage(["fail", "token", "--status", "418"], /A status is one of 401, 403, 429, 500, 502, 503, 504\./);
    await usage(["fail", "token"], "give exactly one of --status <code>, --drop or --slow <ms>");
    await usage(
      ["fail", "token", "--drop", "--status", "500"],
      "give exactly one of --status <code>, --drop or --slow <ms>",
    );
    await usage(["fail", "token", "--drop", "--retry-after", "5"], "--retry-after goes with --status");
    await usage(["fail", "token", "--slow", "100", "--processed"], "--processed goes with --status or --drop");
    await usage(["fail", "--status", "500"], "give the operation to fail (create-in-app,");
    await usage(
      ["fail", "token", "--clear"],
      "--clear forgets every fault: give it no operation and no other fault option",
    );
    await usage(["fail", "token", "--count", "0", "--drop"], /A count must be a whole number from 1 to/);
  });
});

describe("nhs-app sandbox reset", () => {
  it("forgets every message, and says the clock stays", async () => {
    await send();
    const run = await cli("reset");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/forgotten; the clock stays at 2026-12-05T/);
    expect(JSON.parse((await cli("messages", "--json")).stdout)).toEqual({ total: 0, messages: [] });
  });
});

describe("nhs-app sandbox clock", () => {
  it("prints the clock, moves it forward and changes its speed", async () => {
    const shown = await cli("clock");
    expect(shown.code).toBe(0);
    const lines = Object.fromEntries(
      shown.stdout
        .trimEnd()
        .split("\n")
        .map((line) => line.split(/\s{2,}/) as [string, string]),
    );
    expect(Object.keys(lines)).toEqual(["now", "speed", "movable", "receipt reports", "push quiet hours"]);
    expect(lines.speed).toBe("1 (real time)");
    expect(lines.movable).toBe("yes");
    const before = Date.parse(lines.now ?? "");

    const moved = JSON.parse((await cli("clock", "--advance", "2h", "--speed", "60", "--json")).stdout);
    expect(Date.parse(moved.now) - before).toBeGreaterThanOrEqual(2 * HOUR);
    expect(moved.speed).toBe(60);
    const later = new Date(Date.parse(moved.now) + 24 * HOUR).toISOString();
    const to = JSON.parse((await cli("clock", "--to", later, "--speed", "1", "--json")).stdout);
    expect(Date.parse(to.now)).toBeGreaterThanOrEqual(Date.parse(later));
    expect(to.speed).toBe(1);
  });

  it("refuses a time in the past (the sandbox's word) and malformed moves (before calling)", async () => {
    await refused(["clock", "--to", "2020-01-01T00:00:00Z"], 400, "the clock moves forward only");
    await usage(["clock", "--advance", "2h", "--to", "2030-01-01T00:00:00Z"], "give at most one of --advance or --to");
    await usage(["clock", "--advance", "soon"], /A duration is a number and a unit/);
    await usage(["clock", "--to", "2030-01-01T00:00:00"], /A time must be an ISO 8601 date-time with a zone/);
    await usage(["clock", "--speed", "0"], /A speed must be a number above 0/);
  });
});

describe("which sandbox", () => {
  it("takes the origin of NHS_APP_BASE_URL (what the sandbox's banner exports) when NHS_APP_SANDBOX_URL is not set", async () => {
    await send();
    const run = await runInProcess(["sandbox", "messages", "--json"], { NHS_APP_BASE_URL: sandbox.baseUrl });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).total).toBe(1);
  });

  it("refuses a sandbox URL that is not plain http on this machine, saying where it came from", async () => {
    await usage(
      ["messages", "--sandbox-url", "http://example.com:4010"],
      /must be on this machine .*not at example\.com:4010$/m,
    );
    await usage(["messages", "--sandbox-url", "https://127.0.0.1:4010"], "must be http://");
    await usage(["messages", "--sandbox-url", "not a url"], "the sandbox URL (--sandbox-url) is not a URL");
    const run = await runInProcess(["sandbox", "faults"], {
      NHS_APP_BASE_URL: "https://int.api.service.nhs.uk/nhs-app",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("the sandbox URL (NHS_APP_BASE_URL) must be on this machine");
  });

  it("says no sandbox answers when nothing listens, or the connection is closed unanswered: exit 1", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const nothing = await runInProcess(["sandbox", "messages"], { NHS_APP_SANDBOX_URL: url });
    expect(nothing).toEqual({
      code: 1,
      stdout: "",
      stderr: `nhs-app: no sandbox answers at ${url}: start one with \`nhs-app sandbox\`\n`,
    });
    const closing: NetServer = createNetServer((socket) => socket.destroy());
    const port = await new Promise<number>((resolve) =>
      closing.listen(0, "127.0.0.1", () => resolve((closing.address() as { port: number }).port)),
    );
    try {
      const run = await runInProcess(["sandbox", "clock"], { NHS_APP_SANDBOX_URL: `http://localhost:${port}` });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `nhs-app: no sandbox answers at http://localhost:${port}: start one with \`nhs-app sandbox\`\n`,
      );
    } finally {
      await new Promise((resolve) => closing.close(resolve));
    }
  });

  it("says what answers is not a sandbox when another server has the port", async () => {
    const other: Server = createHttpServer((_request, response) => {
      response.writeHead(404, { "content-type": "text/html" }).end("<h1>Not found</h1>");
    });
    const port = await new Promise<number>((resolve) =>
      other.listen(0, "127.0.0.1", () => resolve((other.address() as { port: number }).port)),
    );
    try {
      const run = await runInProcess(["sandbox", "reset"], { NHS_APP_SANDBOX_URL: `http://127.0.0.1:${port}` });
      expect(run.code).toBe(1);
      expect(isOneErrorLine(run.stderr)).toBe(true);
      expect(run.stderr).toContain(
        `what answers at http://127.0.0.1:${port} is not a sandbox with a control API (POST /_sandbox/reset got 404)`,
      );
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

describe("the built nhs-app", () => {
  it("drives the sandbox: deliver and messages --json, exit codes as documented", async () => {
    const id = await send();
    const delivered = await runCli(["sandbox", "deliver", id, "--receipt", "Notified"], env);
    expect(delivered).toEqual({
      code: 0,
      stdout: `${id}: receipts so far: Delivered, NotificationAttempted, Notified; still to come: none\n`,
      stderr: "",
    });
    const listed = await runCli(["sandbox", "messages", "--json"], env);
    expect(JSON.parse(listed.stdout).messages[0].communicationId).toBe(id);
    const missing = await runCli(["sandbox", "deliver", "nope"], env);
    expect(missing.code).toBe(1);
    expect(isOneErrorLine(missing.stderr)).toBe(true);
  });

  it("keeps a word that is no command, and starting options before a command, from starting a sandbox: exit 2", async () => {
    const typo = await runCli(["sandbox", "mesages"], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      "nhs-app: unknown command 'sandbox mesages': the sandbox's commands are messages, deliver, reply, replay, fail, faults, reset, clock (see nhs-app sandbox --help); with none it starts a sandbox\n",
    );
    const misplaced = await runInProcess(["sandbox", "--port", "0", "messages"], env);
    expect(misplaced).toEqual({
      code: 2,
      stdout: "",
      stderr: "nhs-app: --port starts a sandbox: give it without 'messages'\n",
    });
  });

  it("lists the commands in nhs-app sandbox --help, and each has its own help", async () => {
    const help = await runInProcess(["sandbox", "--help"]);
    for (const command of ["messages", "deliver", "reply", "replay", "fail", "faults", "reset", "clock"]) {
      expect(help.stdout).toMatch(new RegExp(`^ {2}${command} `, "m"));
      const own = await runInProcess(["sandbox", command, "--help"]);
      expect(own.code).toBe(0);
      expect(own.stdout).toContain(`Usage: nhs-app sandbox ${command} `);
      expect(own.stdout).toContain("--sandbox-url <url>");
    }
  });
});
