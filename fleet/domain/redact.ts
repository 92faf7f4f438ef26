/**
 * What never reaches a log, a report or a terminal: credentials, the secret environment variables'
 * values, external ids, and the arguments of a failed command line. Pure.
 */

/** What stands in for a masked value. */
export const REDACTED = "[redacted]";

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
    for (const s of values) out = out.split(s).join(REDACTED);
    return out;
  };
}
