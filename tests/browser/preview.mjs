// An officer previews a draft consultation in headless Chromium, by keyboard, against the real portal, Rasa
// server and action server: the assistant opens on the draft, answers "what is this about?", runs the whole
// survey and says nothing was saved; after an edit is saved (a new version, loaded while everything runs),
// "Restart preview" starts a fresh conversation on the new version. A councillor is refused the page.
// axe-core runs on the page in each state. Prints one JSON object: {steps: [...], consoleErrors, failedRequests}.
// Usage: node tests/browser/preview.mjs '{"base": ..., "email": ..., "password": ..., "slug": ..., "summary": ...,
//          "newSummary": ..., "answers": [...], "edit": {"command": [...], "env": {...}}, "councillor": {...}}'
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

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

async function signedIn(email, password) {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" })).newPage();
  page.setDefaultTimeout(90000);  // a loaded CI machine can take longer than Playwright's 30 s
  await page.goto(config.base + "/login");
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForNavigation(), page.locator("button[type=submit]").click()]);
  return page;
}

const page = await signedIn(config.email, config.password);
page.on("console", (m) => { if (m.type() === "error") report.consoleErrors.push(m.text()); });
page.on("pageerror", (e) => report.consoleErrors.push(String(e)));
page.on("response", (r) => { if (r.status() >= 400) report.failedRequests.push(`${r.status()} ${r.url()}`); });

async function axe() {
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);  // via DevTools: the page's CSP stays on
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return {
    axeVersion: await page.evaluate(() => window.axe.version),
    violations: result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })),
  };
}
const bots = () => page.locator(".hys-bot").count();
const lastBot = async () => (await page.locator(".hys-bot .hys-text").last().textContent()) || "";
// Wait for a reply after ``count`` assistant messages (containing ``text``, if given), then for the assistant to go quiet.
async function waitForBot(count, text) {
  await page.waitForFunction(([n, t]) => {
    const all = [...document.querySelectorAll(".hys-bot")];
    return all.length > n && (!t || all.slice(n).some((b) => b.textContent.includes(t)));
  }, [count, text], { timeout: 60000 });
  let seen = -1;
  while (seen !== (await bots())) { seen = await bots(); await page.waitForTimeout(700); }
  return (await page.locator(".hys-bot .hys-text").allTextContents()).slice(count).join("\n");
}
const focusedIs = (selector, text) => page.evaluate(([s, t]) => {
  const el = document.activeElement;
  return !!el && el.matches(s) && (!t || el.textContent.trim() === t);
}, [selector, text || null]);
async function tabTo(selector, text, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await focusedIs(selector, text)) return i + 1;
  }
  throw new Error("could not reach by keyboard: " + selector);
}
async function say(text, expect) {
  const before = await bots();
  if (!(await focusedIs("#hys-input"))) await page.focus("#hys-input");
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  return waitForBot(before, expect);
}

const previewUrl = `${config.base}/consultations/${config.slug}/preview`;
try {
  await page.goto(previewUrl, { waitUntil: "load" });
  const opening = await waitForBot(0, config.summary);
  const first = {
    session: await page.locator("script[data-preview-session]").getAttribute("data-preview-session"),
    h1: (await page.locator("h1").textContent()).trim(),
    opening,
    focusOnLoad: await page.evaluate(() => document.activeElement ? document.activeElement.tagName : null),
  };
  step("preview page", { ...(await axe()), ...first });

  // By keyboard from the top of the page: Tab reaches the message box; the answer arrives with focus kept there.
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  const tabs = await tabTo("#hys-input");
  const about = await say("what is this about?", config.summary);
  step("what is this about", { tabs, about, focusAfterReply: await focusedIs("#hys-input") });

  const transcript = [];
  for (const [index, answer] of config.answers.entries()) {
    transcript.push({ said: answer, reply: await say(answer) });
    if (index === 1) step("at a question", await axe());  // a survey step with its answer control
  }
  step("survey", { transcript, last: await lastBot() });
  step("after the survey", await axe());

  // The officer saves an edit (a new version, loaded while everything runs); Restart preview shows it.
  execFileSync(config.edit.command[0], config.edit.command.slice(1), { cwd: config.edit.cwd, env: { ...process.env, ...config.edit.env } });
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  await tabTo("button[type=submit]", "Restart preview");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const restarted = await waitForBot(0, config.newSummary);
  step("restarted", {
    ...(await axe()),
    session: await page.locator("script[data-preview-session]").getAttribute("data-preview-session"),
    opening: restarted,
    version: (await page.locator(".notice").first().textContent()).replace(/\s+/g, " ").trim(),
    earlierMessages: await page.locator(".hys-user").count(),
  });
  step("asked again", { about: await say("what is this about?", config.newSummary) });

  // A councillor is refused the page.
  const councillor = await signedIn(config.councillor.email, config.councillor.password);
  const refused = await councillor.goto(previewUrl);
  step("councillor", { status: refused.status(), grant: await councillor.locator("script[data-preview-grant]").count() });
} catch (error) {
  step("error", { message: String(error), url: page.url(), last: await lastBot().catch(() => "") });
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
