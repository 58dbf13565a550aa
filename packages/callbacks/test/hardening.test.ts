// The callback server faces the internet: it speaks only forward-secret AEAD
// TLS, and drops clients that stall in the handshake, the headers, the body or
// between requests, by the timeouts it is given and not before them. Real
// sockets on 127.0.0.1. Each stall goes to a server whose one timeout under
// test is short and the rest long, so no test hangs on anything else being
// quick, and side by side to a yardstick server with timeouts seconds longer,
// which must still hold the client when the first drops it: no test measures
// how late a busy machine runs a timer.

import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { type AddressInfo, connect as connectTcp, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type ConnectionOptions, connect, createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CallbackServer,
  createCallbackServer,
  DEFAULT_SERVER_TIMEOUTS,
  type Receipt,
  TLS12_CIPHER_SUITES,
} from "../src/index.js";
import { authority, type Issued, issue } from "./certificates.js";
import { callbackExamples } from "./examples.js";

const receipt = JSON.stringify(callbackExamples("realtime-receipts").delivered);

/** Longer than any test here runs: a timeout of this length never fires during one. */
const LONG_MS = 50_000;
/** Every timeout long, but for the one a server is made to test. */
const PATIENT = { handshakeMs: LONG_MS, headersMs: LONG_MS, requestMs: LONG_MS, keepAliveMs: LONG_MS };
/**
 * The yardstick's timeouts, set on Node's own server directly: seconds longer than the ones under test,
 * and shorter than the callback server's defaults (DEFAULT_SERVER_TIMEOUTS), which a server that lost the
 * timeout it was given would fall back to.
 */
const YARDSTICK = { handshakeTimeout: 8_000, headersTimeout: 8_000, requestTimeout: 8_000, keepAliveTimeout: 4_000 };
/**
 * Node's timers count whole milliseconds of a loop time read at most a millisecond coarsely, so a timer can
 * fire that much before the same time on performance.now().
 */
const TIMER_GRAIN_MS = 2;

