import { expect, test } from "@playwright/test";
import { createBreaker, fire, patchEndpoint, resetLab } from "./support/api";
import { openDashboard } from "./support/pages";

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

test("a new lab's timeline spans its short history with ticks, not a sliver of the five-minute range", async ({ page, request }) => {
  await createBreaker(request, { name: "fresh", endpoint: "payments", options: { failureThreshold: 2, openMs: 60_000 } });
  await fire(request, "fresh", { count: 2 });
  await patchEndpoint(request, "payments", { failureRate: 1 });
  await fire(request, "fresh", { count: 3 });
  await openDashboard(page);
  await expect(page.getByTestId("timeline-scale-5")).toHaveAttribute("aria-pressed", "true");

  const timeline = page.getByTestId("timeline-fresh");
  // The history is a second or two: the axis takes its shortest span, not the 300 s of the range.
  const span = Number(await timeline.getAttribute("data-span-ms"));
  expect(span).toBe(30_000);
  await expect(timeline.locator('rect[data-state="OPEN"]')).toHaveCount(1);
  await expect(page.getByTestId("timeline-fresh-ticks")).toContainText("−10s");
  await expect(page.getByTestId("timeline-fresh-ticks")).toContainText("now");

  // Cards share one axis: a breaker without calls has the same span.
  expect(Number(await page.getByTestId("timeline-search").getAttribute("data-span-ms"))).toBe(span);

  await page.getByTestId("timeline-scale-15").click();
  await expect(timeline).toHaveAttribute("data-span-ms", "30000");
});

test("the timeline's text alternative lists its state changes", async ({ page, request }) => {
  await createBreaker(request, { name: "told", endpoint: "payments", options: { failureThreshold: 1, openMs: 60_000 } });
  await openDashboard(page);
  const changes = page.getByRole("list", { name: "told: state changes in the last 30s" });
  await expect(changes).toHaveText("No state changes in this span.");
  await patchEndpoint(request, "payments", { failureRate: 1 });
  await page.getByTestId("breaker-told-fire").click();
  await expect(page.getByTestId("breaker-told-state")).toHaveText("OPEN");
  await expect(page.getByRole("list", { name: /^told: state changes in the last/ }).getByRole("listitem")).toHaveText([/CLOSED → OPEN \(failure-threshold\)/]);
  await expect(page.getByTestId("timeline-told")).toHaveAttribute("aria-label", /CLOSED, then OPEN; 1 call\b/);
});
