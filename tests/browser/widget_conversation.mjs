// Drive the demo page's chat widget by keyboard only, in headless Chromium, against the real servers, and report
// what happened as one JSON object for tests/test_widget.py to check. One browser; a few contexts:
//   resident: two whole responses (library: rank by move buttons; harbour road: multi by checkboxes), stale
//             controls, a forged late answer, the transcript by arrow keys, axe in every state at 1280 and 320 px
//   links:    deep links (?consultation=, data-consultation, a card), reload mid-response, save and finish later,
//             start again
//   offline:  the error state, with axe
// Usage: node tests/browser/widget_conversation.mjs '{"base": "http://127.0.0.1:PORT", "screenshot": "path.png"}'
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const { base, screenshot } = JSON.parse(process.argv[2]);
const report = { steps: [], axe: [], reflow: [], focusWalk: [], consoleErrors: [], origins: [], fonts: [] };
const started = Date.now();
const step = (name, data) => report.steps.push({ name, ...data, ms: Date.now() - started });
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 320, height: 640 };
const ZOOMED = { width: 640, height: 400 };  // 1280 x 800 at 200%

// Records every piece of text added to any live region (aria-live, or an implicitly live role), in order.
function watchLiveRegions() {
  window.__announced = [];
  const live = "[aria-live]:not([aria-live='off']), [role='log'], [role='status'], [role='alert']";
  new MutationObserver((records) => {
    for (const record of records) {
      const host = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      if (!host || !host.closest(live)) continue;
      for (const node of record.addedNodes) {
        const text = (node.textContent || "").trim();
        if (text) window.__announced.push(text);
      }
    }
  }).observe(document, { childList: true, subtree: true });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

let lastPage = null;  // for the transcript in the report when something fails
async function newPage({ offline = false } = {}) {
  const context = await browser.newContext({ viewport: WIDE, locale: "en-GB" });
  await context.addInitScript(watchLiveRegions);
  const page = await context.newPage();
  page.setDefaultTimeout(90000);  // a loaded CI machine can take longer than Playwright's 30 s
  lastPage = page;
  // Offline, the browser itself logs each failed connection attempt.
  page.on("console", (m) => { if (m.type() === "error" && !offline) report.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => report.consoleErrors.push(String(e)));
  // Where the page fetched anything from: the council's page, the portal and the Rasa server only; no fonts.
  page.on("request", (request) => {
    const origin = new URL(request.url()).origin;
    if (!report.origins.includes(origin)) report.origins.push(origin);
    if (request.resourceType() === "font") report.fonts.push(request.url());
  });
  return page;
}

// --- helpers working on one page -----------------------------------------------------------------

function on(page) {
  const bots = () => page.locator(".hys-bot").count();
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: "BODY", inWidget: false };
    const style = getComputedStyle(el);
    const label = el.getAttribute("aria-label") || (el.labels && el.labels.length ? el.labels[0].textContent : "") ||
      (el.getAttribute("aria-labelledby") || "").split(" ").map((id) => (document.getElementById(id) || {}).textContent || "").join(" ") ||
      el.textContent || "";
    return {
      tag: el.tagName, id: el.id, cls: el.className, text: (el.textContent || "").trim().slice(0, 80), name: label.trim().slice(0, 80),
      inWidget: !!el.closest(".hys-root"), stale: !!el.closest(".hys-stale"), disabled: !!el.disabled,
      outline: style.outlineStyle + " " + style.outlineWidth,
    };
  });
  // Press Tab (or Shift+Tab) until the focused element matches; every stop inside the widget is recorded.
  async function tabTo(test, { back = false, max = 40 } = {}) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press(back ? "Shift+Tab" : "Tab");
      const now = await focused();
      if (now.inWidget) report.focusWalk.push(now);
      if (await page.evaluate(test)) return now;
    }
    throw new Error("could not reach by keyboard: " + test.toString());
  }
  const waitForBot = (count, text) => page.waitForFunction(([n, t]) => {
    const all = [...document.querySelectorAll(".hys-bot")];
    return all.length > n && (!t || all.slice(n).some((b) => b.textContent.includes(t)));
  }, [count, text], { timeout: 60000 });
  // The step whose control is live now (its article carries data-step), with what the control shows.
  const current = () => page.evaluate(() => {
    const control = [...document.querySelectorAll(".hys-control")].filter((c) => !c.classList.contains("hys-stale")).pop();
    if (!control) return null;
    const article = control.closest("[data-step]");
    return {
      step: article.getAttribute("data-step"), type: control.className, text: article.querySelector(".hys-text").textContent,
      hint: (control.querySelector(".hys-hint") || {}).textContent || "",
      options: [...control.querySelectorAll(".hys-option:not(.hys-skip), .hys-check label, .hys-rank-label")].map((o) => o.textContent),
    };
  });
  async function nextStep(previous) {
    await page.waitForFunction((before) => {
      const control = [...document.querySelectorAll(".hys-control")].filter((c) => !c.classList.contains("hys-stale")).pop();
      return control && control.closest("[data-step]").getAttribute("data-step") !== before;
    }, previous, { timeout: 60000 });
    return current();
  }
  // Answer the live step by choosing one of its buttons, from the message box (Shift+Tab back to it).
  async function choose(label, { back = true } = {}) {
    const before = await current();
    await tabTo(new Function(`const el = document.activeElement; return el.matches(".hys-option") && !el.closest(".hys-stale") && el.textContent === ${JSON.stringify(label)};`), { back });
    await page.keyboard.press("Enter");
    return before;
  }
  async function axe(state) {
    const t0 = Date.now();
    for (const [width, viewport] of [["1280", WIDE], ["320", NARROW]]) {
      await page.setViewportSize(viewport);
      if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);  // via DevTools: the page's CSP stays on
      const result = await page.evaluate(async () => await window.axe.run(document));
      report.axe.push({ state, width, version: await page.evaluate(() => window.axe.version),
        violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })) });
    }
    for (const [width, viewport] of [["320", NARROW], ["640 (200% zoom)", ZOOMED]]) {
      await page.setViewportSize(viewport);
      report.reflow.push({ state, width, ...(await page.evaluate(() => {
        const panel = document.querySelector(".hys-panel");
        const root = document.querySelector(".hys-root");
        const box = (panel.hidden ? root : panel);
        // Nothing may stick out of the window, or out of its own box (text that doesn't wrap).
        const overflowing = [...box.querySelectorAll("*")].filter((node) => {
          if (node.closest(".hys-sr") || node.closest("[hidden]")) return false;
          const rect = node.getBoundingClientRect();
          if (rect.width === 0) return false;
          const spills = !["INPUT", "TEXTAREA"].includes(node.tagName) && getComputedStyle(node).overflowX === "visible" &&
            node.scrollWidth > node.clientWidth + 1 && node.clientWidth > 0;
          return rect.right > window.innerWidth + 1 || rect.left < -1 || spills;
        }).map((node) => node.className || node.tagName).slice(0, 5);
        const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight; };
        const tools = [...document.querySelectorAll(".hys-tool")];
        return { overflowing, panelScrolls: panel.hidden ? false : panel.scrollWidth > panel.clientWidth,
          toolsVisible: panel.hidden ? null : tools.length === 2 && tools.every(visible) };
      })) });
    }
    await page.setViewportSize(WIDE);
    report.axeMs = (report.axeMs || 0) + Date.now() - t0;
  }
  return { bots, focused, tabTo, waitForBot, current, nextStep, choose, axe };
}

