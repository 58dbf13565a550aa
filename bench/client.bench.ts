// `pnpm bench`: what the client costs on top of openapi-fetch, measured
// against a local server in the same run, so the figures are ratios that mean
// something on a noisy machine. Sends the same in-app message with bare
// fetch, bare openapi-fetch with the generated types, and this client (token
// cached, validation on), in paired rounds, and reports the median of the
// rounds' ratios with their range; then a CPU profile of each says where a
// call's time goes (call-profile.ts).
// Then what OpenTelemetry costs: the same client with no SDK registered (the
// API's no-op tracer, what most callers run), with an explicit no-op
// provider, and with an SDK recording every span, in paired rounds. Then
// counts the token requests caused by 1,000 concurrent calls, and times
// validating 100,000 characters of hostile text beside a normal message.
// Everything is imported as a consumer imports it: the built packages.
import { createNhsAppClient, validateInAppMessage } from "@nhs-app-api/client";
import { operations } from "@nhs-app-api/contract";
import { createTestKeys } from "@nhs-app-api/testing";
import type { paths } from "@nhs-app-api/types";
import { context, ProxyTracerProvider, SpanKind, trace } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import createClient from "openapi-fetch";
import { benchMessage, startBenchApi } from "./api-server.ts";
import { PARTS, profileCalls } from "./call-profile.ts";

const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const PATH = operations["create-in-app"].path;
const keys = createTestKeys("bench-1");

const api = await startBenchApi(keys);
const { baseUrl, tokenUrl } = api;

const message = benchMessage();
const clientOptions = {
  environment: { baseUrl, tokenUrl },
  apiKey: "bench",
  keyId: keys.keyId,
  privateKey: keys.privateKey,
};

const typed = createClient<paths>({ baseUrl });
const client = createNhsAppClient(clientOptions);
await client.sendInAppMessage(message); // fetch and cache the token before timing

