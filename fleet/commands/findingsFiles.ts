/**
 * The files around a findings report, shared by `findings` and `report merge`: an earlier report
 * (`--since report.json`), the suppression file, the fleet file's path for SARIF (relative to the
 * repository, never the runner's absolute path), and writing the report where it goes.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { UsageError } from "../domain/errors";
import { type FindingsReport } from "../domain/findings";
import { parseFindingsReport } from "../domain/findingsReports";
import { type SuppressionRule, parseSuppressions } from "../domain/suppressions";
import { type FindingsFormat, renderFindings } from "../report/findings/index";

/** A JSON file, parsed, or a `UsageError` naming `subject` (the option and the value). */
export function readJson(file: string, subject: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${subject}: cannot read ${file}${code === "ENOENT" ? ": no such file" : code ? ` (${code})` : ""}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${subject}: ${file} is not JSON (${(error as Error).message})`);
  }
}

/** An earlier findings report (`--since report.json`, `report merge a.json`). */
export function readFindingsReport(given: string, cwd: string, option: string): FindingsReport {
  const subject = `${option} ${given}`;
  return parseFindingsReport(readJson(path.resolve(cwd, given), subject), subject);
}

/** The suppression file (YAML or JSON), its entries checked. */
export function readSuppressions(given: string, cwd: string): SuppressionRule[] {
  const file = path.resolve(cwd, given);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`--suppressions ${given}: cannot read ${file}; name the suppression file`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new UsageError(`--suppressions ${given}: not YAML or JSON (${(error as Error).message})`);
  }
  return parseSuppressions(doc, given);
}

/** The folder holding `.git` at or above `dir`, if any. */
function repositoryRoot(dir: string, exists: (p: string) => boolean): string | undefined {
  let d = dir;
  for (;;) {
    if (exists(path.join(d, ".git"))) return d;
    const parent = path.dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

/**
 * The fleet file as SARIF locates results in it: relative to the repository that holds it
 * (`GITHUB_WORKSPACE` on GitHub Actions, else the nearest folder with `.git`, else the working
 * folder), with forward slashes; a file outside that folder is named by its file name alone, so
 * the runner's absolute path never reaches code scanning.
 */
export function fleetFileUri(
  fleetFile: string,
  cwd: string,
  env: Record<string, string | undefined>,
  exists: (p: string) => boolean = fs.existsSync,
): string {
  const file = path.resolve(cwd, fleetFile);
  const inside = (root: string) => {
    const rel = path.relative(root, file);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : undefined;
  };
  const workspace = env.GITHUB_WORKSPACE ? inside(path.resolve(env.GITHUB_WORKSPACE)) : undefined;
  const repo = repositoryRoot(path.dirname(file), exists);
  const rel = workspace ?? (repo !== undefined ? inside(repo) : undefined) ?? inside(cwd);
  return (rel ?? path.basename(file)).split(path.sep).join("/");
}

/** Writes `text` to `file` (its folder made), or to stdout when no file is given. */
export function writeOutput(
  text: string,
  file: string | undefined,
  deps: { readonly cwd: string; readonly stdout: (text: string) => void },
): void {
  if (file === undefined) {
    deps.stdout(text);
    return;
  }
  const target = path.resolve(deps.cwd, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, text);
}

/** The report in `format`, written to `output` or stdout, and the JSON also to `report`. */
export function writeFindings(
  report: FindingsReport,
  format: FindingsFormat,
  files: { readonly output?: string; readonly report?: string; readonly sarifMaxResults?: number },
  deps: {
    readonly cwd: string;
    readonly env: Record<string, string | undefined>;
    readonly version: string;
    readonly stdout: (text: string) => void;
  },
): void {
  const text = renderFindings(report, format, {
    toolVersion: deps.version,
    fleetFileUri: fleetFileUri(report.fleetFile, deps.cwd, deps.env),
    ...(files.sarifMaxResults !== undefined ? { maxResults: files.sarifMaxResults } : {}),
  });
  writeOutput(text, files.output, deps);
  if (files.report !== undefined) {
    writeOutput(`${JSON.stringify(report, null, 2)}\n`, files.report, deps);
  }
}
