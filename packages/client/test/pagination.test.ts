import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { ClientValidationError, NotFoundError, PaginationError } from "../src/index.js";
import { linksFromBundle, linksFromHeader } from "../src/pagination/links.js";
import {
  BASE_URL,
  operationOutcome,
  PATIENTS,
  RECEIPTS,
  server,
  TOKEN_URL,
  testClient,
  tokenEndpoint,
  useMockServer,
} from "./support.js";

useMockServer();

describe("Link headers", () => {
  it("reads next and last from one comma-joined value, quoted or not, with any spacing", () => {
    expect(linksFromHeader('<https://x/a?page=2>; rel="next", <https://x/a?page=7>; rel="last"')).toEqual({
      next: "https://x/a?page=2",
      last: "https://x/a?page=7",
    });
    expect(linksFromHeader("<https://x/a?page=7>;rel=last ,   <https://x/a?page=2> ;  rel=next")).toEqual({
      next: "https://x/a?page=2",
      last: "https://x/a?page=7",
    });
    expect(linksFromHeader(null)).toEqual({});
    expect(linksFromHeader("garbage")).toEqual({});
  });

  it("reads the Bundle's link array", () => {
    expect(
      linksFromBundle({
        link: [
          { relation: "self", url: "https://x/a?page=1" },
          { relation: "next", url: "https://x/a?page=2" },
          { relation: "unknown", url: "https://x/z" },
        ],
      }),
    ).toEqual({ self: "https://x/a?page=1", next: "https://x/a?page=2" });
  });
});

/** A patient report of `pages` pages for T00001, with Link headers as the API sends them. */
function patientReport(
  pages: number,
  nextLink = (page: number) => `${PATIENTS}?ods-organisation-code=T00001&page=${page + 1}`,
) {
  const requested: (string | null)[] = [];
  server.use(
    tokenEndpoint().handler,
    http.get(PATIENTS, ({ request }) => {
      const page = Number(new URL(request.url).searchParams.get("page") ?? "1");
      requested.push(new URL(request.url).searchParams.get("page"));
      if (page > pages) return operationOutcome(404, "not-found", "Report not found");
      const links = [`<${PATIENTS}?ods-organisation-code=T00001&page=${pages}>; rel="last"`];
      if (page < pages) links.unshift(`<${nextLink(page)}>; rel="next"`);
      return HttpResponse.json([{ nhsNumber: String(9000000000 + page), notificationsEnabled: page % 2 === 0 }], {
        headers: { link: links.join(", ") },
      });
    }),
  );
  return requested;
}

