// The README's main job must work from a clean checkout: start the sandbox,
// run the example integration end to end, stop, exit 0.
import { describe, expect, it } from "vitest";
import { runTool } from "./helpers.ts";

describe("pnpm demo", () => {
  it("runs every step of the example against the sandbox and exits 0", async () => {
    const result = await runTool("tsx", ["scripts/demo.ts"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    for (const line of [
      /1\. Send an in-app message .*\n\s+accepted \(201\): communication ID [0-9a-f-]{36}/,
      /access tokens requested so far: 1/,
      /2\. Send a push notification\n\s+accepted \(201\)/,
      /12 NHS App users on 4 pages/,
      /2 Delivered, 2 Rejected, 2 NotificationAttempted, 2 Notified, 2 Unnotified, 2 Read/,
      /recipient\[0\]\.identifier\.value: NHS Number is invalid\n\s+nothing was sent/,
      /BadRequestError \(kind bad-request\), status 400, correlation ID demo-bad-request/,
      /Sandbox stopped\./,
    ]) {
      expect(result.stdout).toMatch(line);
    }
  });
});
