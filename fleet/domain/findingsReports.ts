/**
 * Findings reports read back: an earlier report as the baseline of `findings --since report.json`
 * (each finding new, unchanged or resolved), and `report merge` of the shards' reports into one.
 * Pure: the commands read the files.
 */
import { UsageError } from "./errors";
import {
  type AccountFindings,
  type Finding,
  type FindingsReport,
  type SuppressionUse,
  describeFilter,
  findingKey,
  finishReport,
  keepFinding,
  omit,
} from "./findings";

export const FINDINGS_KIND = "access-analyzer-fleet/findings";

/** Whether a parsed JSON document is a findings report (by its `kind`). */
export function isFindingsReport(doc: unknown): boolean {
  return (
    doc !== null && typeof doc === "object" && (doc as { kind?: unknown }).kind === FINDINGS_KIND
  );
}

/**
 * A parsed JSON document as a findings report, or a `UsageError` that names `subject` (the option
 * and file) and says what to pass instead. Checks what the comparison and the merge rely on.
 */
export function parseFindingsReport(doc: unknown, subject: string): FindingsReport {
  const fix = "pass a report written by findings --format json (or findings --report FILE)";
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new UsageError(`${subject}: not a findings report (not a JSON object); ${fix}`);
  }
  const d = doc as Record<string, unknown>;
  if (d.version === "2.1.0" && Array.isArray(d.runs)) {
    throw new UsageError(`${subject}: is a SARIF log, not a findings report; ${fix}`);
  }
  if (d.kind !== FINDINGS_KIND) {
    throw new UsageError(
      `${subject}: kind is ${JSON.stringify(d.kind)}, not "${FINDINGS_KIND}"; ${fix}`,
    );
  }
  if (d.schemaVersion !== 1) {
    throw new UsageError(
      `${subject}: schemaVersion ${JSON.stringify(d.schemaVersion)} is not one this version reads (1); make it again with this version`,
    );
  }
  const accounts = d.accounts;
  const filter = d.filter as { status?: unknown } | undefined;
  const ok =
    Array.isArray(accounts) &&
    typeof d.generatedAt === "string" &&
    typeof filter?.status === "string" &&
    accounts.every((a: unknown) => {
      const acc = a as Partial<AccountFindings> | null;
      return (
        acc !== null &&
        typeof acc.accountId === "string" &&
        typeof acc.outcome === "string" &&
        Array.isArray(acc.regionErrors) &&
        Array.isArray(acc.findings) &&
        acc.findings.every(
          (f: Partial<Finding> | null) =>
            f !== null && typeof f.id === "string" && typeof f.analyzer?.arn === "string",
        )
      );
    });
  if (!ok) {
    throw new UsageError(
      `${subject}: a findings report without its accounts, filter or findings (cut short or edited?); ${fix}`,
    );
  }
  return doc as FindingsReport;
}

/**
 * Whether `report` read the finding's account and region, and its filter would keep the finding:
 * only then does the finding's presence or absence there mean something.
 */
function readThere(report: FindingsReport, accounts: Map<string, AccountFindings>, f: Finding) {
  const a = accounts.get(f.accountId);
  if (a === undefined || a.coverage === undefined) return false;
  if (a.outcome === "aborted" || a.outcome === "skipped") return false;
  if (a.regionErrors.some((e) => e.region === f.region)) return false;
  const region = a.coverage.regions.find((r) => r.region === f.region);
  if (region === undefined || region.verdict === "excluded" || region.verdict === "error") {
    return false;
  }
  return keepFinding(f, report.filter);
}

const byId = (r: FindingsReport) => new Map(r.accounts.map((a) => [a.accountId, a]));

/**
 * Each finding of `current` marked `new` or `unchanged` against `baseline` (by analyzer ARN and
 * id), and the baseline's findings that are gone listed as `resolved`. A finding in an account or
 * region one of the two runs did not read, or that one run's filter leaves out, is neither: it
 * is counted as not compared. Throws when the two list findings of different statuses.
 */
