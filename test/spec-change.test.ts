// The promise of one authority: a maintainer edits spec/, runs `pnpm
// generate` and builds, and everything follows with no other edit. In a
// copy of this working tree, raise the in-app text limit, lower the push
// notification text limit, add a receipt code, and change the statuses a
// real-time receipt may have (one added, one removed), then regenerate once:
// the client, the msw handlers and the sandbox accept the longer in-app
// text, refuse the push text they accepted before, and serve and read the
// new code; the callbacks handler takes the new status and refuses the
// removed one.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolRoot } from "../scripts/lib/documents.ts";
import { pnpmCommand } from "../scripts/lib/pnpm.ts";

const run = promisify(execFile);
const PROBE = "test/fixtures/spec-change-probe.mjs";
const CONTENT_STRING = "spec/components/schemas/ContentString.yaml";
const PUSH_REQUEST = "spec/components/schemas/PushNotificationRequest.yaml";
const RECEIPT_CODE = "spec/components/schemas/ReceiptCode.yaml";
const NEW_CODE = "Archived";
const REALTIME_RECEIPT = "spec/callbacks/components/schemas/RealtimeReceipt.yaml";
/** A real-time receipt status the change adds, one it removes, and one the spec never has. */
const NEW_STATUS = "in-progress";
const REMOVED_STATUS = "rejected";
const STATUSES = ["completed", REMOVED_STATUS, NEW_STATUS, "banana"];
/** The packages the probe loads. */
const PROBED = ["@nhs-app-api/client", "@nhs-app-api/testing", "@nhs-app-api/callbacks", "@nhs-app-api/contract"];

interface Probe {
  client: string[];
  msw: number;
  sandbox: number;
  push: { client: string[]; msw: number; sandbox: number };
  receiptCodes: string[];
  codesFromMsw: string[];
  codesFromSandbox: string[];
  callback: string;
  callbackKinds: string[];
  reportWithCode: string[];
}

let copy: string;

async function pnpm(args: string[], cwd: string) {
  const { command, args: full } = pnpmCommand(args);
  return run(command, full, {
    cwd,
    // The probe runs the built JavaScript only, so the copy is built without declarations (see tsup.base.ts).
    env: { ...process.env, REDOCLY_TELEMETRY: "off", CI: "true", NHS_APP_BUILD_DECLARATIONS: "off" },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`pnpm ${args.join(" ")} failed in ${cwd}:\n${error.stdout ?? ""}${error.stderr ?? error.message}`);
  });
}

