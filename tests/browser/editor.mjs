// An officer builds a consultation in the portal's editor in headless Chromium: one question of every type,
// "other, please specify" and a skip condition, adding rows with the editor's own buttons; a validation error
// is reached and fixed by keyboard; then it is published. axe-core runs on every editor page.
// Prints one JSON object: {steps: [...], consoleErrors, failedRequests}.
// Usage: node tests/browser/editor.mjs '{"base": "...", "email": "...", "password": "...", "slug": "..."}'
import { chromium } from "playwright-core";
import { editorSteps } from "./editor_steps.mjs";

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
// A form sent back with its errors is a 400 (the validation step below), which Chromium also logs.
page.on("console", (m) => { if (m.type() === "error" && !m.text().includes("status of 400 (Bad Request)")) report.consoleErrors.push(m.text()); });
page.on("pageerror", (e) => report.consoleErrors.push(String(e)));
page.on("response", (r) => {
  if (r.status() >= 400 && !(r.status() === 400 && r.request().method() === "POST")) report.failedRequests.push(`${r.status()} ${r.url()}`);
});

const { axe, submit, button, focused, flash, signIn, addQuestion } = editorSteps(page);

try {
  await signIn(config.base, config.email, config.password);

  await submit(page.getByRole("link", { name: "New consultation" }));
  step("new page", { ...(await axe()), url: page.url() });
  await page.fill("#slug", config.slug);
  await page.fill("#title", "Ferry terminal travel survey");
  await page.fill("#opens", "2026-11-01");
  await page.fill("#closes", "2026-12-20");
  await page.check("#wards-all");
  await page.fill("#topics", "transport");
  // Repeated groups, without the script's help: a FAQ row.
  await button("Add an FAQ").focus();
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);  // by keyboard
  step("faq row focused", { focused: await focused() });
  await page.fill("#faqs-0-question", "When will the new timetable start?");
  await page.fill("#faqs-0-answer", "In April 2027.");

  const questions = [
    { index: 0, id: "drives", type: "yesno", text: "Do you drive to the ferry?" },
    { index: 1, id: "travel", type: "multi", text: "How else do you travel to the ferry?", options: ["Bus", "Bicycle", "Walking"], other: "" },
    { index: 2, id: "parking", type: "scale", text: "How satisfied are you with parking at the terminal?", scale: "satisfied5",
      askIf: { question: "drives", test: "is", value: "Yes" } },
    { index: 3, id: "season", type: "choice", text: "When do you travel most?", options: ["Summer", "Winter"], other: "Something else" },
    { index: 4, id: "priorities", type: "rank", text: "Put these in order of importance.", options: ["Price", "Speed"] },
    { index: 5, id: "trips", type: "number", text: "How many trips do you make a month?", fields: { min: "0", max: "100" } },
    { index: 6, id: "comments", type: "text", text: "Anything else you want to tell us?" },
  ];
  const autofocus = [];
  for (const q of questions) autofocus.push(await addQuestion(q));
  step("questions added", { autofocus });
  // The script shows only the fields a type uses.
  step("fields by type", {
    yesnoOptionsHidden: await page.locator("#questions-0-options").isHidden(),
    multiOptionsVisible: await page.locator("#questions-1-options").isVisible(),
    numberMinVisible: await page.locator("#questions-5-min").isVisible(),
  });
  step("form with every type", await axe());

  // No summary yet: a validation error, reached and fixed by keyboard.
  await submit(button("Save").first());
  step("error page", {
    ...(await axe()),
    summary: (await page.locator(".error-summary li").allTextContents()).map((t) => t.trim()),
    focused: await focused(),
    fieldMessage: (await page.locator("#summary-error").textContent()).trim(),
  });
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  step("summary link followed", { focused: await focused() });
  await page.keyboard.type("We want your views on a new ferry timetable and on parking at the terminal.");
  await submit(button("Save").first());
  step("saved", { ...(await axe()), url: page.url(), flash: await flash() });

  step("preview slot", { href: await page.getByRole("link", { name: "Preview", exact: true }).getAttribute("href") });
  await submit(page.getByRole("link", { name: "Publish", exact: true }));
  step("publish page", { ...(await axe()), h1: (await page.locator("h1").textContent()).trim() });
  await button("Publish it").focus();
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Space")]);  // by keyboard
  step("published", { flash: await flash(), status: (await page.locator("#status").textContent()).replace(/\s+/g, " ").trim() });

  await submit(page.getByRole("link", { name: "Version history" }));
  step("history page", { ...(await axe()), versions: await page.locator("section.version h2").allTextContents() });
  await page.goto(`${config.base}/consultations/${config.slug}/archive`);
  step("archive page", await axe());
  await page.goto(`${config.base}/consultations/${config.slug}/duplicate`);
  step("duplicate page", await axe());
  await page.goto(`${config.base}/consultations/import`);
  step("import page", await axe());
} catch (error) {
  step("error", { message: String(error), url: page.url() });
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
