/**
 * The findings report as SARIF 2.1.0, for code-scanning systems (GitHub code scanning, Azure
 * DevOps, …). Pure.
 *
 * - One run; `tool.driver.rules` holds one rule per finding type present (`ExternalAccess`,
 *   `UnusedIAMRole`, …); one result per finding.
 * - `level`: `error` for public access, `warning` for cross-account access, `note` for unused access.
 * - Locations: a finding has no source line, so each result is located logically (account,
 *   region, resource ARN). GitHub code scanning rejects a result whose only location is logical
 *   ("expected a physical location"), so each result also points at line 1 of the fleet file,
 *   the file in the repository that puts the account under watch.
 * - `partialFingerprints` hold the analyzer ARN and AWS's finding id, so an alert keeps its
 *   identity across runs whatever else changes.
 */
import {
  type Exposure,
  type Finding,
  type FindingsReport,
  grantDescription,
} from "../../domain/findings";

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

/** `fleet.yaml` as a repository-relative URI (forward slashes, no leading `./`). */
export function artifactUri(fleetFile: string): string {
  return fleetFile.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
}

const EXPOSURE_WORDS: Record<Exposure, string> = {
  public: "Public access to",
  "cross-account": "Cross-account access to",
  unused: "Unused access:",
};

function message(f: Finding): string {
  const grant = grantDescription(f);
  return (
    `${EXPOSURE_WORDS[f.exposure]} ${f.resourceType} ${f.resource ?? "(no resource)"} ` +
    `in account ${f.accountId}, region ${f.region}` +
    (grant ? `, granted to ${grant}` : "") +
    ` (${f.findingType}; analyzer ${f.analyzer.name}; finding ${f.id}).`
  );
}

/** The SARIF log for `--format sarif`: a plain object, ready for `JSON.stringify`. */
export function toSarif(report: FindingsReport, toolVersion: string): Record<string, unknown> {
  const findings = report.accounts.flatMap((a) => a.findings);
  const ruleIds = [...new Set(findings.map((f) => f.findingType))].sort();
  const rules = ruleIds.map((id) => {
    const sample = findings.find((f) => f.findingType === id);
    // Stryker disable next-line OptionalChaining,StringLiteral: every rule id is some finding's type, so sample is always found
    const text = ruleText(id, sample?.exposure ?? "cross-account");
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
  const uri = artifactUri(report.fleetFile);
  const results = findings.map((f) => ({
    ruleId: f.findingType,
    ruleIndex: ruleIds.indexOf(f.findingType),
    level: LEVEL[f.exposure],
    message: { text: message(f) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri },
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
    partialFingerprints: { "accessAnalyzerFinding/v1": `${f.analyzer.arn}/${f.id}` },
    properties: {
      accountId: f.accountId,
      region: f.region,
      analyzer: f.analyzer.name,
      analyzerType: f.analyzer.type,
      resourceType: f.resourceType,
      resourceOwnerAccount: f.resourceOwnerAccount,
      exposure: f.exposure,
      status: f.status,
      updatedAt: f.updatedAt,
      "security-severity": SEVERITY[f.exposure],
    },
  }));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: toolVersion,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        automationDetails: { id: `${TOOL_NAME}/findings/` },
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
}