export function compareWithBaseline(
  current: FindingsReport,
  baseline: FindingsReport,
  file: string,
): FindingsReport {
  if (current.filter.status !== baseline.filter.status) {
    throw new UsageError(
      `--since ${file}: it lists ${baseline.filter.status} findings and this run reads ${current.filter.status} ones; compare reports of the same --status`,
    );
  }
  const before = new Map(
    baseline.accounts.flatMap((a) => a.findings).map((f) => [findingKey(f), f]),
  );
  const now = new Set(current.accounts.flatMap((a) => a.findings).map(findingKey));
  const baselineAccounts = byId(baseline);
  const currentAccounts = byId(current);
  let notCompared = 0;
  const accounts = current.accounts.map((a) => ({
    ...a,
    findings: a.findings.map((f): Finding => {
      const rest = omit(f, "change");
      if (!readThere(baseline, baselineAccounts, f)) {
        notCompared++;
        return rest;
      }
      return { ...rest, change: before.has(findingKey(f)) ? "unchanged" : "new" };
    }),
  }));
  const resolved: Finding[] = [];
  for (const [key, f] of before) {
    if (now.has(key)) continue;
    if (!readThere(current, currentAccounts, f)) {
      notCompared++;
      continue;
    }
    resolved.push({ ...omit(f, "suppressed", "rank", "change"), change: "resolved" });
  }
  return finishReport({
    ...current,
    accounts,
    changes: {
      baseline: { file, generatedAt: baseline.generatedAt },
      resolved,
      notCompared,
    },
  });
}

/** Filters compared for a merge: everything but the account selection. */
function filterWithoutSelection(r: FindingsReport): string {
  return describeFilter(omit(r.filter, "accounts"));
}

/**
 * The shards' reports as one: the accounts of all (an account in two reports is an error: merge
 * reports of disjoint shards), the latest time, ranks and totals over the whole fleet. The
 * reports must come from the same `findings` command (same filter, same `--since` baseline or
 * none). Throws a `UsageError` naming the files otherwise.
 */
export function mergeFindingsReports(
  inputs: readonly { readonly file: string; readonly report: FindingsReport }[],
): FindingsReport {
  if (inputs.length === 0) throw new UsageError("report merge: name at least one report");
  const [first] = inputs;
  const seen = new Map<string, string>();
  for (const { file, report } of inputs) {
    if (filterWithoutSelection(report) !== filterWithoutSelection(first.report)) {
      throw new UsageError(
        `report merge: ${file} was made with other filters (${filterWithoutSelection(report)}) than ${first.file} (${filterWithoutSelection(first.report)}); merge the reports of one findings command`,
      );
    }
    if ((report.changes === undefined) !== (first.report.changes === undefined)) {
      throw new UsageError(
        `report merge: ${report.changes ? file : first.file} compares with an earlier report (--since) and ${report.changes ? first.file : file} does not; run every shard the same way`,
      );
    }
    for (const a of report.accounts) {
      const other = seen.get(a.accountId);
      if (other !== undefined) {
        throw new UsageError(
          `report merge: account ${a.accountId} is in both ${other} and ${file}; merge the reports of disjoint shards (--shard K/N)`,
        );
      }
      seen.set(a.accountId, file);
    }
  }
  const reports = inputs.map((i) => i.report);
  const accounts = reports
    .flatMap((r) => r.accounts)
    .sort((a, b) => a.accountId.localeCompare(b.accountId));
  const generatedAt = reports.map((r) => r.generatedAt).sort()[reports.length - 1];
  const filter = omit(first.report.filter, "accounts");
  const changes = first.report.changes
    ? {
        baseline: first.report.changes.baseline,
        resolved: reports.flatMap((r) => r.changes?.resolved ?? []),
        notCompared: reports.reduce((n, r) => n + (r.changes?.notCompared ?? 0), 0),
      }
    : undefined;
  const suppressions = mergeSuppressions(reports);
  return finishReport({
    schemaVersion: 1,
    kind: FINDINGS_KIND,
    fleetFile: first.report.fleetFile,
    generatedAt,
    filter,
    totals: first.report.totals,
    accounts,
    ...(changes ? { changes } : {}),
    ...(suppressions ? { suppressions } : {}),
    sources: inputs.map((i) => ({ file: i.file, generatedAt: i.report.generatedAt })),
  });
}

/** The suppression files' uses summed entry by entry (the shards used the same file). */
function mergeSuppressions(reports: readonly FindingsReport[]): FindingsReport["suppressions"] {
  const withFile = reports.filter((r) => r.suppressions !== undefined);
  if (withFile.length === 0) return undefined;
  const rules = new Map<number, SuppressionUse>();
  for (const r of withFile) {
    for (const use of r.suppressions!.rules) {
      const had = rules.get(use.rule);
      rules.set(use.rule, had ? { ...had, matched: had.matched + use.matched } : use);
    }
  }
  return {
    file: withFile[0].suppressions!.file,
    rules: [...rules.values()].sort((a, b) => a.rule - b.rule),
  };
}
