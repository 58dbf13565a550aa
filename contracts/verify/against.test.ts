// `pnpm contracts --against`, as a maintainer runs it in this repository (the
// check of @nhs-app-api/contract-check from its sources, with spec/ as it
// stands): the committed pacts keep NHS England's published contract once our
// departures are allowed, and a change to the publisher's files that breaks
// what the client sends or reads is caught, naming the interaction and the
// field. The check's own cases are in packages/contract-check/test. Needs the
// published files; a fork without them skips this, and pnpm test's summary
// says so.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteSkipped, publishedDir } from "../../test/published.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const published = publishedDir();
if (!published) noteSkipped("pnpm contracts --against the published files");

/** `pnpm contracts --against <location>`, as a maintainer runs it; never throws on a non-zero exit. */
async function against(location: string) {
  return promisify(execFile)(
    path.join(here, "../node_modules/.bin/tsx"),
    [path.join(here, "../run.ts"), "--against", location],
    { env: { ...process.env, PACT_DO_NOT_TRACK: "true" }, maxBuffer: 32 * 1024 * 1024 },
  ).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? "" }),
  );
}

describe
  .runIf(published !== undefined)
  .concurrent("the committed pacts against another version of the contract", () => {
    const scratch: string[] = [];
    afterAll(() => Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true }))));

    /** A copy of the published files with the given edits. */
    async function mutated(edits: { file: string; from: string; to: string }[]) {
      const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-published-"));
      scratch.push(dir);
      await cp(published as string, dir, { recursive: true });
      for (const { file, from, to } of edits) {
        const full = path.join(dir, file);
        const text = await readFile(full, "utf8");
        if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
        await writeFile(full, text.replace(from, to));
      }
      return dir;
    }

    it("keep NHS England's published contract, with our departures allowed", async () => {
      const result = await against(published as string);
      expect(result.stdout).not.toContain("FAILED");
      expect(result.stdout).toMatch(/(\d+) of \1 interactions checked keep that contract/);
      // NHS England publishes no document of the token endpoint: the report says the token pact went unchecked.
      expect(result.stdout).toMatch(/NOT CHECKED oauth-token: .*platform token endpoint/);
      expect(result.code).toBe(0);
    });

    // Two unrelated breaking edits share one run (each run costs seconds of
    // CPU); each must be named on its own, and nothing else may fail.
    describe("when the publisher shortens the notification text and drops a receipt code", () => {
      let result: Awaited<ReturnType<typeof against>>;
      beforeAll(async () => {
        const dir = await mutated([
          {
            file: "specification/components/schemas/requests/communication/communication-push-notifications-request.yaml",
            from: "maxLength: 200",
            to: "maxLength: 10",
          },
          {
            file: "specifications-callbacks/realtime-receipts/components/schemas/requests/task.yaml",
            from: "- Delivered",
            to: "- Dispatched",
          },
        ]);
        result = await against(dir);
      });

      it("fail", () => {
        expect(result.code).toBe(1);
      });

      it("name the push notification interaction and its display field", () => {
        expect(result.stdout).toMatch(
          /FAILED nhs-app: a request to send a push notification: request body payload\[0\]\.contentReference\.display: .*more than 10 characters/,
        );
      });

      it("name the receipt the callbacks pact sends with the dropped code, and its code field", () => {
        expect(result.stdout).toMatch(
          /FAILED realtime-receipts: a receipt: delivered: request body code\.coding\[0\]\.code: /,
        );
      });

      // The receipt codes' enum is also where a departure of ours (the
      // NotificationAttempted code the publisher omits) applies, so receipts
      // may fail beyond "delivered"; nothing outside the two edited schemas may.
      it("fail nothing outside the two edited schemas", () => {
        const failed = result.stdout.split("\n").filter((line) => line.includes("FAILED"));
        expect(failed.length).toBeGreaterThan(0);
        for (const line of failed) {
          expect(line).toMatch(/nhs-app: a request to send a push notification|realtime-receipts: /);
        }
      });
    });
  });
