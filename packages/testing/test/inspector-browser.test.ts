// The inspector page in a real headless Chromium: first the page alone (a
// hand-built view served from 127.0.0.1), then a running sandbox's page
// driven as a developer drives it (its forms clicked, with scripts off).
// Every request outside 127.0.0.1 is refused and recorded: none may be made.
import { mkdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { inAppMessage, keywordReply } from "@nhs-app-api/client";
import { contentStringMarkdown, enums, QUIET_HOURS_RULE, RECEIPT_REPORT_RULE } from "@nhs-app-api/contract";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestClient, type Sandbox, startSandbox, testNhsNumber } from "../src/index.js";
import { renderInspectorPage } from "../src/inspector-page.js";
import type { MarkdownFeature } from "../src/patient-view.js";
import type { MessageView, WorkbenchView } from "../src/workbench-views.js";
import { type Chromium, launchChromium, pngSize, screenshotPath, skipBrowserTests } from "./support/chromium.js";

/** Text with each Markdown feature of the subset, and a few that are not in it. */
const EVERY_FEATURE = [
  "## Your appointment",
  "### At the surgery",
  "It is on **Monday 7 December** at 9:30.",
  "Bring a list of your medicines.  ",
  "Arrive 10 minutes early.",
  "",
  "* your medicines",
  "* your glasses",
  "",
  "1. Go to reception",
  "2. Take a seat",
  "",
  "[Find your surgery](https://www.nhs.uk/service-search)",
  "",
  "![Map of the surgery](https://www.nhs.uk/map.png)",
  "",
  "*not italic* and # not a heading",
].join("\n");

/** How each feature shows in the DOM; a feature the spec adds fails the test here until it is mapped. */
const FEATURE_SELECTORS: Record<MarkdownFeature, string> = {
  bold: "strong",
  "heading-2": "h2",
  "heading-3": "h3",
  "bulleted-list": "ul > li",
  "ordered-list": "ol > li",
  link: 'a[href="https://www.nhs.uk/service-search"]',
  image: 'img[src="https://www.nhs.uk/map.png"][alt="Map of the surgery"]',
  "line-break": "br",
};

const skip = skipBrowserTests();

