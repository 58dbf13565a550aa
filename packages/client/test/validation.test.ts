import { describe, expect, it } from "vitest";
import {
  freeTextReply,
  inAppMessage,
  isRealCalendarDate,
  isValidNhsNumber,
  isValidPracticeOdsCode,
  isValidRequesterOdsCode,
  keywordReply,
  normaliseNhsNumber,
  pushNotification,
  validateInAppMessage,
  validatePushNotification,
} from "../src/index.js";

const where = (issues: readonly { expression?: string[]; diagnostics?: string }[]) =>
  issues.map((i) => `${i.expression?.[0]}: ${i.diagnostics}`);

describe("NHS numbers", () => {
  it.each([
    "9903002157",
    "9692113841",
    "9074662803",
    "9487416153",
    "9434765919",
    "4010232137",
    "9000000009",
    "9000000130",
  ])("%s is valid", (value) => expect(isValidNhsNumber(value)).toBe(true));
  it.each([
    "9434765910",
    "1234567890",
    "9000000050",
    "9000000051",
    "987654321",
    "12345678901",
    "943 476 5919",
    "94347659A9",
    "",
  ])("%j is invalid", (value) => expect(isValidNhsNumber(value)).toBe(false));
  it("is normalised only when asked", () => {
    expect(normaliseNhsNumber("943 476-5919")).toBe("9434765919");
  });
});

describe("ODS codes and report days", () => {
  it("checks a practice code for the patient report, any case", () => {
    for (const ok of ["A12345", "a12345", "T00001", "A1B2C"]) expect(isValidPracticeOdsCode(ok)).toBe(true);
    for (const bad of ["C12345C", "abc", "", "12345A"]) expect(isValidPracticeOdsCode(bad)).toBe(false);
  });
  it("checks a requester code: capitals and digits only", () => {
    expect(isValidRequesterOdsCode("B82041")).toBe(true);
    expect(isValidRequesterOdsCode("b82041")).toBe(false);
    expect(isValidRequesterOdsCode("B82 041")).toBe(false);
  });
  it("accepts only real calendar dates as YYYY-MM-DD", () => {
    // Years 0000 to 0099 are real years, as the spec's format: date says (JavaScript's Date would read them as 19xx).
    for (const ok of ["2024-02-29", "2021-03-08", "0006-07-06", "0000-02-29"])
      expect(isRealCalendarDate(ok)).toBe(true);
    for (const bad of [
      "2021-02-30",
      "2021-13-01",
      "09-03-2021",
      "2021-3-9",
      "2021-03-08T01:00:00",
      "yesterday",
      "abc",
      "2023-02-29",
      "0100-02-29",
    ]) {
      expect(isRealCalendarDate(bad)).toBe(false);
    }
  });
});

const valid = () => inAppMessage({ nhsNumber: "9434765919", odsCode: "B82041", text: "Hello" });

