// A thin proxy in front of Prism. Prism answers an invalid request with an
// example all the same, and only says so in an `sl-violations` header; the
// gate turns such an answer into a 500 that names the violations, so a
// request that breaks the spec can never pass verification.
import { createServer, type Server } from "node:http";

export interface Gate {
  url: string;
  /** Every violation Prism reported, for the run's summary. */
  violations: string[];
  close(): Promise<void>;
}

export async function startPrismGate(prismUrl: string): Promise<Gate> {
  const violations: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string" && !["host", "connection", "content-length"].includes(name))
        headers.set(name, value);
    }
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const answer = await fetch(`${prismUrl}${request.url}`, {
      method: request.method ?? "GET",
      headers,
      ...(body ? { body } : {}),
    });
    const text = await answer.text();
    const violated = answer.headers.get("sl-violations");
    if (violated) {
      violations.push(`${request.method} ${request.url}: ${violated}`);
      response.writeHead(500, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          error: "Prism found the exchange invalid against the spec",
          violations: JSON.parse(violated),
        }),
      );
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
