// One contender of the client bench, alone, for `node --cpu-prof`: sends
// the bench's in-app message N times with the client (or openapi-fetch).
// `tsx bench/profile-client.ts [client|openapi-fetch] [calls]`.
import { createNhsAppClient } from "@nhs-app-api/client";
import { operations } from "@nhs-app-api/contract";
import { createTestKeys } from "@nhs-app-api/testing";
import type { paths } from "@nhs-app-api/types";
import createClient from "openapi-fetch";
import { benchMessage, startBenchApi } from "./api-server.ts";

const [who = "client", times = "20000"] = process.argv.slice(2);
const keys = createTestKeys("bench-1");
const api = await startBenchApi(keys);
const { baseUrl, tokenUrl } = api;
const message = benchMessage();
const client = createNhsAppClient({
  environment: { baseUrl, tokenUrl },
  apiKey: "bench",
  keyId: keys.keyId,
  privateKey: keys.privateKey,
});
const typed = createClient<paths>({ baseUrl });
const send =
  who === "client"
    ? () => client.sendInAppMessage(message)
    : () =>
        typed.POST(operations["create-in-app"].path, {
          body: message,
          headers: { Authorization: "Bearer bench-token" },
        });
await send();
const started = performance.now();
for (let i = 0; i < Number(times); i++) await send();
console.log(`${who}: ${((performance.now() - started) / Number(times)).toFixed(4)} ms/call`);
api.stop();