describe("in-app message validation", () => {
  it("passes a plain message, a keyword reply with 1 and 6 keywords and a free-text reply", () => {
    expect(validateInAppMessage(valid())).toEqual([]);
    expect(validateInAppMessage({ ...valid(), ...keywordReply(["YES"]) })).toEqual([]);
    expect(validateInAppMessage({ ...valid(), ...keywordReply(["A", "B", "C", "D", "E", "F"]) })).toEqual([]);
    expect(validateInAppMessage({ ...valid(), ...freeTextReply() })).toEqual([]);
  });

  it("accepts 5000 characters of text and refuses 5001, empty text and HTML tags", () => {
    const text = (contentString: string) => ({ ...valid(), payload: [{ contentString }] });
    expect(validateInAppMessage(text("x".repeat(5000)))).toEqual([]);
    expect(where(validateInAppMessage(text("x".repeat(5001))))).toEqual([
      "payload[0].contentString: Exceeds maximum length",
    ]);
    expect(where(validateInAppMessage(text("")))).toEqual(["payload[0].contentString: Not specified"]);
    expect(where(validateInAppMessage(text("Hi <b>there</b>")))).toEqual([
      "payload[0].contentString: Must not contain HTML tags",
    ]);
    expect(validateInAppMessage(text("Fish &amp; chips, 2 < 3"))).toEqual([]);
  });

  it("reports every problem of a bad resource at once", () => {
    const bad = {
      resourceType: "communicationrequest",
      status: "draft",
      identifier: [
        { system: "https://fhir.nhs.uk/NHSApp/campaign-id", value: "one" },
        { system: "https://fhir.nhs.uk/NHSApp/campaign-id", value: "<i>two</i>" },
      ],
      payload: [{ contentString: "Hi" }, { contentString: "again" }],
      recipient: [
        { identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: "9434765919" } },
        { identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: "9434765919" } },
      ],
      requester: { identifier: { system: "https://fhir.nhs.uk/Id/ods-code", value: "b82041" } },
    };
    // In the server's order: element by element as the spec lists them, an element before its parts.
    expect(where(validateInAppMessage(bad))).toEqual([
      "undefined: type (at Cannot locate type information for type 'communicationrequest')",
      "identifier: Multiple Campaign IDs specified",
      "identifier[1].value: Must not contain HTML tags",
      "status: status must be active",
      "payload: Exceeds maximum length",
      "recipient: Exceeds maximum length",
      "requester.identifier.system: Identifier system is invalid",
      "requester.identifier.value: Invalid format",
    ]);
  });

  it("requires a recipient and a requester", () => {
    const { recipient: _r, requester: _q, ...rest } = valid();
    expect(where(validateInAppMessage(rest))).toEqual(["recipient: Not specified", "requester: Not specified"]);
    expect(where(validateInAppMessage({ ...valid(), recipient: [] }))).toEqual(["recipient: Not specified"]);
  });

  it("checks the contained Questionnaire and the answers extension together", () => {
    const reply = keywordReply(["YES"]);
    const noExtension = { ...valid(), contained: reply.contained };
    expect(where(validateInAppMessage(noExtension))).toEqual([
      "extension: A contained Questionnaire needs the answers extension",
    ]);
    const wrongReference = {
      ...valid(),
      ...reply,
      extension: [{ url: "https://fhir.nhs.uk/NHSApp/answers", valueReference: { reference: "#other" } }],
    };
    expect(where(validateInAppMessage(wrongReference))).toEqual([
      "extension[0].valueReference.reference: The answers extension must refer to the contained Questionnaire as #answeroptions",
    ]);
    const noKeywords = { ...valid(), ...keywordReply([]) };
    expect(where(validateInAppMessage(noKeywords))).toEqual(["contained[0].item[0].answerOption: Not specified"]);
    const keywordsWithoutList = {
      ...valid(),
      ...reply,
      contained: [{ ...reply.contained[0], item: [{ linkId: "1", type: "choice" }] }],
    };
    expect(where(validateInAppMessage(keywordsWithoutList))).toEqual([
      "contained[0].item[0].answerOption: Not specified",
    ]);
    const freeTextWithKeywords = {
      ...valid(),
      ...reply,
      contained: [{ ...reply.contained[0], item: [{ ...reply.contained[0].item[0], type: "text" }] }],
    };
    expect(where(validateInAppMessage(freeTextWithKeywords))).toEqual([
      "contained[0].item[0].answerOption: A free-text reply has no keywords",
    ]);
    const twoQuestions = {
      ...valid(),
      ...freeTextReply(),
      contained: [
        {
          ...freeTextReply().contained[0],
          item: [
            { linkId: "1", type: "text" },
            { linkId: "2", type: "text" },
          ],
        },
      ],
    };
    expect(where(validateInAppMessage(twoQuestions))).toEqual(["contained[0].item: Exceeds maximum length"]);
    const badType = {
      ...valid(),
      ...reply,
      contained: [{ ...reply.contained[0], item: [{ linkId: "1", type: "date" }] }],
    };
    expect(where(validateInAppMessage(badType))).toEqual(["contained: [0].item.type should be text or choice"]);
    const notQuestionnaire = { ...valid(), ...reply, contained: [{ ...reply.contained[0], resourceType: "Patient" }] };
    expect(where(validateInAppMessage(notQuestionnaire))).toEqual([
      "contained[0].type: contained should contain one resource of type Questionnaire",
    ]);
    const badUrl = { ...valid(), ...reply, extension: [{ url: "", valueReference: { reference: "#answeroptions" } }] };
    expect(where(validateInAppMessage(badUrl))).toEqual(["extension[0].url: url is invalid"]);
    const extensionAlone = { ...valid(), extension: reply.extension };
    expect(where(validateInAppMessage(extensionAlone))).toEqual([
      "extension: The answers extension needs a contained Questionnaire",
    ]);
  });

  it("keeps the offending NHS number on the issue, out of sight", () => {
    const [issue] = validateInAppMessage({
      ...valid(),
      recipient: [{ identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: "9434765910" } }],
    });
    expect(issue?.value).toBe("9434765910");
    expect(JSON.stringify(issue)).not.toContain("9434765910");
  });

  it("copes with input that is not a resource at all", () => {
    for (const notAResource of [null, undefined, "a message", 42, []]) {
      expect(where(validateInAppMessage(notAResource))).toEqual(["undefined: Invalid format"]);
    }
    expect(validateInAppMessage({}).length).toBeGreaterThanOrEqual(4);
  });

  it("reports a value of the wrong type as such, not as the rules it then cannot meet", () => {
    for (const contentString of [42, null, ["a", "b"], { text: "<b>" }]) {
      expect(where(validateInAppMessage({ ...valid(), payload: [{ contentString }] }))).toEqual([
        "payload[0].contentString: Invalid format",
      ]);
    }
  });

  it("refuses a recipient named by anything but an NHS number, and two texts", () => {
    const byOdsCode = {
      ...valid(),
      recipient: [{ identifier: { system: "https://fhir.nhs.uk/Id/ods-organization-code", value: "9434765919" } }],
    };
    expect(where(validateInAppMessage(byOdsCode))).toEqual([
      "recipient[0].identifier.system: Identifier system is invalid",
    ]);
    const twoTexts = { ...valid(), payload: [{ contentString: "One" }, { contentString: "Two" }] };
    expect(where(validateInAppMessage(twoTexts))).toEqual(["payload: Exceeds maximum length"]);
  });

  it("refuses a long run of < for its length; a run without a > is no tag (its speed is measured in pnpm bench)", () => {
    const issues = validateInAppMessage({ ...valid(), payload: [{ contentString: "<".repeat(100_000) }] });
    expect(where(issues)).toEqual(["payload[0].contentString: Exceeds maximum length"]);
    expect(validateInAppMessage({ ...valid(), payload: [{ contentString: "<".repeat(4_000) }] })).toEqual([]);
    expect(where(validateInAppMessage({ ...valid(), payload: [{ contentString: `${"<".repeat(4_000)}>` }] }))).toEqual([
      "payload[0].contentString: Must not contain HTML tags",
    ]);
  });
});

