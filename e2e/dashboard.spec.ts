import { expect, test } from "@playwright/test";
import { createBreaker, fire, getBreaker, patchEndpoint, resetLab } from "./support/api";
import { openDashboard } from "./support/pages";

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

function seconds(text: string | null): number {
  return Number((text ?? "").replace("s", ""));
}

test("the seed walkthrough by clicking: fire, break, trip, count down, half-open by itself, heal, close", async ({ page, request }) => {
  // A breaker of the seed's policy with a short open period: the server's time is real.
  await createBreaker(request, { name: "quick", endpoint: "payments", options: { failureThreshold: 3, openMs: 2_500 } });
  await openDashboard(page);
  const payments = page.getByTestId("breaker-payments");
  await expect(payments).toHaveRole("region");
  await expect(page.getByRole("region", { name: "payments" })).toHaveAttribute("data-testid", "breaker-payments");

  await page.getByTestId("breaker-payments-fire").click();
  await expect(page.getByTestId("breaker-payments-state")).toHaveText("CLOSED");
  await expect(page.getByTestId("breaker-payments-successes")).toHaveText("1");

  const toggle = page.getByTestId("endpoint-payments-toggle");
  await expect(toggle).toHaveRole("switch");
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "true");

  for (let call = 1; call <= 3; call++) {
    await page.getByTestId("breaker-payments-fire").click();
    await expect(page.getByTestId("breaker-payments-failures")).toHaveText(String(call));
  }
  await expect(page.getByTestId("breaker-payments-state")).toHaveText("OPEN");
  const countdown = page.getByTestId("breaker-payments-countdown");
  await expect(countdown).toHaveText(/^\d+\.\ds$/);
  const first = seconds(await countdown.textContent());
  expect(first).toBeGreaterThan(15);
  expect(first).toBeLessThanOrEqual(20);
  await expect.poll(async () => seconds(await countdown.textContent()), { timeout: 3_000 }).toBeLessThan(first - 0.3);

  for (let call = 0; call < 3; call++) await page.getByTestId("breaker-quick-fire").click();
  await expect(page.getByTestId("breaker-quick-state")).toHaveText("OPEN");
  await expect(page.getByTestId("breaker-quick-countdown")).toBeVisible();
  await expect(page.getByTestId("breaker-quick-state")).toHaveText("HALF-OPEN", { timeout: 6_000 });
  await expect(page.getByTestId("breaker-quick-countdown")).toHaveCount(0);

  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await page.getByTestId("breaker-quick-fire").click();
  await expect(page.getByTestId("breaker-quick-state")).toHaveText("CLOSED");
  await expect(page.getByTestId("breaker-quick-last")).toHaveAttribute("data-outcome", "success");
});

test("an open breaker rejects fired calls and says so on the card", async ({ page, request }) => {
  await patchEndpoint(request, "payments", { failureRate: 1 });
  await fire(request, "payments", { count: 3 });
  await openDashboard(page);
  await expect(page.getByTestId("breaker-payments-state")).toHaveText("OPEN");
  await page.getByTestId("breaker-payments-fire").click();
  await expect(page.getByTestId("breaker-payments-rejected")).toHaveText("1");
  await expect(page.getByTestId("breaker-payments-last")).toHaveAttribute("data-outcome", "rejected");
});

test("manual controls: force open, disable, reset", async ({ page }) => {
  await openDashboard(page);
  const state = page.getByTestId("breaker-inventory-state");
  await page.getByTestId("breaker-inventory-force-open").click();
  await expect(state).toHaveText("FORCED-OPEN");
  await page.getByTestId("breaker-inventory-disable").click();
  await expect(state).toHaveText("DISABLED");
  await page.getByTestId("breaker-inventory-reset").click();
  await expect(state).toHaveText("CLOSED");
});

test("the timeline shows a band for each state and a mark for each outcome", async ({ page, request }) => {
  await createBreaker(request, { name: "quick", endpoint: "payments", options: { failureThreshold: 2, openMs: 60_000 } });
  await openDashboard(page);
  await page.getByTestId("timeline-scale-1").click();
  await page.getByTestId("breaker-quick-fire").click();
  await expect(page.getByTestId("breaker-quick-successes")).toHaveText("1");
  await patchEndpoint(request, "payments", { failureRate: 1 });
  await page.getByTestId("breaker-quick-fire").click();
  await page.getByTestId("breaker-quick-fire").click();
  await expect(page.getByTestId("breaker-quick-state")).toHaveText("OPEN");
  await page.getByTestId("breaker-quick-fire").click();

  const timeline = page.getByTestId("timeline-quick");
  await expect(timeline.locator('rect[data-state="CLOSED"]')).toHaveCount(1);
  await expect(timeline.locator('rect[data-state="OPEN"]')).toHaveCount(1);
  await expect(timeline.locator('line[data-outcome="success"]')).not.toHaveCount(0);
  await expect(timeline.locator('line[data-outcome="failure"]')).not.toHaveCount(0);
  await expect(timeline.locator('line[data-outcome="rejected"]')).not.toHaveCount(0);
  const openBand = timeline.locator('rect[data-state="OPEN"]');
  const widthBefore = Number(await openBand.getAttribute("width"));
  await expect.poll(async () => Number(await openBand.getAttribute("width")), { timeout: 3_000 }).toBeGreaterThan(widthBefore);

  await timeline.focus();
  await page.keyboard.press("End");
  await expect(timeline.locator("xpath=following-sibling::figcaption")).toContainText("Rejected");
  await page.keyboard.press("Home");
  await expect(timeline.locator("xpath=following-sibling::figcaption")).toContainText("Success");

  await expect(page.getByTestId("event-log").locator('[data-kind="transition"]').first()).toContainText("CLOSED→OPEN");
});

