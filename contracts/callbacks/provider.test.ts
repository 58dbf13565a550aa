// Our callback handler, as the provider, honours every call in the NHS App's
// pact; and a handler that breaks it is caught.
import { describe, expect, it } from "vitest";
import { runCallbackVerification } from "./run-verification.ts";

describe("the callback handler as the NHS App's provider", () => {
  it("honours every interaction of the callbacks pact", async () => {
    const results = await runCallbackVerification();
    expect(results.length).toBe(12);
    expect(results.filter((r) => !r.passed)).toEqual([]);
  });

  it("is caught when it breaks the contract (refusing NotificationAttempted receipts)", async () => {
    const results = await runCallbackVerification("broken");
    expect(results.filter((r) => !r.passed).map((r) => r.description)).toEqual(["a receipt: notificationattempted"]);
  });
});
