// The local sandbox: a Prism mock of the bundled spec behind a small Node
// gateway that adds what Prism cannot do: a token endpoint that enforces the
// platform's client-assertion rules, bearer-token checks, X-Correlation-ID
// mirrored, and multi-page reports (ODS code T00001, and any day) with real
// Link headers. Everything listens on 127.0.0.1 only.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { patientReportPage, receiptReportPage } from "./fixtures.js";
import { createTestKeys } from "./keys.js";
import { type PrismServer, startPrism } from "./prism.js";
import { exampleResponse, type OperationId, operationPaths, replyKind } from "./spec.js";
import { isTokenError, TokenIssuer } from "./token-rules.js";
import { operationOutcome, queryIssues, requestBodyIssues } from "./validate-request.js";

export interface SandboxOptions {
  /** The gateway's port (default 4010); 0 picks a free one. */
  port?: number;
  /** Pages of the receipt report for every day (default 3). */
  receiptPages?: number;
  /** Pages of the patient report for T00001 (default 4). */
  patientPages?: number;
  /** Seconds a token lasts (default 599, as on the platform). */
  tokenLifetimeSeconds?: number;
}

export interface Sandbox {
  baseUrl: string;
  tokenUrl: string;
  apiKey: string;
  keyId: string;
  /** The sandbox's private key, PEM, also written to `privateKeyPath`. */
  privateKeyPem: string;
  privateKeyPath: string;
  issuer: TokenIssuer;
  stop(): Promise<void>;
}

