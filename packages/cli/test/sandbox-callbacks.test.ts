// `nhs-app sandbox --callback-url ...`: the sandbox plays the NHS App's side of
// the callbacks, against an endpoint written here (node:https, client
// certificate required) with certificates from `nhs-app callbacks certs`.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureBuilt, isOneErrorLine, runCli, startCli } from "./support/cli.ts";

await ensureBuilt();

/** The `export NAME=value` lines the sandbox prints. */
function exportsOf(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^ {2}export (NHS_APP_\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
}

async function until(done: () => boolean, timeoutMs = 45_000) {
  for (let waited = 0; !done() && waited < timeoutMs; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("nhs-app sandbox --callback-url", () => {
  it("posts receipts and the reply over mutual TLS, following the outcome flags, and says on stderr what it could not deliver", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-sandbox-callbacks-"));
    const certs = await runCli(["callbacks", "certs", "--out", dir]);
    expect(certs.code).toBe(0);
    const pem = (name: string) => readFileSync(path.join(dir, name));
    // The endpoint takes receipts (202) and refuses replies (500), and requires a client certificate from the CA.
    const calls: { path: string; body: { code?: { coding: { code: string }[] }; contained?: unknown[] } }[] = [];
    const endpoint = createServer(
      {
        key: pem("server-key.pem"),
        cert: pem("server-cert.pem"),
        ca: pem("ca.pem"),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          calls.push({ path: request.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
          response.statusCode = request.url?.endsWith("/CommunicationRequest") ? 500 : 202;
          response.end();
        });
      },
    );
    await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(endpoint.address() as { port: number }).port}`;
    const sandbox = startCli([
      "sandbox",
      "--port",
      "0",
      "--receipt-interval",
      "5",
      "--unnotified",
      "9434765919",
      "--read",
      "all",
      "--callback-url",
      url,
      "--callback-cert",
      path.join(dir, "client-cert.pem"),
      "--callback-key",
      path.join(dir, "client-key.pem"),
      "--callback-ca",
      path.join(dir, "ca.pem"),
      "--callback-retries",
      "0",
    ]);
    try {
      const stdout = await sandbox.waitFor("Press Ctrl-C to stop.");
      expect(stdout).toContain(`Callbacks: each message's receipts and reply are posted to ${url} (mutual TLS)`);
      const sent = await runCli(
        [
          "send",
          "in-app",
          "--nhs-number",
          "9434765919",
          "--ods",
          "B82041",
          "--text",
          "Hi",
          "--keyword",
          "YES",
          "--keyword",
          "NO",
        ],
        exportsOf(stdout),
      );
      expect(sent.code).toBe(0);
      await until(() => calls.length >= 4 && sandbox.output().stderr.includes("could not deliver"));
      // Notifications off for this patient: Delivered, Unnotified, Read; then the first keyword, refused and given up.
      expect(calls.map((call) => call.body.code?.coding[0]?.code ?? call.path)).toEqual([
        "Delivered",
        "Unnotified",
        "Read",
        "/FHIR/R4/CommunicationRequest",
      ]);
      expect(calls[3]?.body.contained).toMatchObject([{ item: [{ answer: [{ valueCoding: { code: "YES" } }] }] }]);
      expect(sandbox.output().stderr).toMatch(
        new RegExp(
          `^sandbox: could not deliver the reply of communication [0-9a-f-]{36} to ${url}/FHIR/R4/CommunicationRequest after 1 attempt: the endpoint answered 500\\n$`,
        ),
      );
      sandbox.child.kill("SIGTERM");
      expect(await sandbox.exited).toBe(0);
    } finally {
      sandbox.child.kill("SIGKILL");
      endpoint.closeAllConnections();
      await new Promise((resolve) => endpoint.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("times and answers as --first-receipt, --reply-delay, --reply-keyword and --callback-timeout say", async () => {
    // A plain local endpoint: takes receipts, records each reply and never answers it.
    type Body = {
      identifier?: { value: string }[];
      code?: { coding: { code: string }[] };
      basedOn?: { identifier: { value: string } }[];
      authoredOn?: string;
      lastModified?: string;
      contained?: { authored?: string; item: { answer: { valueCoding: { code: string } }[] }[] }[];
    };
    // Each callback with the times it carries: when the message was accepted, and when this event happened.
    const calls: { communication: string; what: string; accepted: string; happened: string }[] = [];
    const endpoint = createHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Body;
        const reply = request.url?.endsWith("/CommunicationRequest") === true;
        calls.push({
          communication: (reply ? body.basedOn?.[0]?.identifier.value : body.identifier?.[0]?.value) ?? "",
          what: reply
            ? `reply:${body.contained?.[0]?.item[0]?.answer[0]?.valueCoding.code}`
            : (body.code?.coding[0]?.code ?? ""),
          accepted: body.authoredOn ?? "",
          happened: (reply ? body.contained?.[0]?.authored : body.lastModified) ?? "",
        });
        if (reply) return;
        response.statusCode = 202;
        response.end();
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}`;
    const sandbox = startCli([
      "sandbox",
      "--port",
      "0",
      "--receipt-interval",
      "5",
      "--first-receipt",
      "1000",
      "--reply-delay",
      "2000",
      "--reply-keyword",
      "NO",
      "--callback-url",
      url,
      "--callback-retries",
      "0",
      // Long enough that a busy machine answers every receipt in time; the replies, never answered, use it up.
      "--callback-timeout",
      "2000",
      // Noon UTC today: at night the push quiet hours would hold NotificationAttempted until 06:00.
      "--clock",
      `${new Date().toISOString().slice(0, 10)}T12:00:00Z`,
    ]);
    try {
      const env = exportsOf(await sandbox.waitFor("Press Ctrl-C to stop."));
      const send = (keywords: string[]) =>
        runCli(
          [
            "send",
            "in-app",
            ...["--nhs-number", "9434765919", "--ods", "B82041", "--text", "Can you come?"],
            ...keywords.flatMap((keyword) => ["--keyword", keyword]),
          ],
          env,
        );
      expect((await send(["YES", "NO"])).code).toBe(0);
      // A message that did not offer NO is answered with its first keyword.
      expect((await send(["MON", "TUE"])).code).toBe(0);
      // Both replies posted, and both given up on: however slow the machine, the stories are whole by then.
      await until(
        () =>
          new Set(calls.filter((call) => call.what.startsWith("reply:")).map((call) => call.communication)).size >= 2 &&
          (sandbox.output().stderr.match(/could not deliver/g) ?? []).length >= 2,
      );
      const [firstId, secondId] = [...new Set(calls.map((call) => call.communication))];
      const story = (id: string | undefined) => calls.filter((call) => call.communication === id);
      expect(story(firstId).map((call) => call.what)).toEqual([
        "Delivered",
        "NotificationAttempted",
        "Notified",
        "Read",
        "reply:NO",
      ]);
      expect(story(secondId).at(-1)?.what).toBe("reply:MON");
      // The times the callbacks carry (whole seconds, as the spec writes them), which the sandbox posts them
      // by (the testing package's callback-delivery tests prove it waits for each): the first receipt a
      // second after acceptance, not at once; the reply two seconds after Read, not the receipt interval's
      // 5 ms. A whole second added to a time adds exactly one to its whole seconds, so these are exact.
      const seconds = (iso: string | undefined) => Date.parse(iso ?? "") / 1000;
      const [delivered, , , read, reply] = story(firstId);
      expect(seconds(delivered?.happened) - seconds(delivered?.accepted)).toBe(1);
      expect(seconds(reply?.happened) - seconds(read?.happened)).toBe(2);
      expect(sandbox.output().stderr).toMatch(/after 1 attempt: no answer within 2000 ms\n/);
    } finally {
      sandbox.child.kill("SIGKILL");
      endpoint.closeAllConnections();
      await new Promise((resolve) => endpoint.close(resolve));
    }
  });

  it("prints the callback URL as it uses it, normalised, without the trailing slash", async () => {
    const sandbox = startCli(["sandbox", "--port", "0", "--callback-url", "HTTP://LocalHost:9/Hooks/"]);
    try {
      const stdout = await sandbox.waitFor("Press Ctrl-C to stop.");
      expect(stdout).toContain("Callbacks: each message's receipts and reply are posted to http://localhost:9/Hooks;");
    } finally {
      sandbox.child.kill("SIGKILL");
    }
  });

  it("refuses callback settings that cannot work, in one line, exit 2", async () => {
    const lonely = await runCli(["sandbox", "--port", "0", "--callback-cert", "client-cert.pem"]);
    expect(lonely).toMatchObject({ code: 2, stdout: "" });
    expect(isOneErrorLine(lonely.stderr)).toBe(true);
    expect(lonely.stderr).toContain("need --callback-url");
    const half = await runCli([
      "sandbox",
      "--port",
      "0",
      "--callback-url",
      "https://127.0.0.1:9",
      "--callback-cert",
      "c.pem",
    ]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain("together");
    const badNumber = await runCli(["sandbox", "--port", "0", "--rejected", "1234567890"]);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain("valid NHS numbers");
  });

  it("refuses plain http to another machine, in one line, exit 2: callbacks carry NHS numbers", async () => {
    for (const url of ["http://callbacks.example.test", "http://10.0.0.7:8080/hooks", "http://0.0.0.0:9"]) {
      const run = await runCli(["sandbox", "--port", "0", "--callback-url", url]);
      expect(run).toMatchObject({ code: 2, stdout: "" });
      expect(isOneErrorLine(run.stderr)).toBe(true);
      expect(run.stderr).toBe(
        "nhs-app: the callback base URL must be https unless it is on this machine (localhost, 127.0.0.0/8 or ::1): callbacks carry NHS numbers, never sent in clear\n",
      );
    }
    // https goes anywhere; http to this machine, by any of its loopback names, is taken.
    for (const url of [
      "https://callbacks.example.test",
      "http://localhost:9",
      "http://127.0.0.2:9",
      "http://[::1]:9",
    ]) {
      const sandbox = startCli(["sandbox", "--port", "0", "--callback-url", url]);
      try {
        expect(await sandbox.waitFor("Press Ctrl-C to stop.")).toContain("Callbacks: each message's receipts");
      } finally {
        sandbox.child.kill("SIGKILL");
      }
    }
  });

  it("refuses a --reply-text the replies contract refuses, naming the contract's limit, and posts nothing", async () => {
    const run = await runCli(["sandbox", "--port", "0", "--reply-text", "", "--callback-url", "http://127.0.0.1:9"]);
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr).toBe(
      "nhs-app: --reply-text must be at least 1 character, as the realtime replies contract's valueString asks (it has 0)\n",
    );
    // Without a callback URL too: the setting is wrong wherever the replies would go.
    const alone = await runCli(["sandbox", "--port", "0", "--reply-text", ""]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("--reply-text must be at least 1 character");
  });
});
