// How @nhs-app-api/client reads the reports: a page with a next link, then
// the last page, for each report; the first page of receipts holds one of
// each receipt code, each pinned. (The iterators that follow the links are
// tested in the client's own tests: the pact's example links cannot point at
// the mock server's port.)
import { enums } from "@nhs-app-api/contract";
import { describe, expect, it } from "vitest";
import { providerStates } from "../provider-states.ts";
import {
  bearer,
  correlationHeader,
  json,
  linkHeader,
  patientList,
  receiptBundle,
  receiptBundleWithEveryCode,
} from "./shapes.ts";
import { clientFor, newPact, showingErrors, useTokenEndpoint } from "./support.ts";

useTokenEndpoint();

const RECEIPTS = "/communication/report/receipts/FHIR/R4/Task";
const PATIENTS = "/communication/report/patients";

describe("reading reports", () => {
  it("reads the receipt report of a day: a page with a next link, then the last page without one", async () => {
    const pact = newPact();
    pact
      .addInteraction()
      .given(providerStates.receiptsSeveralPages.name)
      .uponReceiving("a request for the first page of the receipts of a day")
      .withRequest("GET", RECEIPTS, (builder) => {
        builder.query({ day: "2022-08-19" }).headers({ Authorization: bearer(), ...correlationHeader });
      })
      .willRespondWith(200, (builder) => {
        builder
          .headers({
            Link: linkHeader(
              true,
              `<http://127.0.0.1/x?day=2022-08-19&page=2>; rel="next", <http://127.0.0.1/x?day=2022-08-19&page=2>; rel="last"`,
            ),
            ...correlationHeader,
            ...json,
          })
          .jsonBody(receiptBundleWithEveryCode);
      });
    await pact
      .addInteraction()
      .given(providerStates.receiptsLastPage.name)
      .uponReceiving("a request for the last page of the receipts of a day")
      .withRequest("GET", RECEIPTS, (builder) => {
        builder.query({ day: "2022-08-19", page: "2" }).headers({ Authorization: bearer(), ...correlationHeader });
      })
      .willRespondWith(200, (builder) => {
        builder
          .headers({
            Link: linkHeader(false, `<http://127.0.0.1/x?day=2022-08-19&page=2>; rel="last"`),
            ...correlationHeader,
            ...json,
          })
          .jsonBody(receiptBundle);
      })
      .executeTest(
        showingErrors(async (server) => {
          const client = clientFor(server.url);
          const first = await client.getReceiptReport({ day: "2022-08-19" });
          expect(first.items[0]?.resourceType).toBe("Task");
          // Every receipt code reaches the caller as the report has it.
          expect(new Set(first.items.map((receipt) => receipt.code.coding[0]?.code))).toEqual(
            new Set(enums.receiptCodes),
          );
          expect(first.links.next).toBeDefined();
          const last = await client.getReceiptReport({ day: "2022-08-19", page: 2 });
          expect(last.links.next).toBeUndefined();
        }),
      );
  });

  it("reads the patient report of T00001: a page with a next link, then the last page without one", async () => {
    const pact = newPact();
    pact
      .addInteraction()
      .given(providerStates.patientsSeveralPages.name)
      .uponReceiving("a request for the first page of the NHS App users at a GP practice")
      .withRequest("GET", PATIENTS, (builder) => {
        builder.query({ "ods-organisation-code": "T00001" }).headers({ Authorization: bearer(), ...correlationHeader });
      })
      .willRespondWith(200, (builder) => {
        builder
          .headers({
            Link: linkHeader(
              true,
              '<http://127.0.0.1:{port}/communication/report/patients?ods-organisation-code=T00001&page=2>; rel="next", <http://127.0.0.1:{port}/communication/report/patients?ods-organisation-code=T00001&page=2>; rel="last"',
            ),
            ...correlationHeader,
            ...json,
          })
          .jsonBody(patientList);
      });
    await pact
      .addInteraction()
      .given(providerStates.patientsLastPage.name)
      .uponReceiving("a request for the last page of the NHS App users at a GP practice")
      .withRequest("GET", PATIENTS, (builder) => {
        builder
          .query({ "ods-organisation-code": "T00001", page: "2" })
          .headers({ Authorization: bearer(), ...correlationHeader });
      })
      .willRespondWith(200, (builder) => {
        builder
          .headers({
            Link: linkHeader(
              false,
              '<http://127.0.0.1/communication/report/patients?ods-organisation-code=T00001&page=2>; rel="last"',
            ),
            ...correlationHeader,
            ...json,
          })
          .jsonBody(patientList);
      })
      .executeTest(
        showingErrors(async (server) => {
          const client = clientFor(server.url);
          const first = await client.getPatientReport({ odsCode: "T00001" });
          expect(first.items[0]?.nhsNumber).toMatch(/^\d{10}$/);
          expect(first.links.next).toContain("page=2");
          const last = await client.getPatientReport({ odsCode: "T00001", page: 2 });
          expect(last.links.next).toBeUndefined();
          expect(last.lastPage).toBe(2);
        }),
      );
  });
});
