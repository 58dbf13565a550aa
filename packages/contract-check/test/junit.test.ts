// The JUnit report a CI system reads: it parses as XML (checked by a real
// parser, not by eye), holds one test case per interaction, names the field
// in each failure, marks what was not checked as skipped, and survives text
// that is hostile to XML.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { type ContractCheck, toJUnit } from "../src/index.js";
import { check, release, removeReleases } from "./release.ts";

afterAll(removeReleases);

interface TestCase {
  "@_name": string;
  "@_classname": string;
  failure?: { "@_message": string; "#text": string };
  skipped?: { "@_message": string };
}
interface Suite {
  "@_name": string;
  "@_tests": string;
  "@_failures": string;
  "@_skipped": string;
  testcase: TestCase[];
}

function parse(xml: string): { "@_tests": string; "@_failures": string; "@_skipped": string; testsuite: Suite[] } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => name === "testsuite" || name === "testcase",
  });
  return parser.parse(xml).testsuites;
}

describe("the JUnit report", () => {
  it("has a test case per interaction checked or not, failures naming the field, skips naming why", async () => {
    const result = await check(
      await release({
        without: ["oauth-token"],
        edit: {
          "nhs-app": (d) => {
            d.components.schemas.ContentString.maxLength = 10;
          },
        },
      }),
    );
    const report = parse(toJUnit(result));
    const cases = report.testsuite.flatMap((suite) => suite.testcase);
    const interactions = result.pacts.reduce((n, pact) => n + pact.interactions.length, 0);
    expect(cases).toHaveLength(interactions);
    expect(Number(report["@_tests"])).toBe(interactions);
    expect(Number(report["@_failures"])).toBe(result.counts.broken);
    expect(Number(report["@_skipped"])).toBe(result.counts.unchecked);

    const failed = cases.filter((c) => c.failure);
    expect(failed.length).toBe(result.counts.broken);
    expect(failed.map((c) => c["@_name"])).toContain("a request to send a plain in-app message");
    for (const c of failed) {
      expect(c.failure?.["@_message"]).toMatch(/^request body payload\[0\]\.contentString: .*more than 10 characters/);
      expect(c.failure?.["#text"]).toContain("the rule: paths./communication/in-app/FHIR/R4/CommunicationRequest");
    }
    const skipped = cases.filter((c) => c.skipped);
    expect(skipped.map((c) => c["@_classname"])).toEqual(["platform-token-endpoint.oauth-token"]);
    expect(skipped[0]?.skipped?.["@_message"]).toMatch(/no document of the platform token endpoint/);
  });

  it("escapes what would break XML: markup, quotes and control characters", async () => {
    const result = await check(await release());
    const hostile = "a \"<request>\" & 'friends' \u0000\u0007\u001b with ]]> and \uD800 alone";
    const tampered: ContractCheck = structuredClone(result);
    const [first] = tampered.pacts;
    if (!first?.interactions[0]) throw new Error("no interaction to tamper with");
    first.interactions[0] = {
      description: hostile,
      passed: false,
      faults: [{ field: `request body ${hostile}`, message: hostile, rule: hostile }],
    };
    tampered.against = hostile;
    const report = parse(toJUnit(tampered));
    const testcase = report.testsuite[0]?.testcase[0];
    expect(testcase?.["@_name"]).toBe("a \"<request>\" & 'friends'  with ]]> and  alone");
    expect(testcase?.failure?.["@_message"]).toContain('"<request>" &');
  });
});
