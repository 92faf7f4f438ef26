/** How lines about accounts read: labels, first lines, durations, engine output split into lines. Pure. */

/**
 * `prod-eu 111122223333`, or the id alone when the account has no name: how lines and tables name an
 * account (progress lines put it in brackets: `[prod-eu 111122223333] done …`).
 */
export function accountLabel(t: { accountId: string; name?: string }): string {
  return t.name !== undefined ? `${t.name} ${t.accountId}` : t.accountId;
}

export function firstLine(text: string | undefined, max = 100): string {
  if (!text) return "";
  const line =
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
}

/** Feeds text chunks in, calls `onLine` for every complete line; `flush()` emits the rest. */
export class LineSplitter {
  private buffer = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    const parts = this.buffer.split(/\r?\n/);
    this.buffer = parts.pop() ?? "";
    for (const line of parts) this.onLine(line);
  }

  flush(): void {
    if (this.buffer !== "") {
      const rest = this.buffer;
      this.buffer = "";
      this.onLine(rest);
    }
  }
}

/** `[prod-eu 111122223333] + aws:accessanalyzer/analyzer:Analyzer …` */
export function prefixLine(label: string, line: string): string {
  return `[${label}] ${line}`;
}
