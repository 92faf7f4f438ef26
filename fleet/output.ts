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
 * How a failed command shows in an error (the Automation API's CommandError carries the child
 * process error, `Command failed with exit code 255: /path/pulumi config set-all --stack s …`):
 * the prefix, the program, and the rest of the line (the arguments).
 */
const COMMAND_LINE =
  /(Command (?:failed with [^:\n]+|was killed with [^:\n]+|timed out after [^:\n]+)): *(\S+)([^\n]*)/g;

/**
 * The text with every failed command's arguments replaced by `[arguments redacted]`: they may hold
 * config values. The program's name and its subcommand words (`pulumi config set-all`) stay. Pure.
 */
export function redactCommandLines(text: string): string {
  return text.replace(COMMAND_LINE, (_m, prefix: string, program: string, rest: string) => {
    const words = rest.trim().split(/\s+/);
    const firstArg = words.findIndex((w) => !/^[a-z][a-z-]*$/.test(w));
    // `words` holds "" only when there are no arguments at all, and then `firstArg` is 0.
    const subcommand = firstArg < 0 ? words : words.slice(0, firstArg);
    const name = program.split("/").pop() ?? program;
    const redacted = firstArg < 0 ? "" : " [arguments redacted]";
    return `${prefix}: ${[name, ...subcommand].join(" ")}${redacted}`;
  });
}

/**
 * Returns a function that masks command lines of failed commands, access key ids, the values of
 * the secret environment variables and `secrets` (the fleet's external ids): the bot never prints
 * them itself; this guards against a plugin, program or error message that does.
 */
export function makeRedactor(
  env: Record<string, string | undefined>,
  secrets: readonly (string | undefined)[] = [],
): (text: string) => string {
  const values = [...SECRET_ENV_NAMES.map((n) => env[n]), ...secrets].filter(
    (v): v is string => typeof v === "string" && v.length >= 4,
  );
  return (text: string) => {
    let out = redactCommandLines(text).replace(
      ACCESS_KEY_ID,
      (m) => `${m.slice(0, 4)}****************`,
    );
    for (const s of values) out = out.split(s).join("[redacted]");
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
