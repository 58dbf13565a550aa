// The CLI's small pure pieces, from the source: the CSV quoter, the report
// writer's formats, the redaction of error lines, body kind detection, the
// lines of a batch file and the batch progress line.
import { describe, expect, it } from "vitest";
import { parseBatchLine } from "../src/lib/batch-lines.ts";
import { detectKind } from "../src/lib/body-kinds.ts";
import { csvField, csvRecord } from "../src/lib/csv.ts";
import { Progress, progressText } from "../src/lib/progress.ts";
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

  it("writes text a spreadsheet would run as a formula with a leading apostrophe (OWASP CSV injection)", () => {
    expect(csvField('=HYPERLINK("http://x.test","click")')).toBe('"\'=HYPERLINK(""http://x.test"",""click"")"');
    expect(csvField("=1+1")).toBe("'=1+1");
    expect(csvField("+44 20 7946 0000")).toBe("'+44 20 7946 0000");
    expect(csvField("-2+3")).toBe("'-2+3");
    expect(csvField("@SUM(A1:A2)")).toBe("'@SUM(A1:A2)");
    expect(csvField("\t=1+1")).toBe("'\t=1+1");
    expect(csvField("\r=1+1")).toBe('"\'\r=1+1"');
    // Spaces before the sign do not hide it: the apostrophe goes before them.
    expect(csvField("  =1+1")).toBe("'  =1+1");
    expect(csvField("a=b")).toBe("a=b");
    expect(csvField("e-mail")).toBe("e-mail");
    // Numbers are data: a negative count stays a number.
    expect(csvField(-3)).toBe("-3");
    expect(csvRecord(["=cmd|' /C calc'!A0", "ok"])).toBe("'=cmd|' /C calc'!A0,ok\r\n");
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

describe("a line of a batch file", () => {
  const reasonOf = (text: string) => {
    const parsed = parseBatchLine(text);
    return "reason" in parsed ? parsed.reason : undefined;
  };

  it("builds an in-app message from builder fields, with a keyword reply and a campaign", () => {
    const parsed = parseBatchLine(
      JSON.stringify({
        kind: "in-app",
        requestReference: "r1",
        nhsNumber: "9434765919",
        odsCode: "b82041",
        text: "Do you smoke?",
        keywords: ["YES", "NO"],
        campaignId: "c",
      }),
    );
    expect(parsed).toMatchObject({
      message: {
        kind: "in-app",
        requestReference: "r1",
        message: {
          requester: { identifier: { value: "B82041" } },
          contained: [
            { item: [{ answerOption: [{ valueCoding: { code: "YES" } }, { valueCoding: { code: "NO" } }] }] },
          ],
          identifier: [{ value: "c" }],
        },
      },
    });
  });

  it("takes a whole message as it is, for the contract to judge later", () => {
    const message = { resourceType: "CommunicationRequest", anything: true };
    expect(parseBatchLine(JSON.stringify({ kind: "push", requestReference: "p", message }))).toEqual({
      message: { kind: "push", requestReference: "p", message },
    });
  });

  it("says what is wrong with a line that is not a message, keeping its reference when it has one", () => {
    expect(parseBatchLine('{"kind":"sms","requestReference":"r"}')).toEqual({
      reason: 'kind must be "in-app" or "push"',
      requestReference: "r",
    });
    expect(reasonOf("[1,2]")).toBe("not a JSON object");
    expect(reasonOf('{"kind":"push","requestReference":""}')).toBe("requestReference is missing or not text");
    expect(reasonOf('{"kind":"push","requestReference":"r","nhsNumber":"1","text":"t"}')).toBe(
      'missing url (or give the whole message as "message")',
    );
    expect(reasonOf('{"kind":"push","requestReference":"r","message":{},"note":1}')).toBe(
      'a line with "message" has only kind and requestReference beside it, not note',
    );
    expect(reasonOf('{"kind":"push","requestReference":"r","message":"text"}')).toBe(
      "message must be a JSON object (a CommunicationRequest)",
    );
    expect(
      reasonOf(
        '{"kind":"in-app","requestReference":"r","nhsNumber":"1","odsCode":"A","text":"t","keywords":["A"],"freeTextReply":true}',
      ),
    ).toBe("choose keywords or freeTextReply, not both");
    expect(reasonOf('{"kind":"in-app","requestReference":"r","nhsNumber":1,"odsCode":"A","text":"t"}')).toBe(
      "nhsNumber must be text",
    );
  });

  it("never quotes a line that is not JSON (it may hold an NHS number)", () => {
    const reason = reasonOf('{"kind":"push","nhsNumber":"9434765919",');
    expect(reason).toMatch(/^not valid JSON/);
    expect(reason).not.toContain("9434765919");
    expect(reasonOf("9434765919 hello")).not.toContain("9434765919");
  });
});

describe("batch progress", () => {
  it("says done/total, the rate of this run and the time left at that rate", () => {
    expect(progressText(10, 40, 10, 1000)).toBe("10/40 (25%) 10.0/s, about 3s left");
    expect(progressText(30, 1030, 20, 1000)).toBe("30/1030 (2%) 20.0/s, about 50s left");
    expect(progressText(0, 5000, 0, 0)).toBe("0/5000 (0%) 0.0/s, time left unknown");
    expect(progressText(100, 7300, 1, 1000)).toBe("100/7300 (1%) 1.0/s, about 2h00m left");
    expect(progressText(40, 40, 0, 1000)).toBe("40/40 (100%) 0.0/s, done");
  });

  it("redraws one line on a terminal, and writes a line every few seconds elsewhere", () => {
    let clock = 0;
    const written = (isTTY: boolean) => {
      const chunks: string[] = [];
      const progress = new Progress({
        total: 4,
        stream: { isTTY, write: (t: string) => chunks.push(t) },
        now: () => clock,
      });
      clock = 0;
      return { chunks, progress };
    };
    const log = written(false);
    log.progress.tick(true);
    clock = 6000;
    log.progress.tick(true);
    clock = 7000;
    log.progress.tick(true);
    log.progress.tick(true);
    // One line after the first five seconds; none for the last tick (the summary says the end).
    expect(log.chunks).toEqual(["progress: 2/4 (50%) 0.3/s, about 6s left\n"]);

    clock = 0;
    const tty = written(true);
    tty.progress.tick(false);
    clock = 50;
    tty.progress.tick(true);
    clock = 200;
    tty.progress.tick(true);
    tty.progress.clear();
    expect(tty.chunks).toEqual([
      "\r\x1b[2K[######------------------] 1/4 (25%) 0.0/s, time left unknown",
      "\r\x1b[2K[##################------] 3/4 (75%) 10.0/s, about 1s left",
      "\r\x1b[2K",
    ]);
  });
});
