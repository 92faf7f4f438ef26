/** Where a finished run's report goes: `--report` file, stdout (`--json` or the table), stderr. */
import * as fs from "fs";
import * as path from "path";
import { type FleetReport } from "../domain/results";
import { type RunFlags } from "./options";

/**
 * Writes the report (`--report`), prints it (`--json`) or the table, says the exit code, and
 * returns it.
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
  if (flags.report) {
    const reportPath = path.resolve(deps.cwd, flags.report);
    fs.mkdirSync(path.dirname(reportPath), { recursive: true });
    fs.writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  }
  deps.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${table()}\n`);
  deps.stderr(
    `${report.command}: exit code ${report.exitCode}${flags.report ? `; report in ${flags.report}` : ""}\n`,
  );
  return report.exitCode;
}
