// The CLI's small pure pieces, from the source: the CSV quoter, the report
// writer's formats, the redaction of error lines, and body kind detection.
import { describe, expect, it } from "vitest";
import { detectKind } from "../src/lib/body-kinds.ts";
import { csvField, csvRecord } from "../src/lib/csv.ts";
import { redact, registerSecret } from "../src/lib/redact.ts";
import { reportWriter } from "../src/lib/report-writer.ts";

describe("CSV (RFC 4180)", () => {
  it("quotes fields with commas, quotes, line breaks or surrounding spaces, and only those", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
    expect(csvField(" padded")).toBe('" padded"');
    expect(csvField(undefined)).toBe("");
    expect(csvField(null)).toBe("");
    expect(csvField(false)).toBe("false");
    expect(csvField({ text: "x" })).toBe('"{""text"":""x""}"');
    expect(csvRecord(["a", "b,c", 3])).toBe('a,"b,c",3\r\n');
  });
});

describe("report writer", () => {
  const columns = [{ header: "n", value: (row: { n: number }) => row.n }];
  async function written(format: "json" | "ndjson" | "csv", pages: { n: number }[][]) {
    let text = "";
    const writer = reportWriter(format, columns, async (chunk) => {
      text += chunk;
    });
    for (const page of pages) await writer.write(page);
    await writer.end();
    return text;
  }

  it("writes one valid JSON array across pages, empty pages and no rows included", async () => {
    expect(JSON.parse(await written("json", [[{ n: 1 }, { n: 2 }], [], [{ n: 3 }]]))).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
    expect(JSON.parse(await written("json", []))).toEqual([]);
  });

  it("writes NDJSON and CSV (a header even with no rows)", async () => {
    expect(await written("ndjson", [[{ n: 1 }], [{ n: 2 }]])).toBe('{"n":1}\n{"n":2}\n');
    expect(await written("csv", [[{ n: 1 }], [{ n: 2 }]])).toBe("n\r\n1\r\n2\r\n");
    expect(await written("csv", [])).toBe("n\r\n");
  });
});

describe("redaction of what the CLI prints", () => {
  it("replaces registered secrets, each line of a PEM too, and masks NHS-number-like digits but not UUIDs", () => {
    registerSecret("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n");
    registerSecret("the-api-key-123");
    expect(redact("key MIIEvQIBADANBgkqhkiG9w0BAQEFAASC and the-api-key-123")).toBe("key [redacted] and [redacted]");
    expect(redact("patient 9434765919 or 943 476 5919")).toBe("patient *******919 or *******919");
    expect(redact("id 12345678-1234-4123-8123-123456789012")).toBe("id 12345678-1234-4123-8123-123456789012");
  });
});

describe("body kinds", () => {
  it("tells the four bodies apart from resourceType and shape", () => {
    expect(detectKind({ resourceType: "Task" })).toBe("receipt");
    expect(detectKind({ resourceType: "CommunicationRequest", payload: [{ contentString: "x" }] })).toBe("in-app");
    expect(detectKind({ resourceType: "CommunicationRequest", payload: [{ contentReference: {} }] })).toBe("push");
    expect(
      detectKind({ resourceType: "CommunicationRequest", contained: [{ resourceType: "QuestionnaireResponse" }] }),
    ).toBe("reply");
    expect(detectKind({ resourceType: "CommunicationRequest", contained: [{ resourceType: "Questionnaire" }] })).toBe(
      "in-app",
    );
    expect(detectKind({ resourceType: "Patient" })).toBeUndefined();
    expect(detectKind([])).toBeUndefined();
  });
});
