import { devices, expect, test, type Browser, type Page } from "@playwright/test";
import { getBreaker, postJson, resetLab } from "./support/api";

// The /whatif page in Chromium against `next start`: a run in the page's Web Worker under the
// production CSP, the table and its best values, the shareable URL, bad input by its field,
// cancel, "apply to breaker", the options editor, trace import, and screenshots.

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

interface ConfigResult {
  label: string;
  timeToOpenMs: number | null;
  timeToCloseMs: number | null;
  [key: string]: unknown;
}

interface WhatIfBody {
  simulatedCalls: number;
  results: ConfigResult[];
}

/** The table's columns in order; lower is better in every one but calls and successes. */
const COLUMNS = [
  { key: "calls", higher: true },
  { key: "successes", higher: true },
  { key: "failures", higher: false },
  { key: "timeouts", higher: false },
  { key: "rejected", higher: false },
  { key: "upstreamCalls", higher: false },
  { key: "wastedCalls", higher: false },
  { key: "rejectedGood", higher: false },
  { key: "timeToOpenMs", higher: false },
  { key: "timeToCloseMs", higher: false },
] as const;

/** Everything that went wrong on a page: console errors, uncaught errors, CSP violations. */
async function watch(page: Page): Promise<{ problems: string[] }> {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  await page.exposeFunction("reportViolation", (text: string) => problems.push(`csp: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) =>
      (window as unknown as { reportViolation: (text: string) => void }).reportViolation(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return { problems };
}

async function openWhatIf(page: Page, hash = ""): Promise<void> {
  const response = await page.goto(`/whatif${hash}`);
  expect(response!.status()).toBe(200);
  const csp = response!.headers()["content-security-policy"]!;
  expect(csp).toContain("worker-src 'self'");
  expect(csp).not.toContain("unsafe-eval");
}

/** The input a `#input=<base64url JSON>` fragment carries. */
function inputOf(url: string): Record<string, unknown> {
  const match = /#input=([A-Za-z0-9_-]+)$/.exec(url);
  expect(match, url).not.toBeNull();
  return JSON.parse(Buffer.from(match![1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

/** The table as text, row by row (the ★ of a best value included). */
async function tableText(page: Page): Promise<string[]> {
  return page.locator("[data-testid^='whatif-result-']:is(tr)").allInnerTexts();
}

async function run(page: Page): Promise<void> {
  await page.getByTestId("whatif-run").click();
  await expect(page.getByTestId("whatif-results")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("whatif-run")).toBeEnabled();
}

function number(text: string): number {
  return Number(text.replace(/[★,\s]/g, ""));
}

/** The page's numbers are the server's for the same input, and each column's best is marked. */
async function expectTableMatches(page: Page, body: WhatIfBody): Promise<void> {
  await expect(page.locator("tr[data-testid^='whatif-result-']")).toHaveCount(body.results.length);
  for (const [index, result] of body.results.entries()) {
    await expect(page.getByTestId(`whatif-result-${index}`).locator("th")).toHaveText(result.label);
    await expect(page.getByTestId(`whatif-timeline-${index}`)).toBeVisible();
    for (const { key } of COLUMNS) {
      const cell = page.getByTestId(`whatif-result-${index}-${key}`);
      const value = result[key] as number | null;
      if (value === null) await expect(cell).toHaveText(/never/);
      else if (key !== "timeToOpenMs" && key !== "timeToCloseMs") expect(number(await cell.innerText()), `${key} of ${index}`).toBe(value);
    }
  }
  for (const { key, higher } of COLUMNS) {
    const values = body.results.map((result) => result[key] as number | null).filter((value): value is number => value !== null);
    const allSame = values.length === body.results.length && values.every((value) => value === values[0]);
    const best = values.length === 0 || allSame ? undefined : higher ? Math.max(...values) : Math.min(...values);
    for (const [index, result] of body.results.entries()) {
      const marked = best !== undefined && result[key] === best;
      await expect(page.getByTestId(`whatif-result-${index}-${key}`), `${key} of ${index}`).toHaveAttribute("data-best", String(marked));
    }
  }
}

async function serverResult(page: Page, input: Record<string, unknown>): Promise<WhatIfBody> {
  const response = await postJson(page.request, "/api/whatif", input);
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as WhatIfBody;
}

test("the dashboard links to /whatif; a preset run shows the table with each best marked, and its URL reproduces it", async ({ page, context }) => {
  const watched = await watch(page);
  await page.goto("/");
  await page.getByTestId("whatif-link").click();
  await expect(page).toHaveURL(/\/whatif$/);
  await expect(page.getByTestId("whatif-run")).toBeVisible();

  const select = page.getByTestId("scenario-select");
  await expect(select).toHaveJSProperty("tagName", "SELECT");
  await select.selectOption("outage-then-flaky-recovery");
  await expect(page.getByTestId("whatif-endpoint")).toHaveValue("payments");
  await page.getByTestId("whatif-rps").fill("10");
  // The two configs start from the lab's payments and inventory breakers, whose policies differ.
  await expect(page.getByTestId("whatif-config-0-label")).toHaveValue("payments");
  await expect(page.getByTestId("whatif-config-1-label")).toHaveValue("inventory");
  await run(page);

  const input = inputOf(page.url());
  expect(input).toMatchObject({ scenario: "outage-then-flaky-recovery", endpoint: "payments", traffic: { rps: 10 } });
  expect((input.configs as { label: string }[]).map(({ label }) => label)).toEqual(["payments", "inventory"]);
  const body = await serverResult(page, input);
  await expectTableMatches(page, body);
  expect(await page.locator("td[data-best='true']").count()).toBeGreaterThan(0);
  await expect(page.getByTestId("whatif-stats")).toContainText(`${body.simulatedCalls.toLocaleString("en")} simulated calls`);
  const table = await tableText(page);

  // The link alone reproduces the run: no click.
  const other = await context.newPage();
  const otherWatched = await watch(other);
  await openWhatIf(other, new URL(page.url()).hash);
  await expect(other.getByTestId("whatif-results")).toBeVisible({ timeout: 15_000 });
  await expect(other.getByTestId("scenario-select")).toHaveValue("outage-then-flaky-recovery");
  await expect(other.getByTestId("whatif-rps")).toHaveValue("10");
  expect(await tableText(other)).toEqual(table);
  await other.close();
  expect(watched.problems).toEqual([]);
  expect(otherWatched.problems).toEqual([]);
});

test("bad rps shows its message next to the field and runs nothing", async ({ page }) => {
  const watched = await watch(page);
  await openWhatIf(page);
  for (const rps of ["0", "10001", "fast", ""]) {
    await page.getByTestId("whatif-rps").fill(rps);
    await page.getByTestId("whatif-run").click();
    const error = page.getByTestId("whatif-error-traffic-rps");
    await expect(error, rps).toBeVisible();
    await expect(error).toContainText("traffic.rps");
    // The message sits in the rps field's own label.
    await expect(page.locator("label", { has: page.getByTestId("whatif-rps") }).getByTestId("whatif-error-traffic-rps")).toBeVisible();
    await expect(page.getByTestId("whatif-progress")).toHaveCount(0);
    await expect(page.getByTestId("whatif-results")).toHaveCount(0);
    expect(page.url()).not.toContain("#input=");
  }
  // Too many simulated calls is the same field's problem, caught before a worker starts.
  await page.getByTestId("whatif-rps").fill("10000");
  await page.getByTestId("whatif-duration").fill("3600000");
  await page.getByTestId("whatif-run").click();
  await expect(page.getByTestId("whatif-error-traffic-rps")).toContainText("5000000");
  await expect(page.getByTestId("whatif-results")).toHaveCount(0);
  // Fixed, it runs and the message goes.
  await page.getByTestId("whatif-rps").fill("20");
  await page.getByTestId("whatif-duration").fill("");
  await run(page);
  await expect(page.getByTestId("whatif-error-traffic-rps")).toHaveCount(0);
  expect(watched.problems).toEqual([]);
});

test("a long run can be cancelled and the page is usable again", async ({ page }) => {
  const watched = await watch(page);
  await openWhatIf(page);
  // 2 configs × 10 000 calls/s × 250 s = 5 000 000 simulated calls: seconds of work.
  await page.getByTestId("whatif-rps").fill("10000");
  await page.getByTestId("whatif-duration").fill("250000");
  await page.getByTestId("whatif-run").click();
  await expect(page.getByTestId("whatif-progress")).toBeVisible();
  await expect(page.getByTestId("whatif-run")).toBeDisabled();
  await page.getByTestId("whatif-cancel").click();
  await expect(page.getByTestId("whatif-progress")).toHaveCount(0);
  await expect(page.getByTestId("whatif-cancel")).toHaveCount(0);
  await expect(page.getByTestId("whatif-run")).toBeEnabled();
  await expect(page.getByTestId("whatif-results")).toHaveCount(0);
  // Nothing of the cancelled run shows up later.
  await page.waitForTimeout(300);
  await expect(page.getByTestId("whatif-results")).toHaveCount(0);
  await page.getByTestId("whatif-rps").fill("10");
  await page.getByTestId("whatif-duration").fill("");
  await run(page);
  await expect(page.getByTestId("whatif-results")).toContainText("10 calls/s");
  expect(watched.problems).toEqual([]);
});

test("editing a config's options changes the run; 'Apply to breaker' patches the live breaker", async ({ page, request }) => {
  const watched = await watch(page);
  await openWhatIf(page);
  await page.getByTestId("scenario-select").selectOption("outage-then-flaky-recovery");
  await page.getByTestId("whatif-rps").fill("10");
  await run(page);
  const before = await page.getByTestId("whatif-result-0").innerText();
  const beforeInput = inputOf(page.url());

  // payments opens for 20 s; a 3 s open period makes it probe the outage several times.
  const config = page.getByTestId("whatif-config-0");
  await config.locator("summary", { hasText: "Options" }).click();
  await page.getByTestId("options-whatif-0-openMs").fill("3000");
  await expect(config).toContainText("waits 20 s");
  await config.getByRole("button", { name: "Update config" }).click();
  // The card's summary of the policy follows the edit.
  await expect(config).toContainText("waits 3 s");
  await expect(page.getByTestId("options-whatif-0-openMs")).toHaveValue("3000");
  await run(page);
  const afterInput = inputOf(page.url());
  expect((afterInput.configs as { options: { openMs: number } }[])[0]!.options.openMs).toBe(3_000);
  expect((beforeInput.configs as { options: { openMs: number } }[])[0]!.options.openMs).toBe(20_000);
  await expect(page.getByTestId("whatif-result-0")).not.toHaveText(before);
  await expectTableMatches(page, await serverResult(page, afterInput));

  // Send the edited config to the live search breaker.
  await page.getByTestId("whatif-apply-0-target").selectOption("search");
  await page.getByTestId("whatif-apply-0").click();
  await expect(page.getByTestId("whatif-result-0").getByRole("status")).toHaveText("Applied to search");
  const search = await getBreaker(request, "search");
  expect(search.options).toMatchObject({ openMs: 3_000, failureThreshold: 3, slidingWindow: null, timeoutMs: null, slowCallMs: null, backoffMultiplier: 1, maxOpenMs: 96_000 });
  // payments itself is untouched.
  expect((await getBreaker(request, "payments")).options).toMatchObject({ openMs: 20_000 });
  expect(watched.problems).toEqual([]);
});

test("an imported CSV trace becomes an inline scenario and runs", async ({ page }) => {
  const watched = await watch(page);
  await openWhatIf(page);
  // 3 s of requests every 100 ms: fine, then 503s, then fine again.
  const start = Date.parse("2026-01-01T00:00:00Z");
  const lines = ["timestamp,status,latencyMs"];
  for (let index = 0; index < 30; index += 1) {
    const status = index >= 10 && index < 20 ? 503 : 200;
    lines.push(`${new Date(start + index * 100).toISOString()},${status},${20 + (index % 3)}`);
  }
  await page.getByTestId("whatif-trace").setInputFiles({ name: "incident.csv", mimeType: "text/csv", buffer: Buffer.from(`${lines.join("\n")}\n`) });
  await expect(page.getByTestId("whatif-trace-message")).toContainText("30 requests → 3 phases of 1000 ms");
  await expect(page.getByTestId("scenario-select")).toHaveValue("trace-incident");
  await expect(page.getByTestId("whatif-rps")).toHaveValue(/^10\.3/);
  await run(page);
  const input = inputOf(page.url());
  const scenario = input.scenario as { name: string; phases: { forMs: number; endpoints: Record<string, { failureRate?: number; errorStatus?: number }> }[] };
  expect(scenario.name).toBe("trace-incident");
  expect(scenario.phases.map((phase) => Object.values(phase.endpoints)[0]!.failureRate)).toEqual([0, 1, 0]);
  expect(Object.values(scenario.phases[1]!.endpoints)[0]!.errorStatus).toBe(503);
  const body = await serverResult(page, input);
  await expectTableMatches(page, body);
  // The payments config (3 consecutive failures) trips in the second second.
  expect(body.results[0]!.timeToOpenMs).not.toBeNull();
  expect(watched.problems).toEqual([]);
});

async function screenshotRun(browser: Browser, baseURL: string, name: string, options: Parameters<Browser["newContext"]>[0]): Promise<string[]> {
  const context = await browser.newContext({ ...options, baseURL });
  const page = await context.newPage();
  const watched = await watch(page);
  await openWhatIf(page);
  await page.getByTestId("scenario-select").selectOption("outage-then-flaky-recovery");
  await page.getByTestId("whatif-rps").fill("10");
  await run(page);
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
  await context.close();
  return watched.problems;
}

test("screenshots: light, dark and a phone", async ({ browser, baseURL }) => {
  expect(await screenshotRun(browser, baseURL!, "whatif-light", { colorScheme: "light", viewport: { width: 1440, height: 900 } })).toEqual([]);
  expect(await screenshotRun(browser, baseURL!, "whatif-dark", { colorScheme: "dark", viewport: { width: 1440, height: 900 } })).toEqual([]);
  const { viewport, deviceScaleFactor, isMobile, hasTouch, userAgent } = devices["Pixel 7"];
  expect(await screenshotRun(browser, baseURL!, "whatif-phone", { viewport, deviceScaleFactor, isMobile, hasTouch, userAgent })).toEqual([]);
});
