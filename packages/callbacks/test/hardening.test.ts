// The callback server faces the internet: it speaks only forward-secret AEAD
// TLS, and drops clients that stall in the handshake, the headers, the body or
// between requests within the timeouts it is given, and not long before them.
// Real sockets on 127.0.0.1, with short timeouts so that the tests stay quick.
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

/** Short enough to keep the tests quick, long enough to tell "dropped on time" from "dropped at once". */
const timeouts = { handshakeMs: 400, headersMs: 400, requestMs: 1_200, keepAliveMs: 400 };
/** How late a drop may come: Node checks header and request deadlines on a timer, and the machine may be busy. */
const MARGIN_MS = 1_000;
/** Node closes an idle kept-alive connection a second after the timeout it advertises, so that a reuse at the limit does not race the close. */
const NODE_KEEP_ALIVE_GRACE_MS = 1_000;

/** TLS 1.2 suites Node's defaults accept and the callback server must not: no forward secrecy, or CBC. */
const WEAK_TLS12_SUITES = ["AES128-GCM-SHA256", "AES128-SHA256", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES128-SHA256"];

describe("the hardened callback server", () => {
  let ca: Issued;
  let serverCert: Issued;
  let client: Issued;
  let server: CallbackServer;
  let tls13Only: CallbackServer;
  let withDefaults: CallbackServer;
  let nodeDefaults: TlsServer;
  const received: Receipt[] = [];

  beforeAll(async () => {
    ca = await authority("Supplier callbacks CA");
    serverCert = await issue(ca, "callbacks.supplier.test", "server");
    client = await issue(ca, "nhs-app-client", "client");
    const options = {
      key: serverCert.key,
      cert: serverCert.cert,
      ca: ca.cert,
      onReceipt: (r: Receipt) => void received.push(r),
    };
    server = await createCallbackServer({ ...options, timeouts });
    tls13Only = await createCallbackServer({ ...options, minTlsVersion: "TLSv1.3" });
    withDefaults = await createCallbackServer(options);
    // A TLS server with Node's defaults and the same certificate, to show the weak suites are offered and usable.
    nodeDefaults = createTlsServer({ key: serverCert.key, cert: serverCert.cert }, (socket) => socket.end());
    await new Promise<void>((resolve) => nodeDefaults.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    await server?.close();
    await tls13Only?.close();
    await withDefaults?.close();
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
   * Watches a socket from now: when it closes, and what the server said. It
   * reads all the while, as a client must to see the server hang up.
   */
  function watch(socket: Socket) {
    const started = performance.now();
    let closedAfter: number | undefined;
    let said = "";
    socket.on("data", (chunk: Buffer) => {
      said += chunk.toString("latin1");
    });
    socket.on("error", () => undefined);
    const closed = new Promise<number>((resolve) =>
      socket.once("close", () => {
        closedAfter = performance.now() - started;
        resolve(closedAfter);
      }),
    );
    return {
      isOpen: () => closedAfter === undefined,
      said: () => said,
      /** Milliseconds from the start of the watch to the close, or Infinity if it is still open after `limit`. */
      closedWithin: (limit: number) =>
        Promise.race([closed, sleep(limit).then(() => Number.POSITIVE_INFINITY)]).finally(() => socket.destroy()),
    };
  }

  /**
   * Asserts the socket was still open at half the timeout (the server waited)
   * and closed by the timeout plus the margin. Both are read from when the
   * close was seen, so a late timer in this test cannot fail a server on time.
   */
  async function expectDroppedOnTime(watched: ReturnType<typeof watch>, timeoutMs: number) {
    const closedAfter = await watched.closedWithin(timeoutMs + MARGIN_MS);
    expect(closedAfter).toBeGreaterThanOrEqual(timeoutMs / 2);
    expect(closedAfter).toBeLessThanOrEqual(timeoutMs + MARGIN_MS);
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
      const socket = connectTcp(server.port, "127.0.0.1");
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      const watched = watch(socket);
      socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8])); // a ClientHello's record header, and no more
      await expectDroppedOnTime(watched, timeouts.handshakeMs);
    });

    it("drops a client that finishes the handshake and then sends nothing, after headersMs", async () => {
      const socket = tlsTo(server.port);
      await secured(socket);
      await expectDroppedOnTime(watch(socket), timeouts.headersMs);
    });

    it("drops a client that sends part of the headers and stops, after headersMs, with a 408", async () => {
      const socket = tlsTo(server.port);
      await secured(socket);
      const watched = watch(socket);
      socket.write("POST /FHIR/R4/Task HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: appl");
      await expectDroppedOnTime(watched, timeouts.headersMs);
      expect(watched.said()).toMatch(/^HTTP\/1\.1 408 /);
    });

    it("drops a client whose body trickles in for longer than requestMs, though it is never idle", async () => {
      const socket = tlsTo(server.port);
      await secured(socket);
      const watched = watch(socket);
      socket.write(
        `POST /FHIR/R4/Task HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${receipt.length}\r\n\r\n`,
      );
      let sent = 0;
      const trickle = setInterval(() => {
        if (socket.writable && sent < receipt.length - 1) socket.write(receipt[sent++] ?? "");
      }, 50);
      try {
        // Half of requestMs is past headersMs: it is the request deadline that drops it, not the headers'.
        await expectDroppedOnTime(watched, timeouts.requestMs);
      } finally {
        clearInterval(trickle);
      }
      expect(watched.said()).toMatch(/^HTTP\/1\.1 408 /);
      expect(sent).toBeGreaterThan(0);
    });

    it("answers a prompt client, then closes the connection once it sits idle for keepAliveMs (and Node's second of grace)", async () => {
      const socket = tlsTo(server.port);
      await secured(socket);
      const watched = watch(socket);
      const before = received.length;
      socket.write(
        `POST /FHIR/R4/Task HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${receipt.length}\r\n\r\n${receipt}`,
      );
      while (!watched.said().includes("\r\n\r\n") && watched.isOpen()) await sleep(5);
      expect(watched.said()).toMatch(/^HTTP\/1\.1 202 /);
      expect(received.length).toBe(before + 1);
      await expectDroppedOnTime(watch(socket), timeouts.keepAliveMs + NODE_KEEP_ALIVE_GRACE_MS);
    });

    it("uses timeouts of seconds, not minutes, when none are given", () => {
      const { headersTimeout, requestTimeout, keepAliveTimeout } = withDefaults.server;
      expect({ headersTimeout, requestTimeout, keepAliveTimeout }).toEqual({
        headersTimeout: DEFAULT_SERVER_TIMEOUTS.headersMs,
        requestTimeout: DEFAULT_SERVER_TIMEOUTS.requestMs,
        keepAliveTimeout: DEFAULT_SERVER_TIMEOUTS.keepAliveMs,
      });
      expect(Object.values(DEFAULT_SERVER_TIMEOUTS).every((ms) => ms >= 1_000 && ms <= 30_000)).toBe(true);
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
