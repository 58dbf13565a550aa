// What a JavaScript caller can hand the client beyond what the types allow:
// arguments of the wrong type, and values whose JSON differs from the object
// (getters, non-enumerable properties, toJSON, Dates, cycles, BigInts). The
// client must judge and send the JSON, and answer every wrong argument with a
// ClientValidationError before anything is sent, never a TypeError.
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { ClientValidationError, inAppMessage, pushNotification, validateInAppMessage } from "../src/index.js";
import {
  created,
  IN_APP,
  PATIENTS,
  PUSH,
  RECEIPTS,
  server,
  testClient,
  tokenEndpoint,
  useMockServer,
} from "./support.js";

useMockServer();

const base = () =>
  inAppMessage({ nhsNumber: "9434765919", odsCode: "B82041", text: "Your appointment is on Monday at 9:30." });

/** Every request that reached the API (the token endpoint aside), with its body as text. */
function recordApi() {
  const bodies: string[] = [];
  const record = async ({ request }: { request: Request }) => {
    const text = await request.text();
    bodies.push(text);
    if (request.method === "GET") return HttpResponse.json([]);
    return created(JSON.parse(text) as Record<string, unknown>, request.url === PUSH ? "push" : "in-app");
  };
  server.use(
    tokenEndpoint().handler,
    http.post(IN_APP, record),
    http.post(PUSH, record),
    http.get(RECEIPTS, record),
    http.get(PATIENTS, record),
  );
  return bodies;
}

/** The error a call ends with (undefined when it succeeds). */
const outcome = (call: () => Promise<unknown>) =>
  call().then(
    () => undefined,
    (error: unknown) => error,
  );

const expressionsOf = (error: unknown) =>
  (error as ClientValidationError).issues.flatMap((issue) => issue.expression ?? ["(root)"]);

describe("arguments of the wrong type", () => {
  type Loose = Record<string, (...args: unknown[]) => Promise<unknown>>;

  it.each<[string, (client: Loose) => Promise<unknown>, string]>([
    ["sendInAppMessage(message, null)", (c) => c.sendInAppMessage?.(base(), null) as Promise<unknown>, "options"],
    [
      "sendPushNotification(message, 'fast')",
      (c) => c.sendPushNotification?.(base(), "fast") as Promise<unknown>,
      "options",
    ],
    [
      "getReceiptReport(query, null)",
      (c) => c.getReceiptReport?.({ day: "2026-12-01" }, null) as Promise<unknown>,
      "options",
    ],
    [
      "getPatientReport(query, 5)",
      (c) => c.getPatientReport?.({ odsCode: "B82041" }, 5) as Promise<unknown>,
      "options",
    ],
    ["ping([])", (c) => c.ping?.([]) as Promise<unknown>, "options"],
    [
      "a signal that is not an AbortSignal",
      (c) => c.sendInAppMessage?.(base(), { signal: { aborted: false } }) as Promise<unknown>,
      "options.signal",
    ],
    [
      "a timeout given as text",
      (c) => c.getReceiptReport?.({ day: "2026-12-01" }, { timeoutMs: "1000" }) as Promise<unknown>,
      "options.timeoutMs",
    ],
    [
      "a timeout past what a timer can hold",
      (c) => c.getReceiptReport?.({ day: "2026-12-01" }, { timeoutMs: 2 ** 31 }) as Promise<unknown>,
      "options.timeoutMs",
    ],
    [
      "a correlation ID with a line break",
      (c) => c.sendInAppMessage?.(base(), { correlationId: "abc\r\nX-Evil: 1" }) as Promise<unknown>,
      "options.correlationId",
    ],
    [
      "a correlation ID that is a number",
      (c) => c.sendInAppMessage?.(base(), { correlationId: 42 }) as Promise<unknown>,
      "options.correlationId",
    ],
    [
      "retries of 0 attempts",
      (c) => c.sendInAppMessage?.(base(), { retry: { maxAttempts: 0 } }) as Promise<unknown>,
      "options.retry.maxAttempts",
    ],
    [
      "validate given as text",
      (c) => c.sendInAppMessage?.(base(), { validate: "no" }) as Promise<unknown>,
      "options.validate",
    ],
    [
      "options whose getter throws",
      (c) =>
        c.sendInAppMessage?.(base(), {
          get timeoutMs() {
            throw new Error("boom");
          },
        }) as Promise<unknown>,
      "options",
    ],
    [
      "a day of Object.create(null)",
      (c) => c.getReceiptReport?.({ day: Object.create(null) }) as Promise<unknown>,
      "day",
    ],
    [
      "a day whose toString throws",
      (c) =>
        c.getReceiptReport?.({
          day: {
            toString() {
              throw new Error("boom");
            },
          },
        }) as Promise<unknown>,
      "day",
    ],
    [
      "a query that is a Proxy whose traps throw",
      (c) =>
        c.getReceiptReport?.(
          new Proxy(
            {},
            {
              get() {
                throw new Error("boom");
              },
            },
          ),
        ) as Promise<unknown>,
      "day",
    ],
    [
      "a page of a symbol",
      (c) => c.getPatientReport?.({ odsCode: "B82041", page: Symbol("2") }) as Promise<unknown>,
      "page",
    ],
  ])("%s: a ClientValidationError, nothing sent", async (_, call, expression) => {
    const sent = recordApi();
    const client = testClient() as unknown as Loose;
    const error = await outcome(() => call(client));
    expect(error).toBeInstanceOf(ClientValidationError);
    expect(expressionsOf(error)).toContain(expression);
    expect(sent).toEqual([]);
  });

  it("takes undefined options as the defaults, whether passed or left out", async () => {
    const sent = recordApi();
    const client = testClient();
    await client.sendInAppMessage(base(), undefined);
    await client.getReceiptReport({ day: "2026-12-01" }, undefined).catch(() => undefined);
    expect(sent.length).toBe(2);
  });

  it("reports every wrong option at once", async () => {
    recordApi();
    const loose = testClient() as unknown as { sendInAppMessage(m: unknown, o: unknown): Promise<unknown> };
    const error = await outcome(() =>
      loose.sendInAppMessage(base(), { correlationId: "", timeoutMs: -1, signal: "stop", validate: 1 }),
    );
    expect(expressionsOf(error).sort()).toEqual(
      ["options.correlationId", "options.signal", "options.timeoutMs", "options.validate"].sort(),
    );
  });

  it("iterates report pages with wrong options into the same error", async () => {
    recordApi();
    const loose = testClient().receipts as unknown as { items(day: string, o: unknown): AsyncIterable<unknown> };
    const read = async () => {
      for await (const _ of loose.items("2026-12-01", null)) {
        // nothing: the first page is refused
      }
    };
    expect(await outcome(read)).toBeInstanceOf(ClientValidationError);
  });
});

