// The contract check against releases made from our own documents: as they
// are (every pact kept, the token pact included), with each deliberate
// breaking change the harness knows and others (each caught, naming the
// interaction and the field), with changes that break nothing (kept), and
// with what a folder may lack or hold that is not a contract.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mutations } from "../../../contracts/verify/mutations.ts";
import { type ContractCheck, ContractInputError, formatCheck } from "../src/index.js";
import { bundle, check, type Json, release, removeReleases, repoFiles } from "./release.ts";

afterAll(removeReleases);

/** Every fault of the check, as `<document>: <interaction>: <field>`. */
const faultsOf = (result: ContractCheck) =>
  result.pacts.flatMap((pact) =>
    pact.checked
      ? pact.interactions.flatMap((i) => i.faults.map((f) => `${pact.document}: ${i.description}: ${f.field}`))
      : [],
  );

const PATIENTS = "/communication/report/patients";
const IN_APP = "/communication/in-app/FHIR/R4/CommunicationRequest";
const schemas = (document: Json) => document.components.schemas as Json;

/** An edit applying `change` to every object in a document, wherever it sits. */
const everySchema =
  (change: (schema: Json) => void) =>
  (document: Json): void => {
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object") {
        change(node as Json);
        Object.values(node).forEach(walk);
      }
    };
    walk(document);
  };

/** Takes `value` out of a schema's list under `keyword` (an enum, a required list), if it is there. */
const drop = (schema: Json, keyword: "enum" | "required", value: string) => {
  if (Array.isArray(schema[keyword])) schema[keyword] = schema[keyword].filter((v: unknown) => v !== value);
};

describe("the check against our own documents, laid out as NHS England's repository", () => {
  it("keeps every interaction of every pact, the token pact included", async () => {
    const result = await check(await release());
    expect(faultsOf(result)).toEqual([]);
    expect(result.pacts.every((pact) => pact.checked)).toBe(true);
    expect(result.counts).toEqual({
      checked: result.counts.checked,
      kept: result.counts.checked,
      broken: 0,
      unchecked: 0,
    });
    expect(result.counts.checked).toBeGreaterThanOrEqual(30);
    expect(result.differences).toEqual([]);
    expect(result.kept).toBe(true);
  });

  it("says the token pact was not checked, and why, when the folder holds no token document", async () => {
    const result = await check(await release({ without: ["oauth-token"] }));
    const token = result.pacts.find((pact) => pact.document === "oauth-token");
    expect(token?.checked).toBe(false);
    expect(token?.reason).toMatch(/holds no document of the platform token endpoint/);
    expect(result.counts.unchecked).toBe(token?.interactions.length);
    expect(result.kept).toBe(true);
    expect(formatCheck(result)).toMatch(
      /^NOT CHECKED oauth-token: 1 interaction of .*token.*: .*platform token endpoint/m,
    );
  });
});

describe("each deliberate breaking change of the harness", () => {
  for (const mutation of mutations) {
    it(`is caught, naming interaction and field: ${mutation.name}`, async () => {
      const result = await check(await release({ edit: { [mutation.document ?? "nhs-app"]: mutation.apply } }));
      expect(result.kept).toBe(false);
      const broken = result.pacts.flatMap((pact) => pact.interactions.filter((i) => pact.checked && !i.passed));
      expect(broken.length).toBeGreaterThan(0);
      for (const interaction of broken) {
        expect(interaction.faults.length).toBeGreaterThan(0);
        for (const fault of interaction.faults) expect(fault.field).toMatch(/^(request|response|query) \S/);
      }
      // Every failure line of the report names the document, the interaction and the field.
      const failed = formatCheck(result)
        .split("\n")
        .filter((line) => line.startsWith("FAILED"));
      expect(failed.length).toBeGreaterThan(0);
      for (const line of failed) expect(line).toMatch(/^FAILED [\w-]+: .+: (request|response|query) [^:]+: .+/);
    });
  }
});

