// The status-bar item's text and tooltip from `texlean/status`. No `vscode` import.

export type ServerState = "starting" | "ready" | "error" | "stopped";

export const STATE_ICONS: Record<ServerState, string> = {
  starting: "$(sync~spin)",
  ready: "$(check)",
  error: "$(error)",
  stopped: "$(circle-slash)",
};

export function statusText(state: ServerState): string {
  return `${STATE_ICONS[state]} texlean`;
}

export function megabytes(bytes: unknown): string {
  if (typeof bytes !== "number" || !Number.isFinite(bytes)) return "?";
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function num(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value) ? String(Math.round(value * 10) / 10) : "?";
}

function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Markdown lines for the tooltip: state, version, documents, cache and memory. */
export function statusTooltip(state: ServerState, status: unknown, detail?: string): string {
  const lines = [`**texlean** — ${state}${detail ? `: ${detail}` : ""}`];
  const s = obj(status);
  if (Object.keys(s).length > 0) {
    const cache = obj(s.cache);
    const last = obj(s.lastAnalysis);
    lines.push(
      "",
      `server ${String(s.serverVersion ?? "?")} · ${num(s.openDocuments)} open documents`,
      "",
      `cache: ${num(cache.entries)} entries` +
        (cache.maxEntries !== undefined ? ` of ${num(cache.maxEntries)}` : "") +
        (cache.approxBytes !== undefined ? ` (${megabytes(cache.approxBytes)})` : "") +
        `, ${num(cache.hits)} hits, ${num(cache.misses)} misses`,
      "",
      `memory: ${megabytes(s.rssBytes)} resident`,
    );
    if (Object.keys(last).length > 0) {
      lines.push(
        "",
        `last analysis: ${num(last.milliseconds)} ms, ${num(last.reanalysed)} of ${num(last.chunks)} chunks analysed`,
      );
    }
  }
  lines.push("", "Click for the full status");
  return lines.join("\n");
}
