// Drive the demo page's chat widget by keyboard only, in headless Chromium, and report what happened.
// Usage: node tests/browser/widget_conversation.mjs '{"base": "http://127.0.0.1:PORT"}'
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const { base } = JSON.parse(process.argv[2]);
const report = { steps: [], consoleErrors: [] };
const step = (name, data) => report.steps.push({ name, ...data });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await (await browser.newContext()).newPage();
page.on("console", (m) => { if (m.type() === "error") report.consoleErrors.push(m.text()); });
page.on("pageerror", (e) => report.consoleErrors.push(String(e)));

const botCount = () => page.locator(".hys-bot").count();
async function waitForBot(count, text) {
  await page.waitForFunction(([n, t]) => {
    const bots = [...document.querySelectorAll(".hys-bot")];
    return bots.length > n && (!t || bots.slice(n).some((b) => b.textContent.includes(t)));
  }, [count, text], { timeout: 30000 });
}

try {
  await page.goto(base + "/demo", { waitUntil: "load" });
  // Keyboard only: Tab to the launcher.
  let onLauncher = false;
  for (let i = 0; i < 15 && !onLauncher; i++) {
    await page.keyboard.press("Tab");
    onLauncher = await page.evaluate(() => document.activeElement && document.activeElement.classList.contains("hys-launcher"));
  }
  step("launcher reachable by Tab", { ok: onLauncher, isButton: await page.evaluate(() => document.activeElement.tagName) });
  await page.keyboard.press("Enter");
  await waitForBot(0, "Millbrook District Council");
  step("greeting", {
    focusInInput: await page.evaluate(() => document.activeElement.id === "hys-input"),
    live: await page.evaluate(() => { const log = document.querySelector(".hys-log"); return { role: log.getAttribute("role"), live: log.getAttribute("aria-live") }; }),
    label: await page.locator(".hys-bot .hys-who").first().textContent(),
    inLog: await page.evaluate(() => document.querySelector(".hys-log").textContent.includes("Millbrook District Council")),
  });

  let n = await botCount();
  await page.keyboard.type("what consultations are open");
  await page.keyboard.press("Enter");
  await waitForBot(n, "Harbour Road cycle lane");
  step("asked what is open", { userLabel: await page.locator(".hys-user .hys-who").last().textContent() });

  // Tab to the first quick reply of the latest bot message and press Enter.
  n = await botCount();
  const replies = page.locator(".hys-bot").last().locator(".hys-reply");
  let onReply = false;
  for (let i = 0; i < 25 && !onReply; i++) {
    await page.keyboard.press("Shift+Tab");
    onReply = await page.evaluate(() => document.activeElement.classList.contains("hys-reply"));
  }
  const chosen = await page.evaluate(() => document.activeElement.textContent);
  await page.keyboard.press("Enter");
  await waitForBot(n, "open until");
  step("quick reply by keyboard", { ok: onReply, replyCount: await replies.count(), chosen,
    links: await page.locator(".hys-bot").last().locator("a[href^='https://']").count() });

  n = await botCount();
  await page.locator("#hys-input").focus();
  await page.keyboard.type("<img src=x onerror=alert(1)> hello");
  await page.keyboard.press("Enter");
  await waitForBot(n);
  step("resident text stays text", {
    text: await page.locator(".hys-user .hys-text").last().textContent(),
    elements: await page.locator(".hys-user .hys-text").last().evaluate((node) => node.children.length),
  });

  await page.evaluate(axeSource);  // via DevTools, so the page's own CSP stays on
  const axe = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  step("axe with the chat open", { axeVersion: await page.evaluate(() => window.axe.version),
    violations: axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((x) => x.target.join(" ")) })) });

  const session = await page.evaluate(() => ({ session: sessionStorage.getItem("hys-session-id"), local: Object.keys(localStorage) }));
  const before = await page.locator(".hys-message").count();
  await page.reload({ waitUntil: "load" });
  step("reload keeps the conversation", { ...session,
    sameSession: await page.evaluate(() => sessionStorage.getItem("hys-session-id")),
    restored: await page.locator(".hys-message").count(), before });

  await page.keyboard.press("Tab");
  for (let i = 0; i < 15; i++) {
    if (await page.evaluate(() => document.activeElement.classList.contains("hys-launcher"))) break;
    await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Enter");
  await page.keyboard.press("Escape");
  step("escape closes and returns focus", { focus: await page.evaluate(() => document.activeElement.className),
    expanded: await page.evaluate(() => document.querySelector(".hys-launcher").getAttribute("aria-expanded")) });
} catch (error) {
  step("error", { message: String(error) });
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