async function screenshot(page: Page, name: string) {
  const file = screenshotPath(name);
  await mkdir(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  const size = pngSize(await readFile(file));
  console.info(`Screenshot of the inspector page: ${file} (${size.width}×${size.height})`);
  return size;
}

/** Stops a server now: Chromium keeps its connections open, which close() alone would wait for. */
function stop(server: Server | undefined) {
  if (!server) return Promise.resolve();
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Checks that each Markdown feature of the spec's subset is rendered as its element in a message's patient view. */
async function expectEveryFeature(page: Page, communicationId: string) {
  const content = page.locator(`#message-${communicationId} [data-patient-view="in-app"] .nhs-app-message`);
  for (const feature of contentStringMarkdown.features) {
    expect(await content.locator(FEATURE_SELECTORS[feature]).count(), feature).toBeGreaterThan(0);
  }
  expect(await content.locator("h2").textContent()).toBe("Your appointment");
  expect(await content.locator("strong").textContent()).toBe("Monday 7 December");
  expect(await content.locator("ul > li").allTextContents()).toEqual(["your medicines", "your glasses"]);
  expect(await content.locator("ol > li").allTextContents()).toEqual(["Go to reception", "Take a seat"]);
  // Outside the subset: shown as the text it is.
  expect(await content.locator("em, h1, h4").count()).toBe(0);
  expect(await content.textContent()).toContain("*not italic* and # not a heading");
}

describe.skipIf(skip)("the inspector page in Chromium", () => {
  let chromium: Chromium;
  beforeAll(async () => {
    chromium = await launchChromium({ javaScript: false });
  });
  afterAll(async () => {
    await chromium?.close();
  });

  describe("a hand-built view", () => {
    const ID = "aaaaaaaa-1111-4111-8111-111111111111";
    const message: MessageView = {
      communicationId: ID,
      kind: "in-app",
      nhsNumber: "9434765919",
      odsCode: "B82041",
      requestReference: "<script>document.title='owned'</script>",
      receivedAt: "2026-12-05T13:00:00.000Z",
      body: inAppMessage({
        nhsNumber: "9434765919",
        odsCode: "B82041",
        text: EVERY_FEATURE,
        reply: keywordReply(["YES", "NO"]),
      }),
      replyOffer: { kind: "keyword", codes: ["YES", "NO"] },
      receipts: [
        { kind: "Delivered", status: "completed", at: "2026-12-05T13:00:00.000Z", happened: true, source: "plan" },
        { kind: "Read", status: "completed", at: "2026-12-05T15:00:00.000Z", happened: false, source: "plan" },
      ],
      callbacks: [
        {
          id: "cb-1",
          kind: "receipt",
          receipt: "Delivered",
          communicationId: ID,
          url: "http://127.0.0.1:9/receipts",
          state: "delivered",
          attempts: [
            { at: "2026-12-05T13:00:00.000Z", status: 500, reason: "answered 500, not 202" },
            { at: "2026-12-05T13:00:00.250Z", status: 500, reason: "answered 500, not 202" },
            { at: "2026-12-05T13:00:00.750Z", status: 202 },
          ],
          body: {},
        },
      ],
    };
    const view: WorkbenchView = {
      clock: {
        now: "2026-12-05T14:00:00.000Z",
        speed: 1,
        adjustable: true,
        receiptReports: { completeBefore: "2026-12-05", rule: RECEIPT_REPORT_RULE },
        pushQuietHours: { now: false, rule: QUIET_HOURS_RULE },
      },
      messages: [message],
      totalMessages: 1,
      faults: [],
      testPatients: [{ nhsNumber: "9999999018", name: "rejected", outcome: "Rejected at once" }],
      baseUrl: "http://127.0.0.1:4010",
    };
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((_request, response) => {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(renderInspectorPage(view));
      });
      const port = await new Promise<number>((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
      );
      url = `http://127.0.0.1:${port}/_sandbox/`;
    });
    afterAll(() => stop(server));

    it("renders every Markdown feature of the subset as its element, and the rest as text", async () => {
      const { page } = chromium;
      await page.goto(url);
      expect(await page.title()).toBe("NHS App API sandbox");
      await expectEveryFeature(page, ID);
      // The hostile identifier is text, not a script that ran.
      expect(await page.locator('[data-field="requestReference"]').textContent()).toBe(message.requestReference);
      expect(await page.locator("script").count()).toBe(0);
    });

    it("shows the timeline of a callback tried three times, with each status", async () => {
      const { page } = chromium;
      await page.goto(url);
      const timeline = page.locator(`#message-${ID} .timeline`);
      expect(
        await timeline
          .locator(":scope > li")
          .evaluateAll((items) => items.map((item) => item.getAttribute("data-event"))),
      ).toEqual(["accepted", "receipt", "receipt"]);
      const callback = timeline.locator('[data-receipt="Delivered"] [data-callback-id="cb-1"]');
      expect(await callback.getAttribute("data-attempts")).toBe("3");
      expect(await callback.getAttribute("data-state")).toBe("delivered");
      expect(
        await callback.locator(".attempt").evaluateAll((items) => items.map((i) => i.getAttribute("data-status"))),
      ).toEqual(["500", "500", "202"]);
      expect(await timeline.locator('[data-receipt="Read"]').getAttribute("data-happened")).toBe("false");
      expect(await timeline.locator('[data-receipt="Read"] .due').textContent()).toContain("due at");
    });

    it("takes a full-page screenshot, and loads nothing from outside 127.0.0.1", async () => {
      const { page } = chromium;
      await page.goto(url);
      const size = await screenshot(chromium.page, "inspector-fixture");
      expect(size.width).toBe(1280);
      expect(size.height).toBeGreaterThan(900);
      expect(size.height).toBeLessThan(20_000);
      expect(chromium.blocked).toEqual([]);
    });

    it("fits a phone's width: nothing wider than the screen", async () => {
      const { page } = chromium;
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await page.goto(url);
        const widths = await page
          .locator("html")
          .evaluate((html) => ({ page: html.scrollWidth, screen: html.clientWidth }));
        expect(widths.page).toBeLessThanOrEqual(widths.screen);
        expect((await screenshot(page, "inspector-fixture-phone")).width).toBe(390);
      } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    });
  });

  describe("a running sandbox", () => {
    const HOUR = 3_600_000;
    let sandbox: Sandbox;
    let endpoint: Server;
    let posts = 0;
    let communicationId: string;

    beforeAll(async () => {
      // The first callback is refused twice (500) before it is taken (202): the timeline shows the retries.
      endpoint = createServer((request, response) => {
        request.resume();
        request.on("end", () => {
          posts++;
          response.writeHead(posts <= 2 ? 500 : 202).end();
        });
      });
      const port = await new Promise<number>((resolve) =>
        endpoint.listen(0, "127.0.0.1", () => resolve((endpoint.address() as { port: number }).port)),
      );
      sandbox = await startSandbox({
        port: 0,
        clock: { start: "2026-12-05T14:00:00.000Z" },
        // Delivered at once; each later receipt an hour on, so the page's controls have something to make happen now.
        delivery: { timing: { firstMs: 0, stepMs: HOUR } },
        callbacks: {
          baseUrl: `http://127.0.0.1:${port}`,
          retry: { retries: 3, initialDelayMs: 10, factor: 1 },
          log: () => {},
        },
      });
      const client = createTestClient({ ...sandbox, keys: sandbox.gateway.keys });
      const sent = await client.sendInAppMessage(
        inAppMessage({
          nhsNumber: testNhsNumber(1),
          odsCode: "B82041",
          text: EVERY_FEATURE,
          requestId: "inspector-browser-1",
          reply: keywordReply(["YES", "NO"]),
        }),
      );
      communicationId = sent.communicationId;
      // Until the Delivered callback has been taken (on its third try); the budget is generous for a busy machine.
      for (let tries = 0; tries < 3000; tries++) {
        const [delivered] = sandbox.workbench.message(communicationId).callbacks;
        if (delivered?.state === "delivered") break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    afterAll(async () => {
      await sandbox?.stop();
      await stop(endpoint);
    });

    it("shows the message as the patient sees it, and its timeline with the callback's retries", async () => {
      const { page } = chromium;
      await page.goto(sandbox.inspectorUrl);
      expect(await page.locator(".count").textContent()).toBe("Showing 1 of 1 message, newest first.");
      const article = page.locator(`#message-${communicationId}`);
      expect(await article.getAttribute("data-communication-id")).toBe(communicationId);
      expect(await article.locator('[data-field="requestReference"]').textContent()).toBe("inspector-browser-1");
      await expectEveryFeature(page, communicationId);
      expect(await article.locator(".nhs-app-reply-keyword").allTextContents()).toEqual(["YES", "NO"]);
      const delivered = article.locator('.timeline [data-receipt="Delivered"]');
      expect(await delivered.getAttribute("data-happened")).toBe("true");
      const callback = delivered.locator(".callback").first();
      expect(await callback.getAttribute("data-state")).toBe("delivered");
      expect(await callback.getAttribute("data-attempts")).toBe("3");
      expect(
        await callback.locator(".attempt").evaluateAll((items) => items.map((i) => i.getAttribute("data-status"))),
      ).toEqual(["500", "500", "202"]);
      expect(
        await article.locator('.timeline [data-receipt="NotificationAttempted"]').getAttribute("data-happened"),
      ).toBe("false");
      expect(await article.locator("select[name=receipt] option").allTextContents()).toEqual([...enums.receiptCodes]);
    });

    it("makes the next receipt happen now from its button, and shows it after the redirect", async () => {
      const { page } = chromium;
      await page.goto(sandbox.inspectorUrl);
      const article = page.locator(`#message-${communicationId}`);
      await Promise.all([page.waitForURL(/notice=/), article.locator('[data-action="next-receipt"]').click()]);
      expect(new URL(page.url()).pathname).toBe("/_sandbox/");
      expect(new URL(page.url()).hash).toBe(`#message-${communicationId}`);
      expect(await page.locator("#notice").textContent()).toBe("Done.");
      const attempted = page.locator(`#message-${communicationId} .timeline [data-receipt="NotificationAttempted"]`);
      expect(await attempted.getAttribute("data-happened")).toBe("true");
      expect(await attempted.getAttribute("data-source")).toBe("control");
      expect(await attempted.locator("[data-made-now]").textContent()).toBe("made now");
    });

    it("makes the patient reply from a keyword button: read first, then the reply, both made now", async () => {
      const { page } = chromium;
      await page.goto(sandbox.inspectorUrl);
      await Promise.all([
        page.waitForURL(/notice=/),
        page.locator(`#message-${communicationId} [data-action="reply"][data-keyword="YES"]`).click(),
      ]);
      const article = page.locator(`#message-${communicationId}`);
      const read = article.locator('.timeline [data-receipt="Read"]');
      expect(await read.getAttribute("data-happened")).toBe("true");
      const reply = article.locator('.timeline [data-event="reply"]');
      expect(await reply.getAttribute("data-happened")).toBe("true");
      expect(await reply.getAttribute("data-source")).toBe("control");
      expect(await reply.locator(".answer").textContent()).toBe("YES");
      // Replied: the page offers no second reply.
      expect(await article.locator('[data-form="reply"]').count()).toBe(0);
      expect(sandbox.workbench.message(communicationId).reply?.answer).toEqual({ kind: "keyword", code: "YES" });
    });

    it("shows a refusal from the control API at the top of the page", async () => {
      const { page } = chromium;
      await page.goto(sandbox.inspectorUrl);
      const article = page.locator(`#message-${communicationId}`);
      await article.locator("select[name=receipt]").selectOption("Rejected");
      await Promise.all([page.waitForURL(/error=/), article.locator('[data-action="deliver"]').click()]);
      expect(await page.locator("#error").textContent()).toContain("cannot be Rejected now");
    });

    it("adds a fault from its form, and lists it", async () => {
      const { page } = chromium;
      await page.goto(sandbox.inspectorUrl);
      const form = page.locator('[data-form="fault-status"]');
      await form.getByLabel("Operation").selectOption("get-ping");
      await form.getByLabel("Calls").fill("2");
      await form.getByLabel("Status").selectOption("503");
      await form.getByLabel(/Retry-After/).fill("30");
      await Promise.all([page.waitForURL(/notice=/), form.locator('[data-action="add-fault"]').click()]);
      expect(new URL(page.url()).hash).toBe("#faults");
      const row = page.locator("#faults tr[data-fault-id]");
      expect(await row.count()).toBe(1);
      expect(await row.locator("td").allTextContents()).toEqual([
        "fault-1",
        "get-ping",
        "2",
        "503, Retry-After 30 s",
        "no",
      ]);
      expect(sandbox.workbench.faults()).toEqual([
        expect.objectContaining({
          operation: "get-ping",
          remaining: 2,
          answer: { kind: "status", status: 503, retryAfterSeconds: 30 },
        }),
      ]);
    });

    it("takes a full-page screenshot of the sandbox's page, having loaded nothing from outside 127.0.0.1", async () => {
      const { page } = chromium;
      await page.goto(sandbox.inspectorUrl);
      const size = await screenshot(page, "inspector-sandbox");
      expect(size.width).toBe(1280);
      expect(size.height).toBeGreaterThan(900);
      expect(chromium.blocked).toEqual([]);
    });

    it("clears the faults from its button (a form posts clear=true: it cannot send DELETE)", async () => {
      const { page } = chromium;
      await page.goto(sandbox.inspectorUrl);
      await Promise.all([page.waitForURL(/notice=/), page.locator('[data-action="clear-faults"]').click()]);
      expect(await page.locator("#faults [data-faults]").getAttribute("data-faults")).toBe("0");
      expect(sandbox.workbench.faults()).toEqual([]);
    });

    it("moves the clock an hour on from its button", async () => {
      const { page } = chromium;
      await page.goto(sandbox.inspectorUrl);
      const now = async () => Date.parse((await page.locator("[data-clock-now] time").getAttribute("datetime")) ?? "");
      const before = await now();
      await Promise.all([page.waitForURL(/notice=/), page.getByRole("button", { name: "+1 h" }).click()]);
      expect(new URL(page.url()).hash).toBe("#clock");
      expect((await now()) - before).toBeGreaterThanOrEqual(HOUR);
    });
  });
});