describe("what goes on the wire is what is validated", () => {
  it("judges a class whose status is a getter by its JSON, which has no status", async () => {
    const { status: _, ...fields } = base();
    class Message {
      constructor() {
        Object.assign(this, fields);
      }
      get status() {
        return "active";
      }
    }
    const message = new Message();
    // The object has a status to read; its JSON does not.
    expect(message.status).toBe("active");
    expect(JSON.parse(JSON.stringify(message)).status).toBeUndefined();
    const sent = recordApi();
    const error = await outcome(() => testClient().sendInAppMessage(message as never));
    expect(error).toBeInstanceOf(ClientValidationError);
    expect(expressionsOf(error)).toContain("status");
    expect(validateInAppMessage(message).flatMap((issue) => issue.expression)).toContain("status");
    expect(sent).toEqual([]);
  });

  it("judges a non-enumerable property as absent, as JSON leaves it out", async () => {
    const { payload, ...rest } = base();
    const message = { ...rest };
    Object.defineProperty(message, "payload", { value: payload, enumerable: false });
    const sent = recordApi();
    const error = await outcome(() => testClient().sendInAppMessage(message as never));
    expect(expressionsOf(error)).toContain("payload");
    expect(sent).toEqual([]);
  });

  it("judges and sends what toJSON gives", async () => {
    const valid = base();
    const sent = recordApi();
    // A wrapper that is nothing like a CommunicationRequest but serialises to one is sent, as that one.
    const wrapper = { secretInternals: true, toJSON: () => valid };
    await testClient().sendInAppMessage(wrapper as never);
    expect(sent).toEqual([JSON.stringify(valid)]);
    // And the other way round: a message whose toJSON drops the recipient is refused.
    const hollow = { ...valid, toJSON: () => ({ ...valid, recipient: [] }) };
    const error = await outcome(() => testClient().sendInAppMessage(hollow as never));
    expect(error).toBeInstanceOf(ClientValidationError);
    expect(expressionsOf(error).some((expression) => expression.startsWith("recipient"))).toBe(true);
    expect(sent.length).toBe(1);
  });

  it("accepts a Date as contentString, since it goes as text, and sends that text", async () => {
    const when = new Date("2026-12-07T09:30:00Z");
    const message = { ...base(), payload: [{ contentString: when }] };
    const sent = recordApi();
    await testClient().sendInAppMessage(message as never);
    expect(JSON.parse(sent[0] ?? "{}").payload).toEqual([{ contentString: "2026-12-07T09:30:00.000Z" }]);
  });

  it("sends exactly the JSON it validated: undefined members left out, nothing re-serialised", async () => {
    const message = {
      ...pushNotification({
        nhsNumber: "9434765919",
        text: "A new message",
        url: "https://www.nhsapp.service.nhs.uk/",
      }),
      note: undefined,
    };
    const sent = recordApi();
    await testClient().sendPushNotification(message as never);
    expect(sent).toEqual([JSON.stringify(message)]);
    expect(sent[0]).not.toContain("note");
  });

  it("judges a hole in an array as the null JSON writes there", async () => {
    const message = base();
    const payload = [...message.payload];
    payload.length = 2; // a hole after the one payload
    const sent = recordApi();
    const error = await outcome(() => testClient().sendInAppMessage({ ...message, payload } as never));
    expect(error).toBeInstanceOf(ClientValidationError);
    expect(expressionsOf(error).some((expression) => expression.startsWith("payload"))).toBe(true);
    expect(sent).toEqual([]);
  });

  it("sends plain data however it was made: a null-prototype copy of a valid message goes as it is", async () => {
    const valid = base();
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, valid);
    const sent = recordApi();
    await testClient().sendInAppMessage(bare as never);
    expect(sent).toEqual([JSON.stringify(valid)]);
  });

  it.each<[string, () => unknown]>([
    [
      "a cycle",
      () => {
        const message: Record<string, unknown> = { ...base() };
        message.self = message;
        return message;
      },
    ],
    ["a BigInt", () => ({ ...base(), version: 1n })],
    [
      "a toJSON that throws",
      () => ({
        ...base(),
        toJSON() {
          throw new Error("cannot");
        },
      }),
    ],
  ])("refuses %s (no JSON at all) even with validation off, naming why, nothing sent", async (_, make) => {
    const sent = recordApi();
    const error = await outcome(() => testClient().sendInAppMessage(make() as never, { validate: false }));
    expect(error).toBeInstanceOf(ClientValidationError);
    expect((error as ClientValidationError).issues[0]?.diagnostics).toMatch(/^Not valid JSON: /);
    expect(sent).toEqual([]);
  });
});