describe("report pagination", () => {
  it("walks every page of the patient report by following rel=next", async () => {
    const requested = patientReport(3);
    const client = testClient();
    const pages = await client.patients.pages("T00001").toArray({ limit: 10 });
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3]);
    expect(pages[0]?.lastPage).toBe(3);
    expect(requested).toEqual([null, "2", "3"]);
    const items = await client.patients.items("T00001").toArray({ limit: 10 });
    expect(items.map((p) => p.nhsNumber)).toEqual(["9000000001", "9000000002", "9000000003"]);
  });

  it("stops at the limit without fetching further pages", async () => {
    const requested = patientReport(5);
    const items = await testClient().patients.items("T00001").toArray({ limit: 2 });
    expect(items).toHaveLength(2);
    expect(requested).toEqual([null, "2"]);
  });

  it("requires a limit for toArray", async () => {
    patientReport(1);
    await expect(testClient().patients.items("T00001").toArray({ limit: 0 })).rejects.toThrow(RangeError);
  });

  it("follows a next link naming another host on the configured base, as the path and query it names", async () => {
    // The published example's links name the production host; the token must still go only to the configured API.
    const requested = patientReport(
      3,
      (page) =>
        `https://api.service.nhs.uk/nhs-app/communication/report/patients/?ods-organisation-code=T00001&page=${page + 1}`,
    );
    const pages: number[] = [];
    for await (const page of testClient().patients.pages("T00001")) pages.push(page.page);
    expect(pages).toEqual([1, 2, 3]);
    expect(requested).toEqual([null, "2", "3"]);
  });

  it("follows a report's next link when the configured base URL has no path", async () => {
    const root = "http://127.0.0.1:9";
    const report = `${root}/communication/report/patients`;
    const requested: (string | null)[] = [];
    server.use(
      tokenEndpoint().handler,
      http.get(report, ({ request }) => {
        const page = new URL(request.url).searchParams.get("page");
        requested.push(page);
        const next = page === null ? `<${report}?ods-organisation-code=T00001&page=2>; rel="next", ` : "";
        return HttpResponse.json([], {
          headers: { link: `${next}<${report}?ods-organisation-code=T00001&page=2>; rel="last"` },
        });
      }),
    );
    const client = testClient({ environment: { baseUrl: root, tokenUrl: TOKEN_URL } });
    const pages = await client.patients.pages("T00001").toArray({ limit: 5 });
    expect(pages.map((p) => p.page)).toEqual([1, 2]);
    expect(requested).toEqual([null, "2"]);
  });

  it("stops, without reading a page again, at a next link that points back", async () => {
    const requested = patientReport(3, () => `${PATIENTS}?ods-organisation-code=T00001&page=1`);
    const error = await testClient()
      .patients.pages("T00001")
      .toArray({ limit: 10 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaginationError);
    expect((error as Error).message).toContain("already read");
    expect(requested).toEqual([null]);
  });

  it("refuses a next link to anything but this report, naming the page that held it", async () => {
    for (const elsewhere of [
      "https://elsewhere.example/other-api/communication/report/patients?ods-organisation-code=T00001&page=2",
      `${BASE_URL}/communication/report/receipts/FHIR/R4/Task?day=2024-03-01&page=2`,
      "not a url at all: ::",
    ]) {
      patientReport(3, () => elsewhere);
      const pages: number[] = [];
      const error = await (async () => {
        for await (const page of testClient().patients.pages("T00001", { correlationId: "walk-1" })) {
          pages.push(page.page);
        }
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaginationError);
      expect((error as PaginationError).correlationId).toBe("walk-1");
      expect((error as PaginationError).status).toBe(200);
      expect((error as Error).message).toContain("it was not followed");
      expect(pages).toEqual([1]);
    }
  });

  it("raises NotFoundError when a page is missing", async () => {
    patientReport(2, () => `${PATIENTS}?ods-organisation-code=T00001&page=9`);
    const error = await testClient()
      .patients.items("T00001")
      .toArray({ limit: 10 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).issues[0]?.diagnostics).toBe("Report not found");
  });

  it("follows the receipt Bundle's next link when there is no Link header, and stops without one", async () => {
    const days: (string | null)[] = [];
    server.use(
      tokenEndpoint().handler,
      http.get(RECEIPTS, ({ request }) => {
        const url = new URL(request.url);
        days.push(`${url.searchParams.get("day")}#${url.searchParams.get("page") ?? "1"}`);
        const page = Number(url.searchParams.get("page") ?? "1");
        const link = [{ relation: "self", url: `${RECEIPTS}?day=2024-03-01&page=${page}` }];
        if (page === 1) link.push({ relation: "next", url: `${RECEIPTS}?day=2024-03-01&page=2` });
        const task = (code: string) => ({
          fullUrl: `${BASE_URL}/x`,
          resource: {
            id: `${code}-${page}`,
            resourceType: "Task",
            intent: "order",
            status: "completed",
            code: { coding: [{ system: "https://fhir.nhs.uk/CodeSystem/NHSApp-Communication-Status", code }] },
            authoredOn: "2024-03-01T09:00:00Z",
            lastModified: "2024-03-01T09:01:00Z",
          },
        });
        return HttpResponse.json({
          resourceType: "Bundle",
          type: "searchset",
          link,
          entry: [task("Delivered"), task("Read")],
        });
      }),
    );
    const receipts = await testClient().receipts.items(new Date("2024-03-01T23:30:00Z")).toArray({ limit: 100 });
    expect(receipts.map((r) => r.id)).toEqual(["Delivered-1", "Read-1", "Delivered-2", "Read-2"]);
    expect(days).toEqual(["2024-03-01#1", "2024-03-01#2"]);
  });

  it("checks report parameters before sending", async () => {
    server.use(
      tokenEndpoint().handler,
      http.get(PATIENTS, () => HttpResponse.json([])),
    );
    const client = testClient();
    const error = (await client
      .getReceiptReport({ day: "2021-02-30", page: 0 })
      .catch((e: unknown) => e)) as ClientValidationError;
    expect(error).toBeInstanceOf(ClientValidationError);
    expect(error.issues.map((i) => i.expression?.[0])).toEqual(["day", "page"]);
    await expect(client.getPatientReport({ odsCode: "C12345C" })).rejects.toThrow(ClientValidationError);
    await expect(client.getPatientReport({ odsCode: "A12345", page: 2147483648 })).rejects.toThrow(
      "Invalid format (at page)",
    );
    await expect(client.getPatientReport({ odsCode: "A12345", page: 2147483647 })).resolves.toBeDefined();
  });

  it("gives a ClientValidationError, never a TypeError, for arguments of the wrong type", async () => {
    server.use(tokenEndpoint().handler);
    const client = testClient();
    const loose = client as unknown as {
      getReceiptReport(query: unknown): Promise<unknown>;
      getPatientReport(query: unknown): Promise<unknown>;
      sendInAppMessage(message: unknown): Promise<unknown>;
      sendPushNotification(message: unknown): Promise<unknown>;
    };
    const attempts: [string, () => Promise<unknown>][] = [
      ["receipts null", () => loose.getReceiptReport(null)],
      ["receipts string", () => loose.getReceiptReport("2024-03-01")],
      ["receipts day number", () => loose.getReceiptReport({ day: 20240301 })],
      ["receipts page object", () => loose.getReceiptReport({ day: "2024-03-01", page: {} })],
      ["receipts page text", () => loose.getReceiptReport({ day: "2024-03-01", page: "two" })],
      ["patients undefined", () => loose.getPatientReport(undefined)],
      ["patients code number", () => loose.getPatientReport({ odsCode: 12345 })],
      ["in-app null", () => loose.sendInAppMessage(null)],
      ["in-app array", () => loose.sendInAppMessage([])],
      ["push string", () => loose.sendPushNotification("hello")],
    ];
    for (const [name, attempt] of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(ClientValidationError);
    }
  });

  it("reads the patient report leniently: PascalCase keys and string booleans", async () => {
    server.use(
      tokenEndpoint().handler,
      http.get(PATIENTS, () => HttpResponse.json([{ NhsNumber: "9434765919", NotificationsEnabled: "true" }])),
    );
    const page = await testClient().getPatientReport({ odsCode: "a12345" });
    expect(page.items).toEqual([{ nhsNumber: "9434765919", notificationsEnabled: true }]);
    expect(page.links).toEqual({});
  });
});

