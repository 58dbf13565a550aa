// A trailing slash, and any order of the query's parameters, name the same
// request: the sandbox (over HTTP) and the msw handlers answer every
// operation alike in every form, the report links they send included. (The
// sandbox once routed on the path without the slash but forwarded the path
// with it, and answered 404.)
import { inAppMessage, pushNotification } from "@nhs-app-api/client";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestClient, type OperationId, startSandbox, testNhsNumber } from "../src/index.js";
import { createNhsAppMock } from "../src/msw.js";
import { operationPaths } from "../src/spec.js";

/** What a test needs of a stand-in API: where it is, how to get a token, and what it recorded. */
interface Target {
  baseUrl: string;
  apiKey: string;
  client: ReturnType<typeof createTestClient>;
  gateway: { requests: readonly { operation: string; headers: Record<string, string> }[] };
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

const path = (operation: OperationId) => operationPaths[operation].path;
/** The path with a trailing slash, and the query's parameters in reverse order. */
const otherForm = (pathAndQuery: string) => {
  const [pathPart, query] = pathAndQuery.split("?") as [string, string | undefined];
  const reversed = query ? `?${query.split("&").reverse().join("&")}` : "";
  return `${pathPart}/${reversed}`;
};

const IN_APP_MESSAGE = inAppMessage({ nhsNumber: testNhsNumber(3), odsCode: "B82041", text: "Path forms" });
const PUSH_NOTIFICATION = pushNotification({
  nhsNumber: testNhsNumber(4),
  text: "Path forms",
  url: "https://www.nhsapp.service.nhs.uk/",
});

/** Reads (and so compares) a JSON body whatever its media type. */
const json = (answer: Answer) => (answer.text === "" ? "" : (JSON.parse(answer.text) as unknown));
const linkOf = (answer: Answer, rel: string) =>
  answer.headers
    .get("link")
    ?.split(/,\s*(?=<)/)
    .find((part) => part.includes(`rel="${rel}"`))
    ?.match(/<([^>]+)>/)?.[1];

function pathFormTests(name: string, start: () => Promise<Target & { stop(): Promise<void> }>) {
  describe(name, () => {
    let target: Target & { stop(): Promise<void> };
    let authorization: string;
    beforeAll(async () => {
      target = await start();
      await target.client.getPatientReport({ odsCode: "A12345" });
      authorization = target.gateway.requests.findLast((r) => r.operation !== "token")?.headers.authorization ?? "";
      expect(authorization).toMatch(/^Bearer /);
    });
    afterAll(() => target?.stop());

    const send = async (
      method: string,
      pathAndQuery: string,
      init: { body?: unknown; headers?: Record<string, string> } = {},
    ): Promise<Answer> => {
      const response = await fetch(`${target.baseUrl}${pathAndQuery}`, {
        method,
        headers: {
          authorization,
          "x-correlation-id": "path-forms",
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    };

    /** The same answer, in status, body, Link and correlation ID, for both forms of a GET. */
    const sameAnswer = async (pathAndQuery: string, status: number, headers: Record<string, string> = {}) => {
      const plain = await send("GET", pathAndQuery, { headers });
      const other = await send("GET", otherForm(pathAndQuery), { headers });
      expect(`${pathAndQuery} ${plain.status}`).toBe(`${pathAndQuery} ${status}`);
      expect(`${otherForm(pathAndQuery)} ${other.status}`).toBe(`${otherForm(pathAndQuery)} ${status}`);
      expect(json(other)).toEqual(json(plain));
      expect(other.headers.get("link")).toBe(plain.headers.get("link"));
      expect(other.headers.get("content-type")).toBe(plain.headers.get("content-type"));
      expect(other.headers.get("x-correlation-id")).toBe(plain.headers.get("x-correlation-id"));
      return plain;
    };

    /** Each operation's checks; a test below makes sure none is left out. */
    const checks: Record<OperationId, () => Promise<void>> = {
      "create-in-app": () => createsWithAnySlash("create-in-app", IN_APP_MESSAGE),
      "create-notification": () => createsWithAnySlash("create-notification", PUSH_NOTIFICATION),
      "get-receipt-report": async () => {
        const query = (page: number) => `${path("get-receipt-report")}?day=2024-03-01&page=${page}`;
        await sameAnswer(query(2), 200);
        await sameAnswer(`${path("get-receipt-report")}?day=2024-03-01`, 200);
        await sameAnswer(`${path("get-receipt-report")}?day=01/03/2024&page=0`, 400);
        await sameAnswer(query(99), 404);
        await followsLinksInEveryForm(query(1));
      },
      "get-patient-report": async () => {
        const query = (code: string, page: number) =>
          `${path("get-patient-report")}?ods-organisation-code=${code}&page=${page}`;
        // The publisher's Postman collection asks with the slash: /communication/report/patients/?ods-organisation-code=A12355&page=1
        await sameAnswer(query("A12355", 1), 200);
        await sameAnswer(query("T00001", 2), 200);
        await sameAnswer(`${path("get-patient-report")}?ods-organisation-code=abc&page=1`, 400);
        await sameAnswer(query("A12355", 2), 404);
        await followsLinksInEveryForm(query("T00001", 1));
      },
      "get-ping": async () => {
        await sameAnswer(path("get-ping"), 200);
        for (const form of [path("get-ping"), otherForm(path("get-ping"))]) {
          const head = await send("HEAD", form);
          expect(`HEAD ${form} ${head.status} ${head.text}`).toBe(`HEAD ${form} 200 `);
        }
      },
      "get-status": async () => {
        await sameAnswer(path("get-status"), 200, { apikey: target.apiKey });
        await sameAnswer(path("get-status"), 401, { apikey: "not-the-key" });
      },
    };

    /** A POST with and without the slash: 201 each, a fresh ID in the echo and in a Location on the operation's own path. */
    async function createsWithAnySlash(operation: "create-in-app" | "create-notification", message: object) {
      const ids: string[] = [];
      for (const form of [path(operation), `${path(operation)}/`]) {
        const answer = await send("POST", form, { body: message });
        expect(`POST ${form} ${answer.status}`).toBe(`POST ${form} 201`);
        const echoed = json(answer) as { identifier: { system: string; value: string }[] };
        const id = echoed.identifier[0]?.value ?? "";
        expect(echoed.identifier[0]?.system).toBe("https://fhir.nhs.uk/Id/nhs-app-communication-id");
        expect(answer.headers.get("location")).toBe(`${target.baseUrl}${path(operation)}/${id}`);
        // The request echoed, with the identifier the server adds first.
        const sent = message as { identifier?: unknown[] };
        expect(echoed).toEqual({ ...sent, identifier: [echoed.identifier[0], ...(sent.identifier ?? [])] });
        ids.push(id);
      }
      expect(new Set(ids).size).toBe(2);
    }

    /** Walks a report by its Link header twice: the links as sent, and each in the other form. */
    async function followsLinksInEveryForm(first: string) {
      const walk = async (form: (link: string) => string) => {
        const bodies: unknown[] = [];
        let next: string | undefined = first;
        for (let pages = 0; next && pages < 10; pages++) {
          const answer = await send("GET", form(next));
          expect(`${form(next)} ${answer.status}`).toBe(`${form(next)} 200`);
          bodies.push(json(answer));
          const link = linkOf(answer, "next");
          next = link === undefined ? undefined : link.slice(target.baseUrl.length);
        }
        return bodies;
      };
      const asSent = await walk((link) => link);
      expect(asSent.length).toBeGreaterThan(1);
      expect(await walk(otherForm)).toEqual(asSent);
    }

    for (const operation of Object.keys(operationPaths) as OperationId[]) {
      it(`${operation}: a trailing slash and the query in another order get the same answer`, async () => {
        await checks[operation]();
      });
    }

    it("checks every operation of the spec", () => {
      expect(Object.keys(checks).sort()).toEqual(Object.keys(operationPaths).sort());
    });
  });
}

pathFormTests("the sandbox, over HTTP", async () => {
  const sandbox = await startSandbox({ port: 0 });
  return {
    baseUrl: sandbox.baseUrl,
    apiKey: sandbox.apiKey,
    client: createTestClient({
      ...sandbox,
      keys: { keyId: sandbox.keyId, privateKey: sandbox.gateway.keys.privateKey },
    }),
    gateway: sandbox.gateway,
    stop: () => sandbox.stop(),
  };
});

pathFormTests("the msw handlers", async () => {
  const mock = createNhsAppMock();
  const server = setupServer(...mock.handlers);
  server.listen({ onUnhandledRequest: "error" });
  return {
    baseUrl: mock.baseUrl,
    apiKey: mock.apiKey,
    client: createTestClient(mock),
    gateway: mock.gateway,
    stop: async () => server.close(),
  };
});
