import { expect, test } from "@playwright/test";
import { createBreaker, resetLab } from "./support/api";
import { openDashboard } from "./support/pages";

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

test("a preset played from the panel trips a breaker and lets it recover, with nobody touching a switch", async ({ page, request }) => {
  // flapping: inventory drops every connection for 6 s, then answers for 6 s. A breaker with a
  // short open period sees both halves within one pass.
  await createBreaker(request, { name: "flap", endpoint: "inventory", options: { failureThreshold: 2, openMs: 1_500 } });
  await openDashboard(page);
  const select = page.getByTestId("scenario-select");
  await expect(select).toHaveJSProperty("tagName", "SELECT");
  await select.selectOption("flapping");
  await expect(page.getByTestId("scenario-stop")).toBeDisabled();
  await page.getByTestId("scenario-play").click();

  await expect(page.getByTestId("scenario-status")).toContainText("flapping");
  await expect(page.getByTestId("scenario-status")).toContainText("loops until stopped");
  await expect(page.getByTestId("scenario-phase-0")).toHaveAttribute("aria-current", "step");
  await expect(page.getByTestId("endpoint-inventory-toggle")).toHaveAttribute("aria-checked", "true");
  await expect(page.getByTestId("endpoint-inventory-scenario")).toContainText("down");

  await page.getByTestId("breaker-flap-auto").click();
  await expect(page.getByTestId("breaker-flap-state")).toHaveText("OPEN", { timeout: 5_000 });
  await page.screenshot({ path: test.info().outputPath("scenario-playing.png"), fullPage: true });

  // The scenario brings inventory back by itself; the breaker probes and closes.
  await expect(page.getByTestId("scenario-phase-1")).toHaveAttribute("aria-current", "step", { timeout: 8_000 });
  await expect(page.getByTestId("endpoint-inventory-toggle")).toHaveAttribute("aria-checked", "false");
  await expect(page.getByTestId("breaker-flap-state")).toHaveText("CLOSED", { timeout: 6_000 });
  await page.getByTestId("breaker-flap-auto").click();

  await page.getByTestId("scenario-stop").click();
  await expect(page.getByTestId("scenario-stop")).toBeDisabled();
  await expect(page.getByTestId("scenario-status")).not.toContainText("▶");
  await expect(page.getByTestId("endpoint-inventory-scenario")).toHaveCount(0);
  expect((await (await request.get("/api/playback")).json()).playing).toBeNull();
});

test("another page sees a playback start and stop live", async ({ page, request }) => {
  await openDashboard(page);
  const response = await request.post("/api/playback", { headers: { "Content-Type": "application/json" }, data: { scenario: "outage-then-flaky-recovery" } });
  expect(response.status()).toBe(200);
  await expect(page.getByTestId("scenario-status")).toContainText("outage-then-flaky-recovery");
  await expect(page.getByTestId("scenario-phase-0")).toHaveAttribute("aria-current", "step");
  await expect(page.getByTestId("scenario-progress").locator("li")).toHaveCount(4);
  await request.delete("/api/playback");
  await expect(page.getByTestId("scenario-stop")).toBeDisabled();
});

test("an imported scenario is saved under a free name and can be played and deleted; the recording downloads", async ({ page }) => {
  await openDashboard(page);
  const scenario = { name: "flapping", description: "my own flapping", phases: [{ label: "slow", forMs: 2_000, endpoints: { search: { latencyMs: 800 } } }] };
  await page.getByTestId("scenario-import").setInputFiles({ name: "mine.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(scenario)) });
  await expect(page.getByTestId("scenario-message")).toContainText("“flapping-2”");
  await expect(page.getByTestId("scenario-select")).toHaveValue("flapping-2");
  await expect(page.getByTestId("scenario-status")).toContainText("my own flapping");

  await page.getByTestId("scenario-import").setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from('{"name":"x","phases":[{"forMs":5,"endpoints":{}}]}') });
  await expect(page.getByTestId("scenario-message")).toContainText("phases.0.forMs");
  await expect(page.getByTestId("scenario-message")).toHaveAttribute("role", "alert");

  await page.getByTestId("scenario-play").click();
  await expect(page.getByTestId("scenario-status")).toContainText("flapping-2");
  await expect(page.getByTestId("endpoint-search-latency")).toHaveValue("800");

  const download = page.waitForEvent("download");
  await page.getByTestId("scenario-download-recording").click();
  const file = await download;
  const recording = JSON.parse(await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8")));
  expect(recording.name).toBe("recording");
  expect(recording.phases.at(-1).endpoints.search).toMatchObject({ latencyMs: 800 });

  await page.getByTestId("scenario-stop").click();
  await page.getByTestId("scenario-delete").click();
  await expect(page.getByTestId("scenario-message")).toContainText("Deleted");
  await expect(page.getByTestId("scenario-select").locator("option[value='flapping-2']")).toHaveCount(0);
});

test("the fault model's new fields and the retry control are on the cards", async ({ page, request }) => {
  await openDashboard(page);
  await page.getByTestId("endpoint-payments").getByText("Malformed body", { exact: true }).click();
  await expect(page.getByTestId("endpoint-payments-fault-malformed")).toBeChecked();
  await expect(page.getByTestId("endpoint-payments")).toContainText("malformed body");
  const capacity = page.getByTestId("endpoint-payments-capacity");
  await capacity.fill("3");
  await capacity.press("Enter");
  await expect(page.getByTestId("endpoint-payments")).toContainText("≤ 3 at once");
  await capacity.fill("0");
  await capacity.press("Enter");
  await expect(page.getByTestId("endpoint-payments")).toContainText("1–10000, or empty for none");
  await capacity.fill("");
  await capacity.press("Enter");
  await expect(page.getByTestId("endpoint-payments")).not.toContainText("at once");
  await page.getByTestId("endpoint-payments-preset-down").click();
  await page.getByTestId("breaker-payments-retries").selectOption("2");
  await page.getByTestId("breaker-payments-retry-delay").selectOption("0");
  await page.getByTestId("breaker-payments-fire").click();
  // Three consecutive failures trip payments: the first call's third attempt is its last.
  await expect(page.getByTestId("breaker-payments-last")).toContainText("3 attempts");
  await expect(page.getByTestId("breaker-payments-state")).toHaveText("OPEN");
  // The endpoint's card counts what reached it: the three attempts, then nothing while OPEN.
  await expect(page.getByTestId("endpoint-payments-requests")).toHaveText("3");
  await page.getByTestId("breaker-payments-fire").click();
  await expect(page.getByTestId("breaker-payments-last")).toContainText("Rejected");
  expect((await (await request.get("/api/traffic")).json()).endpoints.payments).toEqual({ requests: 3, inFlight: 0, overloaded: 0 });
});
