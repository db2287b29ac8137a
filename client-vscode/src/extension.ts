// The texlean extension: starts `texlean serve` (stdio) for LaTeX documents, passes the
// `texlean` settings, and adds the commands, the Lean preview and the status-bar item.
// The logic worth testing lives in discovery.ts, settings.ts and status.ts (no `vscode`).

import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import { CrashWindow } from "./crashes";
import { type Discovery, discover, nodeHost } from "./discovery";
import { affectsLaunch, launchSetting, serverSettings } from "./settings";
import { type ServerState, statusText, statusTooltip } from "./status";

const LANGUAGES = ["latex", "tex"];
const FORMALIZE_COMMAND = "texlean.formalizeDocument"; // the server's workspace/executeCommand
const STATUS_REQUEST = "texlean/status";
const PREVIEW_REQUEST = "texlean/leanPreview";
const PREVIEW_SCHEME = "texlean-lean";
const STATUS_SCHEME = "texlean-status";
const STATUS_URI = vscode.Uri.from({ scheme: STATUS_SCHEME, path: "/texlean-status.json" });
const POLL_MS = 5000;
const PREVIEW_DEBOUNCE_MS = 400;

interface LeanPreview {
  uri: string;
  version: number | null;
  lean: string;
  declarations: number;
  target: string | null;
}

interface FormalizeResult {
  applied: boolean;
  declarations: number;
  uri: string | null;
  failureReason?: string | null;
}

// The parts of the Python extension's API used here (ms-python.python).
interface PythonApi {
  environments?: {
    getActiveEnvironmentPath?(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment?(env: { path: string }): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] | undefined };
  };
}

