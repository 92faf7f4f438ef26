/**
 * The findings report as SARIF 2.1.0, for code-scanning systems (GitHub code scanning, Azure
 * DevOps, …). Pure.
 *
 * - One run; `tool.driver.rules` holds one rule per finding type present (`ExternalAccess`,
 *   `UnusedIAMRole`, …); one result per finding, in triage order (most urgent first).
 * - `level`: `error` for public access, `warning` for cross-account access, `note` for unused access.
 * - Locations: a finding has no source line, so each result is located logically (account,
 *   region, resource ARN). GitHub code scanning rejects a result whose only location is logical
 *   ("expected a physical location"), so each result also points at line 1 of the fleet file,
 *   the file in the repository that puts the account under watch, by a path relative to the
 *   repository root (`uriBaseId` `%SRCROOT%`): never a runner's absolute path.
 * - `partialFingerprints` hold the analyzer ARN and AWS's finding id, so an alert keeps its
 *   identity across runs whatever else changes.
 * - With `--since report.json`, `baselineState` is `new` or `unchanged`, and the findings resolved
 *   since are results with `baselineState` `absent`.
 * - Suppressed findings are left out: GitHub code scanning does not honour SARIF's `suppressions`
 *   and would show them as open alerts.
 * - GitHub's limits (docs.github.com, "SARIF support for code scanning" and "SARIF results exceed
 *   limit"): at most 25,000 results per run (uploads with more are rejected; only the top 5,000 by
 *   severity are shown), 20 runs per file, 10 MB per gzip-compressed file. So the results are
 *   capped (default 5,000, the most urgent kept) and the cap is lowered until the gzipped log fits
 *   in 10 MB; a cut is said in `invocations[0].toolExecutionNotifications` and the run's
 *   `properties`, and the JSON and HTML reports keep every finding.
 */
import { gzipSync } from "zlib";
import {
  type Exposure,
  type Finding,
  type FindingsReport,
  archiveCommand,
  consoleUrl,
  findingKey,
  grantDescription,
  lastUsedDescription,
  rankedFindings,
  triageTier,
} from "../../domain/findings";

/** The base of repository-relative URIs; GitHub resolves it to the checkout. */
const SRCROOT = "%SRCROOT%";

export const SARIF_SCHEMA_URI =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

export const TOOL_NAME = "access-analyzer-fleet";

const INFORMATION_URI =
  "https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html";

const LEVEL: Record<Exposure, "error" | "warning" | "note"> = {
  public: "error",
  "cross-account": "warning",
  unused: "note",
};

/** GitHub's `security-severity` (0–10) per level, so alerts sort by it. */
const SEVERITY: Record<Exposure, string> = { public: "9.0", "cross-account": "7.0", unused: "3.0" };

/** What each finding type means and what to do, for the rule's descriptions. */
const RULE_TEXT: Record<string, { short: string; full: string; exposure: Exposure }> = {
  ExternalAccess: {
    short: "A resource grants access to a principal outside the zone of trust",
    full:
      "IAM Access Analyzer found a resource policy (or ACL) that grants access to another account, " +
      "a federated or service principal, or everyone. Remove the grant if it is not intended, or " +
      "archive the finding (an archive rule) if it is.",
    exposure: "cross-account",
  },
  UnusedIAMRole: {
    short: "An IAM role has not been used within the unused-access age",
    full: "Delete the role, or archive the finding if it is kept on purpose.",
    exposure: "unused",
  },
  UnusedIAMUserAccessKey: {
    short: "An IAM user access key has not been used within the unused-access age",
    full: "Deactivate and delete the access key.",
    exposure: "unused",
  },
  UnusedIAMUserPassword: {
    short: "An IAM user password has not been used within the unused-access age",
    full: "Remove the user's console password.",
    exposure: "unused",
  },
  UnusedPermission: {
    short: "An IAM role or user has permissions it has not used",
    full: "Remove the unused services and actions from the identity's policies.",
    exposure: "unused",
  },
};

function ruleText(findingType: string, exposure: Exposure) {
  return (
    RULE_TEXT[findingType] ?? {
      short: `IAM Access Analyzer finding of type ${findingType}`,
      full: "Review the finding in IAM Access Analyzer.",
      exposure,
    }
  );
}

