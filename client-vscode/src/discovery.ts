// Which program runs the texlean language server. No `vscode` import: unit tested with node.
//
// The order, first match wins:
//   1. texlean.server.path: a command (program and arguments) the user wrote;
//   2. texlean.python.path: an interpreter, run as `python -m texlean serve`;
//   3. the Python extension's active interpreter, when it has texlean installed;
//   4. `texlean` on PATH.
// A setting the user wrote that does not work is an error naming that setting (never a
// silent fall-back to something else); the automatic candidates (3, 4) fall through.

import { execFile } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join } from "node:path";

export const INSTALL_COMMAND = "pip install texlean";
export const SERVER_PATH_SETTING = "texlean.server.path";
export const PYTHON_PATH_SETTING = "texlean.python.path";

export type Source = "server.path" | "python.path" | "python-extension" | "PATH";

export interface ServerCommand {
  command: string;
  args: string[];
  source: Source;
}

export interface Found extends ServerCommand {
  ok: true;
  /** How the command was found, for the log. */
  description: string;
}

export interface NotFound {
  ok: false;
  /** What went wrong, one or two sentences, for the notification. */
  message: string;
  /** The setting to open from the notification. */
  setting: string;
  /** Every candidate looked at, with why it did not work, for the log. */
  tried: string[];
}

export type Discovery = Found | NotFound;

export interface DiscoveryInput {
  /** texlean.server.path as it applies (empty or undefined: not set). */
  serverPath?: string | undefined;
  /** texlean.python.path as it applies. */
  pythonPath?: string | undefined;
  /** The Python extension's active interpreter as a command (`[python]` or `[conda, run, …, python]`). */
  pythonExtension?: string[] | undefined;
  /** Settings set at workspace level that were not honoured (Restricted Mode), for the message. */
  ignoredInRestrictedMode?: string[] | undefined;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: string | undefined;
}

/** What discovery needs from the machine (replaced in the unit tests). */
export interface Host {
  /** The absolute path of an executable program named `name` on PATH, if any. */
  which(name: string): string | undefined;
  /** Whether `path` is an executable file. */
  isExecutable(path: string): boolean;
  run(command: string, args: string[], timeoutMs: number): Promise<RunResult>;
  home: string;
}

const PROBE_TIMEOUT_MS = 15_000;
const IMPORT_PROBE = ["-c", "import texlean, sys; sys.stdout.write(texlean.__version__)"];

/** Split a command line into words: whitespace separates, '…' and "…" quote, \ escapes. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== null) {
      if (ch === quote) {
        quote = null;
      } else if (ch === "\\" && quote === '"' && i + 1 < line.length && '"\\'.includes(line[i + 1]!)) {
        word += line[++i];
      } else {
        word += ch;
      }
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length && process.platform !== "win32") {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== null) throw new Error(`unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

/** `~/x` and `${userHome}/x` as absolute paths. */
export function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return path.replaceAll("${userHome}", home);
}

function programName(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.(exe|cmd|bat)$/i, "").toLowerCase();
}

/** The server command a texlean.server.path value stands for: a lone `texlean` program
 *  gets `serve` added, anything else is taken as written. */
export function serverPathCommand(value: string, home: string): { command: string; args: string[] } {
  const words = splitCommand(value.trim()).map((w, i) => (i === 0 ? expandHome(w, home) : w));
  if (words.length === 0) throw new Error("the command is empty");
  const [command, ...args] = words as [string, ...string[]];
  if (args.length === 0 && programName(command) === "texlean") args.push("serve");
  return { command, args };
}

/** The absolute path of a program the way a shell would find it (contains a slash: as
 *  written; else on PATH). */
function resolveProgram(program: string, host: Host): string | undefined {
  if (isAbsolute(program) || program.includes("/") || program.includes("\\")) {
    return host.isExecutable(program) ? program : undefined;
  }
  return host.which(program);
}

async function probePython(host: Host, python: string[]): Promise<{ ok: boolean; detail: string }> {
  const [program, ...pre] = python as [string, ...string[]];
  const path = resolveProgram(program, host);
  if (path === undefined) return { ok: false, detail: `${program} is not an executable program` };
  const result = await host.run(path, [...pre, ...IMPORT_PROBE], PROBE_TIMEOUT_MS);
  if (result.code === 0) return { ok: true, detail: `texlean ${result.stdout.trim()}` };
  const why = result.error ?? (lastLine(result.stderr) || `exit status ${String(result.code)}`);
  return { ok: false, detail: `${path} cannot import texlean (${why})` };
}

