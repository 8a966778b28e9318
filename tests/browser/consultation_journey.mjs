// Issue 18 from start to finish in headless Chromium, against one running portal, Rasa server and action server:
// an officer builds a consultation in the editor (one question of every type, an "other, please specify" option
// and a skip condition), saves a draft, asks the live preview "what is this about", and publishes it; a resident
// then answers it in the website widget on /demo/<slug>, typing every answer in their own words into the message
// box, and submits it; the officer downloads the CSV export. axe-core runs on each page visited.
// Prints one JSON object: {steps: [...], consoleErrors, failedRequests}.
// Usage: node tests/browser/consultation_journey.mjs '{"base": ..., "email": ..., "password": ..., "slug": ...,
//          "title": ..., "summary": ..., "questions": [...], "about": "...", "answers": [...]}'
import { chromium } from "playwright-core";
import { editorSteps } from "./editor_steps.mjs";

const config = JSON.parse(process.argv[2]);
const report = { steps: [], consoleErrors: [], failedRequests: [] };
const started = Date.now();
const step = (name, data) => report.steps.push({ name, ...data, ms: Date.now() - started });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function newPage() {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" })).newPage();
  page.setDefaultTimeout(90000);  // a loaded CI machine can take longer than Playwright's 30 s
  page.on("console", (m) => { if (m.type() === "error" && !m.text().includes("status of 400 (Bad Request)")) report.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => report.consoleErrors.push(String(e)));
  page.on("response", (r) => {
    if (r.status() >= 400 && !(r.status() === 400 && r.request().method() === "POST")) report.failedRequests.push(`${r.status()} ${r.url()}`);
  });
  return page;
}

// The chat on a page (the preview page and the demo page carry the same widget).
function chat(page) {
  const bots = () => page.locator(".hys-bot").count();
  const botTexts = () => page.locator(".hys-bot .hys-text").allTextContents();
  // Wait for a reply after ``count`` assistant messages (containing ``text``, if given), then for the assistant to go quiet.
  async function waitForBot(count, text) {
    await page.waitForFunction(([n, t]) => {
      const all = [...document.querySelectorAll(".hys-bot")];
      return all.length > n && (!t || all.slice(n).some((b) => b.textContent.includes(t)));
    }, [count, text], { timeout: 60000 });
    let seen = -1;
    while (seen !== (await bots())) { seen = await bots(); await page.waitForTimeout(800); }
    return (await botTexts()).slice(count).join("\n");
  }
  // Type ``text`` into the message box and send it with Enter, as a resident would: no buttons.
  async function say(text, expect) {
    const before = await bots();
    await page.focus("#hys-input");
    await page.keyboard.type(text);
    await page.keyboard.press("Enter");
    return waitForBot(before, expect);
  }
  return { bots, botTexts, waitForBot, say };
}

const officer = await newPage();
const resident = await newPage();
let current = officer;
try {
  // --- The officer builds the consultation in the editor and saves a draft ------------------------------
  const editor = editorSteps(officer);
  await editor.signIn(config.base, config.email, config.password);
  await editor.submit(officer.getByRole("link", { name: "New consultation" }));
  step("new page", await editor.axe());
  await officer.fill("#slug", config.slug);
  await officer.fill("#title", config.title);
  await officer.fill("#summary", config.summary);
  await officer.fill("#opens", config.opens);
  await officer.fill("#closes", config.closes);
  await officer.check("#wards-all");
  await officer.fill("#topics", "transport");
  for (const [index, q] of config.questions.entries()) await editor.addQuestion({ ...q, index });
  step("form with every type", await editor.axe());
  await editor.submit(editor.button("Save").first());
  step("draft saved", { ...(await editor.axe()), url: officer.url(), flash: await editor.flash(),
    status: (await officer.locator("#status").textContent()).replace(/\s+/g, " ").trim() });

  // --- The live preview: the real assistant on the draft --------------------------------------------------
  await editor.submit(officer.getByRole("link", { name: "Preview", exact: true }));
  const preview = chat(officer);
  const opening = await preview.waitForBot(0, config.summary);
  step("preview page", { ...(await editor.axe()), h1: (await officer.locator("h1").textContent()).trim(), opening });
  step("preview: what is this about", { reply: await preview.say(config.about, config.summary) });

  // --- Publish, with its confirmation page ----------------------------------------------------------------
  await officer.goto(`${config.base}/consultations/${config.slug}/edit`);
  await editor.submit(officer.getByRole("link", { name: "Publish", exact: true }));
  step("publish page", { ...(await editor.axe()), h1: (await officer.locator("h1").textContent()).trim() });
  await editor.submit(editor.button("Publish it"));
  step("published", { flash: await editor.flash(), status: (await officer.locator("#status").textContent()).replace(/\s+/g, " ").trim() });

  // --- A resident answers it in the widget on the council's page, in their own words ----------------------
  current = resident;
  const widget = chat(resident);
  const residentAxe = editorSteps(resident).axe;
  await resident.goto(`${config.base}/demo/${config.slug}`, { waitUntil: "load" });
  step("demo page", { ...(await residentAxe()), h1: (await resident.locator("h1").textContent()).trim() });
  await resident.locator(".hys-launcher").click();
  const greeting = await widget.waitForBot(0, config.title);
  const transcript = [];
  for (const answer of config.answers) {
    const reply = await widget.say(answer);
    transcript.push({ said: answer, reply, controls: await resident.locator(".hys-control:not(.hys-stale)").count() });
    if (transcript.length === config.axeAfter) step("widget at a question", await residentAxe());
  }
  step("widget after submitting", await residentAxe());
  step("widget", {
    greeting, transcript,
    allBotTexts: await widget.botTexts(),
    userTexts: await resident.locator(".hys-user .hys-text").allTextContents(),  // each typed into #hys-input
  });

  // --- The officer downloads the CSV export from the portal ------------------------------------------------
  current = officer;
  await officer.goto(`${config.base}/consultations/${config.slug}`);
  step("results page", await editor.axe());
  const download = await officer.request.get(`${config.base}/consultations/${config.slug}/export?format=csv`);
  step("export", { status: download.status(), type: download.headers()["content-type"], csv: await download.text() });
} catch (error) {
  step("error", { message: String(error && error.stack || error), url: current.url(),
    last: await current.locator(".hys-bot .hys-text").allTextContents().then((t) => t.slice(-4)).catch(() => []) });
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
