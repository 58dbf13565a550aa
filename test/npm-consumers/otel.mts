// An application that traces, as another team sets it up with plain npm: the
// current OpenTelemetry SDK (@opentelemetry/sdk-trace-base 2.x, which takes
// @opentelemetry/api >=1.3.0 <1.10.0, so npm picks a 1.9) registered
// globally with a context manager, and the client left to find it through
// its own import of @opentelemetry/api. That import must reach the
// application's copy: were the API the client's dependency instead of a peer,
// npm would give the client a copy of its own (1.10) that never sees an SDK
// registered through an older one, and the client would record nothing.
// Compiled under strict TypeScript in that project only (like cjs.cts, it is
// not in the workspace's typecheck: it imports SDK packages the workspace
// does not have) and run by `pnpm test` (scripts/check-packages.ts).
import { readFile } from "node:fs/promises";
import { createNhsAppClient, inAppMessage } from "@nhs-app-api/client";
import { startSandbox, testNhsNumber } from "@nhs-app-api/testing";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`otel consumer: ${what}`);
}

// What an application's tracing setup does: a provider and a context manager,
// registered globally before anything is traced.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
check(
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()),
  "the context manager was not registered",
);
check(trace.setGlobalTracerProvider(provider), "the tracer provider was not registered");

const sandbox = await startSandbox({ port: 0 });
let communicationId = "";
try {
  // The first attempt gets a 429 (refused at the gateway, so the client may send again): two attempts.
  const fault = await fetch(`${sandbox.controlUrl}/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ operation: "create-in-app", count: 1, status: 429 }),
  });
  check(fault.ok, `the sandbox refused the fault: ${fault.status}`);
  // No tracerProvider given: the client uses the global one.
  const client = createNhsAppClient({
    environment: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl },
    apiKey: sandbox.apiKey,
    keyId: sandbox.keyId,
    privateKey: await readFile(sandbox.privateKeyPath, "utf8"),
    retry: { baseDelayMs: 1, maxDelayMs: 10 },
  });
  const tracer = trace.getTracer("npm-consumer");
  communicationId = await tracer.startActiveSpan("caller", async (span) => {
    try {
      const sent = await client.sendInAppMessage(
        inAppMessage({ nhsNumber: testNhsNumber(5), odsCode: "B82041", text: "Traced" }),
      );
      return sent.communicationId;
    } finally {
      span.end();
    }
  });
} finally {
  await sandbox.stop();
}

const spans = exporter.getFinishedSpans();
const callerSpan = spans.find((span) => span.name === "caller");
check(callerSpan !== undefined, "the caller's own span was not recorded");
check(communicationId.length > 0, "no communication ID");
const ours = spans.filter((span) => span.instrumentationScope.name === "@nhs-app-api/client");
check(
  ours.length > 0,
  `the client recorded 0 spans (of ${spans.length}): its @opentelemetry/api is not the one the SDK registered with`,
);
const kindName = (kind: SpanKind) => SpanKind[kind];
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const childrenOf = (parent: ReadableSpan) => ours.filter((span) => span.parentSpanContext?.spanId === idOf(parent));

const calls = ours.filter((span) => span.name === "nhs-app create-in-app");
check(calls.length === 1, `${calls.length} call spans, not 1`);
const call = calls[0] as ReadableSpan;
check(call.spanContext().traceId === callerSpan.spanContext().traceId, "the call span is in another trace");
check(call.parentSpanContext?.spanId === idOf(callerSpan), "the call span is not a child of the caller's span");
check(call.kind === SpanKind.INTERNAL, `the call span is ${kindName(call.kind)}, not INTERNAL`);

const attempts = childrenOf(call);
check(attempts.length === 2, `${attempts.length} attempt spans under the call, not 2 (a 429, then 201)`);
for (const attempt of attempts) {
  check(attempt.kind === SpanKind.CLIENT, `an attempt span is ${kindName(attempt.kind)}, not CLIENT`);
  check(attempt.name === "POST", `an attempt span is named ${attempt.name}`);
}
check(
  attempts.map((span) => span.attributes["http.response.status_code"]).join() === "429,201",
  "the attempts did not record 429 then 201",
);
const tokens = ours.filter((span) => span.name === "nhs-app token");
check(tokens.length === 1 && tokens[0]?.kind === SpanKind.CLIENT, "not one CLIENT span for the token request");
check(
  attempts.some((attempt) => idOf(attempt) === tokens[0]?.parentSpanContext?.spanId),
  "the token span is not under an attempt",
);
// One CLIENT span per HTTP request (the token, two attempts), none for the call.
const clientSpans = ours.filter((span) => span.kind === SpanKind.CLIENT);
check(clientSpans.length === 3, `${clientSpans.length} CLIENT spans for 3 HTTP requests`);
check(new Set(spans.map((span) => span.spanContext().traceId)).size === 1, "the spans are in more than one trace");

await provider.shutdown();
const versionOf = async (name: string) =>
  (JSON.parse(await readFile(`node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
console.log(
  `otel consumer ok (sdk-trace-base ${await versionOf("@opentelemetry/sdk-trace-base")}, api ${await versionOf("@opentelemetry/api")}): ` +
    `${ours.length} client spans under the caller's, the call INTERNAL, ${attempts.length} attempts and 1 token request CLIENT`,
);
