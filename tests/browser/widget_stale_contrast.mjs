// The widget's stylesheet on retired ("stale") controls, in headless Chromium: a control whose step was answered by
// typing stays in the transcript, faded and disabled; its hint and count are text, so axe-core's colour-contrast
// rule must pass on them. The markup is the shape haveyoursay.js builds (fieldset/form.hys-control in a bot message).
// Prints one JSON object: {axeVersion, violations, passed: [selectors of text that passed]}.
// Usage: node tests/browser/widget_stale_contrast.mjs
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const css = new URL("../../actions/portal/static/widget/haveyoursay.css", import.meta.url).pathname;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const message = (control) => `
  <article class="hys-message hys-bot" tabindex="-1">
    <p class="hys-meta"><span class="hys-who">Assistant said:</span></p>
    <div class="hys-text">Question 1 of 2\nWhich of these do you use?</div>
    ${control}
  </article>`;
await page.setContent(`<!doctype html><html lang="en"><head><title>Stale controls</title></head><body>
  <aside class="hys-root" aria-label="Chat: Have your say"><section class="hys-panel" id="hys-panel">
    <div class="hys-log" role="region" aria-label="Conversation">
      ${message(`<fieldset class="hys-control hys-control-multi hys-stale"><legend class="hys-sr">Choose</legend>
        <p class="hys-hint" id="hint-multi">Choose up to 3, then Done.</p>
        <div class="hys-check"><input type="checkbox" id="c1" disabled><label for="c1">Bus</label></div>
        <p class="hys-count" id="count-multi">0 of 3 chosen</p>
        <button type="button" class="hys-primary" disabled>Done</button></fieldset>`)}
      ${message(`<form class="hys-control hys-control-text hys-stale" novalidate>
        <p class="hys-hint" id="hint-text">Up to 2,000 characters.</p>
        <textarea aria-label="Your answer" disabled></textarea>
        <p class="hys-count" id="count-text">0 of 2,000 characters</p>
        <button type="button" class="hys-primary" disabled>Send</button></form>`)}
    </div></section></aside></body></html>`);
await page.addStyleTag({ path: css });
await page.evaluate(axeSource);
const result = await page.evaluate(async () => await window.axe.run(document, { runOnly: ["color-contrast"], resultTypes: ["violations", "passes"] }));
console.log(JSON.stringify({
  axeVersion: await page.evaluate(() => window.axe.version),
  violations: result.violations.flatMap((v) => v.nodes.map((n) => ({ id: v.id, target: n.target.join(" "), summary: n.failureSummary }))),
  passed: result.passes.flatMap((p) => p.nodes.map((n) => n.target.join(" "))),
}));
await browser.close();