function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1] ?? "";
}

function notFound(message: string, setting: string, tried: string[]): NotFound {
  return { ok: false, message, setting, tried };
}

export async function discover(input: DiscoveryInput, host: Host): Promise<Discovery> {
  const tried: string[] = [];
  const restricted = input.ignoredInRestrictedMode ?? [];
  const restrictedNote =
    restricted.length > 0
      ? ` The workspace sets ${restricted.join(" and ")}, which Restricted Mode ignores until you trust the workspace.`
      : "";

  const serverPath = input.serverPath?.trim();
  if (serverPath) {
    let parsed: { command: string; args: string[] };
    try {
      parsed = serverPathCommand(serverPath, host.home);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return notFound(`${SERVER_PATH_SETTING} "${serverPath}" is not a valid command: ${why}.`, SERVER_PATH_SETTING, [
        `server.path: ${why}`,
      ]);
    }
    const program = resolveProgram(parsed.command, host);
    if (program === undefined) {
      return notFound(
        `${SERVER_PATH_SETTING} names "${parsed.command}", which is not an executable program. ` +
          `Fix the setting, or install texlean with \`${INSTALL_COMMAND}\`.`,
        SERVER_PATH_SETTING,
        [`server.path: ${parsed.command} is not executable`],
      );
    }
    return {
      ok: true,
      command: program,
      args: parsed.args,
      source: "server.path",
      description: `${SERVER_PATH_SETTING}: ${[program, ...parsed.args].join(" ")}`,
    };
  }

  const pythonPath = input.pythonPath?.trim();
  if (pythonPath) {
    const python = expandHome(pythonPath, host.home);
    const probe = await probePython(host, [python]);
    if (!probe.ok) {
      return notFound(
        `${PYTHON_PATH_SETTING}: ${probe.detail}. Install texlean into that interpreter with ` +
          `\`${python} -m ${INSTALL_COMMAND}\`, or fix the setting.`,
        PYTHON_PATH_SETTING,
        [`python.path: ${probe.detail}`],
      );
    }
    return {
      ok: true,
      command: resolveProgram(python, host) ?? python,
      args: ["-m", "texlean", "serve"],
      source: "python.path",
      description: `${PYTHON_PATH_SETTING}: ${python} (${probe.detail})`,
    };
  }

  if (input.pythonExtension && input.pythonExtension.length > 0) {
    const probe = await probePython(host, input.pythonExtension);
    if (probe.ok) {
      const [program, ...pre] = input.pythonExtension as [string, ...string[]];
      return {
        ok: true,
        command: resolveProgram(program, host) ?? program,
        args: [...pre, "-m", "texlean", "serve"],
        source: "python-extension",
        description: `the Python extension's interpreter ${input.pythonExtension.join(" ")} (${probe.detail})`,
      };
    }
    tried.push(`Python extension's interpreter: ${probe.detail}`);
  } else {
    tried.push("Python extension: not installed or no interpreter selected");
  }

  const onPath = host.which("texlean");
  if (onPath !== undefined) {
    return {
      ok: true,
      command: onPath,
      args: ["serve"],
      source: "PATH",
      description: `texlean on PATH: ${onPath}`,
    };
  }
  tried.push("PATH: no texlean program");

  return notFound(
    `the texlean language server was not found (${tried.join("; ")}). Install it with ` +
      `\`${INSTALL_COMMAND}\`, or set ${SERVER_PATH_SETTING} to the command that runs it.${restrictedNote}`,
    SERVER_PATH_SETTING,
    tried,
  );
}

/** The real machine. */
export function nodeHost(env: NodeJS.ProcessEnv = process.env): Host {
  const isExecutable = (path: string): boolean => {
    try {
      if (!statSync(path).isFile()) return false;
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  return {
    home: homedir(),
    isExecutable,
    which(name: string): string | undefined {
      const exts = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
      for (const dir of (env.PATH ?? "").split(delimiter)) {
        if (!dir) continue;
        for (const ext of exts) {
          const candidate = join(dir, name + ext);
          if (isExecutable(candidate)) return candidate;
        }
      }
      return undefined;
    },
    run(command: string, args: string[], timeoutMs: number): Promise<RunResult> {
      return new Promise((resolve) => {
        execFile(command, args, { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
          const why = error && typeof error.code !== "number" ? error.message : undefined;
          resolve({ code, stdout: String(stdout), stderr: String(stderr), error: why });
        });
      });
    },
  };
}