/** TLS 1.2 suites Node's defaults accept and the callback server must not: no forward secrecy, or CBC. */
const WEAK_TLS12_SUITES = ["AES128-GCM-SHA256", "AES128-SHA256", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES128-SHA256"];

describe("the hardened callback server", () => {
  let ca: Issued;
  let serverCert: Issued;
  let client: Issued;
  /** The TLS tests' server: the default timeouts, seconds long, so that no handshake here races one. */
  let server: CallbackServer;
  let tls13Only: CallbackServer;
  let nodeDefaults: TlsServer;
  /** The timeout tests' servers: each with one timeout short and the rest long. */
  let stalling: Record<"handshake" | "headers" | "request" | "keepAlive", CallbackServer>;
  /** Node's own HTTPS server with the YARDSTICK timeouts, taking any request with 202. */
  let yardstick: HttpsServer;
  const received: Receipt[] = [];
  let headersIn = 0;

  beforeAll(async () => {
    ca = await authority("Supplier callbacks CA");
    serverCert = await issue(ca, "callbacks.supplier.test", "server");
    client = await issue(ca, "nhs-app-client", "client");
    const options = { key: serverCert.key, cert: serverCert.cert, ca: ca.cert, onReceipt: () => undefined };
    server = await createCallbackServer(options);
    tls13Only = await createCallbackServer({ ...options, minTlsVersion: "TLSv1.3" });
    // A TLS server with Node's defaults and the same certificate, to show the weak suites are offered and usable.
    nodeDefaults = createTlsServer({ key: serverCert.key, cert: serverCert.cert }, (socket) => socket.end());
    await new Promise<void>((resolve) => nodeDefaults.listen(0, "127.0.0.1", resolve));
    stalling = {
      handshake: await createCallbackServer({ ...options, timeouts: { ...PATIENT, handshakeMs: 400 } }),
      headers: await createCallbackServer({ ...options, timeouts: { ...PATIENT, headersMs: 400 } }),
      // The headers are part of the request, so their deadline can be no longer: long enough that a header
      // block written at once is in well before it.
      request: await createCallbackServer({ ...options, timeouts: { ...PATIENT, headersMs: 2_000, requestMs: 2_000 } }),
      keepAlive: await createCallbackServer({
        ...options,
        onReceipt: (r: Receipt) => void received.push(r),
        timeouts: { ...PATIENT, keepAliveMs: 400 },
      }),
    };
    yardstick = createHttpsServer(
      {
        key: serverCert.key,
        cert: serverCert.cert,
        ca: ca.cert,
        requestCert: true,
        rejectUnauthorized: true,
        ...YARDSTICK,
        connectionsCheckingInterval: 1_000,
      },
      (request, response) => {
        request.resume();
        request.on("end", () => {
          response.statusCode = 202;
          response.end();
        });
      },
    );
    await new Promise<void>((resolve) => yardstick.listen(0, "127.0.0.1", resolve));
    stalling.request.server.on("request", () => headersIn++);
  });
  afterAll(async () => {
    await server?.close();
    await tls13Only?.close();
    for (const stalled of Object.values(stalling ?? {})) await stalled.close();
    yardstick?.closeAllConnections();
    await new Promise<void>((resolve) => (yardstick ? yardstick.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (nodeDefaults ? nodeDefaults.close(() => resolve()) : resolve()));
  });

  /** A TLS connection as the NHS App makes it (client certificate and all), with extra options. */
  const tlsTo = (port: number, extra: ConnectionOptions = {}) =>
    connect({ host: "127.0.0.1", port, ca: ca.cert, cert: client.cert, key: client.key, ...extra });

  /** The protocol and suite a handshake agreed, or the error that ended it. */
  const handshake = (port: number, extra: ConnectionOptions = {}) =>
    new Promise<{ protocol: string | null; cipher: string }>((resolve, reject) => {
      const socket = tlsTo(port, extra);
      socket.once("secureConnect", () => {
        resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
        socket.destroy();
      });
      socket.once("error", reject);
    });

  /**
   * A client's connection, watched: what the server said, and when it hung
   * up, in ms from `since`. It reads all the while, as a client must to see
   * the server hang up.
   */
  function watch(socket: Socket, since: number) {
    let closedAfter: number | undefined;
    let said = "";
    socket.on("data", (chunk: Buffer) => {
      said += chunk.toString("latin1");
    });
    socket.on("error", () => undefined);
    const closed = new Promise<number>((resolve) =>
      socket.once("close", () => {
        closedAfter = performance.now() - since;
        resolve(closedAfter);
      }),
    );
    return { socket, closed, isOpen: () => closedAfter === undefined, said: () => said };
  }
  type Watched = ReturnType<typeof watch>;

  /**
   * Makes the same stall against a server whose timeout under test is
   * `timeoutMs`, and against the yardstick, side by side, and asserts: the
   * server dropped the client no sooner than `timeoutMs` after `since` (a
   * moment before the client did what starts the server's clock, so a busy
   * machine can only make the drop later), and while the yardstick, whose
   * timeouts are seconds longer, still held the same stall (so by the timeout
   * given, not a default, and not merely at some point). No test measures
   * how late a timer ran. Returns the dropped connection.
   */
  async function expectDropped(
    stalled: CallbackServer,
    timeoutMs: number,
    stall: (port: number) => Promise<Watched>,
  ): Promise<Watched> {
    const [dropped, held] = await Promise.all([stall(stalled.port), stall((yardstick.address() as AddressInfo).port)]);
    try {
      expect(await dropped.closed).toBeGreaterThanOrEqual(timeoutMs - TIMER_GRAIN_MS);
      expect(held.isOpen(), "the yardstick, with longer timeouts, dropped the same stall first").toBe(true);
      return dropped;
    } finally {
      dropped.socket.destroy();
      held.socket.destroy();
    }
  }

  const secured = (socket: Socket) => new Promise<void>((resolve) => socket.once("secureConnect", () => resolve()));

  describe("TLS", () => {
    it("refuses a TLS 1.2 client that offers only suites without forward secrecy or with CBC", async () => {
      for (const ciphers of WEAK_TLS12_SUITES) {
        // The client really offers the suite: a server with Node's defaults agrees to it.
        expect(
          await handshake((nodeDefaults.address() as AddressInfo).port, { maxVersion: "TLSv1.2", ciphers }),
        ).toEqual({
          protocol: "TLSv1.2",
          cipher: ciphers,
        });
        await expect(handshake(server.port, { maxVersion: "TLSv1.2", ciphers })).rejects.toThrow(/handshake failure/i);
      }
    });

    it("accepts a TLS 1.2 client with each of its RSA suites (the test certificates are RSA)", async () => {
      for (const cipher of TLS12_CIPHER_SUITES.filter((suite) => suite.includes("-RSA-"))) {
        expect(await handshake(server.port, { maxVersion: "TLSv1.2", ciphers: cipher })).toEqual({
          protocol: "TLSv1.2",
          cipher,
        });
      }
    });

    it("speaks TLS 1.3 with Node's TLS 1.3 suites by default", async () => {
      const agreed = await handshake(server.port);
      expect(agreed.protocol).toBe("TLSv1.3");
      expect(agreed.cipher).toMatch(/^TLS_(AES_256_GCM_SHA384|AES_128_GCM_SHA256|CHACHA20_POLY1305_SHA256)$/);
    });

    it('refuses TLS 1.2 altogether with minTlsVersion "TLSv1.3", and still speaks TLS 1.3', async () => {
      await expect(
        handshake(tls13Only.port, { maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-GCM-SHA256" }),
      ).rejects.toThrow(/protocol version/i);
      expect((await handshake(tls13Only.port)).protocol).toBe("TLSv1.3");
      // The same client is fine with the default minimum.
      expect(
        (await handshake(server.port, { maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-GCM-SHA256" })).protocol,
      ).toBe("TLSv1.2");
    });
  });

  describe("timeouts", () => {
    it("drops a client that starts the TLS handshake and never finishes it, after handshakeMs", async () => {
      await expectDropped(stalling.handshake, 400, async (port) => {
        const since = performance.now();
        const socket = connectTcp(port, "127.0.0.1");
        const watched = watch(socket, since);
        await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
        socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8])); // a ClientHello's record header, and no more
        return watched;
      });
    });

    it("drops a client that finishes the handshake and then sends nothing, after headersMs", async () => {
      await expectDropped(stalling.headers, 400, async (port) => {
        const since = performance.now();
        const socket = tlsTo(port);
        const watched = watch(socket, since);
        await secured(socket);
        return watched;
      });
    });

    it("drops a client that sends part of the headers and stops, after headersMs, with a 408", async () => {
      const dropped = await expectDropped(stalling.headers, 400, async (port) => {
        const since = performance.now();
        const socket = tlsTo(port);
        const watched = watch(socket, since);
        await secured(socket);
        socket.write("POST /FHIR/R4/Task HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: appl");
        return watched;
      });
      expect(dropped.said()).toMatch(/^HTTP\/1\.1 408 /);
    });

    it("drops a client whose body trickles in for longer than requestMs, though it is never idle", async () => {
      const trickles: NodeJS.Timeout[] = [];
      let sent = 0;
      const before = headersIn;
      try {
        const dropped = await expectDropped(stalling.request, 2_000, async (port) => {
          const since = performance.now();
          const socket = tlsTo(port);
          const watched = watch(socket, since);
          await secured(socket);
          socket.write(
            `POST /FHIR/R4/Task HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${receipt.length}\r\n\r\n`,
          );
          let next = 0;
          trickles.push(
            setInterval(() => {
              if (socket.writable && next < receipt.length - 1) {
                socket.write(receipt[next++] ?? "");
                sent++;
              }
            }, 50),
          );
          return watched;
        });
        expect(dropped.said()).toMatch(/^HTTP\/1\.1 408 /);
      } finally {
        for (const trickle of trickles) clearInterval(trickle);
      }
      expect(sent).toBeGreaterThan(0);
      // Its headers were in (the server took the request): it is the request deadline that dropped it.
      expect(headersIn).toBe(before + 1);
    });

    it("answers a prompt client, then closes the connection once it sits idle for keepAliveMs", async () => {
      const before = received.length;
      await expectDropped(stalling.keepAlive, 400, async (port) => {
        const socket = tlsTo(port);
        await secured(socket);
        const since = performance.now();
        const watched = watch(socket, since);
        socket.write(
          `POST /FHIR/R4/Task HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${receipt.length}\r\n\r\n${receipt}`,
        );
        while (!watched.said().includes("\r\n\r\n") && watched.isOpen()) await sleep(5);
        expect(watched.said()).toMatch(/^HTTP\/1\.1 202 /);
        return watched;
      });
      expect(received.length).toBe(before + 1);
    });

    it("uses timeouts of seconds, not minutes, when none are given", () => {
      const { headersTimeout, requestTimeout, keepAliveTimeout } = server.server;
      expect({ headersTimeout, requestTimeout, keepAliveTimeout }).toEqual({
        headersTimeout: DEFAULT_SERVER_TIMEOUTS.headersMs,
        requestTimeout: DEFAULT_SERVER_TIMEOUTS.requestMs,
        keepAliveTimeout: DEFAULT_SERVER_TIMEOUTS.keepAliveMs,
      });
      expect(Object.values(DEFAULT_SERVER_TIMEOUTS).every((ms) => ms >= 1_000 && ms <= 30_000)).toBe(true);
      // Longer than the yardstick's: a server that lost a timeout it was given fails the tests above.
      expect(DEFAULT_SERVER_TIMEOUTS.handshakeMs).toBeGreaterThan(YARDSTICK.handshakeTimeout);
      expect(DEFAULT_SERVER_TIMEOUTS.headersMs).toBeGreaterThan(YARDSTICK.headersTimeout);
      expect(DEFAULT_SERVER_TIMEOUTS.requestMs).toBeGreaterThan(YARDSTICK.requestTimeout);
      expect(DEFAULT_SERVER_TIMEOUTS.keepAliveMs).toBeGreaterThan(YARDSTICK.keepAliveTimeout);
    });

    it("refuses timeouts that are not whole positive milliseconds, headers longer than the request, and old TLS", async () => {
      const base = { key: serverCert.key, cert: serverCert.cert, ca: ca.cert };
      for (const bad of [{ headersMs: 0 }, { requestMs: -1 }, { keepAliveMs: 1.5 }, { handshakeMs: 2 ** 31 }]) {
        await expect(createCallbackServer({ ...base, timeouts: bad })).rejects.toThrow(RangeError);
      }
      await expect(createCallbackServer({ ...base, timeouts: { headersMs: 5_000, requestMs: 1_000 } })).rejects.toThrow(
        /cannot exceed/,
      );
      await expect(createCallbackServer({ ...base, minTlsVersion: "TLSv1.1" as unknown as "TLSv1.2" })).rejects.toThrow(
        RangeError,
      );
    });
  });
});