describe("next links in any path form", () => {
  /**
   * Each report, served with next links as `nextLink` writes them (page
   * numbers from 1), answering by the query whatever its order; the
   * requested page numbers are recorded.
   */
  const reports = [
    {
      operation: "get-patient-report",
      url: PATIENTS,
      parameter: "ods-organisation-code",
      key: "T00001",
      walk: (client: ReturnType<typeof testClient>) => client.patients.pages("T00001").toArray({ limit: 10 }),
      body: (page: number) => [{ nhsNumber: String(9000000000 + page), notificationsEnabled: true }],
    },
    {
      operation: "get-receipt-report",
      url: RECEIPTS,
      parameter: "day",
      key: "2024-03-01",
      walk: (client: ReturnType<typeof testClient>) => client.receipts.pages("2024-03-01").toArray({ limit: 10 }),
      body: (page: number) => ({ resourceType: "Bundle", type: "searchset", link: [], entry: [], total: page }),
    },
  ] as const;

  function serve(report: (typeof reports)[number], pages: number, nextLink: (page: number) => string) {
    const requested: (string | null)[] = [];
    server.use(
      tokenEndpoint().handler,
      http.get(report.url, ({ request }) => {
        const query = new URL(request.url).searchParams;
        requested.push(query.get("page"));
        const page = Number(query.get("page") ?? "1");
        const links = page < pages ? `<${nextLink(page + 1)}>; rel="next"` : "";
        return HttpResponse.json(report.body(page), { headers: links ? { link: links } : {} });
      }),
    );
    return requested;
  }

  for (const report of reports) {
    it(`${report.operation}: follows next links with a trailing slash and the query in another order`, async () => {
      const requested = serve(report, 3, (page) => `${report.url}/?page=${page}&${report.parameter}=${report.key}`);
      const pages = await report.walk(testClient());
      expect(pages.map((p) => p.page)).toEqual([1, 2, 3]);
      expect(requested).toEqual([null, "2", "3"]);
    });

    it(`${report.operation}: knows a page already read by a link in another form, and stops`, async () => {
      // Page 2's next link leads back to page 2, with a trailing slash and the query reordered.
      const requested = serve(report, 3, (page) =>
        page === 3
          ? `${report.url}/?page=2&${report.parameter}=${report.key}`
          : `${report.url}?${report.parameter}=${report.key}&page=${page}`,
      );
      const error = await report.walk(testClient()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaginationError);
      expect((error as Error).message).toContain("already read");
      expect(requested).toEqual([null, "2"]);
    });
  }

  it("covers every report that pages", async () => {
    const { operations } = await import("@nhs-app-api/contract");
    const paged = Object.entries(operations)
      .filter(([, operation]) => operation.parameters.some((parameter) => parameter.name === "page"))
      .map(([id]) => id);
    expect(reports.map((report) => report.operation).sort()).toEqual(paged.sort());
  });
});
