// How VS Code's `texlean` settings reach the server, and which of them may start a
// program. No `vscode` import: unit tested with node.

/** The `texlean` sections only the extension reads (which program, LSP tracing); they are
 *  not sent.  (`locale` is sent: the server reads it for the language of its messages.) */
export const EXTENSION_SECTIONS = ["server", "python", "trace"] as const;

/** Settings that choose the program to run: in Restricted Mode only the user's own count. */
export const LAUNCH_SETTINGS = ["texlean.server.path", "texlean.python.path"] as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function plain(value: unknown): Json | undefined {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) return value.map((v) => plain(v) ?? null);
  if (typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const p = plain(v);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return undefined; // functions (a WorkspaceConfiguration's get/has/inspect/update), undefined
}

/**
 * The settings object the server gets (initializationOptions, didChangeConfiguration,
 * workspace/configuration): the `texlean` section as plain JSON, without the extension's
 * own sections.  `section` is what `workspace.getConfiguration("texlean")` returns.
 */
export function serverSettings(section: unknown): { [key: string]: Json } {
  const out = plain(section);
  if (out === null || typeof out !== "object" || Array.isArray(out)) return {};
  for (const key of EXTENSION_SECTIONS) delete out[key];
  return out;
}

/** What `WorkspaceConfiguration.inspect(key)` tells about one setting. */
export interface Inspected<T> {
  defaultValue?: T | undefined;
  globalValue?: T | undefined;
  workspaceValue?: T | undefined;
  workspaceFolderValue?: T | undefined;
}

/**
 * The value of a launch setting: in a trusted workspace the usual precedence (folder,
 * workspace, user, default); in Restricted Mode the user's value alone, because a
 * workspace could otherwise make VS Code run a program it names.  `ignored` is true when
 * a workspace-level value was set and not honoured.
 */
export function launchSetting(
  inspected: Inspected<string> | undefined,
  trusted: boolean,
): { value: string | undefined; ignored: boolean } {
  if (inspected === undefined) return { value: undefined, ignored: false };
  const set = (v: string | undefined): v is string => typeof v === "string" && v.trim() !== "";
  const workspace = [inspected.workspaceFolderValue, inspected.workspaceValue].find(set);
  if (trusted && workspace !== undefined) return { value: workspace, ignored: false };
  const user = [inspected.globalValue, inspected.defaultValue].find(set);
  return { value: user, ignored: !trusted && workspace !== undefined };
}

/** Whether a configuration change needs the server restarted (another program). */
export function affectsLaunch(affects: (section: string) => boolean): boolean {
  return LAUNCH_SETTINGS.some((s) => affects(s));
}
