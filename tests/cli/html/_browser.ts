// Pages of `tph view --html` in a real headless browser: Debian's Chromium driven by
// playwright-core (pinned; pointed at the system's browser, nothing downloaded). Every request
// that is not the page's own file is blocked and remembered, and so are console errors, page
// errors and dialogs: a page that tries any of them fails its test.

import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";

/** The system's Chromium, if any (CI installs Debian's with apt-get). */
export const CHROMIUM: string | undefined = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
].find((p) => existsSync(p));

/** A page opened from a file, and what it tried that it must not. */
export interface OpenedPage {
  page: Page;
  /** Requests to anything but the page's own file. */
  requests: string[];
  /** Console errors and uncaught errors. */
  errors: string[];
  /** Dialogs (alert, confirm, prompt) the page opened. */
  dialogs: string[];
}

/** Start the browser. */
export async function launch(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu"],
    timeout: 60_000,
  });
}

/** Open a page file with the network blocked. */
export async function openPage(
  browser: Browser,
  file: string,
  viewport = { width: 1300, height: 800 },
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport, offline: true });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const url = "file://" + file;
  const opened: OpenedPage = { page, requests: [], errors: [], dialogs: [] };
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    opened.requests.push(u);
    return route.abort();
  });
  page.on("console", (m) => {
    if (m.type() === "error") opened.errors.push(m.text());
  });
  page.on("pageerror", (e) => opened.errors.push(String(e)));
  page.on("dialog", (d) => {
    opened.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  await page.goto(url);
  // The header is there for every run, rows where a call was recorded.
  await page.waitForSelector("header");
  return opened;
}
