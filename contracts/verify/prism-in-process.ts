// Prism's HTTP mock server, run inside this process instead of as `prism
// mock` in a child. The CLI costs a Node start and a spec load of about two
// seconds each time; the harness mocks one spec per mutation, so starting
// Prism in-process (the same libraries the CLI uses, configured as `prism
// mock` configures them) is what keeps a run of every mutation short.
import { createLogger } from "@stoplight/prism-core";
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import { createServer } from "@stoplight/prism-http-server";

export interface PrismMock {
  url: string;
  close(): Promise<void>;
}

/** A Prism mock of a bundled OpenAPI document (an object, not a path), on a free port of 127.0.0.1. */
export async function startPrismMock(spec: object): Promise<PrismMock> {
  // Prism dereferences the document in place; the caller's copy stays as it was.
  const operations = await getHttpOperationsFromSpec(structuredClone(spec));
  if (operations.length === 0) throw new Error("the spec has no operations for Prism to mock");
  const server = createServer(operations, {
    cors: false,
    components: { logger: createLogger("prism", { level: "silent" }) },
    // As `prism mock` without --dynamic: examples, requests validated (violations in sl-violations), security checked.
    config: {
      isProxy: false,
      mock: { dynamic: false },
      validateRequest: true,
      validateResponse: true,
      checkSecurity: true,
      errors: false,
      upstreamProxy: undefined,
    },
  });
  const address = await server.listen(0, "127.0.0.1");
  return { url: address.replace(/\/$/, ""), close: () => server.close() };
}
