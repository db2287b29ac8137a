// When to stop restarting a server that keeps closing. No `vscode` import.

/** Remembers when the server's connection closed; `give up` once it closed `limit`
 *  times within `windowMs` (a program that is not the texlean server, or one that
 *  crashes at start, would otherwise be restarted forever). */
export class CrashWindow {
  private readonly times: number[] = [];

  constructor(
    readonly limit = 4,
    readonly windowMs = 180_000,
  ) {}

  /** Record a close at `now`; true when the server should not be restarted again. */
  closed(now: number): boolean {
    this.times.push(now);
    while (this.times.length > 0 && now - this.times[0]! > this.windowMs) this.times.shift();
    return this.times.length >= this.limit;
  }

  reset(): void {
    this.times.length = 0;
  }
}
