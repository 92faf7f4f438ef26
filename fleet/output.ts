/**
 * Engine output → lines a person can follow: split chunks into lines, prefix each with the account,
 * and mask anything that looks like a credential. Pure.
 */

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

/** Environment variables whose values must never appear in logs or the report. */
export const SECRET_ENV_NAMES = [
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "PULUMI_CONFIG_PASSPHRASE",
  "PULUMI_ACCESS_TOKEN",
];

const ACCESS_KEY_ID = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g;

/**
 * Returns a function that masks access key ids and the values of the secret environment variables
 * (the bot never prints them itself; this guards against a plugin or program that does).
 */
export function makeRedactor(env: Record<string, string | undefined>): (text: string) => string {
  const secrets = SECRET_ENV_NAMES.map((n) => env[n]).filter(
    (v): v is string => typeof v === "string" && v.length >= 4,
  );
  return (text: string) => {
    let out = text.replace(ACCESS_KEY_ID, (m) => `${m.slice(0, 4)}****************`);
    for (const s of secrets) out = out.split(s).join("[redacted]");
    return out;
  };
}

/** `[prod-eu 111122223333] + aws:accessanalyzer/analyzer:Analyzer …` */
export function prefixLine(label: string, line: string): string {
  return `[${label}] ${line}`;
}

const GENERIC_ERRORS = /^error: (update|preview|refresh|destroy) failed$/i;

/**
 * The useful part of an engine error. `CommandError.message` is
 * `code: N\n stdout: …\n stderr: …`; people want the `error:` lines, most specific first.
 */
export function summariseError(message: string): string {
  const lines = message.split(/\r?\n/).map((l) => l.trim());
  // An error's reasons follow it as "- <setting>: <problem>" lines (the component's and the
  // program's argument problems): they stay with their error line, or the reason is lost.
  const errors: string[] = [];
  let inError = false;
  for (const line of lines.map((l) => l.replace(/^(stderr|stdout|err\?):\s*/, ""))) {
    if (/^error:/i.test(line) || /\berror:\s/i.test(line)) {
      errors.push(line);
      inError = true;
    } else if (inError && line.startsWith("- ")) {
      errors[errors.length - 1] += `\n  ${line}`;
    } else {
      inError = false;
    }
  }
  const specific = errors.filter((l) => !GENERIC_ERRORS.test(l));
  if (/ENOENT: pulumi\b/.test(message)) {
    return "the pulumi CLI was not found: put it on PATH or pass --pulumi-root DIR (the folder holding bin/pulumi)";
  }
  const chosen = specific.length > 0 ? specific : errors;
  if (chosen.length > 0) return [...new Set(chosen)].join("\n");
  return lines.find((l) => l !== "" && !/^code: -?\d+$/.test(l)) ?? message;
}