function isTex(document: vscode.TextDocument | undefined): document is vscode.TextDocument {
  return document !== undefined && LANGUAGES.includes(document.languageId);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class Texlean implements vscode.TextDocumentContentProvider {
  private client: LanguageClient | undefined;
  private state: ServerState = "stopped";
  private stateDetail = "";
  private lastStatus: unknown;
  private readonly item: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly previewTimers = new Map<string, NodeJS.Timeout>();
  private poll: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private ignoredLaunchSettings: string[] = [];

  constructor(
    context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.item = vscode.window.createStatusBarItem("texlean.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = "texlean";
    this.item.command = "texlean.showStatus";
    context.subscriptions.push(this.item, this.changed);
    this.render();
  }

  // -- the server ---------------------------------------------------------------------

  private async pythonExtensionInterpreter(): Promise<string[] | undefined> {
    const ext = vscode.extensions.getExtension<PythonApi>("ms-python.python");
    if (ext === undefined) return undefined;
    const resource = vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    try {
      const api = ext.isActive ? ext.exports : await ext.activate();
      const envs = api?.environments;
      const active = envs?.getActiveEnvironmentPath?.(resource);
      if (active !== undefined && envs?.resolveEnvironment !== undefined) {
        const resolved = await envs.resolveEnvironment(active);
        const exe = resolved?.executable?.uri?.fsPath;
        if (exe) return [exe];
      }
      const command = api?.settings?.getExecutionDetails?.(resource)?.execCommand;
      if (command && command.length > 0) return command;
    } catch (err) {
      this.log.warn(`the Python extension did not tell its interpreter: ${errorText(err)}`);
    }
    return undefined;
  }

  private async discover(): Promise<Discovery> {
    const config = vscode.workspace.getConfiguration("texlean");
    const trusted = vscode.workspace.isTrusted;
    const server = launchSetting(config.inspect<string>("server.path"), trusted);
    const python = launchSetting(config.inspect<string>("python.path"), trusted);
    this.ignoredLaunchSettings = [
      ...(server.ignored ? ["texlean.server.path"] : []),
      ...(python.ignored ? ["texlean.python.path"] : []),
    ];
    for (const name of this.ignoredLaunchSettings) {
      this.log.warn(`Restricted Mode: the workspace's ${name} is ignored (only your user setting counts)`);
    }
    const usePython = !server.value && !python.value;
    return discover(
      {
        serverPath: server.value,
        pythonPath: python.value,
        pythonExtension: usePython ? await this.pythonExtensionInterpreter() : undefined,
        ignoredInRestrictedMode: this.ignoredLaunchSettings,
      },
      nodeHost(),
    );
  }

  start(): Promise<void> {
    this.starting ??= this.doStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.setState("starting");
    const found = await this.discover();
    if (!found.ok) {
      this.log.error(`cannot start the server: ${found.message}`);
      for (const line of found.tried) this.log.info(`  tried ${line}`);
      this.setState("error", "server not found");
      this.notifyError(`texlean: ${found.message}`, found.setting);
      return;
    }
    this.log.info(`starting the server with ${found.description}`);
    const serverOptions: ServerOptions = {
      command: found.command,
      args: found.args,
      transport: TransportKind.stdio, // adds --stdio, which `texlean serve` accepts
    };
    const selector = LANGUAGES.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]);
    const clientOptions: LanguageClientOptions = {
      documentSelector: selector,
      synchronize: { configurationSection: "texlean" },
      initializationOptions: serverSettings(vscode.workspace.getConfiguration("texlean")),
      outputChannel: this.log,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) return result;
            return result.map((value: unknown, i) => (params.items[i]?.section === "texlean" ? serverSettings(value) : value));
          },
        },
      },
    };
    const commandLine = [found.command, ...found.args].join(" ");
    const setting = found.source === "python.path" ? "texlean.python.path" : "texlean.server.path";
    const crashes = new CrashWindow();
    clientOptions.errorHandler = {
      // texlean's own messages instead of the client's generic "connection is erroring"
      error: (error, _message, count) => {
        this.log.error(`connection to the server: ${errorText(error)}`);
        return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
      },
      closed: () => {
        if (this.client !== client) return { action: CloseAction.DoNotRestart, handled: true };
        if (!crashes.closed(Date.now())) {
          this.log.warn("the server stopped: restarting it");
          return { action: CloseAction.Restart, handled: true };
        }
        this.setState("error", "the server keeps stopping");
        this.notifyError(
          `texlean: the server (${commandLine}) stopped ${crashes.limit} times within minutes; is it texlean? ` +
            `Check the setting, or install texlean with \`pip install texlean\`.`,
          setting,
        );
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    };
    const client = new LanguageClient("texlean", "texlean", serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((event) => {
      if (this.client !== client) return;
      if (event.newState === State.Running) this.setState("ready");
      else if (event.newState === State.Starting) this.setState("starting");
      else this.setState("error", "the server stopped (see the texlean output)");
    });
    try {
      await client.start();
      this.setState("ready");
      void this.refreshStatus();
    } catch (err) {
      this.log.error(`the server did not start: ${errorText(err)}`);
      this.setState("error", errorText(err));
      this.notifyError(
        `texlean: the server (${commandLine}) did not start (${errorText(err)}). Is it texlean's server? ` +
          `Install it with \`pip install texlean\`, or fix the setting; the texlean log has the details.`,
        setting,
      );
    }
  }

  async stop(): Promise<void> {
    await this.starting;
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.log.warn(`stopping the server: ${errorText(err)}`);
      }
    }
    this.lastStatus = undefined;
    this.setState("stopped");
  }

  async restart(): Promise<void> {
    this.log.info("restarting the server");
    await this.stop();
    await this.start();
  }

  private notifyError(message: string, setting: string): void {
    const open = "Open Setting";
    const log = "Show Log";
    void vscode.window.showErrorMessage(message, open, log).then((choice) => {
      if (choice === open) void vscode.commands.executeCommand("workbench.action.openSettings", setting);
      else if (choice === log) this.log.show(true);
    });
  }

  private running(): LanguageClient | undefined {
    const client = this.client;
    return client !== undefined && client.state === State.Running ? client : undefined;
  }

  private async ready(): Promise<LanguageClient> {
    await this.starting;
    const client = this.running();
    if (client === undefined) {
      throw new Error("the texlean server is not running (see the texlean output, or run texlean: Restart Server)");
    }
    return client;
  }

  onConfigurationChange(event: vscode.ConfigurationChangeEvent): void {
    if (affectsLaunch((section) => event.affectsConfiguration(section))) void this.restart();
  }

  onTrustGranted(): void {
    if (this.ignoredLaunchSettings.length > 0) void this.restart();
  }

  // -- status bar ---------------------------------------------------------------------

  private setState(state: ServerState, detail = ""): void {
    this.state = state;
    this.stateDetail = detail;
    this.render();
  }

  render(): void {
    this.item.text = statusText(this.state);
    this.item.accessibilityInformation = { label: `texlean: ${this.state}`, role: "button" };
    const tooltip = new vscode.MarkdownString(statusTooltip(this.state, this.lastStatus, this.stateDetail));
    this.item.tooltip = tooltip;
    this.item.backgroundColor =
      this.state === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    if (isTex(vscode.window.activeTextEditor?.document) || this.state === "error") this.item.show();
    else this.item.hide();
    this.schedulePoll();
  }

  private schedulePoll(): void {
    const visible = isTex(vscode.window.activeTextEditor?.document);
    if (visible && this.poll === undefined) {
      this.poll = setInterval(() => {
        if (vscode.window.state.focused) void this.refreshStatus();
      }, POLL_MS);
    } else if (!visible && this.poll !== undefined) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  async refreshStatus(): Promise<unknown> {
    const client = this.running();
    if (client === undefined) return undefined;
    try {
      this.lastStatus = await client.sendRequest(STATUS_REQUEST, {});
    } catch (err) {
      this.log.warn(`${STATUS_REQUEST}: ${errorText(err)}`);
    }
    this.item.tooltip = new vscode.MarkdownString(statusTooltip(this.state, this.lastStatus, this.stateDetail));
    return this.lastStatus;
  }

  // -- virtual documents: the Lean preview and the status ------------------------------

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    if (uri.scheme === STATUS_SCHEME) {
      const status = await this.refreshStatus();
      const shown = status ?? { state: this.state, detail: this.stateDetail || undefined };
      return JSON.stringify(shown, null, 2) + "\n";
    }
    const source = uri.query;
    try {
      const client = await this.ready();
      const preview = await client.sendRequest<LeanPreview>(PREVIEW_REQUEST, { textDocument: { uri: source } });
      if (preview.declarations === 0) {
        return "-- texlean: no theorem-like environments (theorem, lemma, …) in this document yet\n";
      }
      return preview.lean;
    } catch (err) {
      return `-- texlean: no Lean preview: ${errorText(err)}\n`;
    }
  }

  private previewUri(document: vscode.TextDocument): vscode.Uri {
    const base = document.uri.path.split("/").pop() ?? "document";
    const stem = base.replace(/\.[^.]*$/, "") || base;
    // the .lean extension lets a Lean extension, when installed, colour it
    return vscode.Uri.from({
      scheme: PREVIEW_SCHEME,
      path: `/${stem} (Lean preview).lean`,
      query: document.uri.toString(),
    });
  }

  onDocumentChanged(document: vscode.TextDocument): void {
    if (!isTex(document)) return;
    const preview = this.previewUri(document);
    const open = vscode.workspace.textDocuments.some((d) => d.uri.toString() === preview.toString());
    if (!open) return;
    const key = preview.toString();
    clearTimeout(this.previewTimers.get(key));
    this.previewTimers.set(
      key,
      setTimeout(() => {
        this.previewTimers.delete(key);
        this.changed.fire(preview);
      }, PREVIEW_DEBOUNCE_MS),
    );
  }

  // -- commands -------------------------------------------------------------------------

  private activeTex(): vscode.TextDocument | undefined {
    const document = vscode.window.activeTextEditor?.document;
    if (isTex(document)) return document;
    void vscode.window.showWarningMessage("texlean: open a LaTeX document first");
    return undefined;
  }

  async formalizeDocument(): Promise<void> {
    const document = this.activeTex();
    if (document === undefined) return;
    try {
      const client = await this.ready();
      const uri = client.code2ProtocolConverter.asUri(document.uri);
      const result = (await client.sendRequest(ExecuteCommandRequest.type, {
        command: FORMALIZE_COMMAND,
        arguments: [uri],
      })) as FormalizeResult | null;
      if (result === null || result.declarations === 0) {
        void vscode.window.showInformationMessage("texlean: no theorem-like environments to formalize in this document");
        return;
      }
      if (!result.applied || result.uri === null) {
        void vscode.window.showErrorMessage(
          `texlean: the Lean edit was not applied${result.failureReason ? `: ${result.failureReason}` : ""}`,
        );
        return;
      }
      const lean = client.protocol2CodeConverter.asUri(result.uri);
      await vscode.window.showTextDocument(lean, { viewColumn: vscode.ViewColumn.Beside, preview: false });
      void vscode.window.showInformationMessage(
        `texlean: ${result.declarations} statement${result.declarations === 1 ? "" : "s"} formalized into ${vscode.workspace.asRelativePath(lean)}`,
      );
    } catch (err) {
      void vscode.window.showErrorMessage(`texlean: Formalize Document failed: ${errorText(err)}`);
    }
  }

  async showLeanPreview(): Promise<void> {
    const document = this.activeTex();
    if (document === undefined) return;
    const uri = this.previewUri(document);
    let preview = await vscode.workspace.openTextDocument(uri);
    const languages = await vscode.languages.getLanguages();
    const lean = ["lean4", "lean"].find((l) => languages.includes(l));
    if (lean !== undefined && preview.languageId !== lean) {
      preview = await vscode.languages.setTextDocumentLanguage(preview, lean);
    }
    this.changed.fire(uri); // opened before: show the current text
    await vscode.window.showTextDocument(preview, {
      viewColumn: vscode.ViewColumn.Beside,
      preserveFocus: true,
      preview: true,
    });
  }

  async showStatus(): Promise<void> {
    const document = await vscode.workspace.openTextDocument(STATUS_URI);
    this.changed.fire(STATUS_URI);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  dispose(): void {
    if (this.poll !== undefined) clearInterval(this.poll);
    for (const timer of this.previewTimers.values()) clearTimeout(timer);
  }
}

let texlean: Texlean | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel("texlean", { log: true });
  context.subscriptions.push(log);
  const ext = new Texlean(context, log);
  texlean = ext;
  context.subscriptions.push(
    ext,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, ext),
    vscode.workspace.registerTextDocumentContentProvider(STATUS_SCHEME, ext),
    vscode.commands.registerCommand("texlean.formalizeActiveDocument", () => ext.formalizeDocument()),
    vscode.commands.registerCommand("texlean.showLeanPreview", () => ext.showLeanPreview()),
    vscode.commands.registerCommand("texlean.restartServer", () => ext.restart()),
    vscode.commands.registerCommand("texlean.showStatus", () => ext.showStatus()),
    vscode.workspace.onDidChangeConfiguration((e) => ext.onConfigurationChange(e)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => ext.onTrustGranted()),
    vscode.workspace.onDidChangeTextDocument((e) => ext.onDocumentChanged(e.document)),
    vscode.window.onDidChangeActiveTextEditor(() => ext.render()),
  );
  await ext.start();
}

export async function deactivate(): Promise<void> {
  await texlean?.stop();
  texlean = undefined;
}
