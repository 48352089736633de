// Real headless Chromium for the browser tests, from @sparticuz/chromium + playwright-core.
import chromium from "@sparticuz/chromium";
import { type Browser, chromium as playwright } from "playwright-core";

/**
 * Launches Chromium without the Lambda-oriented flags that would switch off CORS and site isolation
 * (`--disable-web-security`, `--single-process`, ...): the tests are about CORS too.
 * `localNetworkAccess: false` is for pages the test answers itself (page.route): they have no
 * address, so Chrome's Local Network Access would count them as public and block their calls to
 * 127.0.0.1, which a page really served from 127.0.0.1 may make. CORS still applies.
 */
export async function launchChromium(options: { localNetworkAccess?: boolean } = {}): Promise<Browser> {
  const args = chromium.args
    .filter((a) => !/single-process|disable-web-security|allow-running-insecure-content|disable-site-isolation/.test(a))
    .map((a) => (options.localNetworkAccess === false && a.startsWith("--disable-features=") ? `${a},LocalNetworkAccessChecks` : a));
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    args: [...args, "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    headless: true,
  });
}
