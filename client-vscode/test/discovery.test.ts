import assert from "node:assert/strict";
import { test } from "node:test";

import { type Host, type RunResult, discover, expandHome, serverPathCommand, splitCommand } from "../src/discovery";

interface FakeMachine {
  executables?: string[];
  path?: Record<string, string>;
  pythons?: Record<string, RunResult>;
}

function fakeHost(m: FakeMachine): Host & { runs: string[][] } {
  const runs: string[][] = [];
  return {
    home: "/home/me",
    runs,
    isExecutable: (p) => (m.executables ?? []).includes(p),
    which: (name) => m.path?.[name],
    run: async (command, args) => {
      runs.push([command, ...args]);
      return m.pythons?.[command] ?? { code: 1, stdout: "", stderr: "ModuleNotFoundError: No module named 'texlean'" };
    },
  };
}

const OK: RunResult = { code: 0, stdout: "0.1.0", stderr: "" };

test("splitCommand splits words, honours quotes and escapes", () => {
  assert.deepEqual(splitCommand("/usr/bin/texlean serve"), ["/usr/bin/texlean", "serve"]);
  assert.deepEqual(splitCommand('  "/my dir/texlean"   serve --log-level debug '), [
    "/my dir/texlean",
    "serve",
    "--log-level",
    "debug",
  ]);
  assert.deepEqual(splitCommand("'/a b/python' -m texlean serve"), ["/a b/python", "-m", "texlean", "serve"]);
  assert.deepEqual(splitCommand("/a\\ b/texlean"), ["/a b/texlean"]);
  assert.deepEqual(splitCommand('x ""'), ["x", ""]);
  assert.deepEqual(splitCommand(""), []);
  assert.throws(() => splitCommand('"/unterminated'), /unterminated/);
});

test("expandHome", () => {
  assert.equal(expandHome("~/venv/bin/texlean", "/home/me"), "/home/me/venv/bin/texlean");
  assert.equal(expandHome("${userHome}/x", "/home/me"), "/home/me/x");
  assert.equal(expandHome("/abs/~/x", "/home/me"), "/abs/~/x");
});

test("serverPathCommand adds serve to a lone texlean program only", () => {
  assert.deepEqual(serverPathCommand("/v/bin/texlean", "/h"), { command: "/v/bin/texlean", args: ["serve"] });
  assert.deepEqual(serverPathCommand("texlean", "/h"), { command: "texlean", args: ["serve"] });
  assert.deepEqual(serverPathCommand("/v/bin/texlean serve --log-level info", "/h"), {
    command: "/v/bin/texlean",
    args: ["serve", "--log-level", "info"],
  });
  assert.deepEqual(serverPathCommand("/usr/bin/python3 -m texlean serve", "/h"), {
    command: "/usr/bin/python3",
    args: ["-m", "texlean", "serve"],
  });
  assert.deepEqual(serverPathCommand("/opt/wrapper", "/h"), { command: "/opt/wrapper", args: [] });
  assert.throws(() => serverPathCommand("   ", "/h"), /empty/);
});

test("server.path wins and is taken as written", async () => {
  const host = fakeHost({ executables: ["/repo/.venv/bin/texlean"], path: { texlean: "/usr/bin/texlean" } });
  const found = await discover(
    { serverPath: "/repo/.venv/bin/texlean serve", pythonPath: "/usr/bin/python3", pythonExtension: ["/py"] },
    host,
  );
  assert.equal(found.ok, true);
  assert.ok(found.ok);
  assert.equal(found.source, "server.path");
  assert.equal(found.command, "/repo/.venv/bin/texlean");
  assert.deepEqual(found.args, ["serve"]);
  assert.deepEqual(host.runs, [], "no interpreter is probed when server.path is set");
});

test("server.path: a program on PATH and ~ are resolved", async () => {
  const host = fakeHost({ executables: ["/home/me/bin/texlean"], path: { "my-texlean": "/usr/local/bin/my-texlean" } });
  const home = await discover({ serverPath: "~/bin/texlean" }, host);
  assert.ok(home.ok);
  assert.equal(home.command, "/home/me/bin/texlean");
  assert.deepEqual(home.args, ["serve"]);
  const onPath = await discover({ serverPath: "my-texlean serve" }, host);
  assert.ok(onPath.ok);
  assert.equal(onPath.command, "/usr/local/bin/my-texlean");
});

