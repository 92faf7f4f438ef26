/**
 * The findings report as one self-contained HTML page: inline CSS, no script, no font, image or
 * anything else fetched (a Content-Security-Policy of `default-src 'none'` says so to the
 * browser). An accounts × regions coverage matrix with `audit`'s verdicts, then the findings
 * grouped by account. Every string is escaped: resource names and policy values come from whoever
 * created the resource. Pure.
 */
import {
  type AccountFindings,
  type FindingsReport,
  describeFilter,
  grantDescription,
} from "../../domain/findings";
import { accountLabel } from "../../domain/text";
import { type RegionVerdict } from "../../domain/verdicts";

/** Text → HTML text or attribute value (`&`, `<`, `>`, `"`, `'`). */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const VERDICT_LABEL: Record<RegionVerdict, string> = {
  covered: "covered",
  missing: "missing",
  "not-active": "not active",
  pending: "pending (CREATING)",
  excluded: "excluded",
  error: "unreadable",
  "stale-state": "disabled, still in state",
};

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:#57606a;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.v{text-align:center;font-size:12px;white-space:nowrap}
.covered{background:#dafbe1}.missing{background:#ffd8d3}.not-active{background:#fff1c5}.pending{background:#ddf4ff}
.excluded{background:#eaeef2;color:#57606a}.error{background:#ffd8d3;font-style:italic}.none{color:#8c959f}
.public{color:#a40e26;font-weight:600}.cross-account{color:#9a6700}.unused{color:#57606a}
.counts span{margin-right:12px}
.err{color:#a40e26}
code{font-size:12px;word-break:break-all}
`;

function matrix(report: FindingsReport): string {
  const accounts = report.accounts;
  const regions = [...new Set(accounts.flatMap((a) => a.coverage?.enabledRegions ?? []))].sort();
  if (regions.length === 0) return `<p class="meta">No account's regions could be read.</p>`;
  const head = regions.map((r) => `<th>${escapeHtml(r)}</th>`).join("");
  const rows = accounts.map((a) => {
    const byRegion = new Map(a.coverage?.regions.map((r) => [r.region, r]));
    const cells = regions.map((region) => {
      const r = byRegion.get(region);
      if (!r) {
        const why = a.coverage ? "not enabled" : "account not read";
        return `<td class="v none" title="${escapeHtml(why)}">–</td>`;
      }
      const title = r.error ?? r.detail ?? r.analyzer?.name ?? "";
      return `<td class="v ${r.verdict}" title="${escapeHtml(title)}">${VERDICT_LABEL[r.verdict]}</td>`;
    });
    return `<tr><th>${escapeHtml(accountLabel(a))}</th>${cells.join("")}</tr>`;
  });
  return `<table class="matrix"><thead><tr><th>account</th>${head}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function accountSection(a: AccountFindings): string {
  const count = (e: string) => a.findings.filter((f) => f.exposure === e).length;
  const counts =
    `<p class="counts"><span>${a.findings.length} finding(s)</span>` +
    `<span class="public">${count("public")} public</span>` +
    `<span class="cross-account">${count("cross-account")} cross-account</span>` +
    `<span class="unused">${count("unused")} unused access</span></p>`;
  const errors = [
    ...(a.outcome !== "succeeded" && a.regionErrors.length === 0 && a.error
      ? [`<li>${escapeHtml(a.outcome)}: ${escapeHtml(a.error)}</li>`]
      : []),
    ...a.regionErrors.map(
      (e) => `<li>${escapeHtml(e.region)} could not be read: ${escapeHtml(e.error)}</li>`,
    ),
  ];
  const rows = a.findings.map(
    (f) =>
      `<tr><td>${escapeHtml(f.region)}</td><td>${escapeHtml(f.analyzer.name)}</td>` +
      `<td>${escapeHtml(f.findingType)}</td><td class="${f.exposure}">${escapeHtml(f.exposure)}</td>` +
      `<td>${escapeHtml(f.resourceType)}</td><td><code>${escapeHtml(f.resource ?? "-")}</code></td>` +
      `<td>${escapeHtml(grantDescription(f) || "-")}</td><td>${escapeHtml(f.updatedAt)}</td>` +
      `<td><code>${escapeHtml(f.id)}</code></td></tr>`,
  );
  const table =
    rows.length > 0
      ? `<table><thead><tr><th>region</th><th>analyzer</th><th>finding</th><th>access</th>` +
        `<th>resource type</th><th>resource</th><th>granted to</th><th>updated</th><th>id</th>` +
        `</tr></thead><tbody>${rows.join("")}</tbody></table>`
      : "";
  return (
    `<section><h2>${escapeHtml(accountLabel(a))}</h2>${counts}` +
    (errors.length > 0 ? `<ul class="err">${errors.join("")}</ul>` : "") +
    `${table}</section>`
  );
}

/** The `--format html` page. */
export function renderFindingsHtml(report: FindingsReport): string {
  const t = report.totals;
  const filters = describeFilter(report.filter);
  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>IAM Access Analyzer findings</title>",
    `<style>${CSS}</style></head><body>`,
    "<h1>IAM Access Analyzer findings</h1>",
    `<p class="meta">Generated ${escapeHtml(report.generatedAt)} from ${escapeHtml(report.fleetFile)}; ${escapeHtml(filters)}.</p>`,
    `<p class="counts"><span>${t.accounts} account(s)</span><span>${t.findings} finding(s)</span>` +
      `<span class="public">${t.public} public</span><span class="cross-account">${t.crossAccount} cross-account</span>` +
      `<span class="unused">${t.unused} unused access</span>` +
      (t.failedAccounts > 0
        ? `<span class="err">${t.failedAccounts} account(s) with errors</span>`
        : "") +
      "</p>",
    "<h2>Coverage: an ACTIVE ACCOUNT analyzer in every enabled region (the coverage rule behind CIS 1.19 / Security Hub IAM.28)</h2>",
    matrix(report),
    '<p class="meta">covered: an ACTIVE ACCOUNT analyzer; missing: none (an ORGANIZATION analyzer passes IAM.28 in its own account, not this rule); ' +
      "pending: CREATING (not counted by IAM.28 yet); not active: DISABLED or FAILED; excluded: left out by the fleet file; –: region not enabled.</p>",
    ...report.accounts.map(accountSection),
    "</body></html>",
    "",
  ].join("\n");
}
