/** Errors in words: an SDK or engine error as one line, and bad command-line input. Pure. */

/** Bad command-line input: the CLI prints the message and exits with code 3. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    // Stryker disable next-line StringLiteral: the name only labels stack traces; the CLI matches the class
    this.name = "UsageError";
  }
}

/** `AccessDeniedException: User … is not authorized …`: the SDK error's name and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return `${name}${error.message}`;
  }
  return String(error);
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