describe("breaking changes found by an independent check", () => {
  it("a renamed optional query parameter a pact uses (page to pageNumber) fails, naming it", async () => {
    const result = await check(
      await release({
        edit: {
          "nhs-app": (d) => {
            d.components.parameters.Page.name = "pageNumber";
          },
        },
      }),
    );
    expect(faultsOf(result)).toContain(
      "nhs-app: a request for the last page of the NHS App users at a GP practice: query parameter page",
    );
    expect(faultsOf(result)).toContain(
      "nhs-app: a request for the last page of the receipts of a day: query parameter page",
    );
  });

  it("a patient's nhsNumber turned into an integer names the field", async () => {
    const result = await check(
      await release({
        edit: {
          "nhs-app": (d) => {
            schemas(d).PatientReportEntry.properties.nhsNumber = { type: "integer" };
          },
        },
      }),
    );
    expect(faultsOf(result)).toContain(
      "nhs-app: a request for the first page of the NHS App users at a GP practice: response body [0].nhsNumber",
    );
  });

  it("a receipt code dropped from the report fails the pinned report interaction, naming the code field", async () => {
    const result = await check(
      await release({
        edit: {
          "nhs-app": (d) => {
            const code = schemas(d).ReceiptCode.properties.coding.items.properties.code;
            code.enum = code.enum.filter((value: string) => value !== "Notified");
          },
        },
      }),
    );
    // Notified appears only in the pinned receipts, not as the regex matcher's example value.
    expect(faultsOf(result)).toEqual([
      expect.stringMatching(
        /^nhs-app: a request for the first page of the receipts of a day: response body entry\[\d\]\.resource\.code\.coding\[0\]\.code$/,
      ),
    ]);
    expect(formatCheck(result)).toMatch(
      /coding\.items\.properties\.code\.enum: drops Notified \(departure receipt-code-notification-attempted was written for another published value: re-check it\)$/m,
    );
  });

  it("a receipt code dropped from the callback document fails the NHS App's receipt with that code", async () => {
    const result = await check(
      await release({
        edit: {
          "realtime-receipts": everySchema((schema) => drop(schema, "enum", "Read")),
        },
      }),
    );
    expect(faultsOf(result)).toContain("realtime-receipts: a receipt: read: request body code.coding[0].code");
    expect(faultsOf(result).every((line) => line.startsWith("realtime-receipts: a receipt: read:"))).toBe(true);
  });

  it("an answer field the client reads, required by spec/ and made optional by the release, fails", async () => {
    const result = await check(
      await release({
        edit: {
          "oauth-token": (d) => {
            const response = schemas(d).TokenResponse;
            response.required = response.required.filter((name: string) => name !== "expires_in");
          },
        },
      }),
    );
    expect(faultsOf(result)).toEqual([
      "oauth-token: a client-credentials request with a signed JWT assertion: response body expires_in",
    ]);
  });

  it("a field the callback endpoint reads made optional fails each receipt, and the body expected refused too", async () => {
    const result = await check(
      await release({
        edit: {
          "realtime-receipts": everySchema((schema) => drop(schema, "required", "lastModified")),
        },
      }),
    );
    // The body the pact expects refused is now accepted; and every receipt the NHS App sends holds a field
    // this project's endpoint reads, which the NHS App may now leave out.
    expect(faultsOf(result)).toContain(
      "realtime-receipts: an invalid body: a receipt without lastModified: request body",
    );
    expect(faultsOf(result)).toContain("realtime-receipts: a receipt: delivered: request body lastModified");
    expect(faultsOf(result).every((f) => /: request body( lastModified)?$/.test(f))).toBe(true);
  });

  it("an answer's media type the client cannot read fails", async () => {
    const result = await check(
      await release({
        edit: {
          "nhs-app": (d) => {
            const ok = d.paths[PATIENTS].get.responses["200"];
            ok.content = { "application/xml": ok.content["application/json"] };
          },
        },
      }),
    );
    expect(faultsOf(result).filter((f) => f.includes("NHS App users"))).not.toEqual([]);
    expect(faultsOf(result).every((f) => / NHS App users at a GP practice: response /.test(f))).toBe(true);
  });

  it("a response the pact expects, removed from the operation, fails", async () => {
    const result = await check(
      await release({ edit: { "nhs-app": (d) => void delete d.paths[IN_APP].post.responses["403"] } }),
    );
    expect(faultsOf(result)).toEqual(["nhs-app: a request to send a message without the permission: response status"]);
  });
});

