/**
 * The findings report as one self-contained HTML page, for triage across the fleet:
 * - every finding in one table, most urgent first (public, then cross-account, then unused access;
 *   the order of fleet/domain/findings.ts), with who is granted which actions under which
 *   condition, when unused access was last used, human times, and per finding its console page
 *   and the exact command that archives it;
 * - filters (account, OU, region, resource type, access kind, what changed, text) and sorting by
 *   column, by one inline script that the Content-Security-Policy allows by its SHA-256 hash and
 *   nothing else: no remote script, style, font or image, nothing fetched;
 * - then the accounts, the accounts × regions coverage matrix with `audit`'s verdicts, and what
 *   could not be read.
 * At fleet size (10,000 findings, 500 accounts) the page renders only the first rows of the
 * current view (100, then "show more"): the rows are in a JSON data block, already rendered as
 * escaped HTML by this module, and the script only picks which to show. Without JavaScript the
 * most urgent rows are still there. Every string is escaped: resource names and policy values come
 * from whoever created the resource. Pure.
 */
import { createHash } from "crypto";
import {
  type AccountFindings,
  type Finding,
  type FindingsReport,
  TRIAGE_TIERS,
  ageInWords,
  archiveCommand,
  conditionDescription,
  consoleUrl,
  describeFilter,
  lastUsedDescription,
  principalDescription,
  rankedFindings,
  utcMinute,
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

/** Rows the page shows at first, and adds with each "show more". */
export const PAGE_ROWS = 100;

/** Above this many accounts, the accounts table and the matrix start folded. */
const FOLD_ACCOUNTS = 50;

const VERDICT_LABEL: Record<RegionVerdict, string> = {
  covered: "covered",
  missing: "missing",
  "not-active": "not active",
  pending: "pending (CREATING)",
  excluded: "excluded",
  error: "unreadable",
  "stale-state": "disabled, still in state",
};

const TIER_WORDS: Record<(typeof TRIAGE_TIERS)[number], string> = {
  public: "public, no condition: anyone can use the grant",
  "public-conditional": "public, narrowed by a condition (source IP, VPC, organization, …)",
  "cross-account": "cross-account, no condition: a principal outside the zone of trust",
  "cross-account-conditional": "cross-account, narrowed by a condition",
  "unused-credential": "unused IAM user access key or password: a long-lived secret nobody uses",
  "unused-role": "unused IAM role, still assumable",
  "unused-permission": "unused permissions of a role or user",
};

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px 24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#57606a;margin:4px 0}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
#findings{width:100%}#findings td{font-size:13px}
#findings th button{font:inherit;font-weight:600;border:0;background:none;padding:0;cursor:pointer}
#findings th[aria-sort] button::after{content:" ↓"}#findings th[aria-sort=ascending] button::after{content:" ↑"}
td.n{color:#57606a;text-align:right}
td.v{text-align:center;font-size:12px;white-space:nowrap}
.covered{background:#dafbe1}.missing{background:#ffd8d3}.not-active{background:#fff1c5}.pending{background:#ddf4ff}
.excluded{background:#eaeef2;color:#57606a}.error{background:#ffd8d3;font-style:italic}.none{color:#8c959f}
.k{display:inline-block;border-radius:3px;padding:0 4px;font-size:12px;font-weight:600;white-space:nowrap}
.k.public{background:#ffebe9;color:#a40e26}.k.cross-account{background:#fff8c5;color:#7d4e00}.k.unused{background:#eaeef2;color:#424a53}
.c{display:inline-block;border-radius:3px;padding:0 4px;font-size:11px;margin-left:4px}
.c.new{background:#ddf4ff;color:#0550ae;font-weight:600}.c.resolved{background:#dafbe1;color:#116329}.c.sup{background:#eaeef2;color:#57606a}
tr.resolved td,tr.sup td{color:#57606a}
.public{color:#a40e26;font-weight:600}.cross-account{color:#9a6700}.unused{color:#57606a}
.counts span{margin-right:12px}
.err{color:#a40e26}
.warn{border:1px solid #d4a72c;background:#fff8c5;padding:6px 10px;margin:8px 0}
small{color:#57606a}
code{font-size:12px;word-break:break-all}
details.cmd summary{cursor:pointer;color:#0969da;font-size:12px}
.filters{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin:8px 0;padding:6px 8px;background:#f6f8fa;border:1px solid #d0d7de}
.filters label{white-space:nowrap}.filters select,.filters input{font:inherit;font-size:13px}
.filters fieldset{border:0;margin:0;padding:0;display:inline}
`;

/**
 * The page's only script: filters and sorts the rows of the `aa-data` block, shows the first
 * `page` of them, and adds a page per click on "show more". It never builds HTML from finding
 * values: each row's HTML was escaped when the page was made.
 */
export const SCRIPT = `(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("aa-data").textContent);
  var rows = data.rows;
  var form = document.getElementById("filters");
  var tbody = document.querySelector("#findings tbody");
  var shown = document.getElementById("shown");
  var more = document.getElementById("more");
  var heads = document.querySelectorAll("#findings th[data-sort]");
  var limit = data.page;
  var sortKey = "rank";
  var sortDir = 1;
  var view = rows;
  function value(id) {
    var el = document.getElementById(id);
    return el ? el.value : "";
  }
  function checked(id) {
    var el = document.getElementById(id);
    return el ? el.checked : false;
  }
  var keys = {
    rank: function (r) { return r.i; },
    account: function (r) { return r.n; },
    region: function (r) { return r.r; },
    resource: function (r) { return r.t + " " + r.x; },
    updated: function (r) { return r.u; },
    used: function (r) { return r.l; }
  };
  function compare(a, b) {
    var ka = keys[sortKey](a);
    var kb = keys[sortKey](b);
    if (ka < kb) return -sortDir;
    if (ka > kb) return sortDir;
    return a.i - b.i;
  }
  function render() {
    var html = "";
    var end = Math.min(limit, view.length);
    for (var i = 0; i < end; i++) html += view[i].h;
    tbody.innerHTML = html;
    shown.textContent = view.length === 0
      ? "No finding matches these filters."
      : "Showing " + end + " of " + view.length + " matching finding(s), of " + data.total + " in this report.";
    more.hidden = end >= view.length;
    more.textContent = "Show " + Math.min(data.page, view.length - end) + " more";
  }
  function apply() {
    var account = value("f-account");
    var ou = value("f-ou");
    var region = value("f-region");
    var type = value("f-type");
    var change = value("f-change") || "current";
    var text = value("f-text").trim().toLowerCase();
    var suppressed = checked("f-suppressed");
    var kinds = {};
    var boxes = form.querySelectorAll("input[name=kind]");
    for (var i = 0; i < boxes.length; i++) kinds[boxes[i].value] = boxes[i].checked;
    view = rows.filter(function (r) {
      if (account && r.a !== account) return false;
      if (ou && r.o !== ou && r.o.indexOf(ou + "/") !== 0) return false;
      if (region && r.r !== region) return false;
      if (type && r.t !== type) return false;
      if (!kinds[r.k]) return false;
      if (change === "current" ? r.c === "resolved" : change !== "all" && r.c !== change) return false;
      if (r.s && !suppressed) return false;
      if (text && r.x.indexOf(text) < 0) return false;
      return true;
    });
    if (sortKey !== "rank" || sortDir !== 1) view.sort(compare);
    limit = data.page;
    render();
  }
  function sortBy(key) {
    sortDir = sortKey === key ? -sortDir : key === "updated" ? -1 : 1;
    sortKey = key;
    for (var i = 0; i < heads.length; i++) {
      var th = heads[i];
      if (th.getAttribute("data-sort") === key) {
        th.setAttribute("aria-sort", sortDir === 1 ? "ascending" : "descending");
      } else {
        th.removeAttribute("aria-sort");
      }
    }
    view.sort(compare);
    limit = data.page;
    render();
  }
  for (var h = 0; h < heads.length; h++) {
    heads[h].querySelector("button").addEventListener("click", function (e) {
      sortBy(e.currentTarget.parentNode.getAttribute("data-sort"));
    });
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  more.addEventListener("click", function () { limit += data.page; render(); });
  form.hidden = false;
  apply();
})();`;

/** The Content-Security-Policy: nothing fetched, inline style, and only this page's script. */
export const CSP =
  `default-src 'none'; style-src 'unsafe-inline'; ` +
  `script-src 'sha256-${createHash("sha256").update(SCRIPT).digest("base64")}'`;

const KIND_WORDS = { public: "public", "cross-account": "cross-account", unused: "unused" };

/** `<time>` with the time in words against the report's time, and the exact time as its title. */
function time(iso: string, now: string): string {
  return `<time datetime="${escapeHtml(iso)}" title="${escapeHtml(utcMinute(iso))}">${escapeHtml(ageInWords(iso, now))}</time>`;
}

function accountCell(f: Finding): string {
  const label = f.accountName ?? f.accountId;
  const under = [
    ...(f.accountName !== undefined ? [f.accountId] : []),
    ...(f.ouPath ? [f.ouPath] : []),
  ];
  return (
    `<td>${escapeHtml(label)}` +
    (under.length > 0 ? `<br><small>${escapeHtml(under.join(" · "))}</small>` : "") +
    "</td>"
  );
}

/** Who gets what under which condition; for unused access, when it was last used. */
function accessCell(f: Finding, now: string): string {
  const parts: string[] = [];
  if (f.exposure === "unused") {
    parts.push(escapeHtml(f.findingType));
    const used = lastUsedDescription(f, now);
    if (used) parts.push(escapeHtml(used));
    if (f.unused?.accessKeyId) parts.push(`key <code>${escapeHtml(f.unused.accessKeyId)}</code>`);
  } else {
    const principal = principalDescription(f);
    parts.push(
      principal ? `to <b>${escapeHtml(principal)}</b>` : "<small>principal not read</small>",
    );
    if (f.action && f.action.length > 0) {
      parts.push(`actions <code>${escapeHtml(f.action.join(", "))}</code>`);
    }
    const condition = conditionDescription(f);
    if (condition) parts.push(`if <code>${escapeHtml(condition)}</code>`);
  }
  if (f.error) parts.push(`<span class="err">${escapeHtml(f.error)}</span>`);
  return `<td>${parts.join("<br>")}</td>`;
}

/** The console link, the archive command and the finding's id. */
function actCell(f: Finding): string {
  const url = f.change === "resolved" ? undefined : consoleUrl(f);
  const command = f.change === "resolved" ? undefined : archiveCommand(f);
  const verb = f.status === "ARCHIVED" ? "unarchive" : "archive";
  return (
    "<td>" +
    (url
      ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">console</a>`
      : "") +
    (command
      ? `<details class="cmd"><summary>${verb}</summary><code>${escapeHtml(command)}</code></details>`
      : "") +
    `<small>id <code>${escapeHtml(f.id)}</code></small></td>`
  );
}

/** One row of the findings table. */
export function findingRow(f: Finding, now: string): string {
  const classes = [
    ...(f.change === "resolved" ? ["resolved"] : []),
    ...(f.suppressed ? ["sup"] : []),
  ];
  const badges =
    (f.change === "new" || f.change === "resolved"
      ? `<span class="c ${f.change}">${f.change}</span>`
      : "") +
    (f.suppressed
      ? `<span class="c sup" title="${escapeHtml(`${f.suppressed.reason} (until ${utcMinute(f.suppressed.expires)})`)}">suppressed</span>`
      : "");
  return (
    `<tr${classes.length > 0 ? ` class="${classes.join(" ")}"` : ""}>` +
    `<td class="n">${f.rank ?? ""}</td>` +
    `<td><span class="k ${f.exposure}">${KIND_WORDS[f.exposure]}</span>${badges}</td>` +
    accountCell(f) +
    `<td>${escapeHtml(f.region)}</td>` +
    `<td><small>${escapeHtml(f.resourceType)}</small><br><code>${escapeHtml(f.resource ?? "-")}</code></td>` +
    accessCell(f, now) +
    `<td>${time(f.updatedAt, now)}</td>` +
    actCell(f) +
    "</tr>"
  );
}

/** What the script filters and sorts on, and the row's HTML. */
interface DataRow {
  /** Triage order. */
  readonly i: number;
  readonly h: string;
  readonly a: string;
  /** Account label, for sorting. */
  readonly n: string;
  readonly o: string;
  readonly r: string;
  readonly t: string;
  readonly k: string;
  readonly c: string;
  readonly s: 0 | 1;
  readonly u: string;
  readonly l: string;
  /** Lower-case text the search box looks in. */
  readonly x: string;
}

function dataRow(f: Finding, i: number, now: string): DataRow {
  const words = [
    f.resource ?? "",
    f.id,
    f.findingType,
    f.accountId,
    f.accountName ?? "",
    principalDescription(f),
    conditionDescription(f),
    (f.action ?? []).join(" "),
  ];
  return {
    i,
    h: findingRow(f, now),
    a: f.accountId,
    n: accountLabel({ accountId: f.accountId, name: f.accountName }).toLowerCase(),
    o: f.ouPath ?? "",
    r: f.region,
    t: f.resourceType,
    k: f.exposure,
    c: f.change ?? "",
    s: f.suppressed ? 1 : 0,
    u: f.updatedAt,
    // Never used sorts first.
    l: f.exposure === "unused" ? (f.unused?.lastAccessed ?? "") : "~",
    x: words.join(" ").toLowerCase(),
  };
}

/** JSON for a `<script type="application/json">` block: `<` escaped so nothing ends the block. */
function jsonBlock(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function options(values: readonly string[], label: (v: string) => string = (v) => v): string {
  return values
    .map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(label(v))}</option>`)
    .join("");
}

function filtersForm(report: FindingsReport, all: readonly Finding[]): string {
  const uniq = (xs: string[]) => [...new Set(xs)].sort();
  const accounts = report.accounts
    .map((a) => ({ id: a.accountId, label: accountLabel(a) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const ous = uniq(report.accounts.flatMap((a) => (a.ouPath ? [a.ouPath] : [])));
  const regions = uniq(all.map((f) => f.region));
  const types = uniq(all.map((f) => f.resourceType));
  const count = (k: string) =>
    all.filter((f) => f.exposure === k && !f.suppressed && f.change !== "resolved").length;
  const t = report.totals;
  return (
    '<form id="filters" class="filters" hidden>' +
    `<label>Account <select id="f-account"><option value="">all</option>` +
    accounts
      .map((a) => `<option value="${escapeHtml(a.id)}">${escapeHtml(a.label)}</option>`)
      .join("") +
    "</select></label>" +
    (ous.length > 0
      ? `<label>OU <select id="f-ou"><option value="">all</option>${options(ous)}</select></label>`
      : "") +
    `<label>Region <select id="f-region"><option value="">all</option>${options(regions)}</select></label>` +
    `<label>Resource type <select id="f-type"><option value="">all</option>${options(types)}</select></label>` +
    "<fieldset>Access " +
    (["public", "cross-account", "unused"] as const)
      .map(
        (k) =>
          `<label><input type="checkbox" name="kind" value="${k}" checked> ${k} (${count(k)})</label> `,
      )
      .join("") +
    "</fieldset>" +
    (report.changes
      ? `<label>Change <select id="f-change"><option value="current">new and unchanged</option>` +
        `<option value="new">new (${t.new ?? 0})</option><option value="unchanged">unchanged</option>` +
        `<option value="resolved">resolved (${t.resolved ?? 0})</option><option value="all">all</option></select></label>`
      : "") +
    `<label>Search <input id="f-text" type="search" placeholder="ARN, principal, action, id"></label>` +
    (t.suppressed
      ? `<label><input type="checkbox" id="f-suppressed"> show suppressed (${t.suppressed})</label>`
      : "") +
    '<button type="reset">Reset</button></form>'
  );
}

function triageSection(report: FindingsReport): string {
  const now = report.generatedAt;
  const ranked = rankedFindings(report);
  const all = [...ranked, ...(report.changes?.resolved ?? [])];
  const first = ranked.filter((f) => !f.suppressed).slice(0, PAGE_ROWS);
  const data = {
    page: PAGE_ROWS,
    total: all.length,
    rows: all.map((f, i) => dataRow(f, i, now)),
  };
  const sortable = (key: string, label: string) =>
    `<th data-sort="${key}"${key === "rank" ? ' aria-sort="ascending"' : ""}><button type="button">${label}</button></th>`;
  return (
    '<section id="triage"><h2>Findings, most urgent first</h2>\n' +
    filtersForm(report, all) +
    `\n<p id="shown" class="meta">The ${first.length} most urgent of ${report.totals.findings} finding(s).</p>\n` +
    '<table id="findings"><thead><tr>' +
    sortable("rank", "#") +
    "<th>access</th>" +
    sortable("account", "account") +
    sortable("region", "region") +
    sortable("resource", "resource") +
    `<th>granted to, actions, condition; last used</th>` +
    sortable("updated", "updated") +
    "<th>act</th></tr></thead><tbody>" +
    first.map((f) => findingRow(f, now)).join("") +
    "</tbody></table>\n" +
    '<p><button type="button" id="more" hidden>Show more</button></p>\n' +
    `<noscript><p class="meta">Filters and sorting need JavaScript. Without it this page shows the ${first.length} most urgent findings; --format table or json lists them all.</p></noscript>\n` +
    "<details><summary>How findings are ranked</summary><ol>" +
    TRIAGE_TIERS.map((tier) => `<li><b>${tier}</b>: ${escapeHtml(TIER_WORDS[tier])}</li>`).join(
      "",
    ) +
    "</ol><p>In a tier: new before unchanged; then external access most recently changed first, " +
    "unused access longest unused first; then account, region, resource. Times are relative to " +
    `when the report was made (${escapeHtml(utcMinute(now))}); hover for the exact time.</p></details>\n` +
    `<script type="application/json" id="aa-data">${jsonBlock(data)}</script>\n` +
    "</section>"
  );
}

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

/** An account's counts of shown findings by access. */
function counts(a: AccountFindings) {
  const shown = a.findings.filter((f) => !f.suppressed);
  const n = (e: string) => shown.filter((f) => f.exposure === e).length;
  return { all: shown.length, public: n("public"), cross: n("cross-account"), unused: n("unused") };
}

function accountsSection(report: FindingsReport): string {
  const rows = report.accounts
    .map((a) => ({ a, c: counts(a) }))
    .sort(
      (x, y) =>
        Number(y.a.outcome !== "succeeded") - Number(x.a.outcome !== "succeeded") ||
        y.c.public - x.c.public ||
        y.c.cross - x.c.cross ||
        y.c.unused - x.c.unused ||
        x.a.accountId.localeCompare(y.a.accountId),
    )
    .map(({ a, c }) => {
      const cov = a.coverage?.counts;
      const errors = [
        ...(a.outcome !== "succeeded" && a.regionErrors.length === 0 && a.error
          ? [`${a.outcome}: ${a.error}`]
          : []),
        ...a.regionErrors.map((e) => `${e.region} could not be read: ${e.error}`),
      ];
      return (
        `<tr><th>${escapeHtml(accountLabel(a))}</th><td>${escapeHtml(a.ouPath ?? "")}</td>` +
        `<td class="n">${c.public}</td><td class="n">${c.cross}</td><td class="n">${c.unused}</td>` +
        `<td>${cov ? `${cov.covered} of ${cov.enabled - cov.excluded}` : "–"}</td>` +
        `<td class="err">${errors.map(escapeHtml).join("<br>")}</td></tr>`
      );
    });
  const fold = report.accounts.length > FOLD_ACCOUNTS;
  const table =
    '<table class="accounts"><thead><tr><th>account</th><th>OU</th><th>public</th><th>cross-account</th>' +
    "<th>unused</th><th>regions covered</th><th>not read</th></tr></thead><tbody>" +
    rows.join("") +
    "</tbody></table>";
  return (
    `<section id="accounts"><h2>Accounts</h2>\n` +
    (fold
      ? `<details><summary>${report.accounts.length} accounts, those with errors and the most public findings first</summary>${table}</details>`
      : table) +
    "\n</section>"
  );
}

function coverageSection(report: FindingsReport): string {
  const fold = report.accounts.length > FOLD_ACCOUNTS;
  const m = matrix(report);
  return (
    '<section id="coverage"><h2>Coverage: an ACTIVE ACCOUNT analyzer in every enabled region (the coverage rule behind CIS 1.19 / Security Hub IAM.28)</h2>\n' +
    (fold
      ? `<details><summary>${report.accounts.length} accounts × regions</summary>${m}</details>`
      : m) +
    '\n<p class="meta">covered: an ACTIVE ACCOUNT analyzer; missing: none (an ORGANIZATION analyzer passes IAM.28 in its own account, not this rule); ' +
    "pending: CREATING (not counted by IAM.28 yet); not active: DISABLED or FAILED; excluded: left out by the fleet file; –: region not enabled.</p>\n" +
    "</section>"
  );
}

/** Warnings at the top: accounts not fully read, expired suppressions. */
function warnings(report: FindingsReport): string {
  const items: string[] = [];
  const failed = report.accounts.filter((a) => a.outcome !== "succeeded");
  if (failed.length > 0) {
    const names = failed.slice(0, 10).map((a) => accountLabel(a));
    items.push(
      `${failed.length} account(s) not fully read, their findings may be missing: ${names.map(escapeHtml).join(", ")}` +
        (failed.length > 10 ? `, and ${failed.length - 10} more` : "") +
        " (see Accounts).",
    );
  }
  for (const r of report.suppressions?.rules ?? []) {
    if (!r.expired) continue;
    items.push(
      `Suppression ${r.rule} of ${escapeHtml(report.suppressions!.file)} expired ${escapeHtml(utcMinute(r.expires))}: ` +
        `${escapeHtml(r.match)} (${escapeHtml(r.reason)}); its ${r.matched} finding(s) are shown again.`,
    );
  }
  return items.length > 0
    ? `<div class="warn">${items.map((i) => `<p>${i}</p>`).join("")}</div>\n`
    : "";
}

/** The `--format html` page. */
export function renderFindingsHtml(report: FindingsReport): string {
  const t = report.totals;
  const filters = describeFilter(report.filter);
  const changes = report.changes
    ? `<span class="new">${t.new ?? 0} new</span><span>${t.resolved ?? 0} resolved since ` +
      `${escapeHtml(report.changes.baseline.file)} (${escapeHtml(utcMinute(report.changes.baseline.generatedAt))})</span>` +
      (report.changes.notCompared > 0
        ? `<span>${report.changes.notCompared} not compared (account or region not read both times)</span>`
        : "")
    : "";
  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>IAM Access Analyzer findings</title>",
    `<style>${CSS}</style></head><body>`,
    "<h1>IAM Access Analyzer findings</h1>",
    `<p class="meta">Generated ${escapeHtml(utcMinute(report.generatedAt))} from ${escapeHtml(report.fleetFile)}; ${escapeHtml(filters)}.</p>`,
    `<p class="counts"><span>${t.accounts} account(s)</span><span>${t.findings} finding(s)</span>` +
      `<span class="public">${t.public} public</span><span class="cross-account">${t.crossAccount} cross-account</span>` +
      `<span class="unused">${t.unused} unused access</span>` +
      changes +
      (t.suppressed ? `<span>${t.suppressed} suppressed</span>` : "") +
      (t.failedAccounts > 0
        ? `<span class="err">${t.failedAccounts} account(s) with errors</span>`
        : "") +
      "</p>",
    warnings(report) + triageSection(report),
    accountsSection(report),
    coverageSection(report),
    `<script>${SCRIPT}</script>`,
    "</body></html>",
    "",
  ].join("\n");
}
