import { expect, test, type Locator, type Page } from "@playwright/test";
import { createBreaker, fire, patchEndpoint, resetLab } from "./support/api";
import { expectNoSeriousViolations } from "./support/axe";
import { openDashboard } from "./support/pages";

// Accessibility of the dashboard and /whatif: axe's WCAG 2.1 A/AA rules on each view, in both colour
// schemes, on a phone and a wide screen; the live region; reduced motion; the keyboard.
// A11Y_SHOTS=<dir> keeps a screenshot of every view and combination axe checked.

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

test.describe("axe finds no serious or critical violation", () => {
  test("dashboard with its breakers CLOSED, then with the options editor open", async ({ page }) => {
    await openDashboard(page);
    await expectNoSeriousViolations(page, "dashboard CLOSED");
    await page.getByTestId("breaker-payments-options").click();
    await expect(page.getByTestId("options-payments")).toBeVisible();
    await expectNoSeriousViolations(page, "dashboard options editor");
  });

  test("dashboard with a breaker OPEN and one HALF-OPEN", async ({ page, request }) => {
    await createBreaker(request, { name: "quick", endpoint: "payments", options: { failureThreshold: 2, openMs: 500 } });
    await patchEndpoint(request, "payments", { failureRate: 1 });
    await fire(request, "payments", { count: 3 });
    await fire(request, "quick", { count: 2 });
    await openDashboard(page);
    await expect(page.getByTestId("breaker-payments-state")).toHaveText("OPEN");
    await expect(page.getByTestId("breaker-payments-countdown")).toBeVisible();
    await expect(page.getByTestId("breaker-quick-state")).toHaveText("HALF-OPEN");
    await expectNoSeriousViolations(page, "dashboard OPEN + HALF-OPEN");
  });

  test("the Scenarios panel while a scenario plays", async ({ page }) => {
    await openDashboard(page);
    await page.getByTestId("scenario-select").selectOption("flapping");
    await page.getByTestId("scenario-play").click();
    await expect(page.getByTestId("scenario-status")).toContainText("loops until stopped");
    await expect(page.getByTestId("endpoint-inventory-scenario")).toBeVisible();
    await expectNoSeriousViolations(page, "scenario playing");
  });

  test("/whatif before a run and after it finished", async ({ page }) => {
    await page.goto("/whatif");
    await expect(page.getByTestId("whatif-run")).toBeEnabled();
    await expectNoSeriousViolations(page, "whatif before a run");
    await page.getByTestId("whatif-run").click();
    await expect(page.getByTestId("whatif-results")).toBeVisible({ timeout: 15_000 });
    await expectNoSeriousViolations(page, "whatif after a run");
  });
});

test("one polite live region announces a trip; the per-call outcome is not a live region", async ({ page, request }) => {
  await openDashboard(page);
  const announcer = page.getByTestId("transition-announcer");
  await expect(announcer).toHaveAttribute("role", "status");
  await expect(announcer).toHaveAttribute("aria-live", "polite");
  await expect(announcer).toHaveText("");
  // The timelines' hover read-outs (state-timeline.tsx) are live regions of their own, outside this
  // check; Next's route announcer is assertive.
  await expect(page.locator(":is([aria-live=polite], [role=status], [role=log]):not(figure *)")).toHaveCount(1);

  await page.getByTestId("breaker-payments-fire").click();
  const last = page.getByTestId("breaker-payments-last");
  await expect(last).toHaveAttribute("data-outcome", "success");
  await expect(last).not.toHaveAttribute("role");
  await expect(last).not.toHaveAttribute("aria-live");
  await expect(announcer).toHaveText("");

  await patchEndpoint(request, "payments", { failureRate: 1 });
  await fire(request, "payments", { count: 3 });
  await expect(announcer).toHaveText("payments: CLOSED → OPEN (failure threshold)");
});

test("with reduced motion nothing flashes or transitions, and the countdown still counts", async ({ page, request }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  await patchEndpoint(request, "payments", { failureRate: 1 });
  await fire(request, "payments", { count: 3 });
  await openDashboard(page);
  const fireButton = page.getByTestId("breaker-payments-fire");
  await fireButton.click();
  const last = page.getByTestId("breaker-payments-last");
  await expect(last).toHaveAttribute("data-outcome", "rejected");
  await expect(last).toHaveCSS("animation-name", "none");
  await expect(fireButton).toHaveCSS("transition-duration", "0s");
  const countdown = page.getByTestId("breaker-payments-countdown");
  const first = Number((await countdown.textContent())!.replace("s", ""));
  await expect.poll(async () => Number((await countdown.textContent())!.replace("s", "")), { timeout: 3_000 }).toBeLessThan(first - 0.3);

  await page.emulateMedia({ reducedMotion: "no-preference" });
  await fireButton.click();
  await expect(last).toHaveCSS("animation-name", "flash");
});

/** Press Tab until `target` has the focus. */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let presses = 0; presses < 300; presses++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

/**
 * Tab through the whole page once and name every stop whose focus is not shown by a 2 px outline,
 * on the element or, for a visually hidden input (a radio, a file input), on its label.
 */
async function stopsWithoutFocusRing(page: Page): Promise<{ stops: number; missing: string[] }> {
  const missing: string[] = [];
  for (let stops = 0; stops < 400; stops++) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      if (element.dataset.a11yVisited) return null;
      element.dataset.a11yVisited = "true";
      const ringed = element.classList.contains("sr-only") ? (element.closest("label") ?? element) : element;
      const style = getComputedStyle(ringed);
      const name = element.dataset.testid ?? (element.id || `${element.tagName.toLowerCase()} “${(element.textContent ?? "").trim().slice(0, 30)}”`);
      return { name, ringed: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 };
    });
    if (stop === null) return { stops, missing };
    if (!stop.ringed) missing.push(stop.name);
  }
  throw new Error("Tab never came back round");
}

test.describe("keyboard", () => {
  test("a Fire button fires on Enter and on Space; an endpoint switch toggles", async ({ page }) => {
    await openDashboard(page);
    const fireButton = page.getByTestId("breaker-payments-fire");
    await tabTo(page, fireButton);
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("breaker-payments-successes")).toHaveText("1");
    await expect(fireButton).toBeFocused();
    await page.keyboard.press("Space");
    await expect(page.getByTestId("breaker-payments-successes")).toHaveText("2");

    const toggle = page.getByTestId("endpoint-payments-toggle");
    await tabTo(page, toggle);
    await page.keyboard.press("Space");
    await expect(toggle).toHaveAttribute("aria-checked", "true");
    await page.keyboard.press("Enter");
    await expect(toggle).toHaveAttribute("aria-checked", "false");
  });

  test("every stop on the dashboard and on /whatif shows a focus ring", async ({ page }) => {
    await openDashboard(page);
    const dashboard = await stopsWithoutFocusRing(page);
    expect(dashboard.stops).toBeGreaterThan(50);
    expect(dashboard.missing).toEqual([]);

    await page.goto("/whatif");
    await expect(page.getByTestId("whatif-run")).toBeEnabled();
    const whatIf = await stopsWithoutFocusRing(page);
    expect(whatIf.stops).toBeGreaterThan(15);
    expect(whatIf.missing).toEqual([]);
  });
});
