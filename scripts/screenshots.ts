import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "./chromium";
import { LabServer } from "./lab-server";

/**
 * The README's screenshots, taken from a lab of its own (`npm run screenshots`, after a build):
 * the dashboard with a breaker in each of OPEN, HALF-OPEN and CLOSED in light, dark and on a
 * phone, a scenario playing, and the what-if page after a run. They land in public/screenshots/.
 */

const OUT = fileURLToPath(new URL("../public/screenshots/", import.meta.url));
const WIDE = { width: 1440, height: 900 };
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

async function api(server: LabServer, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * payments OPEN and counting down, inventory HALF-OPEN after one good trial, search CLOSED with
 * some history: each of the demo's policies in a different state, with marks on every timeline.
 */
async function stageDemo(server: LabServer): Promise<void> {
  await api(server, "POST", "/api/reset", {});
  await api(server, "POST", "/api/breakers/search/calls", { count: 12, concurrency: 4 });
  await api(server, "POST", "/api/breakers/inventory/calls", { count: 6 });
  await api(server, "PATCH", "/api/endpoints/inventory", { failureRate: 1 });
  await api(server, "POST", "/api/breakers/inventory/calls", { count: 10 });
  await sleep(10_500);
  await api(server, "PATCH", "/api/endpoints/inventory", { failureRate: 0 });
  await api(server, "POST", "/api/breakers/inventory/calls", { count: 1 });
  await api(server, "POST", "/api/breakers/payments/calls", { count: 8 });
  await api(server, "PATCH", "/api/endpoints/payments", { failureRate: 1 });
  await api(server, "POST", "/api/breakers/payments/calls", { count: 5 });
  await api(server, "POST", "/api/breakers/search/calls", { count: 6, concurrency: 3 });
}

async function openDashboard(page: Page, server: LabServer): Promise<void> {
  await page.goto(server.url);
  await page.getByTestId("connection").filter({ hasText: "Live" }).waitFor();
  // Let the timelines draw a tick after the first snapshot.
  await sleep(600);
}

async function shoot(browser: Browser, server: LabServer, file: string, options: BrowserContextOptions, act: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext({ ...options, reducedMotion: "reduce" });
  const page = await context.newPage();
  await act(page);
  // A phone's screenshot is its first screen: the whole page would be a strip too tall to read.
  await page.screenshot({ path: `${OUT}${file}`, fullPage: !options.isMobile });
  await context.close();
  console.log(`wrote public/screenshots/${file}`);
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  // A fixed name: the header would otherwise show the free port this run happened to get.
  const server = await LabServer.start({ LAB_INSTANCE: "localhost:3000" });
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    await stageDemo(server);
    const dashboard = (page: Page) => openDashboard(page, server);
    await shoot(browser, server, "dashboard.png", { viewport: WIDE, colorScheme: "light" }, dashboard);
    await shoot(browser, server, "dashboard-dark.png", { viewport: WIDE, colorScheme: "dark" }, dashboard);
    await shoot(browser, server, "dashboard-phone.png", { ...PHONE, colorScheme: "light" }, dashboard);
    await shoot(browser, server, "dashboard-phone-dark.png", { ...PHONE, colorScheme: "dark" }, dashboard);

    await api(server, "POST", "/api/reset", {});
    await api(server, "POST", "/api/playback", { scenario: "outage-then-flaky-recovery" });
    // Into the outage phase, which takes payments down: five calls trip its breaker.
    await sleep(10_500);
    await api(server, "POST", "/api/breakers/payments/calls", { count: 5 });
    await shoot(browser, server, "scenarios.png", { viewport: WIDE, colorScheme: "light" }, async (page) => {
      await openDashboard(page, server);
      await page.getByTestId("scenario-status").scrollIntoViewIfNeeded();
    });
    await api(server, "DELETE", "/api/playback");

    for (const [file, options] of [
      ["whatif.png", { viewport: WIDE, colorScheme: "light" }],
      ["whatif-dark.png", { viewport: WIDE, colorScheme: "dark" }],
      ["whatif-phone.png", { ...PHONE, colorScheme: "light" }],
    ] as const) {
      await shoot(browser, server, file, options, async (page) => {
        await page.goto(`${server.url}/whatif`);
        await page.getByTestId("scenario-select").selectOption("outage-then-flaky-recovery");
        await page.getByTestId("whatif-run").click();
        await page.getByTestId("whatif-results").waitFor({ timeout: 30_000 });
      });
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
