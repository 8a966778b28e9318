// An officer keys in a paper response in headless Chromium, then finds it in the results, the CSV export and
// the published report. On the way: the skip logic in the page (a question not asked is disabled), a problem
// shown next to its field, the duplicate warning, and the form worked by keyboard alone (Tab reaches every
// control that is asked; Space ticks; Enter submits). axe-core runs on every new page.
// Prints one JSON object: {steps: [...], consoleErrors, failedRequests}.
// Usage: node tests/browser/keyed_response.mjs '{"base": "...", "email": "...", "password": "...", "slug": "..."}'
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
const submit = async (button) => { await Promise.all([page.waitForNavigation(), button.click()]); };
const disabled = async (id) => page.locator(`fieldset[data-question="${id}"]`).evaluate((f) => f.disabled);
const cells = async (table) => table.locator("tbody tr").evaluateAll(
  (rows) => rows.map((row) => Array.from(row.cells, (cell) => cell.textContent.replace(/\s+/g, " ").trim()).join(" | ")));
const fieldset = (id) => page.locator(`fieldset[data-question="${id}"]`);

async function fillResponse() {
  await page.getByLabel("Paper").check();
  await page.getByLabel("Date received").fill("2026-11-19");
  await page.getByLabel("Yes", { exact: true }).first().check();  // may we quote them
  await fieldset("travel").getByLabel("Car").check();
  await fieldset("travel").getByLabel("Other (please specify)", { exact: true }).check();
  await page.getByLabel("“Other (please specify)”: what they wrote").fill("A lift from my neighbour");
  await fieldset("parking").getByLabel("Very dissatisfied").check();
  await page.getByLabel("Number (0 to 50)").fill("1");
  await fieldset("support").getByLabel("Strongly disagree").check();
  await page.getByLabel("Their words").fill("The last boat leaves before the late shift ends.");
  await page.getByLabel("Reliability").fill("1");
  await page.getByLabel("Price").fill("2");
  await page.getByLabel("Postcode", { exact: true }).fill("MB3 4AB");
  await page.getByLabel("Age group").selectOption("75 or over");
}

try {
  await page.goto(config.base + "/login");
  await page.fill("#email", config.email);
  await page.fill("#password", config.password);
  await submit(page.locator("button[type=submit]"));

  await page.goto(`${config.base}/consultations/${config.slug}`);
  await submit(page.getByRole("link", { name: "Key in a paper or phone response" }));
  step("form", { ...(await axe()), url: page.url() });

  // Skip logic in the page: parking is asked only of drivers, why_not only of those who disagree.
  const before = { parking: await disabled("parking"), why_not: await disabled("why_not") };
  await fieldset("travel").getByLabel("Car").check();
  await fieldset("support").getByLabel("Disagree", { exact: true }).check();
  const after = { parking: await disabled("parking"), why_not: await disabled("why_not") };
  await fieldset("support").getByLabel("Agree", { exact: true }).check();
  step("skip logic", { before, after, whyNotWhenAgreeing: await disabled("why_not"),
                       notice: (await fieldset("why_not").locator(".not-asked").isVisible()) });

  // Keyboard: from the top of the form, Tab visits every control of the questions asked, none of those not asked.
  await fillResponse();
  await page.getByLabel("Paper").focus();
  const reached = new Set();
  for (let i = 0; i < 80; i += 1) {
    const name = await page.evaluate(() => document.activeElement && (document.activeElement.name || document.activeElement.textContent.trim()));
    if (name) { reached.add(name); }
    await page.keyboard.press("Tab");
  }
  step("keyboard", { reached: [...reached] });

  // Consent left unticked: nothing saved, the problem next to the field; then ticked with the keyboard.
  await submit(page.getByRole("button", { name: "Save response" }));
  step("problems", { ...(await axe()),
    consentProblem: (await page.locator("#error-consent").textContent()).trim(),
    summary: (await page.locator(".error-summary h2").textContent()).trim(),
    focused: await page.evaluate(() => document.activeElement.id),
    stillFilled: await page.getByLabel("Their words").inputValue() });
  await page.getByLabel("Consent given on the form").focus();
  await page.keyboard.press("Space");
  await page.getByRole("button", { name: "Save response" }).focus();
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const reference = (await page.locator("#reference").textContent()).trim();
  step("saved", { ...(await axe()), url: page.url(), reference });

  // The same form keyed in again: the duplicate warning names the response just saved; not saved.
  await submit(page.getByRole("link", { name: "Key in another response" }));
  await fillResponse();
  await page.getByLabel("Consent given on the form").check();
  await submit(page.getByRole("button", { name: "Save response" }));
  step("duplicate", { ...(await axe()), warning: (await page.locator(".duplicate-warning").textContent()).replace(/\s+/g, " ").trim(),
                      button: (await page.locator("form.keyed button[type=submit]").textContent()).trim() });

  await page.goto(`${config.base}/consultations/${config.slug}`);
  const channels = page.locator("table", { has: page.locator("caption", { hasText: "Responses by channel" }) });
  step("results", { channels: await cells(channels),
                    total: (await page.locator("main > p > strong").first().textContent()).trim() });

  const csv = await (await page.request.get(`${config.base}/consultations/${config.slug}/export?format=csv`)).text();
  step("export", { csv });

  await page.goto(`${config.base}/consultations/${config.slug}/report.html`);
  const made = page.locator("table", { has: page.locator("caption", { hasText: "How people responded" }) });
  step("report", { ...(await axe()), channels: await cells(made) });
} catch (error) {
  step("error", { message: String(error), url: page.url() });
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
