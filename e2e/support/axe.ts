import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

// axe's WCAG 2.1 A/AA rules, in both colour schemes, on a phone and a wide screen.
// A11Y_SHOTS=<dir> keeps a screenshot of every view and combination axe checked.

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const SCHEMES = ["light", "dark"] as const;
const VIEWPORTS = [
  { label: "phone", size: { width: 390, height: 844 } },
  { label: "wide", size: { width: 1440, height: 900 } },
] as const;

/**
 * Run axe on the page as it is, in every scheme and viewport, and fail with one readable line per
 * serious or critical violation and element. Motion is reduced while measuring: a colour transition
 * started by the scheme switch would otherwise be measured half-way.
 */
export async function expectNoSeriousViolations(page: Page, view: string): Promise<void> {
  const found: string[] = [];
  for (const colorScheme of SCHEMES) {
    for (const { label, size } of VIEWPORTS) {
      await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
      await page.setViewportSize(size);
      // Legacy mode runs axe in the page itself: the lab has no cross-origin frames to merge, and the
      // default opens a blank page per run to merge them, which doubled the spec's time.
      const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).setLegacyMode().analyze();
      if (process.env.A11Y_SHOTS) {
        const file = `${view}-${colorScheme}-${label}`.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
        await page.screenshot({ path: `${process.env.A11Y_SHOTS}/${file}.png`, fullPage: true });
      }
      for (const violation of violations.filter(({ impact }) => impact === "serious" || impact === "critical")) {
        for (const node of violation.nodes) {
          const message = [...node.any, ...node.all, ...node.none].map((check) => check.message).join("; ");
          found.push(`[${view} · ${colorScheme} · ${label}] ${violation.id} (${violation.impact}) ${node.target.join(" ")}: ${message}`);
        }
      }
    }
  }
  // Soft: the test goes on to its next view, so that one run lists the violations of all of them.
  expect.soft(found, `${found.length} serious or critical violations:\n${found.join("\n")}`).toEqual([]);
}