test("a broken server.path is an error naming the setting, not a silent fall-back", async () => {
  const host = fakeHost({ path: { texlean: "/usr/bin/texlean" } });
  const found = await discover({ serverPath: "/nowhere/texlean serve" }, host);
  assert.equal(found.ok, false);
  assert.ok(!found.ok);
  assert.equal(found.setting, "texlean.server.path");
  assert.match(found.message, /\/nowhere\/texlean/);
  assert.match(found.message, /pip install texlean/);
  const quote = await discover({ serverPath: '"/x' }, host);
  assert.ok(!quote.ok);
  assert.match(quote.message, /not a valid command/);
});

test("python.path runs python -m texlean serve after an import probe", async () => {
  const host = fakeHost({ executables: ["/venv/bin/python"], pythons: { "/venv/bin/python": OK } });
  const found = await discover({ pythonPath: "/venv/bin/python", pythonExtension: ["/other/python"] }, host);
  assert.ok(found.ok);
  assert.equal(found.source, "python.path");
  assert.equal(found.command, "/venv/bin/python");
  assert.deepEqual(found.args, ["-m", "texlean", "serve"]);
  assert.equal(host.runs.length, 1);
  assert.equal(host.runs[0]![0], "/venv/bin/python");
});

test("python.path without texlean is an error with the install command for that interpreter", async () => {
  const host = fakeHost({ executables: ["/venv/bin/python"], path: { texlean: "/usr/bin/texlean" } });
  const found = await discover({ pythonPath: "/venv/bin/python" }, host);
  assert.ok(!found.ok);
  assert.equal(found.setting, "texlean.python.path");
  assert.match(found.message, /\/venv\/bin\/python -m pip install texlean/);
  assert.match(found.message, /No module named/);
});

test("the Python extension's interpreter comes next, with its command prefix", async () => {
  const host = fakeHost({ path: { conda: "/opt/conda/bin/conda" }, pythons: { "/opt/conda/bin/conda": OK } });
  const found = await discover({ pythonExtension: ["conda", "run", "-n", "tex", "python"] }, host);
  assert.ok(found.ok);
  assert.equal(found.source, "python-extension");
  assert.equal(found.command, "/opt/conda/bin/conda");
  assert.deepEqual(found.args, ["run", "-n", "tex", "python", "-m", "texlean", "serve"]);
});

test("an interpreter without texlean falls through to texlean on PATH", async () => {
  const host = fakeHost({ executables: ["/usr/bin/python3"], path: { texlean: "/usr/local/bin/texlean" } });
  const found = await discover({ pythonExtension: ["/usr/bin/python3"] }, host);
  assert.ok(found.ok);
  assert.equal(found.source, "PATH");
  assert.equal(found.command, "/usr/local/bin/texlean");
  assert.deepEqual(found.args, ["serve"]);
});

test("nothing found: the message says what was tried and how to install", async () => {
  const host = fakeHost({ executables: ["/usr/bin/python3"] });
  const found = await discover({ pythonExtension: ["/usr/bin/python3"] }, host);
  assert.ok(!found.ok);
  assert.equal(found.setting, "texlean.server.path");
  assert.match(found.message, /pip install texlean/);
  assert.match(found.message, /cannot import texlean/);
  assert.match(found.message, /PATH/);
  assert.equal(found.tried.length, 2);
  const none = await discover({ ignoredInRestrictedMode: ["texlean.server.path"] }, fakeHost({}));
  assert.ok(!none.ok);
  assert.match(none.message, /Python extension: not installed/);
  assert.match(none.message, /Restricted Mode ignores/);
});

test("the real host finds node and runs it", async () => {
  const { nodeHost } = await import("../src/discovery");
  const host = nodeHost();
  const node = host.which("node");
  assert.ok(node !== undefined && host.isExecutable(node));
  assert.equal(host.isExecutable("/nonexistent/program"), false);
  const ok = await host.run(process.execPath, ["-e", "process.stdout.write('hi')"], 10_000);
  assert.deepEqual([ok.code, ok.stdout], [0, "hi"]);
  const bad = await host.run(process.execPath, ["-e", "process.exit(3)"], 10_000);
  assert.equal(bad.code, 3);
  const missing = await host.run("/nonexistent/program", [], 10_000);
  assert.equal(missing.code, null);
  assert.ok(missing.error);
});
