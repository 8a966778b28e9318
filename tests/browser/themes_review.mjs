// An officer reviews themes in headless Chromium: confirms a theme, tags a comment, leaves a note, flags it,
// then opens the report. axe-core runs on every page. Prints one JSON object: {steps: [...], consoleErrors}.
// Usage: node tests/browser/themes_review.mjs '{"base": "...", "email": "...", "password": "...", "slug": "...",
//          "theme": "Parking", "flagged": "comment text to flag"}'
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const config = JSON.parse(process.argv[2]);
const report = { steps: [], consoleErrors: [], failedRequests: [] };
const step = (name, data) => report.steps.push({ name, ...data });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await (await browser.newContext()).newPage();
page.setDefaultTimeout(90000);  // a loaded CI machine can take longer than Playwright's 30 s
page.on("console", (m) => { if (m.type() === "error") report.consoleErrors.push(m.text()); });
page.on("pageerror", (e) => report.consoleErrors.push(String(e)));
page.on("response", (r) => { if (r.status() >= 400) report.failedRequests.push(`${r.status()} ${r.url()}`); });

async function axe() {
  await page.evaluate(axeSource);  // via DevTools, so the page's own CSP stays on
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return {
    axeVersion: await page.evaluate(() => window.axe.version),
    violations: result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })),
  };
}
const flash = async () => (await page.locator("[role=status]").count()) ? (await page.locator("[role=status]").first().textContent()).trim() : null;
const submit = async (button) => { await Promise.all([page.waitForNavigation(), button.click()]); };

try {
  await page.goto(config.base + "/login");
  await page.fill("#email", config.email);
  await page.fill("#password", config.password);
  await submit(page.locator("button[type=submit]"));

  const themes = `${config.base}/consultations/${config.slug}/themes`;
  await page.goto(`${config.base}/consultations/${config.slug}`);
  await submit(page.getByRole("link", { name: "Themes", exact: true }));  // from the consultation's results
  step("themes page", { ...(await axe()), url: page.url() });
  await submit(page.getByRole("button", { name: `Confirm ${config.theme}`, exact: true }));
  step("confirmed", { flash: await flash(), row: (await page.locator("tr", { hasText: config.theme }).first().textContent()).replace(/\s+/g, " ").trim() });
  step("themes page after a change", await axe());

  await page.goto(`${themes}/review?status=unreviewed`);
  step("review list", await axe());
  const item = page.locator("ol.comments > li", { hasText: config.flagged });
  await submit(item.getByRole("link", { name: /Review this comment/ }));
  step("review page", { ...(await axe()), url: page.url(), comment: (await page.locator("#comment-text").textContent()).trim() });

  await page.getByLabel("Add a tag").fill("Follow up");
  await submit(page.getByRole("button", { name: "Add tag" }));
  step("tagged", { flash: await flash(), tags: await page.locator("ul.tags .tag").allTextContents() });

  await page.getByLabel("Add a private note").fill("Rang the resident back; they are happy to be quoted.");
  await submit(page.getByRole("button", { name: "Add note" }));
  step("noted", { flash: await flash(), notes: await page.locator(".note blockquote").allTextContents() });

  await page.getByLabel(/^Abusive or offensive/).check();
  await submit(page.getByRole("button", { name: "Save flags" }));
  step("flagged", {
    flash: await flash(),
    abusive: await page.getByLabel(/^Abusive or offensive/).isChecked(),
    quotable: (await page.locator("tr", { hasText: "Can be quoted in the report" }).locator("td").textContent()).replace(/\s+/g, " ").trim(),
  });
  step("review page after changes", await axe());

  await page.goto(`${config.base}/consultations/${config.slug}`);
  await submit(page.getByRole("link", { name: "Report to publish", exact: true }));
  step("report page", { ...(await axe()), url: page.url() });
  await submit(page.getByRole("link", { name: "Open the web page" }));  // one click
  step("published web page", {
    ...(await axe()),
    themes: await page.locator("table", { has: page.locator("caption", { hasText: "Themes in residents" }) }).locator("tbody th").allTextContents(),
    quotes: (await page.locator("blockquote").allTextContents()).map((q) => q.trim()),
    h1: await page.locator("h1").textContent(),
  });
} catch (error) {
  step("error", { message: String(error), url: page.url() });
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
