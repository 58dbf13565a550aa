// Runs the callbacks verification in a child process (the native verifier is
// loud) and returns its per-interaction results.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { InteractionResult } from "../verify/verifier-run.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
export const callbacksPact = path.resolve(here, "../pacts/nhs-app-supplier-callbacks.json");

export async function runCallbackVerification(mode?: "broken"): Promise<InteractionResult[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-callbacks-run-"));
  const output = path.join(dir, "results.json");
  try {
    await promisify(execFile)(
      path.join(here, "../node_modules/.bin/tsx"),
      [path.join(here, "verify-callbacks-cli.ts"), callbacksPact, output, ...(mode ? [mode] : [])],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return JSON.parse(await readFile(output, "utf8")) as InteractionResult[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
