/**
 * The suppression file of `findings --suppressions FILE`: findings muted in the reports, without
 * archiving them in AWS, each for a reason and until a date. Parsing (every problem names the
 * entry, the key and the fix) and applying are pure; the command reads the file.
 *
 * ```yaml
 * suppressions:
 *   - id: 5f3c0a4e-…                          # AWS's finding id
 *     reason: Partner read access, ticket SEC-123
 *     expires: 2025-12-31                     # through that day (UTC)
 *   - resource: "arn:aws:s3:::public-site-*"  # the resource ARN; * and ? are wildcards
 *     account: "111122223333"                 # optional: also account, region, resourceType, findingType
 *     reason: The public website
 *     expires: 2026-03-31T00:00:00Z
 * ```
 *
 * An expired entry mutes nothing: the findings it matches are shown again and the entry is listed
 * as expired. Every entry must expire: a finding that is accepted for good belongs in an archive
 * rule (the fleet file's `archiveRules`), where AWS archives it.
 */
import { UsageError } from "./errors";
import {
  type Finding,
  type FindingsReport,
  type SuppressionUse,
  findingKey,
  finishReport,
  omit,
} from "./findings";

/** One entry of the file, parsed. */
export interface SuppressionRule {
  /** Its position in the list, from 1. */
  readonly rule: number;
  readonly id?: string;
  /** A pattern over the resource ARN: `*` any characters, `?` one. */
  readonly resource?: string;
  readonly account?: string;
  readonly region?: string;
  readonly resourceType?: string;
  readonly findingType?: string;
  readonly reason: string;
  /** ISO time after which it no longer applies. */
  readonly expires: string;
}

const MATCHERS = ["id", "resource", "account", "region", "resourceType", "findingType"] as const;
const KEYS = new Set<string>([...MATCHERS, "reason", "expires"]);

/** `2025-12-31` (through that day, UTC) or an ISO time → the ISO time it ends; undefined if neither. */
function expiryOf(value: unknown): string | undefined {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const end = new Date(Date.UTC(y, m - 1, d + 1));
    // 2025-02-30 is not a day.
    if (new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d) return undefined;
    return end.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const t = Date.parse(text);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  return undefined;
}

/**
 * The entries of a parsed suppression file (YAML or JSON: `{ suppressions: [...] }`), or a
 * `UsageError` listing every problem as `FILE: suppressions[N].key: problem; fix`.
 */
export function parseSuppressions(doc: unknown, file: string): SuppressionRule[] {
  const list =
    doc !== null && typeof doc === "object" && !Array.isArray(doc)
      ? (doc as Record<string, unknown>).suppressions
      : undefined;
  if (!Array.isArray(list)) {
    throw new UsageError(
      `${file}: expected a list under "suppressions:", each entry with id or resource, reason and expires`,
    );
  }
  const problems: string[] = [];
  const rules: SuppressionRule[] = [];
  list.forEach((entry: unknown, i) => {
    const at = `${file}: suppressions[${i}]`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      problems.push(`${at}: expected a mapping with id or resource, reason and expires`);
      return;
    }
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!KEYS.has(key)) {
        problems.push(`${at}.${key}: unknown key; use ${[...KEYS].join(", ")}`);
      }
    }
    const text: Partial<Record<(typeof MATCHERS)[number] | "reason", string>> = {};
    for (const key of [...MATCHERS, "reason"] as const) {
      const v = e[key];
      if (v === undefined) continue;
      if (typeof v !== "string" || v.trim() === "") {
        problems.push(`${at}.${key}: must be a non-empty string (quote it in YAML)`);
      } else {
        text[key] = v.trim();
      }
    }
    if (text.id === undefined && text.resource === undefined) {
      problems.push(
        `${at}: names no finding; give id (AWS's finding id) or resource (an ARN pattern such as arn:aws:s3:::logs-*)`,
      );
    }
    if (text.account !== undefined && !/^\d{12}$/.test(text.account)) {
      problems.push(`${at}.account: "${text.account}" is not a 12-digit account id`);
    }
    if (text.reason === undefined) {
      problems.push(`${at}.reason: missing; say why the finding is accepted (and who accepted it)`);
    }
    const expires = expiryOf(e.expires);
    if (e.expires === undefined) {
      problems.push(
        `${at}.expires: missing; every suppression ends (e.g. expires: 2025-12-31); to hide a finding for good, archive it with an archive rule`,
      );
    } else if (expires === undefined) {
      problems.push(
        `${at}.expires: ${JSON.stringify(e.expires)} is not a date; write 2025-12-31 or 2025-12-31T18:00:00Z`,
      );
    }
    if (problems.length === 0 && expires !== undefined && text.reason !== undefined) {
      rules.push({ rule: i + 1, ...text, reason: text.reason, expires });
    }
  });
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return rules;
}

/** `*` and `?` as wildcards, everything else literal, the whole string. */
function patternOf(glob: string): RegExp {
  const body = glob
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "s");
}

/** Whether the entry names the finding (every key it gives must match). Pure. */
export function suppressionMatches(rule: SuppressionRule, f: Finding): boolean {
  if (rule.id !== undefined && rule.id !== f.id) return false;
  if (rule.resource !== undefined) {
    if (f.resource === undefined || !patternOf(rule.resource).test(f.resource)) return false;
  }
  if (rule.account !== undefined && rule.account !== f.accountId) return false;
  if (rule.region !== undefined && rule.region !== f.region) return false;
  if (rule.resourceType !== undefined && rule.resourceType !== f.resourceType) return false;
  if (rule.findingType !== undefined && rule.findingType !== f.findingType) return false;
  return true;
}

/** `id 5f3c…; account 1111…`: what the entry matches, in words. */
function describeMatch(rule: SuppressionRule): string {
  return MATCHERS.filter((k) => rule[k] !== undefined)
    .map((k) => `${k} ${rule[k]}`)
    .join("; ");
}

/**
 * The report with each finding an unexpired entry names marked `suppressed` (the first such entry
 * in the file), and what every entry did. Suppressed findings stay in the report (the JSON keeps
 * them, `--since` compares them) but leave the counts and the views. Pure.
 */
export function applySuppressions(
  report: FindingsReport,
  rules: readonly SuppressionRule[],
  file: string,
  now: Date,
): FindingsReport {
  const live = (r: SuppressionRule) => Date.parse(r.expires) > now.getTime();
  const matched = new Map<number, Set<string>>(rules.map((r) => [r.rule, new Set()]));
  const accounts = report.accounts.map((a) => ({
    ...a,
    findings: a.findings.map((f) => {
      const rest = omit(f, "suppressed");
      let by: SuppressionRule | undefined;
      for (const r of rules) {
        if (!suppressionMatches(r, rest)) continue;
        matched.get(r.rule)!.add(findingKey(f));
        if (by === undefined && live(r)) by = r;
      }
      return by
        ? { ...rest, suppressed: { rule: by.rule, reason: by.reason, expires: by.expires } }
        : rest;
    }),
  }));
  const uses: SuppressionUse[] = rules.map((r) => ({
    rule: r.rule,
    match: describeMatch(r),
    reason: r.reason,
    expires: r.expires,
    expired: !live(r),
    matched: matched.get(r.rule)!.size,
  }));
  return finishReport({ ...report, accounts, suppressions: { file, rules: uses } });
}

/** The entries that expired, for a warning. */
export function expiredSuppressions(report: FindingsReport): SuppressionUse[] {
  return (report.suppressions?.rules ?? []).filter((r) => r.expired);
}