describe("push notification validation", () => {
  const push = (text: string, url = "https://www.nhsapp.service.nhs.uk/patient/messages") =>
    pushNotification({ nhsNumber: "9434765919", text, url });

  it("accepts 200 characters and refuses 201", () => {
    expect(validatePushNotification(push("x".repeat(200)))).toEqual([]);
    expect(where(validatePushNotification(push("x".repeat(201))))).toEqual([
      "payload[0].contentReference.display: Exceeds maximum length",
    ]);
  });

  it("needs an absolute https URL of at most 1000 characters", () => {
    for (const link of ["/patient/messages", "not a url", "http://www.nhsapp.service.nhs.uk/", "javascript:alert(1)"]) {
      expect(where(validatePushNotification(push("Hi", link)))).toEqual([
        "payload[0].contentReference.reference: Must be an absolute https URL of an NHS App page",
      ]);
    }
    expect(
      where(validatePushNotification(push("Hi", `https://www.nhsapp.service.nhs.uk/${"a".repeat(1000)}`))),
    ).toEqual(["payload[0].contentReference.reference: Exceeds maximum length"]);
  });

  it("checks the recipient as for in-app messages", () => {
    const bad = {
      ...push("Hi"),
      recipient: [{ identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: "1234567890" } }],
    };
    expect(where(validatePushNotification(bad))).toEqual(["recipient[0].identifier.value: NHS Number is invalid"]);
  });
});