/** GitHub code scanning's documented limits on one SARIF upload. */
export const GITHUB_SARIF_LIMITS = {
  /** Uploads with more results in a run are rejected. */
  resultsPerRun: 25_000,
  /** Only this many results of a run are shown, by severity. */
  shownResultsPerRun: 5_000,
  runsPerFile: 20,
  /** The gzip-compressed file. */
  gzipBytes: 10 * 1024 * 1024,
} as const;

/**
 * The fleet file as a repository-relative URI: forward slashes, no leading `./`; an absolute path
 * (which would name the runner's disk) becomes its file name.
 */
export function artifactUri(fleetFile: string): string {
  const slashed = fleetFile.replace(/\\/g, "/");
  if (/^(\/|[A-Za-z]:\/)/.test(slashed)) return slashed.slice(slashed.lastIndexOf("/") + 1);
  return slashed.replace(/^(\.\/)+/, "");
}

const EXPOSURE_WORDS: Record<Exposure, string> = {
  public: "Public access to",
  "cross-account": "Cross-account access to",
  unused: "Unused access:",
};

function message(f: Finding, now: string): string {
  const grant = grantDescription(f);
  const actions = f.action && f.action.length > 0 ? `; actions ${f.action.join(", ")}` : "";
  const used = lastUsedDescription(f, now);
  return (
    (f.change === "resolved" ? "Resolved: " : "") +
    `${EXPOSURE_WORDS[f.exposure]} ${f.resourceType} ${f.resource ?? "(no resource)"} ` +
    `in account ${f.accountName ? `${f.accountName} ` : ""}${f.accountId}, region ${f.region}` +
    (grant ? `, granted to ${grant}` : "") +
    actions +
    (used ? `; ${used}` : "") +
    ` (${f.findingType}; analyzer ${f.analyzer.name}; finding ${f.id}).`
  );
}

export interface SarifOptions {
  /** This package's version (`tool.driver.version`). */
  readonly toolVersion: string;
  /** The fleet file relative to the repository root; default: from the report's `fleetFile`. */
  readonly fleetFileUri?: string;
  /** At most this many results (default 5,000: what GitHub shows of a run). */
  readonly maxResults?: number;
}

const BASELINE_STATE = { new: "new", unchanged: "unchanged", resolved: "absent" } as const;