export const SANDBOX_API_KEY = "sandbox-api-key";
export const SANDBOX_KEY_ID = "sandbox-key-1";
export const MULTI_PAGE_ODS_CODE = "T00001";

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    ...headers,
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // Take the port first: a sandbox that cannot start must leave no private key behind.
  const server: Server = createServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`Port ${options.port ?? 4010} on 127.0.0.1 is taken: stop what uses it, or choose another port`)
          : error,
      ),
    );
    server.listen(options.port ?? 4010, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
  });
  const keys = createTestKeys(SANDBOX_KEY_ID);
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-sandbox-"));
  const privateKeyPath = path.join(dir, "private-key.pem");
  await writeFile(privateKeyPath, keys.privateKeyPem, { mode: 0o600 });
  const origin = `http://127.0.0.1:${port}`;
  const baseUrl = `${origin}/nhs-app`;
  const tokenUrl = `${origin}/oauth2/token`;
  const issuer = new TokenIssuer({
    tokenUrl,
    apiKey: SANDBOX_API_KEY,
    publicKeys: new Map([[keys.keyId, keys.publicKey]]),
    ...(options.tokenLifetimeSeconds === undefined ? {} : { tokenLifetimeSeconds: options.tokenLifetimeSeconds }),
  });

  let prism: PrismServer;
  try {
    prism = await startPrism();
  } catch (error) {
    server.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const operationOf = (pathname: string): OperationId | undefined =>
    (Object.keys(operationPaths) as OperationId[]).find(
      (op) => `/nhs-app${operationPaths[op].path}` === pathname.replace(/\/$/, ""),
    );

  server.on("request", async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", origin);
      const correlationId = request.headers["x-correlation-id"];
      const mirror: Record<string, string> =
        typeof correlationId === "string" ? { "x-correlation-id": correlationId } : {};
      const body = await readBody(request);

      if (url.pathname === "/oauth2/token") {
        if (request.method !== "POST") return send(response, 405, "", { allow: "POST", "content-type": "text/plain" });
        const result = await issuer.handle(request.headers["content-type"] ?? null, body);
        return isTokenError(result) ? send(response, result.status, result.body) : send(response, 200, result.body);
      }

      const operation = operationOf(url.pathname);
      if (!operation || operationPaths[operation].method !== request.method?.toLowerCase()) {
        return send(
          response,
          404,
          operationOutcome([{ severity: "error", code: "not-found", diagnostics: "No such resource" }]),
          mirror,
        );
      }
      const auth = issuer.check(request.headers.authorization ?? null);
      if (auth !== "valid") {
        const example = exampleResponse(
          operation,
          401,
          auth === "expired" ? "expired-access-token" : "invalid-access-token",
        );
        return send(response, 401, example.body, mirror);
      }
      let parsed: unknown;
      if (request.method === "POST") {
        try {
          parsed = JSON.parse(body);
        } catch {
          const issue = {
            severity: "error" as const,
            code: "invalid" as const,
            diagnostics: "Invalid Json encountered.",
          };
          return send(response, 400, operationOutcome([issue]), { ...mirror, "content-type": "application/fhir+json" });
        }
      }
      const issues =
        request.method === "POST"
          ? requestBodyIssues(operation, parsed, request.headers["content-type"] ?? "")
          : queryIssues(operation, url.searchParams);
      if (issues.length > 0) {
        return send(response, 400, operationOutcome(issues), { ...mirror, "content-type": "application/fhir+json" });
      }

      const page = Number(url.searchParams.get("page") ?? "1");
      if (
        operation === "get-receipt-report" ||
        (operation === "get-patient-report" &&
          url.searchParams.get("ods-organisation-code")?.toUpperCase() === MULTI_PAGE_ODS_CODE)
      ) {
        const pageCount =
          operation === "get-receipt-report" ? (options.receiptPages ?? 3) : (options.patientPages ?? 4);
        if (page > pageCount) {
          return send(response, 404, exampleResponse(operation, 404, "report-not-found").body, mirror);
        }
        const built =
          operation === "get-receipt-report"
            ? receiptReportPage({ baseUrl, day: url.searchParams.get("day") as string, page, pageCount })
            : patientReportPage({ baseUrl, odsCode: MULTI_PAGE_ODS_CODE, page, pageCount });
        return send(response, 200, built.body, { ...built.headers, ...mirror });
      }

      // Everything else: Prism answers from the spec's examples (and checks the request once more).
      const prefer =
        operation === "create-in-app"
          ? { prefer: `code=201, example=${replyKind(parsed)}` }
          : ({} as Record<string, string>);
      const forwarded = await fetch(`${prism.url}${url.pathname.replace(/^\/nhs-app/, "")}${url.search}`, {
        method: request.method ?? "GET",
        headers: {
          authorization: request.headers.authorization ?? "",
          "content-type": request.headers["content-type"] ?? "application/json",
          ...prefer,
        },
        ...(request.method === "POST" ? { body } : {}),
      });
      const headers: Record<string, string> = {
        "content-type": forwarded.headers.get("content-type") ?? "application/json",
        ...mirror,
      };
      const location = forwarded.headers.get("location");
      const text = await forwarded.text();
      if (location) {
        const id = /"nhs-app-communication-id","value":"([^"]+)"/.exec(text)?.[1] ?? location.split("/").pop();
        headers.location = `${baseUrl}${operationPaths[operation].path}/${id}`;
      }
      const link = forwarded.headers.get("link");
      if (link && operation === "get-patient-report") {
        const code = url.searchParams.get("ods-organisation-code") ?? "";
        headers.link = `<${baseUrl}/communication/report/patients?ods-organisation-code=${code}&page=1>; rel="last"`;
      }
      return send(response, forwarded.status, text, headers);
    } catch (error) {
      send(
        response,
        500,
        operationOutcome([
          { severity: "error", code: "unknown", diagnostics: `Sandbox failure: ${(error as Error).message}` },
        ]),
      );
    }
  });

  let stopped = false;
  return {
    baseUrl,
    tokenUrl,
    apiKey: SANDBOX_API_KEY,
    keyId: keys.keyId,
    privateKeyPem: keys.privateKeyPem,
    privateKeyPath,
    issuer,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await Promise.all([new Promise((resolve) => server.close(resolve)), prism.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