describe("changes that break nothing the pacts make", () => {
  it("keep the contract, and are listed from the release's point of view", async () => {
    const result = await check(
      await release({
        edit: {
          "nhs-app": (d) => {
            // A new operation, an optional query parameter, a longer text, an optional request field,
            // a new answer field and a new receipt code.
            d.paths["/communication/report/campaigns"] = structuredClone(d.paths[PATIENTS]);
            d.paths["/communication/report/campaigns"].get.operationId = "get-campaign-report";
            d.paths[PATIENTS].get.parameters.push({
              name: "since",
              in: "query",
              required: false,
              schema: { type: "string" },
            });
            schemas(d).ContentString.maxLength = 10_000;
            schemas(d).PushNotificationRequest.properties.priority = { type: "string" };
            schemas(d).PatientReportEntry.properties.registeredOn = { type: "string", format: "date" };
            schemas(d).ReceiptCode.properties.coding.items.properties.code.enum.push("Archived");
            schemas(d).InAppCommunicationRequest.required = schemas(d).InAppCommunicationRequest.required.filter(
              (name: string) => name !== "status",
            );
          },
        },
      }),
    );
    const text = formatCheck(result);
    expect(faultsOf(result), text).toEqual([]);
    expect(result.kept).toBe(true);
    expect(text).toContain('nhs-app: the release adds the operation paths["/communication/report/campaigns"].get');
    expect(text).toContain(`nhs-app: the release adds the parameter paths["${PATIENTS}"].get.parameters[query:since]`);
    expect(text).toMatch(/the release changes \S+\.contentString\.maxLength from 5000 to 10000$/m);
    expect(text).toMatch(
      /the release changes \S+\.code\.enum: adds Archived( \(departure \S+ was written for another published value: re-check it\))?$/m,
    );
    expect(text).toMatch(/the release no longer requires status in paths\["\/communication\/in-app\S+\.schema$/m);
    expect(text).not.toMatch(/removes \S*campaigns/);
  });

  it("a request schema rebuilt from allOf parts, with the same fields, keeps the contract", async () => {
    const result = await check(
      await release({
        edit: {
          "nhs-app": (d) => {
            const { required, properties, ...rest } = schemas(d).InAppCommunicationRequest;
            const names = Object.keys(properties);
            const part = (from: number, to?: number) => ({
              type: "object",
              required: required.filter((n: string) => names.slice(from, to).includes(n)),
              properties: Object.fromEntries(Object.entries(properties).slice(from, to)),
            });
            schemas(d).InAppCommunicationRequest = { ...rest, allOf: [part(0, 3), part(3)] };
          },
        },
      }),
    );
    expect(faultsOf(result)).toEqual([]);
  });

  it("a path the release drops is worded as removed by the release", async () => {
    const result = await check(await release({ edit: { "nhs-app": (d) => void delete d.paths[PATIENTS] } }));
    expect(formatCheck(result)).toContain(`nhs-app: the release removes the operation paths["${PATIENTS}"].get`);
    expect(faultsOf(result)).toEqual([
      "nhs-app: a request for the first page of the NHS App users at a GP practice: request path",
      "nhs-app: a request for the last page of the NHS App users at a GP practice: request path",
    ]);
  });
});

describe("findings of an independent review", () => {
  it("a field renamed in a request body built with allOf fails", async () => {
    const result = await check(
      await release({
        edit: {
          "nhs-app": (d) => {
            const { required, properties, ...rest } = schemas(d).PushNotificationRequest;
            const names = Object.keys(properties);
            const part = (from: number, to?: number) => ({
              type: "object",
              required: required.filter((n: string) => names.slice(from, to).includes(n)),
              properties: Object.fromEntries(Object.entries(properties).slice(from, to)),
            });
            const whole = { ...rest, allOf: [part(0, 3), part(3)] };
            for (const piece of whole.allOf) {
              if (piece.properties.identifier) {
                piece.properties.identifiers = piece.properties.identifier;
                delete piece.properties.identifier;
              }
            }
            schemas(d).PushNotificationRequest = whole;
          },
        },
      }),
    );
    expect(faultsOf(result)).toContain("nhs-app: a request to send a push notification: request body identifier");
  });

  it("an answer schema rebuilt from allOf parts is not taken for a field made optional", async () => {
    const result = await check(
      await release({
        edit: {
          "nhs-app": (d) => {
            const issue = schemas(d).OperationOutcomeIssue;
            const { required, properties, ...rest } = issue;
            schemas(d).OperationOutcomeIssue = {
              ...rest,
              allOf: [
                { type: "object", required, properties: { severity: properties.severity, code: properties.code } },
                {
                  type: "object",
                  properties: { diagnostics: properties.diagnostics, expression: properties.expression },
                },
              ],
            };
          },
        },
      }),
    );
    expect(faultsOf(result)).toEqual([]);
  });

  it("a new value in an enum a departure adds to keeps the contract, and the departure is flagged for re-checking", async () => {
    const result = await check(
      await release({
        // As NHS England's list would be: without the NotificationAttempted our departure adds, and with a new code.
        edit: {
          "nhs-app": (d) => {
            const code = schemas(d).ReceiptCode.properties.coding.items.properties.code;
            code.enum = [...code.enum.filter((v: string) => v !== "NotificationAttempted"), "Expired"];
          },
        },
      }),
    );
    expect(faultsOf(result)).toEqual([]);
    expect(formatCheck(result)).toMatch(
      /code\.enum: drops NotificationAttempted; adds Expired \(departure receipt-code-notification-attempted was written/,
    );
  });

  it("request media types with parameters or wildcards take what the client sends", async () => {
    const result = await check(
      await release({
        edit: {
          "nhs-app": (d) => {
            const content =
              d.paths["/communication/notification/FHIR/R4/CommunicationRequest"].post.requestBody.content;
            content["application/fhir+json; charset=utf-8"] = content["application/fhir+json"];
            delete content["application/fhir+json"];
            const inApp = d.paths[IN_APP].post.requestBody.content;
            inApp["application/*"] = inApp["application/json"];
          },
        },
      }),
    );
    expect(faultsOf(result).filter((f) => f.includes("content-type"))).toEqual([]);
  });

  it("looks first where NHS England keeps each document: an old copy elsewhere cannot stand in for a broken one", async () => {
    const folder = await release({
      edit: {
        "nhs-app": (d) => {
          d.components.parameters.Page.name = "pageNumber";
        },
      },
    });
    const archive = path.join(folder, "specification/archive");
    await mkdir(archive, { recursive: true });
    await writeFile(path.join(archive, "nhs-app-v0.yaml"), JSON.stringify(await bundle("nhs-app")));
    const result = await check(folder);
    expect(result.pacts.find((p) => p.document === "nhs-app")?.target).toBe(
      path.join(folder, "specification/nhs-app.yaml"),
    );
    expect(result.kept).toBe(false);
    expect(result.ignored).toEqual([{ document: "nhs-app", location: path.join(archive, "nhs-app-v0.yaml") }]);
  });

  it("passes over what is not a readable document of its own: links to nowhere, pipes, broken strays", async () => {
    const folder = await release({ without: ["nhs-app"] });
    // The API's document as minified JSON with sorted keys (openapi is not its first key), in the publisher's place.
    const sorted = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(sorted)
        : value && typeof value === "object"
          ? Object.fromEntries(
              Object.entries(value)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, v]) => [k, sorted(v)]),
            )
          : value;
    await mkdir(path.join(folder, "specification"), { recursive: true });
    await writeFile(path.join(folder, "specification/nhs-app.yaml"), JSON.stringify(sorted(await bundle("nhs-app"))));
    await symlink(path.join(folder, "nowhere.yaml"), path.join(folder, "broken-link.yaml"));
    await symlink(path.join(folder, "specification"), path.join(folder, "folder-link.yaml"));
    execFileSync("mkfifo", [path.join(folder, "pipe.yaml")]);
    await writeFile(
      path.join(folder, "stray.yaml"),
      "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    $ref: ./missing.yaml\n",
    );
    const result = await check(folder);
    expect(result.pacts.every((p) => p.checked)).toBe(true);
    expect(result.kept).toBe(true);
    expect(result.skipped.map((s) => path.basename(s.location))).toEqual(["stray.yaml"]);
    expect(formatCheck(result)).toMatch(/^Passed over .*stray\.yaml: a \$ref cannot be resolved/m);
  });
});

