import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** Where screenshots go: artifacts/screenshots at the repository root (CI keeps artifacts/). */
export const screenshotDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../artifacts/screenshots");

/** Debian's chromium package; Playwright never downloads a browser here. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Headless Chromium with a fresh profile (Playwright gives every launch its own temporary user-data-dir),
 * no sandbox (root in CI) and nothing that reaches outside the machine.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page in its own browser context (own storage), with browser errors collected for the test to check. */
export async function newPage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !isExpectedConnectionNoise(message.text())) {
      errors.push(message.text());
    }
  });
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** While the server restarts, the browser and SignalR log the failed connection attempts; those are expected. */
function isExpectedConnectionNoise(text: string): boolean {
  return /ERR_CONNECTION_REFUSED|Failed to load resource|WebSocket|Connection disconnected|Failed to complete negotiation|Failed to start the transport|503/.test(text);
}
