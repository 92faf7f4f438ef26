/** Where a finished run's report goes: `--report` file, stdout (`--json` or the table), stderr. */
import * as fs from "fs";
import * as path from "path";
import { describeError } from "../domain/errors";
import { EXIT } from "../domain/outcomes";
import { type FleetReport } from "../domain/results";
import { type RunFlags } from "./options";

/**
 * Writes the report (`--report`), prints it (`--json`) or the table, says the exit code, and
 * returns it. A report file the disk refuses (full, read-only, gone since the check before the
 * run) does not lose the run's summary: the table (or `--json`) is printed all the same, the error
 * says what happened, and the exit code is 5 (environment), unless the run was aborted (130).
 */
export function emitReport(
  report: FleetReport,
  flags: Pick<RunFlags, "report" | "json">,
  deps: {
    readonly cwd: string;
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
  },
  table: () => string,
): number {
  let unwritten: string | undefined;
  if (flags.report) {
    try {
      writeFile(path.resolve(deps.cwd, flags.report), `${JSON.stringify(report, null, 2)}\n`);
    } catch (error) {
      unwritten = describeError(error);
    }
  }
  deps.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${table()}\n`);
  if (unwritten !== undefined) {
    const code = report.exitCode === EXIT.aborted ? EXIT.aborted : EXIT.environment;
    deps.stderr(
      `${report.command}: could not write the report to ${flags.report}: ${unwritten}; ` +
        `the summary above is what the run did (the report would have said exit code ` +
        `${report.exitCode}); free space or pick another --report, then read the accounts' state ` +
        `again with outputs or audit. Exit code ${code}\n`,
    );
    return code;
  }
  deps.stderr(
    `${report.command}: exit code ${report.exitCode}${flags.report ? `; report in ${flags.report}` : ""}\n`,
  );
  return report.exitCode;
}

/** Writes `text` to `file`, creating its folder. Throws what the file system says. */
export function writeFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