/** What the built packages of the copy make of an in-app text and a push text of these lengths. */
async function probe(root: string, inAppLength: number, pushLength: number): Promise<Probe> {
  const { stdout } = await run(process.execPath, [PROBE, String(inAppLength), String(pushLength), NEW_CODE], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as Probe;
}

/**
 * What the built callbacks handler of the copy answers a real-time receipt
 * with each status (202 taken, 400 refused), the statuses its onReceipt was
 * given, and the contract's list of real-time receipt statuses.
 */
async function receiptStatusVerdicts(root: string) {
  const script = `
    import { handleCallback, RECEIPT_PATH } from "@nhs-app-api/callbacks";
    import { enums } from "@nhs-app-api/contract";
    const verdicts = {};
    const received = [];
    for (const status of JSON.parse(process.env.STATUSES)) {
      const body = JSON.stringify({
        resourceType: "Task",
        intent: "order",
        status,
        identifier: [{ system: "https://fhir.nhs.uk/Id/nhs-app-communication-id", value: "8f7ec136-66eb-4a9e-97ca-5c7a53d2710c" }],
        code: { coding: [{ system: "https://fhir.nhs.uk/CodeSystem/NHSApp-Communication-Status", code: "Delivered" }] },
        authoredOn: "2024-03-01T09:00:00+00:00",
        lastModified: "2024-03-01T09:10:00+00:00",
      });
      const answer = await handleCallback(
        { method: "POST", path: RECEIPT_PATH, body, contentType: "application/json" },
        { onReceipt: (receipt) => { received.push(receipt.status); } },
      );
      verdicts[status] = answer.status;
    }
    console.log(JSON.stringify({ verdicts, received, statuses: enums.realtimeReceiptStatuses }));
  `;
  const { stdout } = await run(process.execPath, ["--input-type=module", "--eval", script], {
    cwd: root,
    env: { ...process.env, STATUSES: JSON.stringify(STATUSES) },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as {
    verdicts: Record<string, number>;
    received: string[];
    statuses: string[];
  };
}

async function edit(file: string, from: string, to: string) {
  const full = path.join(copy, file);
  const text = await readFile(full, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  await writeFile(full, text.replace(from, to));
}

/** `pnpm generate`, then the build, as a maintainer runs them (less the declarations, which the probe never reads). */
async function regenerate() {
  await pnpm(["run", "generate"], copy);
  // The packages the probe loads, and what they depend on ("..." in a filter); the CLI and the others wait.
  await pnpm(["-r", ...PROBED.flatMap((name) => ["--filter", `${name}...`]), "run", "build"], copy);
}

beforeAll(async () => {
  // The working tree as it stands (tracked and new files, nothing ignored), installed from the local store.
  copy = await mkdtemp(path.join(tmpdir(), "nhs-app-spec-change-"));
  const { stdout } = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: toolRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const file of stdout.split("\0").filter(Boolean)) {
    const source = path.join(toolRoot, file);
    const target = path.join(copy, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, await readFile(source).catch(() => Buffer.alloc(0)));
  }
  await pnpm(["install", "--offline", "--frozen-lockfile", "--prefer-offline"], copy);
  // The packages as built from this tree (pnpm test builds before the unit tests); built here only if they are not.
  const packages = await readdir(path.join(toolRoot, "packages"));
  const built = packages.every((name) => existsSync(path.join(toolRoot, "packages", name, "dist")));
  if (!built) {
    await pnpm(["-r", "--filter", "./packages/*", "run", "build"], copy);
    return;
  }
  for (const name of packages) {
    await cp(path.join(toolRoot, "packages", name, "dist"), path.join(copy, "packages", name, "dist"), {
      recursive: true,
    });
  }
}, 300_000);

afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

describe("a spec change reaches the client, the msw handlers, the sandbox and the callbacks handler through pnpm generate alone", () => {
  it("before the change, 6,000 characters of in-app text are refused everywhere, 150 of push text accepted, and a real-time receipt is rejected or completed", async () => {
    const before = await probe(copy, 6000, 150);
    expect(before.client).toEqual(["payload[0].contentString: Exceeds maximum length"]);
    expect([before.msw, before.sandbox]).toEqual([400, 400]);
    expect(before.push).toEqual({ client: [], msw: 201, sandbox: 201 });
    expect(before.receiptCodes).not.toContain(NEW_CODE);
    expect(before.callbackKinds).not.toContain(NEW_CODE);
    expect(before.reportWithCode).toEqual(["entry[0].resource.code.coding[0].code"]);
    const receipts = await receiptStatusVerdicts(copy);
    expect(receipts.statuses).toEqual(["rejected", "completed"]);
    expect(receipts.verdicts).toEqual({ completed: 202, [REMOVED_STATUS]: 202, [NEW_STATUS]: 400, banana: 400 });
  }, 300_000);

  it("after raising one limit, lowering another, adding a receipt code and a receipt status and removing a status, all follow", async () => {
    await edit(CONTENT_STRING, "maxLength: 5000", "maxLength: 10000");
    await edit(PUSH_REQUEST, "maxLength: 200", "maxLength: 100");
    await edit(
      RECEIPT_CODE,
      "enum: [Delivered, Rejected, NotificationAttempted, Notified, Unnotified, Read]",
      `enum: [Delivered, Rejected, NotificationAttempted, Notified, Unnotified, Read, ${NEW_CODE}]`,
    );
    await edit(REALTIME_RECEIPT, "enum: [rejected, completed]", `enum: [completed, ${NEW_STATUS}]`);
    await regenerate();
    const after = await probe(copy, 6000, 150);
    // The raised limit: the longer in-app text is accepted everywhere.
    expect(after.client).toEqual([]);
    expect([after.msw, after.sandbox]).toEqual([201, 201]);
    // The lowered limit: the push text accepted before is refused everywhere.
    expect(after.push.client).toEqual(["payload[0].contentReference.display: Exceeds maximum length"]);
    expect([after.push.msw, after.push.sandbox]).toEqual([400, 400]);
    expect(after.receiptCodes).toContain(NEW_CODE);
    // The mocks serve the new code in their reports, and the client reads it from them.
    expect(after.codesFromMsw).toContain(NEW_CODE);
    expect(after.codesFromSandbox).toContain(NEW_CODE);
    // The contract accepts a report holding it; the callbacks package knows it as a receipt kind.
    expect(after.reportWithCode).toEqual([]);
    expect(after.callbackKinds).toContain(NEW_CODE);
    expect(after.callback).toBe(NEW_CODE);
    // The callbacks handler takes the status the callback spec gained, refuses the one it lost, and never banana.
    const receipts = await receiptStatusVerdicts(copy);
    expect(receipts.statuses).toEqual(["completed", NEW_STATUS]);
    expect(receipts.verdicts).toEqual({ completed: 202, [REMOVED_STATUS]: 400, [NEW_STATUS]: 202, banana: 400 });
    expect(receipts.received).toEqual(["completed", NEW_STATUS]);
  }, 300_000);
});
