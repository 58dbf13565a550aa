// The handler's logger takes pino's argument order, so a pino logger passed
// as it is keeps the structured fields, and never sees the body.
import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { handleCallback } from "../src/index.js";
import { callbackExamples } from "./examples.js";

const receipts = callbackExamples("realtime-receipts") as Record<string, Record<string, unknown>>;
const read = receipts.read as Record<string, unknown>;

function capturedPino() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

describe("the callback handler's logger", () => {
  it("gives pino its fields as fields when it refuses a body, and never the body", async () => {
    const { logger, lines } = capturedPino();
    const body = { ...read, resourceType: "Patient" };
    const answer = await handleCallback(
      { method: "POST", path: "/FHIR/R4/Task", contentType: "application/json", body: JSON.stringify(body) },
      { logger, onReceipt: () => undefined },
    );
    expect(answer.status).toBe(400);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, route: "receipt", msg: "refused a receipt callback" });
    expect(typeof lines[0]?.issues).toBe("string");
    // No value of the body (identifiers, instants, references) reaches the log.
    const values: string[] = JSON.stringify(read).match(/"[^"]{8,}"/g) ?? [];
    const keys: string[] = JSON.stringify(read).match(/"[^"]{8,}":/g) ?? [];
    const leaves = values.filter((value) => !keys.includes(`${value}:`));
    expect(leaves.length).toBeGreaterThan(0);
    for (const leaf of leaves) expect(JSON.stringify(lines)).not.toContain(leaf.slice(1, -1));
  });

  it("gives pino the error's name as a field when the supplier's code fails", async () => {
    const { logger, lines } = capturedPino();
    const answer = await handleCallback(
      { method: "POST", path: "/FHIR/R4/Task", contentType: "application/json", body: JSON.stringify(read) },
      {
        logger,
        onReceipt: () => {
          throw new RangeError("the database is down");
        },
      },
    );
    expect(answer.status).toBe(500);
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, route: "receipt", error: "RangeError", msg: "the receipt callback failed" }),
    ]);
  });
});
