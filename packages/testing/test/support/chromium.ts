// A real headless Chromium for the inspector page's browser tests: Debian's
// (or NHS_APP_CHROMIUM's), driven by playwright-core, which downloads no
// browser. A fresh profile each time, no Google services, and every request
// the page makes outside 127.0.0.1 refused and recorded, so a test can show
// the page works offline.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { noteSkipped } from "../../../../test/published.ts";

/** The Chromium the tests drive. */
export const CHROMIUM_PATH = process.env.NHS_APP_CHROMIUM || "/usr/bin/chromium";

// Without the background-networking flags Chromium reaches for Google's hosts at start.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return `no Chromium at ${CHROMIUM_PATH}: install Debian's (apt-get install chromium; .ci/run does) or set NHS_APP_CHROMIUM to a Chromium binary`;
}

/**
 * Whether the browser tests skip: only off CI when Chromium is missing. On CI
 * they run, and fail on a missing Chromium with chromiumMissing()'s words.
 */
export function skipBrowserTests(): boolean {
  const missing = chromiumMissing();
  if (missing === undefined || process.env.CI) return false;
  console.warn(`Skipping the inspector page's browser tests: ${missing}`);
  noteSkipped("the inspector page's browser tests", missing);
  return true;
}

export interface Chromium {
  context: BrowserContext;
  page: Page;
  /** Every request the page tried outside 127.0.0.1 (each refused). */
  blocked: string[];
  close(): Promise<void>;
}

/** Starts Chromium with a fresh profile and opens a page; `javaScript: false` shows the page works without script. */
export async function launchChromium(options: { javaScript?: boolean } = {}): Promise<Chromium> {
  const missing = chromiumMissing();
  if (missing !== undefined) throw new Error(`The inspector page's browser tests need Chromium: ${missing}`);
  const profile = await mkdtemp(path.join(tmpdir(), "nhs-app-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      chromiumSandbox: false,
      args: ARGS,
      javaScriptEnabled: options.javaScript ?? true,
      viewport: { width: 1280, height: 900 },
      timeout: 30_000,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    blocked,
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** 127.0.0.1 over http, and the page's own inline data. */
function isLocal(url: string): boolean {
  if (url.startsWith("data:") || url === "about:blank") return true;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" && parsed.hostname === "127.0.0.1";
  } catch {
    return false;
  }
}

/** The width and height a PNG's header gives, after checking it is a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((byte, index) => bytes[index] !== byte)) throw new Error("Not a PNG");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") throw new Error("A PNG without IHDR first");
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Where a test's screenshot goes: the OS's temporary folder (the repository keeps no test output). */
export const screenshotPath = (name: string) => path.join(tmpdir(), "nhs-app-api-inspector", `${name}.png`);
