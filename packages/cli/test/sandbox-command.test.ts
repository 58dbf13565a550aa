// `nhs-app sandbox`: started as a user starts it, on a free port; the
// settings it prints point `nhs-app send` at it; SIGTERM stops it cleanly.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { createNhsAppClient, RateLimitError } from "@nhs-app-api/client";
import { describe, expect, it } from "vitest";
import { ensureBuilt, isOneErrorLine, runCli, startCli } from "./support/cli.ts";

await ensureBuilt();

/** The `export NAME=value` lines the sandbox prints. */
function exportsOf(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^ {2}export (NHS_APP_\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
}

describe("nhs-app sandbox", () => {
  it("prints settings that the CLI can use as they are, and stops on SIGTERM", async () => {
    const sandbox = startCli(["sandbox", "--port", "0", "--patient-pages", "2"]);
    try {
      const stdout = await sandbox.waitFor("Press Ctrl-C to stop.");
      const env = exportsOf(stdout);
      expect(Object.keys(env).sort()).toEqual([
        "NHS_APP_API_KEY",
        "NHS_APP_BASE_URL",
        "NHS_APP_ENVIRONMENT",
        "NHS_APP_KEY_ID",
        "NHS_APP_PRIVATE_KEY_FILE",
        "NHS_APP_TOKEN_URL",
      ]);
      expect(env.NHS_APP_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/nhs-app$/);
      const sent = await runCli(
        ["send", "in-app", "--nhs-number", "9434765919", "--ods", "B82041", "--text", "Hi"],
        env,
      );
      expect(sent.code).toBe(0);
      // --patient-pages reached the sandbox.
      const report = await runCli(["report", "patients", "--ods", "T00001", "--format", "ndjson"], env);
      expect(report.stderr.trim().split("\n").at(-1)).toBe("page 2 of 2, 6 rows");

      sandbox.child.kill("SIGTERM");
      expect(await sandbox.exited).toBe(0);
      expect(sandbox.output().stderr).toBe("Sandbox stopped (SIGTERM).\n");
      // Its private key is removed with it.
      expect(existsSync(env.NHS_APP_PRIVATE_KEY_FILE ?? "")).toBe(false);
    } finally {
      sandbox.child.kill("SIGKILL");
    }
  });

  it("enforces the rate limits it is given: 429 spike arrest over --rate-limit, 429 quota over --quota", async () => {
    const sandbox = startCli(["sandbox", "--port", "0", "--rate-limit", "2", "--quota", "3"]);
    try {
      const stdout = await sandbox.waitFor("Press Ctrl-C to stop.");
      expect(stdout).toContain(
        "Rate limits: 2 API calls in any second (429 spike arrest), 3 in any minute (429 quota).",
      );
      const env = exportsOf(stdout);
      const client = createNhsAppClient({
        environment: { baseUrl: env.NHS_APP_BASE_URL ?? "", tokenUrl: env.NHS_APP_TOKEN_URL ?? "" },
        apiKey: env.NHS_APP_API_KEY ?? "",
        keyId: env.NHS_APP_KEY_ID ?? "",
        privateKey: await readFile(env.NHS_APP_PRIVATE_KEY_FILE ?? "", "utf8"),
        retry: { maxAttempts: 1 }, // each 429 as it comes, not retried past
      });
      const call = () =>
        client.getPatientReport({ odsCode: "A12355" }).then(
          () => "ok",
          (error: unknown) => (error instanceof RateLimitError ? `429 ${error.limit}` : `other: ${String(error)}`),
        );
      // Three at once, so that they arrive together however busy the machine (one after another, a slow
      // machine could spread them over more than a second): two are let through, the third is over the
      // spike arrest. (The token they share is not counted.)
      const first = await Promise.all([call(), call(), call()]);
      expect(first.sort()).toEqual(["429 spike-arrest", "ok", "ok"]);
      // At least a second later (a busy machine only makes it later): out of the spike arrest's second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      // A new second, but the minute's quota of 3 is spent: the quota refuses it.
      expect(await call()).toBe("ok");
      expect(await call()).toBe("429 quota-app");
    } finally {
      sandbox.child.kill("SIGKILL");
    }
  });

  it("prints the _ping and _status URLs and the status key, which --status-key sets", async () => {
    const sandbox = startCli(["sandbox", "--port", "0", "--status-key", "monitoring-key"]);
    try {
      const stdout = await sandbox.waitFor("Press Ctrl-C to stop.");
      const line = (label: string) => stdout.match(new RegExp(`^ {2}${label} +(\\S+)`, "m"))?.[1] ?? "";
      const base = exportsOf(stdout).NHS_APP_BASE_URL;
      expect(line("ping URL")).toBe(`${base}/_ping`);
      expect(line("status URL")).toBe(`${base}/_status`);
      expect(stdout).toContain("(the status key in header apikey)");
      expect(line("status key")).toBe("monitoring-key");
      expect(stdout).toContain('statusApiKey: "monitoring-key"');
      // What it prints works: _ping with nothing, _status with that key in apikey and not with the API key.
      expect((await fetch(line("ping URL"))).status).toBe(200);
      expect((await fetch(line("status URL"), { headers: { apikey: "monitoring-key" } })).status).toBe(200);
      const apiKey = exportsOf(stdout).NHS_APP_API_KEY ?? "";
      expect((await fetch(line("status URL"), { headers: { apikey: apiKey } })).status).toBe(401);
    } finally {
      sandbox.child.kill("SIGKILL");
    }
  });

  it("refuses a request body over 1 MiB with 413, unread, and goes on serving", async () => {
    const sandbox = startCli(["sandbox", "--port", "0"]);
    try {
      const env = exportsOf(await sandbox.waitFor("Press Ctrl-C to stop."));
      const response = await fetch(`${env.NHS_APP_BASE_URL}/communication/in-app/FHIR/R4/CommunicationRequest`, {
        method: "POST",
        headers: { "content-type": "application/fhir+json" },
        body: Buffer.alloc(2 * 1024 * 1024 + 1, 0x61),
      });
      expect(response.status).toBe(413);
      expect(response.headers.get("connection")).toBe("close");
      expect(await response.json()).toMatchObject({ resourceType: "OperationOutcome", issue: [{ code: "invalid" }] });
      // The sandbox goes on serving.
      const sent = await runCli(
        ["send", "in-app", "--nhs-number", "9434765919", "--ods", "B82041", "--text", "Hi"],
        env,
      );
      expect(sent.code).toBe(0);
    } finally {
      sandbox.child.kill("SIGKILL");
    }
  });

  it("starts its clock where --clock says, at --speed, names the inspector page, and its commands drive it", async () => {
    const sandbox = startCli(["sandbox", "--port", "0", "--clock", "2026-12-05T06:00:00+00:00", "--speed", "60"]);
    try {
      const stdout = await sandbox.waitFor("Press Ctrl-C to stop.");
      const env = exportsOf(stdout);
      const origin = new URL(env.NHS_APP_BASE_URL ?? "").origin;
      expect(stdout).toMatch(new RegExp(`^ {2}inspector +${origin}/_sandbox/$`, "m"));
      expect(stdout).toContain("Clock: starts at 2026-12-05T06:00:00.000Z, runs at 60 times real time.");
      expect(stdout).toContain("(see nhs-app sandbox --help)");
      // The banner's exports are enough for the commands: NHS_APP_BASE_URL names the sandbox.
      const clock = await runCli(["sandbox", "clock", "--json"], env);
      expect(clock.code).toBe(0);
      const view = JSON.parse(clock.stdout) as { now: string; speed: number; adjustable: boolean };
      expect(view.speed).toBe(60);
      expect(view.adjustable).toBe(true);
      // Started at 06:00 and running since (faster than real time): the same morning, not this machine's time.
      expect(view.now.slice(0, 13) >= "2026-12-05T06").toBe(true);
      expect(view.now.slice(0, 10)).toBe("2026-12-05");
      const page = await fetch(`${origin}/_sandbox/`);
      expect(page.headers.get("content-type")).toContain("text/html");
      await page.body?.cancel();
    } finally {
      sandbox.child.kill("SIGKILL");
    }
  });

  it.each([
    [["--clock", "2026-12-05T06:00:00"], "A time must be an ISO 8601 date-time with a zone"],
    [["--clock", "tomorrow"], "A time must be an ISO 8601 date-time with a zone"],
    [["--speed", "0"], "A speed must be a number above 0 and at most 1000000"],
    [["--speed", "fast"], "A speed must be a number above 0 and at most 1000000"],
  ])("refuses %j before starting: one line, exit 2", async (flags, says) => {
    const run = await runCli(["sandbox", "--port", "0", ...flags]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(isOneErrorLine(run.stderr)).toBe(true);
    expect(run.stderr).toContain(says);
  });

  it("says in one line, exit 1, when its port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    try {
      const port = (blocker.address() as { port: number }).port;
      const run = await runCli(["sandbox", "--port", String(port)]);
      expect(run.code).toBe(1);
      expect(isOneErrorLine(run.stderr)).toBe(true);
      expect(run.stderr).toContain(`Port ${port} on 127.0.0.1 is taken`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