describe("departures", () => {
  it("a difference a departure explains is put back first; without the departures list it breaks the pact", async () => {
    // NHS England's receipt codes lack NotificationAttempted; our departure adds it.
    const dropNotificationAttempted = everySchema((schema) => drop(schema, "enum", "NotificationAttempted"));
    const folder = await release({ edit: { "realtime-receipts": dropNotificationAttempted } });
    expect((await check(folder)).kept).toBe(true);
    const none = path.join(await mkdtemp(path.join(tmpdir(), "nhs-app-departures-")), "none.yaml");
    await writeFile(none, "departures: []\n");
    const strict = await check(folder, { departures: none });
    expect(faultsOf(strict)).toContain(
      "realtime-receipts: a receipt: notificationattempted: request body code.coding[0].code",
    );
    await rm(path.dirname(none), { recursive: true, force: true });
  });
});

describe("what it is pointed at", () => {
  it("one document checks its own pact and says the others were not checked", async () => {
    const folder = await release();
    const result = await check(path.join(folder, "specification/nhs-app.yaml"));
    expect(result.pacts.filter((p) => p.checked).map((p) => p.document)).toEqual(["nhs-app"]);
    for (const pact of result.pacts.filter((p) => !p.checked))
      expect(pact.reason).toMatch(/is one document \(NHS App API\)/);
    expect(result.kept).toBe(true);
  });

  it("refuses what it cannot read or use, in one line", async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), "nhs-app-bad-input-"));
    try {
      await writeFile(path.join(scratch, "notes.yaml"), "title: not a contract\n");
      await writeFile(
        path.join(scratch, "other.yaml"),
        "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /pets:\n    get:\n      operationId: list-pets\n      responses: {'200': {description: ok}}\n",
      );
      await writeFile(path.join(scratch, "broken.json"), "{ not json");
      for (const [location, reason] of [
        [path.join(scratch, "missing.yaml"), /cannot read it/],
        [scratch, /holds no OpenAPI document of this contract/],
        [path.join(scratch, "notes.yaml"), /not an OpenAPI 3 document/],
        [path.join(scratch, "other.yaml"), /shares no operation with any document of this contract/],
        [path.join(scratch, "broken.json"), /cannot read it/],
      ] as const) {
        const error = await check(location).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ContractInputError);
        expect((error as Error).message).toMatch(reason);
        expect((error as Error).message).not.toContain("\n");
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it("needs the pacts: a folder without them is a clear input error", async () => {
    const error = await check(await release(), { pactsDir: path.join(repoFiles.pactsDir, "nowhere") }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContractInputError);
    expect((error as Error).message).toMatch(/cannot read the pact/);
  });
});