/** The SARIF log for `--format sarif`: a plain object, ready for `JSON.stringify`. */
export function toSarif(report: FindingsReport, options: SarifOptions): Record<string, unknown> {
  const shown = rankedFindings(report).filter((f) => f.suppressed === undefined);
  const all = [...shown, ...(report.changes?.resolved ?? [])];
  const max = Math.min(
    options.maxResults ?? GITHUB_SARIF_LIMITS.shownResultsPerRun,
    GITHUB_SARIF_LIMITS.resultsPerRun,
  );
  const findings = all.slice(0, max);
  const omitted = all.length - findings.length;
  // Each finding type present, with the exposure of its first finding (a type this code does not
  // know is leveled by it).
  const exposureOfType = new Map<string, Exposure>();
  for (const f of findings) {
    if (!exposureOfType.has(f.findingType)) exposureOfType.set(f.findingType, f.exposure);
  }
  const ruleIds = [...exposureOfType.keys()].sort();
  const rules = ruleIds.map((id) => {
    const text = ruleText(id, exposureOfType.get(id)!);
    return {
      id,
      name: id,
      shortDescription: { text: text.short },
      fullDescription: { text: text.full },
      helpUri: INFORMATION_URI,
      help: { text: text.full },
      defaultConfiguration: { level: LEVEL[text.exposure] },
      properties: {
        tags: ["security", "aws", "iam-access-analyzer"],
        "security-severity": SEVERITY[text.exposure],
      },
    };
  });
  const uri = options.fleetFileUri ?? artifactUri(report.fleetFile);
  const results = findings.map((f) => {
    const console = consoleUrl(f);
    const archive = f.change === "resolved" ? undefined : archiveCommand(f);
    return {
      ruleId: f.findingType,
      ruleIndex: ruleIds.indexOf(f.findingType),
      level: LEVEL[f.exposure],
      message: { text: message(f, report.generatedAt) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri, uriBaseId: SRCROOT },
            region: { startLine: 1 },
          },
          logicalLocations: [
            {
              name: f.resource ?? f.id,
              fullyQualifiedName: `${f.accountId}/${f.region}/${f.resource ?? f.id}`,
              kind: "resource",
            },
          ],
        },
      ],
      partialFingerprints: { "accessAnalyzerFinding/v1": findingKey(f) },
      ...(f.change !== undefined ? { baselineState: BASELINE_STATE[f.change] } : {}),
      properties: {
        accountId: f.accountId,
        ...(f.accountName !== undefined ? { accountName: f.accountName } : {}),
        ...(f.ouPath !== undefined ? { ouPath: f.ouPath } : {}),
        region: f.region,
        analyzer: f.analyzer.name,
        analyzerType: f.analyzer.type,
        resourceType: f.resourceType,
        resourceOwnerAccount: f.resourceOwnerAccount,
        exposure: f.exposure,
        tier: f.tier ?? triageTier(f),
        ...(f.rank !== undefined ? { rank: f.rank } : {}),
        status: f.status,
        updatedAt: f.updatedAt,
        ...(f.unused?.lastAccessed !== undefined ? { lastAccessed: f.unused.lastAccessed } : {}),
        ...(console !== undefined ? { consoleUrl: console } : {}),
        ...(archive !== undefined ? { archiveCommand: archive } : {}),
        "security-severity": SEVERITY[f.exposure],
      },
    };
  });
  const notes = [
    ...(omitted > 0
      ? [
          `${omitted} of ${all.length} findings left out, the least urgent: GitHub code scanning shows at most ` +
            `${GITHUB_SARIF_LIMITS.shownResultsPerRun} results per run and rejects more than ` +
            `${GITHUB_SARIF_LIMITS.resultsPerRun} or a file over 10 MB gzipped; the JSON and HTML reports hold every finding`,
        ]
      : []),
    ...expiredNotes(report),
  ];
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: options.toolVersion,
            ...(/^\d+\.\d+\.\d+/.test(options.toolVersion)
              ? { semanticVersion: options.toolVersion }
              : {}),
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        ...(notes.length > 0
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  toolExecutionNotifications: notes.map((text) => ({
                    level: "warning",
                    message: { text },
                  })),
                },
              ],
            }
          : {}),
        automationDetails: { id: `${TOOL_NAME}/findings/` },
        columnKind: "utf16CodeUnits",
        results,
        properties: {
          findings: all.length,
          ...(omitted > 0 ? { resultsOmitted: omitted } : {}),
          ...(report.totals.suppressed !== undefined
            ? { suppressed: report.totals.suppressed }
            : {}),
          ...(report.changes
            ? {
                baseline: report.changes.baseline.generatedAt,
                notCompared: report.changes.notCompared,
              }
            : {}),
        },
      },
    ],
  };
}

/** One line per expired suppression. */
function expiredNotes(report: FindingsReport): string[] {
  return (report.suppressions?.rules ?? [])
    .filter((r) => r.expired)
    .map(
      (r) =>
        `suppression ${r.rule} of ${report.suppressions!.file} (${r.match}: ${r.reason}) expired ${r.expires}; ` +
        `its ${r.matched} finding(s) are shown again`,
    );
}

/**
 * The SARIF text within GitHub's limits: the cap (default 5,000) lowered until the gzipped text
 * fits in 10 MB. Pure (gzip is computation).
 */
export function renderSarif(report: FindingsReport, options: SarifOptions): string {
  let max = Math.min(
    options.maxResults ?? GITHUB_SARIF_LIMITS.shownResultsPerRun,
    GITHUB_SARIF_LIMITS.resultsPerRun,
  );
  for (;;) {
    const text = `${JSON.stringify(toSarif(report, { ...options, maxResults: max }), null, 2)}\n`;
    const size = gzipSync(text).length;
    if (size <= GITHUB_SARIF_LIMITS.gzipBytes || max <= 1) return text;
    max = Math.max(1, Math.floor((max * GITHUB_SARIF_LIMITS.gzipBytes * 0.9) / size));
  }
}
