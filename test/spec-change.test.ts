// The promise of one authority: a maintainer edits spec/, runs `pnpm
// generate` and builds, and everything follows with no other edit. In a
// copy of this working tree, raise the in-app text limit, lower the push
// notification text limit and add a receipt code, then regenerate once: the
// client, the msw handlers and the sandbox accept the longer in-app text,
// refuse the push text they accepted before, and serve and read the new code.
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

describe("a spec change reaches the client, the msw handlers and the sandbox through pnpm generate alone", () => {
  it("before the change, 6,000 characters of in-app text are refused everywhere and 150 of push text accepted", async () => {
    const before = await probe(copy, 6000, 150);
    expect(before.client).toEqual(["payload[0].contentString: Exceeds maximum length"]);
    expect([before.msw, before.sandbox]).toEqual([400, 400]);
    expect(before.push).toEqual({ client: [], msw: 201, sandbox: 201 });
    expect(before.receiptCodes).not.toContain(NEW_CODE);
    expect(before.callbackKinds).not.toContain(NEW_CODE);
    expect(before.reportWithCode).toEqual(["entry[0].resource.code.coding[0].code"]);
  }, 300_000);

  it("after raising one limit, lowering another and adding a receipt code, all three follow", async () => {
    await edit(CONTENT_STRING, "maxLength: 5000", "maxLength: 10000");
    await edit(PUSH_REQUEST, "maxLength: 200", "maxLength: 100");
    await edit(
      RECEIPT_CODE,
      "enum: [Delivered, Rejected, NotificationAttempted, Notified, Unnotified, Read]",
      `enum: [Delivered, Rejected, NotificationAttempted, Notified, Unnotified, Read, ${NEW_CODE}]`,
    );
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
  }, 300_000);
});