// --- resident: two whole responses by keyboard --------------------------------------------------------

async function residentSession() {
  const page = await newPage();
  const w = on(page);
  await page.goto(base + "/demo", { waitUntil: "load" });
  await w.axe("closed");

  const launcher = await w.tabTo(() => document.activeElement.classList.contains("hys-launcher"), { max: 30 });
  step("launcher reachable by Tab", { ok: true, isButton: launcher.tag });
  await page.keyboard.press("Enter");
  await w.waitForBot(0, "Millbrook District Council");
  step("greeting", {
    focus: (await w.focused()).id,
    transcriptLive: await page.evaluate(() => { const log = document.querySelector(".hys-log"); return [log.getAttribute("role"), log.getAttribute("aria-live")]; }),
    label: await page.locator(".hys-bot .hys-who").first().textContent(),
    time: await page.locator(".hys-bot time").first().getAttribute("datetime"),
  });
  await w.axe("open");

  // Typing: the message box keeps focus while the reply arrives.
  let n = await w.bots();
  await page.keyboard.type("what consultations are open");
  await page.keyboard.press("Enter");
  await w.waitForBot(n, "Harbour Road cycle lane");
  step("asked what is open", { userLabel: await page.locator(".hys-user .hys-who").last().textContent(), focusAfterReply: (await w.focused()).id });

  // A suggested reply by keyboard; the greeting's replies are old by now.
  n = await w.bots();
  const chosen = await w.tabTo(() => document.activeElement.classList.contains("hys-reply") && !document.activeElement.disabled, { back: true });
  await page.keyboard.press("Enter");
  await w.waitForBot(n, "open until");
  step("quick reply by keyboard", { chosen: chosen.text, links: await page.locator(".hys-bot").last().locator("a[href^='https://']").count(),
    answered: await page.locator(".hys-bot").nth(n - 1).locator(".hys-answer").textContent() });

  // An old button: disabled, skipped by Tab, and ignored even if something re-enables and clicks it.
  const old = await page.evaluate(() => {
    const button = document.querySelector(".hys-bot .hys-reply");
    return { text: button.textContent, disabled: button.disabled, stale: !!button.closest(".hys-stale") };
  });
  const usersBefore = await page.locator(".hys-user").count();
  await page.evaluate(() => { const button = document.querySelector(".hys-bot .hys-reply"); button.disabled = false; button.click(); button.disabled = true; });
  await page.waitForTimeout(1500);
  step("old button", { ...old, sentAfterForcedClick: (await page.locator(".hys-user").count()) - usersBefore });

  n = await w.bots();
  await page.keyboard.type("<img src=x onerror=alert(1)> hello");
  await page.keyboard.press("Enter");
  await w.waitForBot(n);
  step("resident text stays text", {
    text: await page.locator(".hys-user .hys-text").last().textContent(),
    elements: await page.locator(".hys-user .hys-text").last().evaluate((node) => node.children.length),
  });

  // --- Library opening hours: every kind of control but checkboxes; rank by move buttons --------------
  const library = { steps: {} };
  await page.keyboard.type("I'd like to have my say on the library opening hours");
  await page.keyboard.press("Enter");
  let now = await w.nextStep(null);
  library.consent = now;
  await w.choose("Yes, I agree");
  library.consentAnswered = await page.evaluate((id) => document.querySelector(`[data-step="${id}"] .hys-answer`).textContent, now.step);
  library.focusAfterChoosing = (await w.focused()).id;
  now = await w.nextStep(now.step);
  await w.choose("No");  // quote
  now = await w.nextStep(now.step);
  await w.choose("No");  // outcome
  now = await w.nextStep(now.step);
  library.steps.yesno = now;
  await w.axe("question: yes/no");
  await w.choose("Yes");
  now = await w.nextStep(now.step);
  library.steps.scale = now;
  await w.axe("question: scale");
  const scaleStep = now.step;
  await w.choose("Satisfied");
  now = await w.nextStep(now.step);
  library.steps.choice = now;
  await w.axe("question: choice");
  await w.choose("Option B - staffed core hours plus open access");
  now = await w.nextStep(now.step);
  library.steps.rank = now;
  await w.axe("question: rank");
  // Children's activities up twice, then Warm and quiet space up once.
  const moveButton = (label, direction) => new Function(`const el = document.activeElement; return el.matches(".hys-${direction}") && !el.closest(".hys-stale") && el.textContent.endsWith(${JSON.stringify(label)});`);
  await w.tabTo(moveButton("Children's activities", "up"), { back: true });
  const moves = [];
  for (let i = 0; i < 2; i++) {
    await page.keyboard.press("Enter");
    moves.push({ focus: (await w.focused()).name, order: await page.evaluate(() => [...document.querySelectorAll(".hys-control:not(.hys-stale) .hys-rank-label")].map((l) => l.textContent)) });
  }
  await page.keyboard.press("Enter");  // already first: nothing moves, and it says so
  moves.push({ focus: (await w.focused()).name, order: await page.evaluate(() => [...document.querySelectorAll(".hys-control:not(.hys-stale) .hys-rank-label")].map((l) => l.textContent)) });
  await w.tabTo(moveButton("Warm and quiet space to study", "up"));
  await page.keyboard.press("Enter");
  moves.push({ focus: (await w.focused()).name, order: await page.evaluate(() => [...document.querySelectorAll(".hys-control:not(.hys-stale) .hys-rank-label")].map((l) => l.textContent)) });
  library.moves = moves;
  await w.tabTo(() => document.activeElement.matches(".hys-control-rank .hys-primary"));
  await page.keyboard.press("Enter");
  library.rankShown = await page.locator(".hys-user .hys-text").last().textContent();
  now = await w.nextStep(now.step);
  library.steps.optionalScale = now;
  await w.tabTo(() => document.activeElement.matches(".hys-skip") && !document.activeElement.closest(".hys-stale"), { back: true });
  await page.keyboard.press("Enter");
  now = await w.nextStep(now.step);
  library.steps.number = now;
  await w.axe("question: number");
  await w.tabTo(() => document.activeElement.matches(".hys-control-number input"), { back: true });
  await page.keyboard.type("75");
  await page.keyboard.press("Enter");
  library.outOfRange = await page.evaluate(() => {
    const field = document.querySelector(".hys-control-number:not(.hys-stale) input");
    const error = document.querySelector(".hys-control-number:not(.hys-stale) .hys-field-error");
    return { invalid: field.getAttribute("aria-invalid"), error: error.hidden ? "" : error.textContent, describedBy: field.getAttribute("aria-describedby").split(" ").includes(error.id) };
  });
  await page.keyboard.press("Control+A");
  await page.keyboard.type("12");
  await page.keyboard.press("Enter");
  now = await w.nextStep(now.step);
  library.steps.text = now;
  await w.axe("question: text");
  await w.tabTo(() => document.activeElement.matches(".hys-control-text textarea"), { back: true });
  const comment = "Later opening on Saturdays would help my family.";
  await page.keyboard.type(comment);
  library.count = await page.locator(".hys-control-text:not(.hys-stale) .hys-count").textContent();
  library.commentLength = comment.length;
  await w.tabTo(() => document.activeElement.matches(".hys-control-text .hys-primary"));
  await page.keyboard.press("Enter");
  now = await w.nextStep(now.step);
  library.steps.postcode = now;
  await w.axe("postcode");
  await w.tabTo(() => document.activeElement.matches(".hys-control-postcode input"), { back: true });
  await page.keyboard.type("MB3 4AB");
  await page.keyboard.press("Enter");
  now = await w.nextStep(now.step);
  library.steps.age = now;
  await w.choose("35-44");
  now = await w.nextStep(now.step);
  library.steps.review = now;
  await w.axe("review");

  // The transcript by arrow keys, and focus that stays put while a message arrives (the forged answer's reply).
  await w.tabTo(() => document.activeElement.classList.contains("hys-message"), { back: true });
  const lastArticle = await w.focused();
  await page.keyboard.press("ArrowUp");
  const afterUp = await w.focused();
  await page.keyboard.press("Home");
  const atHome = await page.evaluate(() => document.activeElement === document.querySelector(".hys-message"));
  await page.keyboard.press("End");
  const atEnd = await page.evaluate(() => { const all = document.querySelectorAll(".hys-message"); return document.activeElement === all[all.length - 1]; });
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  const reading = await page.evaluate(() => { const all = [...document.querySelectorAll(".hys-message")]; return all.indexOf(document.activeElement); });
  const tabStops = await page.evaluate(() => [...document.querySelectorAll(".hys-message")].filter((a) => a.tabIndex === 0).length);

  // A forged late answer to the scale question, from a second socket in the same session.
  n = await w.bots();
  const forged = await page.evaluate(async ([step]) => {
    const server = document.querySelector("script[data-server]").getAttribute("data-server");
    const session = sessionStorage.getItem("hys-session-id");
    const socket = window.io(server, { path: "/socket.io", transports: ["websocket"], forceNew: true });
    await new Promise((ok, fail) => { socket.on("connect", ok); socket.on("connect_error", fail); });
    const confirmed = new Promise((ok) => socket.on("session_confirm", ok));
    socket.emit("session_request", { session_id: session });
    await confirmed;
    const reply = new Promise((ok) => socket.on("bot_uttered", ok));
    socket.emit("user_uttered", { message: "Very dissatisfied", session_id: session, metadata: { question: step } });
    const data = await Promise.race([reply, new Promise((ok) => setTimeout(() => ok(null), 20000))]);
    socket.disconnect();
    return data;
  }, [scaleStep]);
  await w.waitForBot(n);
  step("transcript by keyboard", {
    lastArticle: lastArticle.cls, up: afterUp.cls, atHome, atEnd, tabStops,
    focusStayed: await page.evaluate((index) => [...document.querySelectorAll(".hys-message")].indexOf(document.activeElement) === index, reading),
  });
  step("forged late answer", { reply: forged, shown: await page.locator(".hys-bot .hys-text").last().textContent(),
    stillLive: (await w.current()).step === now.step });

  // Submit from the review: Tab on from the message being read.
  n = await w.bots();
  await w.choose("Submit", { back: false });
  await w.waitForBot(n, "Your reference is");
  library.receipt = await page.locator(".hys-bot .hys-text", { hasText: "Your reference is" }).last().textContent();
  step("library", library);

  // --- Harbour Road cycle lane: checkboxes, limited to 3 -------------------------------------------
  const harbour = { steps: {} };
  await page.keyboard.type("I want to have my say on the harbour road cycle lane");
  await page.keyboard.press("Enter");
  now = await w.nextStep(null);
  await w.choose("Yes, I agree");
  now = await w.nextStep(now.step);
  await w.choose("No");
  now = await w.nextStep(now.step);
  await w.choose("No");
  now = await w.nextStep(now.step);
  harbour.steps.scale = now;
  await w.choose("Agree");
  now = await w.nextStep(now.step);
  await w.choose("Option A - kerb-separated lane");
  now = await w.nextStep(now.step);
  harbour.steps.multi = now;
  await w.axe("question: multi");
  const box = (label) => new Function(`const el = document.activeElement; return el.matches(".hys-check input") && !el.closest(".hys-stale") && el.labels[0].textContent === ${JSON.stringify(label)};`);
  await w.tabTo(box("Loss of parking"), { back: true });
  await page.keyboard.press("Space");
  await w.tabTo(box("Cost"));
  await page.keyboard.press("Space");
  await w.tabTo(box("Pedestrian safety"));
  await page.keyboard.press("Space");
  harbour.afterThree = await page.evaluate(() => {
    const control = document.querySelector(".hys-control-multi:not(.hys-stale)");
    return { disabled: [...control.querySelectorAll("input:disabled")].map((b) => b.labels[0].textContent), count: control.querySelector(".hys-count").textContent };
  });
  if (screenshot) {  // for docs/widget.md: the question and its checkboxes in view
    await page.evaluate(() => [...document.querySelectorAll(".hys-bot[data-step]")].pop().scrollIntoView({ block: "start" }));
    await page.locator(".hys-panel").screenshot({ path: screenshot });
  }
  await w.tabTo(() => document.activeElement.matches(".hys-control-multi .hys-primary"));
  await page.keyboard.press("Enter");
  harbour.multiShown = await page.locator(".hys-user .hys-text").last().textContent();
  now = await w.nextStep(now.step);
  await w.tabTo(() => document.activeElement.matches(".hys-skip") && !document.activeElement.closest(".hys-stale"), { back: true });
  await page.keyboard.press("Enter");  // trips: skipped
  now = await w.nextStep(now.step);
  await w.choose("Yes");
  now = await w.nextStep(now.step);
  await w.tabTo(() => document.activeElement.matches(".hys-skip") && !document.activeElement.closest(".hys-stale"), { back: true });
  await page.keyboard.press("Enter");  // comments: skipped
  now = await w.nextStep(now.step);
  await w.tabTo(() => document.activeElement.matches(".hys-skip") && !document.activeElement.closest(".hys-stale"), { back: true });
  await page.keyboard.press("Enter");  // postcode: skipped
  now = await w.nextStep(now.step);
  await w.choose("Prefer not to say");
  now = await w.nextStep(now.step);
  n = await w.bots();
  await w.choose("Submit");
  await w.waitForBot(n, "Your reference is");
  harbour.receipt = await page.locator(".hys-bot .hys-text", { hasText: "Your reference is" }).last().textContent();
  step("harbour", harbour);

  // What the live region said, in order, against every message in the transcript.
  step("announcements", await page.evaluate(() => ({
    announced: window.__announced,
    messages: [...document.querySelectorAll(".hys-bot")].map((article) => ({
      text: article.querySelector(".hys-text").textContent,
      options: [...article.querySelectorAll(".hys-option, .hys-reply, .hys-check label, .hys-rank-label")].map((o) => o.textContent),
      answered: !!article.querySelector(".hys-answer"),
    })),
  })));

  // Motion, forced colours and the focus ring on a live control.
  const motion = async () => page.evaluate(() => getComputedStyle(document.querySelector(".hys-typing span")).animationName);
  const normalMotion = await motion();
  await page.emulateMedia({ reducedMotion: "reduce" });
  const reducedMotion = await motion();
  await page.emulateMedia({ reducedMotion: null, forcedColors: "active" });
  const forcedFocus = await w.tabTo(() => document.activeElement.classList.contains("hys-reply") && !document.activeElement.disabled, { back: true });
  // Bubbles are told apart by colour alone, until forced colours draw their borders.
  const forcedBorder = await page.evaluate(() => { const s = getComputedStyle(document.querySelector(".hys-bot .hys-text")); return s.borderTopStyle + " " + s.borderTopWidth; });
  await page.emulateMedia({ forcedColors: "none" });
  step("media", { normalMotion, reducedMotion, forcedFocus: forcedFocus.outline, forcedBorder });

  const session = await page.evaluate(() => ({ session: sessionStorage.getItem("hys-session-id"), local: Object.keys(localStorage) }));
  const before = await page.locator(".hys-message").count();
  await page.reload({ waitUntil: "load" });
  step("reload keeps the conversation", { ...session,
    sameSession: await page.evaluate(() => sessionStorage.getItem("hys-session-id")),
    restored: await page.locator(".hys-message").count(), before,
    liveControls: await page.locator(".hys-message button:not(:disabled)").count() });

  await w.tabTo(() => document.activeElement.classList.contains("hys-launcher"), { max: 30 });
  await page.keyboard.press("Enter");
  await page.keyboard.press("Escape");
  step("escape closes and returns focus", { focus: (await w.focused()).cls,
    expanded: await page.evaluate(() => document.querySelector(".hys-launcher").getAttribute("aria-expanded")) });
  await page.context().close();
}

