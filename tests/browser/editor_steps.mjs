// Steps in the portal's consultation editor, shared by the browser tests that build a consultation
// (editor.mjs, consultation_journey.mjs). Each works on one Playwright page.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export function editorSteps(page) {
  // axe-core's serious and critical violations on the page as it is now (injected via DevTools: CSP stays on).
  async function axe() {
    if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    return {
      axeVersion: await page.evaluate(() => window.axe.version),
      violations: result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })),
    };
  }
  const submit = async (locator) => { await Promise.all([page.waitForNavigation(), locator.click()]); };
  const button = (name) => page.getByRole("button", { name, exact: true });
  const focused = () => page.evaluate(() => document.activeElement && document.activeElement.id);
  const flash = async () => (await page.locator("[role=status]").count()) ? (await page.locator("[role=status]").first().textContent()).trim() : null;

  async function signIn(base, email, password) {
    await page.goto(base + "/login");
    await page.fill("#email", email);
    await page.fill("#password", password);
    await submit(page.locator("button[type=submit]"));
  }

  // Add question row ``q.index`` with the editor's button and fill it in; returns the id focused on arrival.
  async function addQuestion(q) {
    await submit(button("Add a question"));
    const n = q.index;
    // Chromium applies autofocus at its next rendering step, which can come after the load event that ends the
    // navigation: wait for it (briefly), or the first keystrokes go to the body and the id loses its first letters.
    await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, `questions-${n}-id`,
      { timeout: 5000 }).catch(() => {});
    const autofocused = await focused();
    await page.keyboard.type(q.id);  // the new row's first field has the keyboard
    await page.selectOption(`#questions-${n}-type`, q.type);
    await page.fill(`#questions-${n}-text`, q.text);
    for (const [i, label] of (q.options || []).entries()) {
      if (i >= 2) await submit(button(`Add an option to question ${n + 1}`));
      await page.fill(`#questions-${n}-options-${i}-label`, label);
    }
    if (q.other !== undefined) {
      await page.check(`#questions-${n}-other`);
      await page.fill(`#questions-${n}-other_label`, q.other);
    }
    for (const [field, value] of Object.entries(q.fields || {})) await page.fill(`#questions-${n}-${field}`, value);
    if (q.scale) await page.selectOption(`#questions-${n}-scale`, q.scale);
    if (q.askIf) {
      await page.selectOption(`#questions-${n}-ask_if_question`, q.askIf.question);
      await page.selectOption(`#questions-${n}-ask_if_test`, q.askIf.test);
      await page.fill(`#questions-${n}-ask_if_value`, q.askIf.value);
    }
    return autofocused;
  }

  return { axe, submit, button, focused, flash, signIn, addQuestion };
}
