// Drives the real VS Code (code-server, already started by tests/editors/test_vscode.py)
// in headless Chromium through playwright-core, as a person would: opens a dangerous
// document and a theorem document, looks at squiggles, the Problems panel, hovers, the
// Formalize code action, the Lean preview and the texlean status-bar item.
//
// Input (environment): E2E_URL (code-server with ?folder=…), E2E_ARTIFACTS (folder for
// screenshots and result.json), PLAYWRIGHT_CORE (the playwright-core package folder),
// CHROMIUM (the browser executable).
// Output: E2E_ARTIFACTS/result.json, {steps: [{name, ok, ms, detail}], ok}; exit status 0
// when every step passed. The Python test asserts on the steps (and on the disk).
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

const URL = process.env.E2E_URL;
const OUT = process.env.E2E_ARTIFACTS;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const LONG = 60_000; // the first analysis waits for code-server, the extension and Python
const SHORT = 15_000;

const steps = [];
let page;

function save() {
  const ok = steps.length > 0 && steps.every((s) => s.ok);
  fs.writeFileSync(path.join(OUT, "result.json"), JSON.stringify({ ok, steps }, null, 2));
  return ok;
}

async function shot(name) {
  try {
    await page.screenshot({ path: path.join(OUT, `${name}.png`) });
  } catch (err) {
    console.error(`screenshot ${name}: ${err.message}`);
  }
}

/** Run one step: record its result and a screenshot; a failed step stops the run. */
async function step(name, fn) {
  const t0 = Date.now();
  try {
    const detail = await fn();
    steps.push({ name, ok: true, ms: Date.now() - t0, detail: detail ?? null });
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    await shot(name);
  } catch (err) {
    steps.push({ name, ok: false, ms: Date.now() - t0, detail: String(err && err.stack ? err.stack : err) });
    console.log(`FAIL ${name}: ${err.message}`);
    await shot(`${name}-failed`);
    throw err;
  }
}

/** A tab's text is its name and extension in two spans ("theorems" ".tex"). */
function tabText(file) {
  return new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\./g, "\\s*\\."));
}

async function quickOpen(file) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: SHORT });
  await input.fill(file);
  // click the file's own row (Enter could take a row of the list before it was filtered)
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: tabText(file) }).first();
  await row.waitFor({ timeout: SHORT });
  await row.click();
  await page.locator(".tab.active", { hasText: tabText(file) }).first().waitFor({ timeout: SHORT });
  await page.locator(".editor-instance .view-lines").first().waitFor({ timeout: SHORT });
}

async function command(title) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+Shift+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: SHORT });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ timeout: SHORT });
  await page.keyboard.press("Enter");
}

/** The on-screen line of the active editor whose text contains `needle`. */
function viewLine(needle) {
  return page.locator(".editor-instance.active .view-line, .editor-group-container.active .view-line", { hasText: needle }).first();
}

async function hoverText(x, y) {
  await page.mouse.move(1, 1);
  await page.waitForTimeout(200);
  await page.mouse.move(x, y, { steps: 4 });
  const hover = page.locator(".monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents").first();
  await hover.waitFor({ state: "visible", timeout: SHORT });
  await page.waitForTimeout(500); // the contents render in parts
  return (await hover.innerText()).trim();
}

/** Restricted Mode: the workspace is untrusted and its settings name another server. */
async function restricted() {
  await step("r1-restricted-mode", async () => {
    const indicator = page.locator(".statusbar-item", { hasText: "Restricted Mode" }).first();
    await indicator.waitFor({ timeout: LONG });
    return { indicator: (await indicator.innerText()).trim() };
  });
  await step("r2-diagnostics-from-the-user-server", async () => {
    await quickOpen("looks-dangerous.tex");
    const squiggle = page.locator(".editor-instance .squiggly-error, .editor-instance .squiggly-warning");
    await squiggle.first().waitFor({ state: "attached", timeout: LONG });
    await page
      .locator(".statusbar-item:has-text('texlean') .codicon-check")
      .first()
      .waitFor({ state: "attached", timeout: LONG });
    return { squiggles: await squiggle.count() };
  });
}