// --- links: deep links, reload mid-response, save and finish later, start again ----------------------

async function linkSession() {
  const page = await newPage();
  const w = on(page);
  await page.goto(base + "/demo?consultation=market-square-events", { waitUntil: "load" });
  await w.waitForBot(0);
  step("deep link by ?consultation=", { first: await page.locator(".hys-bot .hys-text").first().textContent(),
    open: await page.evaluate(() => !document.querySelector(".hys-panel").hidden), focus: (await w.focused()).tag,
    userMessages: await page.locator(".hys-user").count() });

  // "Have my say", agree; then reload: the chat reopens on the same step, with a live control.
  let n = await w.bots();
  await w.tabTo(() => document.activeElement.classList.contains("hys-reply") && document.activeElement.textContent === "Have my say");
  await page.keyboard.press("Enter");
  let now = await w.nextStep(null);
  await w.choose("Yes, I agree");
  now = await w.nextStep(now.step);
  const quote = now;
  n = await w.bots();
  await page.reload({ waitUntil: "load" });  // the link still has ?consultation=, so the chat opens by itself
  const again = await w.nextStep(null);
  step("reopened mid-response", { before: quote.step, after: again.step,
    newMessages: await page.evaluate((count) => [...document.querySelectorAll(".hys-bot .hys-text")].slice(count).map((t) => t.textContent), n) });

  // Save and finish later, from the message box by keyboard.
  n = await w.bots();
  await w.tabTo(() => document.activeElement.textContent === "Save and finish later", { back: true });
  await page.keyboard.press("Enter");
  await w.waitForBot(n);
  const paused = await page.locator(".hys-bot .hys-text").last().textContent();

  // Start again: asks first, then a new session whose chat opens on the page's consultation again.
  const oldSession = await page.evaluate(() => sessionStorage.getItem("hys-session-id"));
  await w.tabTo(() => document.activeElement.textContent === "Start again", { back: true });
  await page.keyboard.press("Enter");
  const asked = await page.evaluate(() => ({ visible: !document.querySelector(".hys-confirm").hidden, focus: document.activeElement.textContent }));
  await page.keyboard.press("Enter");
  await w.waitForBot(0);
  step("save and start again", { paused, asked,
    newSession: await page.evaluate((old) => { const id = sessionStorage.getItem("hys-session-id"); return !!id && id !== old; }, oldSession),
    first: await page.locator(".hys-bot .hys-text").first().textContent(), messages: await page.locator(".hys-message").count(),
    focus: (await w.focused()).id });

  // A page about one consultation (data-consultation on the script tag): the launcher opens on it.
  const page2 = await newPage();
  const w2 = on(page2);
  await page2.goto(base + "/demo/library-opening-hours", { waitUntil: "load" });
  const closedAtFirst = await page2.evaluate(() => document.querySelector(".hys-panel").hidden);
  await w2.tabTo(() => document.activeElement.classList.contains("hys-launcher"), { max: 40 });
  await page2.keyboard.press("Enter");
  await w2.waitForBot(0);
  step("deep link by data-consultation", { closedAtFirst, first: await page2.locator(".hys-bot .hys-text").first().textContent() });

  // A card on the demo page: the link opens the chat on that consultation, in the same session.
  await page2.goto(base + "/demo", { waitUntil: "load" });
  n = await w2.bots();
  await w2.tabTo(() => document.activeElement.getAttribute("data-hys-consultation") === "harbour-road-cycle-lane", { max: 40 });
  await page2.keyboard.press("Enter");
  await w2.waitForBot(n);
  step("card link", { url: page2.url(), latest: await page2.locator(".hys-bot .hys-text").last().textContent(), focus: (await w2.focused()).id });
  await page.context().close();
  await page2.context().close();
}

// --- offline: the error state -----------------------------------------------------------------------

async function offlineSession() {
  const page = await newPage({ offline: true });
  const w = on(page);
  await page.goto(base + "/demo", { waitUntil: "load" });
  await page.waitForFunction(() => typeof window.io === "function");
  await page.context().setOffline(true);
  await w.tabTo(() => document.activeElement.classList.contains("hys-launcher"), { max: 30 });
  await page.keyboard.press("Enter");
  await page.waitForSelector(".hys-status.hys-error button", { timeout: 60000 });
  await w.axe("error");
  step("offline", { text: await page.locator(".hys-status").textContent(),
    announced: await page.evaluate(() => window.__announced.filter((a) => a.includes("can't reach")).length) });
  await page.context().close();
}

try {
  await residentSession();
  await linkSession();
  await offlineSession();
} catch (error) {
  const transcript = lastPage ? await lastPage.evaluate(() => [...document.querySelectorAll(".hys-message")].slice(-6).map((m) => m.textContent)).catch(() => []) : [];
  step("error", { message: String(error && error.stack || error), transcript });
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
