// A thin proxy in front of Prism. Prism answers an invalid request with an
// example all the same, and only says so in an `sl-violations` header; and
// it serves its examples without checking them against the spec. The gate
// turns either into a 500 that names the problem, so neither a request that
// breaks the spec nor an answer the spec no longer allows can pass
// verification.
import { createServer, type Server } from "node:http";
import { responseChecker } from "./response-check.ts";

/** Headers of one hop, which a proxy must not pass on (a body re-sent whole has its own length). */
const HOP_BY_HOP = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
  "te",
  "upgrade",
]);

/** The header the verification tags each request with: the index of its interaction in the pact. */
export const INTERACTION_HEADER = "x-nhs-app-harness-interaction";

export interface Gate {
  url: string;
  /** Every violation found, for the run's summary. */
  violations: string[];
  /** The violations found in the exchange of one interaction (by the index its request was tagged with). */
  violationsOf(interaction: number): string[];
  close(): Promise<void>;
}

export async function startPrismGate(prismUrl: string, spec: Record<string, unknown>): Promise<Gate> {
  const violations: string[] = [];
  const byInteraction = new Map<number, string[]>();
  const checkResponse = responseChecker(spec);
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const interaction = Number(request.headers[INTERACTION_HEADER] ?? -1);
    const record = (...found: string[]) => {
      violations.push(...found);
      byInteraction.set(interaction, [...(byInteraction.get(interaction) ?? []), ...found]);
    };
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string" && !HOP_BY_HOP.has(name) && name !== INTERACTION_HEADER) headers.set(name, value);
    }
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    let answer: Response;
    try {
      answer = await fetch(`${prismUrl}${request.url}`, {
        method: request.method ?? "GET",
        headers,
        ...(body ? { body } : {}),
      });
    } catch (error) {
      record(`${request.method} ${request.url}: Prism did not answer (${(error as Error).message})`);
      response.writeHead(502, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "Prism did not answer", detail: (error as Error).message }));
      return;
    }
    const text = await answer.text();
    const violated = answer.headers.get("sl-violations");
    if (violated) {
      record(`${request.method} ${request.url}: ${violated}`);
      response.writeHead(500, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          error: "Prism found the exchange invalid against the spec",
          violations: JSON.parse(violated),
        }),
      );
      return;
    }
    const broken = checkResponse(
      request.method ?? "GET",
      request.url ?? "/",
      answer.status,
      answer.headers.get("content-type"),
      text,
    );
    if (broken.length > 0) {
      record(...broken);
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "Prism's answer does not keep the spec", violations: broken }));
      return;
    }
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!["content-length", "connection", "keep-alive", "transfer-encoding"].includes(name)) out[name] = value;
    });
    response.writeHead(answer.status, out);
    response.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    violations,
    violationsOf: (index) => byInteraction.get(index) ?? [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
