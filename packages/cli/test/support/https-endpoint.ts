// A supplier's HTTPS endpoint for the callbacks check's tests: a node:https
// server on a free 127.0.0.1 port with the TLS options and handler a test
// gives it, and a close that does not wait for idle keep-alive connections.
import { createServer, type Server, type ServerOptions } from "node:https";

export async function listenHttps(
  options: ServerOptions,
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; server: Server }> {
  const server = createServer(options, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

export const closeHttps = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
