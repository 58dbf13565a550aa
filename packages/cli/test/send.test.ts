// `nhs-app send` end to end: the built CLI against the local sandbox, which
// records what it received, so each test can see what was (or was not) sent.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Sandbox } from "@nhs-app-api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, isOneErrorLine, runCli, runInProcess } from "./support/cli.ts";
import { sandboxFor } from "./support/sandbox.ts";

let sandbox: Sandbox;
let env: Record<string, string>;
let dir: string;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const sent = (operation: string) => sandbox.gateway.requests.filter((request) => request.operation === operation);

beforeAll(async () => {
  await ensureBuilt();
  ({ sandbox, env } = await sandboxFor());
  dir = await mkdtemp(path.join(tmpdir(), "nhs-app-cli-send-"));
});
afterAll(async () => {
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("nhs-app send", () => {
  it("sends an in-app message built from flags and prints its communication and correlation IDs", async () => {
    const before = sent("create-in-app").length;
    const run = await runCli(
      ["send", "in-app", "--nhs-number", "9434765919", "--ods", "b82041", "--text", "Your results are ready."],
      env,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const ids = /communication ID\s+(\S+)\ncorrelation ID\s+(\S+)/.exec(run.stdout);
    expect(ids?.[1]).toMatch(UUID);
    expect(ids?.[2]).toMatch(UUID);
    const requests = sent("create-in-app");
    expect(requests).toHaveLength(before + 1);
    // The sandbox received the correlation ID the CLI printed, and the message the flags describe.
    expect(requests.at(-1)?.headers["x-correlation-id"]).toBe(ids?.[2]);
    expect(requests.at(-1)?.body).toMatchObject({
      payload: [{ contentString: "Your results are ready." }],
      requester: { identifier: { value: "B82041" } },
    });
  });

  it("sends a keyword reply, identifiers and a chosen correlation ID, and prints JSON with --json", async () => {
    const run = await runInProcess(
      [
        "send",
        "in-app",
        "--nhs-number",
        "9434765919",
        "--ods",
        "B82041",
        "--text",
        "Do you smoke?",
        "--keyword",
        "SMOKE",
        "--keyword",
        "NEVER",
        "--campaign-id",
        "smoking-2026",
        "--request-ref",
        "ref-42",
        "--correlation-id",
        "cli-test-keywords",
        "--json",
      ],
      env,
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ correlationId: "cli-test-keywords", status: 201 });
    expect(result.communicationId).toMatch(UUID);
    const body = sent("create-in-app").at(-1)?.body as {
      contained: { item: { answerOption: { valueCoding: { code: string } }[] }[] }[];
      identifier: { system: string; value: string }[];
    };
    expect(body.contained[0]?.item[0]?.answerOption.map((option) => option.valueCoding.code)).toEqual([
      "SMOKE",
      "NEVER",
    ]);
    expect(body.identifier.map((identifier) => identifier.value)).toEqual(["smoking-2026", "ref-42"]);
  });

  it("sends a push notification", async () => {
    const before = sent("create-notification").length;
    const run = await runInProcess(
      [
        "send",
        "push",
        "--nhs-number",
        "9434765919",
        "--text",
        "You have a new message.",
        "--url",
        "https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging",
        "--json",
      ],
      env,
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { communicationId: string; location: string };
    expect(result.communicationId).toMatch(UUID);
    expect(result.location).toContain(result.communicationId);
    expect(sent("create-notification")).toHaveLength(before + 1);
  });

  it("sends a whole CommunicationRequest from --file", async () => {
    const file = path.join(dir, "message.json");
    await writeFile(
      file,
      JSON.stringify({
        resourceType: "CommunicationRequest",
        status: "active",
        payload: [{ contentString: "From a file" }],
        recipient: [{ identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: "9434765919" } }],
        requester: { identifier: { system: "https://fhir.nhs.uk/Id/ods-organization-code", value: "B82041" } },
      }),
    );
    const run = await runInProcess(["send", "in-app", "--file", file], env);
    expect(run.code).toBe(0);
    expect(sent("create-in-app").at(-1)?.body).toMatchObject({ payload: [{ contentString: "From a file" }] });
  });

  it("--dry-run says valid, sends nothing and needs no credentials", async () => {
    const before = sandbox.gateway.requests.length;
    const run = await runInProcess([
      "send",
      "push",
      "--nhs-number",
      "9434765919",
      "--text",
      "Hi",
      "--url",
      "https://a.example/x",
      "--dry-run",
    ]);
    expect(run).toMatchObject({ code: 0, stdout: "valid\n", stderr: "" });
    expect(sandbox.gateway.requests).toHaveLength(before);
  });

  it("--dry-run lists every issue with its path and exits 1", async () => {
    const run = await runInProcess([
      "send",
      "in-app",
      "--nhs-number",
      "9434765910",
      "--ods",
      "B82041",
      "--text",
      "<b>bold</b>",
      "--dry-run",
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split("\n").sort()).toEqual([
      "payload[0].contentString: Must not contain HTML tags",
      "recipient[0].identifier.value: NHS Number is invalid",
    ]);
    expect(run.stderr).toBe("");
  });

  it("refuses an invalid message before sending: issues on stdout, one line on stderr, exit 1", async () => {
    const before = sandbox.gateway.requests.length;
    const run = await runInProcess(
      ["send", "in-app", "--nhs-number", "9434765910", "--ods", "B82041", "--text", "Hi"],
      env,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("recipient[0].identifier.value: NHS Number is invalid\n");
    expect(isOneErrorLine(run.stderr)).toBe(true);
    expect(run.stderr).toContain("nothing was sent");
    // The NHS number is not printed, in full, anywhere.
    expect(run.stdout + run.stderr).not.toContain("9434765910");
    expect(sandbox.gateway.requests).toHaveLength(before);
  });

  it("reports the server's refusal as one line and exit 1 (a wrong API key)", async () => {
    const run = await runInProcess(
      ["send", "in-app", "--nhs-number", "9434765919", "--ods", "B82041", "--text", "Hi"],
      {
        ...env,
        NHS_APP_API_KEY: "not-the-sandbox-key-7c1d",
      },
    );
    expect(run.code).toBe(1);
    expect(isOneErrorLine(run.stderr)).toBe(true);
    expect(run.stderr).toContain("The token endpoint refused the client assertion");
    expect(run.stderr).not.toContain("not-the-sandbox-key-7c1d");
    expect(run.stdout).toBe("");
  });

  it("refuses flags that --file would ignore, and missing flags, as usage errors", async () => {
    const both = await runInProcess(["send", "in-app", "--file", "x.json", "--text", "Hi"], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("nhs-app: --file gives the whole message: leave out --text\n");
    const missing = await runInProcess(["send", "push", "--text", "Hi"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("nhs-app: missing --nhs-number, --url (or give the whole message with --file)\n");
  });

  it("names missing credentials, without an environment's defaults", async () => {
    const run = await runInProcess(
      ["send", "in-app", "--nhs-number", "9434765919", "--ods", "B82041", "--text", "Hi"],
      {
        NHS_APP_ENVIRONMENT: "int",
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "nhs-app: missing the API key (NHS_APP_API_KEY or --api-key), the key ID (NHS_APP_KEY_ID or --key-id), the private key file (NHS_APP_PRIVATE_KEY_FILE or --private-key-file)\n",
    );
  });
});
