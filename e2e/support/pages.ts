import { expect, type Page } from "@playwright/test";

/** Open the dashboard and wait until its live stream is connected. */
export async function openDashboard(page: Page): Promise<void> {
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveText("Live");
}
