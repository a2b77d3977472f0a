import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "./chromium";

/**
 * The web manifest's PNG icons, rendered from public/icons/icon.svg (`npm run icons`): browsers
 * that install the lab as an app want 192 and 512 pixel bitmaps beside the SVG.
 */

const ICONS = fileURLToPath(new URL("../public/icons/", import.meta.url));
const SIZES = [192, 512];

const svg = await readFile(`${ICONS}icon.svg`, "utf8");
const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
try {
  for (const size of SIZES) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(`<style>html,body{margin:0}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
    await page.screenshot({ path: `${ICONS}icon-${size}.png`, omitBackground: true });
    await page.close();
    console.log(`wrote public/icons/icon-${size}.png`);
  }
} finally {
  await browser.close();
}