test("the options editor applies a change live and shows validation messages next to the field", async ({ page }) => {
  await openDashboard(page);
  await page.getByTestId("breaker-payments-options").click();
  const threshold = page.getByTestId("options-payments-failureThreshold");
  await threshold.fill("0");
  await page.getByTestId("options-payments-apply").click();
  await expect(page.getByTestId("options-payments-failureThreshold-error")).toHaveText(
    "failureThreshold must be an integer from 1 to 10000, got 0",
  );
  await expect(threshold).toHaveAttribute("aria-invalid", "true");

  // A rule only the library knows across fields: the API's message is shown by the field it names.
  await threshold.fill("3");
  await page.getByTestId("options-payments-maxOpenMs").fill("1000");
  await page.getByTestId("options-payments-apply").click();
  await expect(page.getByTestId("options-payments-maxOpenMs-error")).toHaveText("maxOpenMs must be >= openMs (20000), got 1000");

  await page.getByTestId("options-payments-maxOpenMs").fill("640000");
  await threshold.fill("5");
  await page.getByTestId("options-payments-apply").click();
  await expect(page.getByTestId("breaker-payments")).toContainText("trips after 5 consecutive failures");
  await expect(page.getByTestId("options-payments-failureThreshold-error")).toHaveCount(0);
});

test("the options editor sets how half-open trials are judged", async ({ page, request }) => {
  await openDashboard(page);
  await page.getByTestId("breaker-inventory-options").click();
  const policy = page.getByTestId("options-inventory-halfOpenPolicy");
  await expect(policy).toHaveValue("any-failure");
  await policy.selectOption("rates");
  await page.getByTestId("options-inventory-apply").click();
  await expect(page.getByTestId("breaker-inventory")).toContainText("judges its trials by their rates");
  expect((await getBreaker(request, "inventory")).options.halfOpenPolicy).toBe("rates");
  await policy.selectOption("any-failure");
  await page.getByTestId("options-inventory-apply").click();
  await expect(page.getByTestId("breaker-inventory")).not.toContainText("judges its trials by their rates");
  expect((await getBreaker(request, "inventory")).options.halfOpenPolicy).toBeUndefined();
});

test("two pages stay in sync", async ({ page, context }) => {
  const other = await context.newPage();
  await openDashboard(page);
  await openDashboard(other);
  await page.getByTestId("breaker-search-fire").click();
  await expect(other.getByTestId("breaker-search-successes")).toHaveText("1");
  await other.getByTestId("endpoint-search-toggle").click();
  await expect(page.getByTestId("endpoint-search-toggle")).toHaveAttribute("aria-checked", "true");
  await other.getByTestId("breaker-search-force-open").click();
  await expect(page.getByTestId("breaker-search-state")).toHaveText("FORCED-OPEN");
});

test("the page reconnects after the event stream drops and resyncs what it missed", async ({ page, request }) => {
  // The first stream ends right after its snapshot, as when a proxy or a restart cuts it.
  let streams = 0;
  await page.route(/\/api\/events\?compact=1$/, async (route) => {
    streams += 1;
    if (streams > 1) return route.continue();
    const state = await (await request.get("/api/state?view=dashboard")).text();
    await route.fulfill({ status: 200, contentType: "text/event-stream", body: `id: 0\nevent: snapshot\ndata: ${state}\n\n` });
  });
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveText(/Reconnecting|Offline/);
  await fire(request, "inventory", { count: 2 });
  await expect(page.getByTestId("connection")).toHaveText("Live", { timeout: 15_000 });
  await expect(page.getByTestId("breaker-inventory-successes")).toHaveText("2");
  expect(streams).toBe(2);
});

test("the countdown follows the server's clock even when the browser's clock is wrong", async ({ page, request }) => {
  await page.clock.install({ time: new Date("2001-02-03T04:05:06Z") });
  await patchEndpoint(request, "payments", { failureRate: 1 });
  await fire(request, "payments", { count: 3 });
  await openDashboard(page);
  const remaining = seconds(await page.getByTestId("breaker-payments-countdown").textContent());
  expect(remaining).toBeGreaterThan(15);
  expect(remaining).toBeLessThanOrEqual(20);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("cards stack in one column and nothing scrolls sideways", async ({ page }) => {
    await openDashboard(page);
    const first = await page.getByTestId("breaker-payments").boundingBox();
    const second = await page.getByTestId("breaker-inventory").boundingBox();
    expect(first && second && second.y).toBeGreaterThanOrEqual(first!.y + first!.height);
    expect(Math.abs(first!.x - second!.x)).toBeLessThan(2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByTestId("breaker-payments-fire").click();
    await expect(page.getByTestId("breaker-payments-successes")).toHaveText("1");
  });
});
