// The README's main job must work from a clean checkout: start the sandbox,
// run the example integration end to end (its callback endpoint receiving,
// over mutual TLS, each message's receipts and the patient's reply), stop,
// exit 0.
import { describe, expect, it } from "vitest";
import { runTool } from "./helpers.ts";

describe("pnpm demo", () => {
  it("runs every step of the example against the sandbox, the callbacks included, and exits 0", async () => {
    const result = await runTool("tsx", ["scripts/demo.ts"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    for (const line of [
      /1\. Send an in-app message .*\n\s+accepted \(201\): communication ID [0-9a-f-]{36}/,
      /access tokens requested so far: 1/,
      /2\. Send a push notification\n\s+accepted \(201\)/,
      /Callback endpoint listening at https:\/\/127\.0\.0\.1:\d+ \(mutual TLS\)/,
      /in-app message +Read \(final\): Delivered -> NotificationAttempted -> Notified -> Read\n/,
      /push notification +Notified: NotificationAttempted -> Notified\n/,
      /reply +keyword SMOKE +for [0-9a-f-]{36}\n/,
      /the patient answered SMOKE/,
      /12 NHS App users on 4 pages/,
      /[0-9a-f-]{36}: Read in the report, as the callbacks\n\s+[0-9a-f-]{36}: Notified in the report, as the callbacks/,
      /recipient\[0\]\.identifier\.value: NHS Number is invalid\n\s+nothing was sent/,
      /BadRequestError \(kind bad-request\), status 400, correlation ID demo-bad-request/,
      /Sandbox stopped\./,
    ]) {
      expect(result.stdout).toMatch(line);
    }
  });
});
