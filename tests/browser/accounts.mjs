// Accounts in the review portal, in headless Chromium against the real portal: an admin made on the command line
// signs in, sets up an authenticator app, invites an officer, opens the account, signs in again with a code; the
// officer uses the invitation link. axe-core runs on every page on the way (serious and critical reported).
// One-time codes are made here with node's own HMAC (RFC 6238), from the key the set-up page shows.
// Usage: node tests/browser/accounts.mjs '{"base": "http://127.0.0.1:PORT", "admin": {"email": "...", "password": "..."},
//                                          "invitee": "...", "password": "..."}'
// Prints one JSON object: {pages: [{name, path, status, violations, consoleErrors}], steps: {...}}
import { chromium } from "playwright-core";
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const config = JSON.parse(process.argv[2]);
const report = { pages: [], steps: {} };

function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0xf;
  const number = ((digest[offset] & 0x7f) << 24) | (digest[offset + 1] << 16) | (digest[offset + 2] << 8) | digest[offset + 3];
  return String(number % 1_000_000).padStart(6, "0");
}

let lastStep = -1;
async function nextCode(secret) {  // a code for a time step the portal has not seen used
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const step = Math.max(now, lastStep + 1);
    if (step <= now + 1) { lastStep = step; return totp(secret, step); }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function check(page, name, response) {
  await page.evaluate(axeSource);  // via DevTools, so the page's own CSP stays on
  const axe = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const violations = axe.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  report.pages.push({
    name, path: new URL(page.url()).pathname, status: response ? response.status() : null,
    axeVersion: await page.evaluate(() => window.axe.version), violations, consoleErrors: [...page.errors],
  });
  page.errors.length = 0;
}

async function submit(page, selector = "main button[type=submit]") {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return response;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
  const page = await context.newPage();
  page.setDefaultTimeout(90000);  // a loaded CI machine can take longer than Playwright's 30 s
  page.errors = [];
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(m.text()); });
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("requestfailed", (r) => page.errors.push(`failed ${r.url()}`));
  return page;
}

try {
  const admin = await newPage();
  const { base } = config;
  await admin.goto(base + "/login");
  await admin.fill("#email", config.admin.email);
  await admin.fill("#password", config.admin.password);
  let response = await submit(admin);
  report.steps.afterPassword = new URL(admin.url()).pathname;  // an admin without an app is sent to set one up
  await check(admin, "set up two-factor", response);
  const secret = (await admin.textContent("code.secret")).replace(/\s/g, "");
  report.steps.qrCode = await admin.evaluate(() => {
    const svg = document.querySelector(".qr svg");
    return svg ? { role: svg.getAttribute("role"), label: svg.getAttribute("aria-label") } : null;
  });
  await admin.fill("#code", await nextCode(secret));
  response = await submit(admin);
  report.steps.afterSetUp = new URL(admin.url()).pathname + new URL(admin.url()).search;
  await check(admin, "two-factor on", response);

  response = await admin.goto(base + "/admin/accounts");
  await check(admin, "accounts", response);
  await admin.fill("#email", config.invitee);
  await admin.check("#invite-role-officer");
  response = await submit(admin, "form[action='/admin/accounts'] button[type=submit]");
  await check(admin, "invitation link", response);
  const link = await admin.inputValue("#link");
  report.steps.linkShown = link.includes("/set-password/");

  await admin.click("text=Back to the account");
  await admin.waitForLoadState("load");
  await check(admin, "account", null);
  response = await admin.goto(base + "/admin/audit");
  await check(admin, "audit log with account changes", response);

  await admin.click("header button.link");  // sign out
  await admin.waitForLoadState("load");
  await admin.fill("#email", config.admin.email);
  await admin.fill("#password", config.admin.password);
  response = await submit(admin);
  report.steps.askedForCode = new URL(admin.url()).pathname;
  await check(admin, "enter your code", response);
  await admin.fill("#code", await nextCode(secret));
  await submit(admin);
  report.steps.afterCode = new URL(admin.url()).pathname;

  const invitee = await newPage();
  response = await invitee.goto(link);
  await check(invitee, "set your password", response);
  await invitee.fill("#password", config.password);
  await invitee.fill("#repeat_password", config.password);
  await submit(invitee);
  report.steps.inviteeSignedIn = (await invitee.textContent("header.site")).includes(config.invitee);
  response = await invitee.goto(link);
  await check(invitee, "used link", response);
  response = await invitee.goto(base + "/account/two-factor");
  await check(invitee, "two-factor off", response);
} catch (error) {
  report.error = String(error.stack || error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
