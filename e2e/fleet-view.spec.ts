import { expect, test } from "@playwright/test";
import type { LabState } from "../lib/api/types";
import { getJson } from "./support/api";
import { openDashboard } from "./support/pages";

// The suite's server runs in memory: the header names that instance, the fleet is it alone, and
// the shared store's banner never shows (the store cannot be down).

test("in memory the header names the instance, alone in its fleet, and no store banner shows", async ({ page, request }) => {
  const { instance } = await getJson<LabState>(request, "/api/state");
  expect(instance).toEqual({ id: expect.any(String), store: "memory", storeUp: true });

  await openDashboard(page);
  const label = page.getByTestId("lab-instance");
  await expect(label).toBeVisible();
  await expect(label).toHaveText(`Instance ${instance.id} · in memory`);

  const members = page.getByTestId("fleet-instances").getByTestId("fleet-member");
  await expect(members).toHaveCount(1);
  await expect(members).toHaveAttribute("data-current", "true");
  await expect(members.getByTestId("fleet-member-id")).toHaveText(instance.id);
  await expect(members).toContainText("(this one)");

  await expect(page.getByTestId("store-banner")).toHaveCount(0);
});
