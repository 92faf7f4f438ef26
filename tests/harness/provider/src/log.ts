// Logs go to stderr only: stdout carries nothing but the port number the engine reads.
// The engine hides a resource plugin's stderr unless the plugin crashes (then it dumps it), and
// runs it with -v=N when the user asked for verbose logs. Never pass secrets to log().
let quiet = process.env.PULUMI_AWS_STANDIN_QUIET === "true";

export function setQuiet(q: boolean): void {
  quiet = q;
}

export function log(message: string): void {
  if (!quiet) {
    process.stderr.write(`[pulumi-resource-aws stand-in ${process.pid}] ${message}\n`);
  }
}
