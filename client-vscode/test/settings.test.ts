import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { EXTENSION_SECTIONS, affectsLaunch, launchSetting, serverSettings } from "../src/settings";
import { statusText, statusTooltip } from "../src/status";

test("serverSettings keeps the server's sections as plain JSON", () => {
  const section = {
    diagnostics: { trigger: "save", debounceMs: 0, mode: "auto", maxCount: 1000 },
    rules: { SEC010: "error" },
    ignore: ["FRM001"],
    formalize: { header: ["import Mathlib"], vocabulary: { "\\R": "ℝ" } },
    server: { path: "/x/texlean serve" },
    python: { path: "/usr/bin/python3" },
    trace: { server: "verbose" },
    locale: "fr",
    get: () => 1, // a WorkspaceConfiguration's methods are not settings
    has: () => true,
    nothing: undefined,
    infinite: Number.POSITIVE_INFINITY,
  };
  assert.deepEqual(serverSettings(section), {
    diagnostics: { trigger: "save", debounceMs: 0, mode: "auto", maxCount: 1000 },
    rules: { SEC010: "error" },
    ignore: ["FRM001"],
    formalize: { header: ["import Mathlib"], vocabulary: { "\\R": "ℝ" } },
    locale: "fr",
  });
  assert.deepEqual(serverSettings(undefined), {});
  assert.deepEqual(serverSettings([1]), {});
  assert.deepEqual([...EXTENSION_SECTIONS], ["server", "python", "trace"]);
});

test("the contributed settings cover the server's, with nesting that serverSettings keeps", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as {
    contributes: { configuration: { properties: Record<string, { default: unknown }> } };
  };
  const nested: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(pkg.contributes.configuration.properties)) {
    const parts = key.split(".");
    assert.equal(parts.shift(), "texlean");
    let at = nested;
    for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
    at[parts[parts.length - 1]!] = spec.default;
  }
  const sent = serverSettings(nested);
  assert.deepEqual(Object.keys(sent).sort(), [
    "analysis",
    "assumeEngine",
    "assumeShellEscape",
    "diagnostics",
    "formalize",
    "ignore",
    "locale",
    "rules",
    "suppressionComments",
  ]);
  assert.deepEqual(sent.diagnostics, { trigger: "change", debounceMs: 150, mode: "auto", maxCount: 1000 });
  assert.deepEqual(sent.formalize, {
    hazards: true,
    header: ["import Mathlib"],
    output: "{stem}.lean",
    vocabulary: {},
    maxHazards: 50,
  });
});

test("launch settings: trusted workspaces use the usual precedence", () => {
  const all = { defaultValue: "", globalValue: "/user/texlean", workspaceValue: "/ws/texlean", workspaceFolderValue: undefined };
  assert.deepEqual(launchSetting(all, true), { value: "/ws/texlean", ignored: false });
  assert.deepEqual(launchSetting({ ...all, workspaceFolderValue: "/folder/texlean" }, true), {
    value: "/folder/texlean",
    ignored: false,
  });
  assert.deepEqual(launchSetting({ defaultValue: "", globalValue: "/user/texlean" }, true), {
    value: "/user/texlean",
    ignored: false,
  });
  assert.deepEqual(launchSetting({ defaultValue: "" }, true), { value: undefined, ignored: false });
  assert.deepEqual(launchSetting(undefined, true), { value: undefined, ignored: false });
});

test("launch settings: Restricted Mode honours only the user's value", () => {
  const all = { defaultValue: "", globalValue: "/user/texlean", workspaceValue: "/ws/evil" };
  assert.deepEqual(launchSetting(all, false), { value: "/user/texlean", ignored: true });
  assert.deepEqual(launchSetting({ defaultValue: "", workspaceFolderValue: "/ws/evil" }, false), {
    value: undefined,
    ignored: true,
  });
  assert.deepEqual(launchSetting({ defaultValue: "", globalValue: "/user/texlean" }, false), {
    value: "/user/texlean",
    ignored: false,
  });
  assert.deepEqual(launchSetting({ defaultValue: "", workspaceValue: "  " }, false), { value: undefined, ignored: false });
});

test("only the launch settings restart the server", () => {
  assert.equal(affectsLaunch((s) => s === "texlean.server.path"), true);
  assert.equal(affectsLaunch((s) => s === "texlean.python.path"), true);
  assert.equal(affectsLaunch((s) => s === "texlean.diagnostics"), false);
});

test("status bar text and tooltip", () => {
  assert.equal(statusText("ready"), "$(check) texlean");
  assert.equal(statusText("starting"), "$(sync~spin) texlean");
  assert.equal(statusText("error"), "$(error) texlean");
  const tooltip = statusTooltip("ready", {
    serverVersion: "0.1.0",
    openDocuments: 2,
    cache: { entries: 12, maxEntries: 5000, approxBytes: 3 * 1024 * 1024, hits: 40, misses: 12 },
    rssBytes: 85.5 * 1024 * 1024,
    lastAnalysis: { chunks: 10, reanalysed: 1, milliseconds: 2.345 },
  });
  assert.match(tooltip, /\*\*texlean\*\* — ready/);
  assert.match(tooltip, /server 0\.1\.0 · 2 open documents/);
  assert.match(tooltip, /cache: 12 entries of 5000 \(3\.0 MB\), 40 hits, 12 misses/);
  assert.match(tooltip, /memory: 85\.5 MB resident/);
  assert.match(tooltip, /last analysis: 2\.3 ms, 1 of 10 chunks analysed/);
  const starting = statusTooltip("error", undefined, "server not found");
  assert.match(starting, /error: server not found/);
  assert.doesNotMatch(starting, /cache/);
  assert.match(statusTooltip("ready", { cache: "junk" }), /cache: \? entries/);
  assert.match(statusTooltip("ready", { cache: { approxBytes: 20480 }, rssBytes: "x" }), /\(20 KB\)[\s\S]*memory: \? resident/);
});