const contenders: Record<string, () => Promise<unknown>> = {
  "bare fetch": async () => {
    const response = await fetch(`${baseUrl}${PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer bench-token" },
      body: JSON.stringify(message),
    });
    return response.json();
  },
  "openapi-fetch": () =>
    typed.POST(PATH, { body: message, headers: { Authorization: "Bearer bench-token" } }).then((r) => r.data),
  "@nhs-app-api/client": () => client.sendInAppMessage(message),
};

async function round(send: () => Promise<unknown>) {
  const started = performance.now();
  for (let i = 0; i < CALLS_PER_ROUND; i++) await send();
  return (performance.now() - started) / CALLS_PER_ROUND;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const names = Object.keys(contenders);
const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
for (const send of Object.values(contenders)) await round(send); // warm up
// Paired rounds: each round runs every contender once, starting with a different one, so that a
// busy moment of the machine falls on all alike; a ratio is taken within each round, then the median.
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(r + i) % names.length] as string;
    samples[name]?.push(await round(contenders[name] as () => Promise<unknown>));
  }
}
const ratios = (name: string, against: string) =>
  (samples[name] as number[]).map((ms, r) => ms / ((samples[against] as number[])[r] as number));
const ratioText = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${median(values).toFixed(3)}x (${(sorted[0] ?? 0).toFixed(2)}-${(sorted.at(-1) ?? 0).toFixed(2)})`;
};

console.log(
  `Sending one in-app message, ${ROUNDS} paired rounds of ${CALLS_PER_ROUND} calls each (ratio: median of the rounds' ratios, range in brackets):\n`,
);
console.log(
  `${"".padEnd(22)}${"calls/s".padStart(10)}${"ms/call".padStart(10)}${"vs openapi-fetch".padStart(24)}${"vs bare fetch".padStart(24)}`,
);
for (const name of names) {
  const ms = median(samples[name] as number[]);
  console.log(
    `${name.padEnd(22)}${(1000 / ms).toFixed(0).padStart(10)}${ms.toFixed(3).padStart(10)}${ratioText(ratios(name, "openapi-fetch")).padStart(24)}${ratioText(ratios(name, "bare fetch")).padStart(24)}`,
  );
}
const versusOpenapiFetch = median(ratios("@nhs-app-api/client", "openapi-fetch"));
const versusFetch = median(ratios("@nhs-app-api/client", "bare fetch"));
console.log(
  `\nThe client, validation on: ${versusOpenapiFetch.toFixed(3)}x openapi-fetch (target: at most 1.00x), ${versusFetch.toFixed(3)}x bare fetch (target: at most 1.15x).`,
);

// Where the time goes: a CPU profile of each, the same calls, side by side.
const PROFILED_CALLS = Math.max(1000, CALLS_PER_ROUND);
const profiles = {
  "openapi-fetch": await profileCalls(contenders["openapi-fetch"] as () => Promise<unknown>, PROFILED_CALLS),
  "@nhs-app-api/client": await profileCalls(
    contenders["@nhs-app-api/client"] as () => Promise<unknown>,
    PROFILED_CALLS,
  ),
};
console.log(`\nWhere a call's time goes (CPU profile of ${PROFILED_CALLS} calls each, microseconds per call):\n`);
console.log(`${"".padEnd(48)}${"openapi-fetch".padStart(15)}${"client".padStart(10)}${"difference".padStart(12)}`);
const us = (value: number) => value.toFixed(1);
for (const part of PARTS) {
  const plain = profiles["openapi-fetch"][part];
  const ours = profiles["@nhs-app-api/client"][part];
  if (plain < 0.05 && ours < 0.05) continue;
  const difference = ours - plain;
  console.log(
    `${part.padEnd(48)}${us(plain).padStart(15)}${us(ours).padStart(10)}${`${difference >= 0 ? "+" : ""}${us(difference)}`.padStart(12)}`,
  );
}
const sum = (profile: Record<string, number>) => Object.values(profile).reduce((total, value) => total + value, 0);
console.log(
  `${"all".padEnd(48)}${us(sum(profiles["openapi-fetch"])).padStart(15)}${us(sum(profiles["@nhs-app-api/client"])).padStart(10)}`,
);

// Tracing: the client cannot be run without its instrumentation, so the no-op
// cost is shown two ways. (1) Paired rounds against the same client with an
// explicit no-op provider (an A/A comparison: how large noise is here) and
// with an SDK that records every span (no exporter: the recording alone).
// (2) The no-op API calls a call makes, timed on their own.
const tracingContenders: Record<string, () => Promise<unknown>> = {
  "openapi-fetch": contenders["openapi-fetch"] as () => Promise<unknown>,
  "no SDK (global no-op)": () => client.sendInAppMessage(message),
  "explicit no-op provider": (() => {
    // A ProxyTracerProvider with no delegate hands out the API's no-op tracer.
    const noop = createNhsAppClient({ ...clientOptions, tracerProvider: new ProxyTracerProvider() });
    return () => noop.sendInAppMessage(message);
  })(),
  "SDK recording spans": (() => {
    const recording = createNhsAppClient({ ...clientOptions, tracerProvider: new BasicTracerProvider() });
    return () => recording.sendInAppMessage(message);
  })(),
};
const tracingNames = Object.keys(tracingContenders);
const tracingSamples: Record<string, number[]> = Object.fromEntries(tracingNames.map((name) => [name, []]));
for (const send of Object.values(tracingContenders)) await round(send); // warm up (and fetch each client's token)
for (let r = 0; r < ROUNDS; r++) {
  // Each round runs every contender once, starting with a different one, so drift falls on all alike.
  for (let i = 0; i < tracingNames.length; i++) {
    const name = tracingNames[(r + i) % tracingNames.length] as string;
    tracingSamples[name]?.push(await round(tracingContenders[name] as () => Promise<unknown>));
  }
}
const reference = tracingSamples["no SDK (global no-op)"] as number[];
console.log(
  `\nTracing, paired rounds (${ROUNDS} of ${CALLS_PER_ROUND} calls; ratio = median of each round's ratio):\n`,
);
const openapiFetchRounds = tracingSamples["openapi-fetch"] as number[];
const pairedRatio = (values: number[], against: number[]) =>
  median(values.map((ms, r) => ms / (against[r] as number))).toFixed(3);
console.log(`${"".padEnd(26)}${"ms/call".padStart(10)}${"vs no SDK".padStart(12)}${"vs openapi-fetch".padStart(18)}`);
for (const name of tracingNames) {
  const values = tracingSamples[name] as number[];
  console.log(
    `${name.padEnd(26)}${median(values).toFixed(3).padStart(10)}${`${pairedRatio(values, reference)}x`.padStart(12)}${`${pairedRatio(values, openapiFetchRounds)}x`.padStart(18)}`,
  );
}

// The no-op tracer's work in one call without retries, as the client does it: a call span with
// its attributes, an attempt span under it, the attempt made active around fetch, both ended.
const noopTracer = trace.getTracer("bench");
const noopWork = () => {
  const call = noopTracer.startSpan("nhs-app create-in-app", {
    kind: SpanKind.INTERNAL,
    attributes: { "nhs_app.operation": "create-in-app", "nhs_app.correlation_id": "8f7ec136" },
  });
  call.isRecording();
  const attempt = noopTracer.startSpan("POST", { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), call));
  attempt.isRecording();
  context.with(trace.setSpan(context.active(), attempt), () => undefined);
  attempt.setAttribute("http.response.status_code", 201);
  attempt.end();
  call.setAttribute("http.response.status_code", 201);
  call.end();
};
const NOOP_TIMES = 200_000;
const noopSamples: number[] = [];
for (let r = 0; r <= ROUNDS; r++) {
  const started = performance.now();
  for (let i = 0; i < NOOP_TIMES; i++) noopWork();
  if (r > 0) noopSamples.push(((performance.now() - started) / NOOP_TIMES) * 1e6); // the first is warm-up
}
const noopNs = median(noopSamples);
const clientMs = median(reference);
console.log(
  `\nThe no-op tracing work of one call on its own: ${noopNs.toFixed(0)} ns, ${((noopNs / (clientMs * 1e6)) * 100).toFixed(2)}% of a call (${clientMs.toFixed(3)} ms).`,
);

api.resetCounts();
const fresh = createNhsAppClient(clientOptions);
await Promise.all(Array.from({ length: 1000 }, () => fresh.sendInAppMessage(message)));
const tokenRequests = await api.tokenRequests();
console.log(`Token requests caused by 1,000 concurrent calls on a new client: ${tokenRequests} (target: 1).`);

api.stop();

// Validation must stay linear on hostile input: the HTML-tag rule once took 16 s on 100,000 "<".
const hostile = { ...message, payload: [{ contentString: "<".repeat(100_000) }] };
const identifierHostile = {
  ...message,
  identifier: [{ system: "https://fhir.nhs.uk/NHSApp/campaign-id", value: "<".repeat(100_000) }],
};
const timeValidation = (resource: unknown, times: number) => {
  const started = performance.now();
  for (let i = 0; i < times; i++) validateInAppMessage(resource);
  return (performance.now() - started) / times;
};
const validationSamples = { normal: [] as number[], text: [] as number[], identifier: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  validationSamples.normal.push(timeValidation(message, 2000));
  validationSamples.text.push(timeValidation(hostile, 20));
  validationSamples.identifier.push(timeValidation(identifierHostile, 20));
}
const normalMs = median(validationSamples.normal);
console.log("\nValidating an in-app message (median of rounds):\n");
console.log(`${"".padEnd(46)}${"ms/validation".padStart(14)}${"vs normal".padStart(12)}`);
for (const [name, values] of [
  ["a normal message", validationSamples.normal],
  ["100,000 '<' as contentString", validationSamples.text],
  ["100,000 '<' as an identifier value", validationSamples.identifier],
] as const) {
  const ms = median(values);
  console.log(`${name.padEnd(46)}${ms.toFixed(3).padStart(14)}${`${(ms / normalMs).toFixed(1)}x`.padStart(12)}`);
}
console.log("Target: hostile input validated within a few milliseconds (linear in its length).");
