// Open pages in headless Chromium, collect console errors and failed requests, and run axe-core.
// Usage: node tests/browser/check_pages.mjs '{"base": "...", "login": {"email": "...", "password": "..."}, "pages": ["/", ...]}'
// Prints one JSON object: {pages: [{path, status, consoleErrors, failedRequests, violations}]}
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const config = JSON.parse(process.argv[2]);

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

const browser = await launch();
const context = await browser.newContext();
const page = await context.newPage();
page.setDefaultTimeout(90000);  // a loaded CI machine can take longer than Playwright's 30 s
const consoleErrors = [];
const failedRequests = [];
page.on("console", (message) => { if (message.type() === "error") consoleErrors.push(message.text()); });
page.on("pageerror", (error) => consoleErrors.push(String(error)));
page.on("requestfailed", (request) => failedRequests.push(request.url()));
page.on("response", (response) => { if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`); });

const results = [];
try {
  if (config.login) {
    await page.goto(config.base + "/login");
    await page.fill("#email", config.login.email);
    await page.fill("#password", config.login.password);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  }
  for (const path of config.pages) {
    consoleErrors.length = 0;
    failedRequests.length = 0;
    const response = await page.goto(config.base + path, { waitUntil: "load" });
    await page.evaluate(axeSource);  // via DevTools, so the page's own CSP stays on
    const axe = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    const violations = axe.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
    const axeVersion = await page.evaluate(() => window.axe.version);
    results.push({ path, axeVersion, status: response.status(), consoleErrors: [...consoleErrors], failedRequests: [...failedRequests], violations });
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ pages: results }));
