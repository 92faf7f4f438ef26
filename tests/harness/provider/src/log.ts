// Logs go to stderr only: stdout carries nothing but the port number the engine reads.
// The engine hides a resource plugin's stderr unless the plugin crashes (then it dumps it), so
// PULUMI_AWS_STANDIN_LOG_FILE=<path> also appends every line to a file for e2e debugging.
// Never pass secrets to log().
import * as fs from "fs";

let quiet = process.env.PULUMI_AWS_STANDIN_QUIET === "true";
const logFile = process.env.PULUMI_AWS_STANDIN_LOG_FILE || undefined;

export function setQuiet(q: boolean): void {
  quiet = q;
}

export function log(message: string): void {
  const line = `[pulumi-resource-aws stand-in ${process.pid}] ${message}\n`;
  if (logFile) {
    try {
      fs.appendFileSync(logFile, `${new Date().toISOString()} ${line}`);
    } catch {
      // Logging must never break the plugin.
    }
  }
  if (!quiet) {
    process.stderr.write(line);
  }
}