/** Everything a person does with a dangerous document and a theorem document. */
async function everything() {
  await step("02-dangerous-squiggles", async () => {
    await quickOpen("looks-dangerous.tex");
    const mode = (await page.locator('[id="status.editor.mode"]').innerText({ timeout: SHORT })).trim();
    const squiggle = page.locator(".editor-instance .squiggly-error, .editor-instance .squiggly-warning, .editor-instance .squiggly-info");
    await squiggle.first().waitFor({ state: "attached", timeout: LONG });
    const count = await squiggle.count();
    const problems = (await page.locator('[id="status.problems"]').innerText()).trim();
    return { language: mode, squiggles: count, problemsStatus: problems };
  });

  await step("03-status-bar-item", async () => {
    const item = page.locator(".statusbar-item", { hasText: "texlean" }).first();
    await item.waitFor({ state: "visible", timeout: SHORT });
    // ready once the server answered; the icon is a codicon, so look at its class
    await page
      .locator(".statusbar-item:has-text('texlean') .codicon-check")
      .first()
      .waitFor({ state: "attached", timeout: LONG });
    const box = await item.boundingBox();
    let tooltip = "";
    for (let attempt = 0; attempt < 4 && !/cache/.test(tooltip); attempt++) {
      await page.mouse.move(1, 1);
      await page.waitForTimeout(300);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 3 });
      const hover = page.locator(".monaco-hover:not(.hidden), .workbench-hover").first();
      try {
        await hover.waitFor({ state: "visible", timeout: 5000 });
        await page.waitForTimeout(400);
        tooltip = (await hover.innerText()).trim();
      } catch {
        tooltip = "";
      }
    }
    if (!/cache/.test(tooltip)) throw new Error(`the tooltip shows no cache figures: ${JSON.stringify(tooltip)}`);
    const text = (await item.innerText()).trim();
    return { text, aria: await item.getAttribute("aria-label"), tooltip };
  });

  await step("04-security-hover", async () => {
    const squiggle = page.locator(".editor-instance .squiggly-error, .editor-instance .squiggly-warning").first();
    const box = await squiggle.boundingBox();
    if (!box) throw new Error("the squiggle has no box");
    const text = await hoverText(box.x + box.width / 2, box.y + box.height / 2);
    if (!/SEC\d+|texlean/i.test(text)) throw new Error(`hover shows no texlean finding: ${JSON.stringify(text)}`);
    return { text };
  });

  await step("05-problems-panel", async () => {
    await page.mouse.move(1, 1);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+Shift+M");
    const rows = page.locator(".markers-panel .monaco-list-row");
    await rows.first().waitFor({ timeout: SHORT });
    await page.waitForTimeout(500);
    const texts = await rows.allInnerTexts();
    if (!texts.some((t) => /SEC\d+/.test(t))) throw new Error(`no SEC row in the Problems panel: ${JSON.stringify(texts)}`);
    await page.keyboard.press("Control+Shift+M"); // close it again
    return { rows: texts.map((t) => t.replace(/\s+/g, " ").trim()) };
  });

  await step("06-theorem-hover", async () => {
    await quickOpen("theorems.tex");
    const line = viewLine("\\begin{theorem}");
    await line.waitFor({ timeout: SHORT });
    // hover on the word "theorem" inside \begin{theorem}
    const word = line.locator("span", { hasText: "theorem" }).first();
    const box = (await word.count()) > 0 ? await word.boundingBox() : await line.boundingBox();
    const x = box.x + Math.min(box.width / 2, 60);
    let text = "";
    // the server's first translation of the document may still be running: retry
    for (let attempt = 0; attempt < 5 && !/theorem/.test(text); attempt++) {
      try {
        text = await hoverText(x, box.y + box.height / 2);
      } catch {
        text = "";
      }
    }
    if (!/Lean 4/.test(text) || !/theorem/.test(text)) {
      throw new Error(`hover shows no Lean preview: ${JSON.stringify(text)}`);
    }
    const code = await page.locator(".monaco-hover:not(.hidden) code, .monaco-hover:not(.hidden) .monaco-tokenized-source").count();
    return { text, codeBlocks: code };
  });

  await step("07-formalize-code-action", async () => {
    await page.mouse.move(1, 1);
    await page.keyboard.press("Escape");
    const line = viewLine("\\begin{theorem}");
    const box = await line.boundingBox();
    await page.mouse.click(box.x + 40, box.y + box.height / 2); // the cursor inside \begin{theorem}
    await page.waitForTimeout(300);
    let titles = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      await page.keyboard.press("Control+.");
      const menu = page.locator(".action-widget");
      try {
        await menu.locator(".monaco-list-row").first().waitFor({ timeout: 8000 });
      } catch {
        await page.keyboard.press("Escape");
        continue;
      }
      titles = (await menu.locator(".monaco-list-row").allInnerTexts()).map((t) => t.trim());
      const row = menu.locator(".monaco-list-row", { hasText: "Formalize to Lean 4 (" }).first();
      if ((await row.count()) > 0) {
        await shot("07-code-action-menu");
        await row.click();
        return { menu: titles };
      }
      await page.keyboard.press("Escape");
      await page.waitForTimeout(1000);
    }
    throw new Error(`no "Formalize to Lean 4" in the code action menu: ${JSON.stringify(titles)}`);
  });

  await step("08-lean-file-opened", async () => {
    // the action's edit creates theorems.lean; VS Code saves files a refactoring touched
    // (the Formalize action edits it in the background: open it to look)
    // it appears in the Explorer (Quick Open's file index may not list it yet)
    const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: tabText("theorems.lean") }).first();
    await row.waitFor({ timeout: SHORT });
    await row.click();
    await page.locator(".tab.active", { hasText: tabText("theorems.lean") }).first().waitFor({ timeout: SHORT });
    const editor = page.locator(".editor-group-container.active .view-lines", { hasText: "import Mathlib" }).first();
    await editor.waitFor({ timeout: SHORT });
    const dirty = await page.locator(".tab.active.dirty").count();
    return {
      tabs: (await page.locator(".tab").allInnerTexts()).map((t) => t.replace(/\s+/g, "")),
      text: (await editor.innerText()).slice(0, 2000),
      dirty: dirty > 0,
    };
  });

  await step("09-lean-preview-command", async () => {
    await quickOpen("theorems.tex");
    await command("texlean: Show Lean Preview");
    const editor = page.locator(".editor-group-container .view-lines", { hasText: "import Mathlib" }).first();
    await editor.waitFor({ timeout: SHORT });
    const text = await editor.innerText();
    if (!/theorem/.test(text)) throw new Error(`the preview shows no theorem: ${JSON.stringify(text.slice(0, 500))}`);
    return { text: text.slice(0, 2000) };
  });
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    page = await context.newPage();
    page.on("pageerror", (err) => console.error(`page error: ${err.message}`));

    await step("01-workbench", async () => {
      await page.goto(URL, { waitUntil: "domcontentloaded", timeout: LONG });
      await page.locator(".monaco-workbench").waitFor({ timeout: LONG });
      await page.locator(".explorer-folders-view, .explorer-viewlet, .pane-body").first().waitFor({ timeout: LONG });
      return await page.title();
    });

    if (process.env.E2E_SCENARIO === "restricted") {
      await restricted();
    } else {
      await everything();
    }
  } finally {
    save();
    await browser.close();
  }
}

main().then(
  () => process.exit(save() ? 0 : 1),
  (err) => {
    console.error(err && err.stack ? err.stack : String(err));
    try {
      save();
    } catch {}
    process.exit(1);
  },
);
