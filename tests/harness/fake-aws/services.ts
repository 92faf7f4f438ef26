import { AwsError, aaNotFound, aaValidation } from "./errors";
import { aaCallInput, validateAaInput } from "./model";
import { PARTITION_INFO } from "./regions";
import {
  findingMatches,
  isExternalAccess,
  validateFilter,
  validateTags,
  type Analyzer,
  type ArchiveRule,
  type CredentialRecord,
  type FakeAwsState,
  type Finding,
} from "./state";
import { ec2Response, jsonResponse, queryResponse, xmlElements, type WireResponse } from "./wire";

/** One authenticated call, ready for its operation handler. */
export interface CallContext {
  state: FakeAwsState;
  operation: string;
  region: string;
  caller: CredentialRecord;
  reqId: string;
  /** Query-protocol parameters (STS, EC2). */
  form: URLSearchParams;
  /** restJson1: decoded path labels, query string and JSON body (Access Analyzer). */
  labels: string[];
  query: URLSearchParams;
  json: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// STS (awsQuery)

export const STS_OPERATIONS = ["GetCallerIdentity", "AssumeRole"] as const;

const ROLE_ARN_RE = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role\/(?:(.*)\/)?([\w+=,.@-]+)$/;
const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;

function stsValidation(message: string): AwsError {
  return new AwsError("ValidationError", 400, message);
}

export function handleSts(ctx: CallContext): WireResponse {
  const { state, caller, reqId } = ctx;
  if (ctx.operation === "GetCallerIdentity") {
    return queryResponse(
      "GetCallerIdentity",
      xmlElements({
        Arn: caller.principal.arn,
        UserId: caller.principal.userId,
        Account: caller.principal.accountId,
      }),
      reqId,
    );
  }
  // AssumeRole
  const roleArn = ctx.form.get("RoleArn") ?? "";
  const sessionName = ctx.form.get("RoleSessionName") ?? "";
  const durationRaw = ctx.form.get("DurationSeconds");
  if (roleArn.length < 20) {
    throw stsValidation(
      `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
    );
  }
  if (!SESSION_NAME_RE.test(sessionName)) {
    throw stsValidation(
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  const duration = durationRaw === null ? 3600 : Number(durationRaw);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw stsValidation(
      `1 validation error detected: Value '${durationRaw}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
    );
  }
  const denied = new AwsError(
    "AccessDenied",
    403,
    `User: ${caller.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  );
  const m = ROLE_ARN_RE.exec(roleArn);
  if (!m) throw denied;
  const target = state.accounts.get(m[2]);
  const role = target?.roles.get(m[4]);
  // A role of another partition does not exist here: STS of one partition knows its own accounts.
  if (!target || !role || role.arn !== roleArn) throw denied;
  if (target.partition !== state.partitionOf(caller.principal.accountId)) throw denied;
  // A suspended or closing organization member cannot be reached; AWS does not say why (fake's choice:
  // the same AccessDenied as for a role that does not exist).
  if (!state.isAccountActive(target.id)) throw denied;
  const callerAccount = caller.principal.accountId;
  const trusted = role.trustedAccountIds.some(
    (t) => t === callerAccount || (t === "*" && state.accounts.has(callerAccount)),
  );
  if (!trusted) throw denied;
  if (role.externalId !== undefined && ctx.form.get("ExternalId") !== role.externalId) throw denied;
  if (caller.principal.kind === "assumed-role" && duration > 3600) {
    throw stsValidation(
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  }
  if (duration > role.maxSessionDuration) {
    throw stsValidation(
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
  }
  const creds = state.issueTemporaryCredentials(
    {
      accountId: role.accountId,
      kind: "assumed-role",
      arn: `arn:${target.partition}:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
      userId: `${role.roleId}:${sessionName}`,
    },
    duration,
  );
  return queryResponse(
    "AssumeRole",
    xmlElements({
      AssumedRoleUser: { AssumedRoleId: creds.principal.userId, Arn: creds.principal.arn },
      Credentials: {
        AccessKeyId: creds.accessKeyId,
        SecretAccessKey: creds.secretAccessKey,
        SessionToken: creds.sessionToken,
        Expiration: creds.expiration!.toISOString().replace(/\.\d{3}Z$/, "Z"),
      },
    }),
    reqId,
  );
}

// ---------------------------------------------------------------------------------------------
// EC2 (ec2Query)

export const EC2_OPERATIONS = ["DescribeRegions"] as const;

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

/** Reads `Prefix.N` (and `Prefix.N.Sub.M`) lists of the EC2 query protocol. */
function indexedList(form: URLSearchParams, prefix: string): string[] {
  const out: [number, string][] = [];
  for (const [k, v] of form) {
    const m = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)$`).exec(k);
    if (m) out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

export function handleEc2(ctx: CallContext): WireResponse {
  const { state, caller, reqId, form } = ctx;
  const accountId = caller.principal.accountId;
  if (form.get("DryRun") === "true") {
    throw new AwsError(
      "DryRunOperation",
      412,
      "Request would have succeeded, but DryRun flag is set.",
    );
  }
  const allRegions = form.get("AllRegions") === "true";
  // The partition's own regions: EC2 in GovCloud or China knows nothing of the commercial ones.
  let regions = allRegions
    ? [...state.partitionRegions(accountId)]
    : state.enabledRegions(accountId);
  const dnsSuffix = PARTITION_INFO[state.partitionOf(accountId)].dnsSuffix;
  const names = indexedList(form, "RegionName");
  if (names.length > 0) {
    const unknown = names.find((n) => !state.partitionRegions(accountId).includes(n));
    if (unknown) throw new AwsError("InvalidParameterValue", 400, `Invalid region: ${unknown}`);
    regions = regions.filter((r) => names.includes(r));
  }
  const filterNums = new Set<number>();
  for (const k of form.keys()) {
    const m = /^Filter\.(\d+)\.Name$/.exec(k);
    if (m) filterNums.add(Number(m[1]));
  }
  for (const n of [...filterNums].sort((a, b) => a - b)) {
    const name = form.get(`Filter.${n}.Name`)!;
    const patterns = indexedList(form, `Filter.${n}.Value`).map(globToRegExp);
    const attribute = (r: string): string => {
      switch (name) {
        case "opt-in-status":
          return state.regionOptInStatus(accountId, r);
        case "region-name":
          return r;
        case "endpoint":
          return `ec2.${r}.${dnsSuffix}`;
        default:
          throw new AwsError("InvalidParameterValue", 400, `The filter '${name}' is invalid`);
      }
    };
    regions = regions.filter((r) => patterns.some((p) => p.test(attribute(r))));
  }
  const items = regions
    .map(
      (r) =>
        `<item>${xmlElements({
          regionName: r,
          regionEndpoint: `ec2.${r}.${dnsSuffix}`,
          optInStatus: state.regionOptInStatus(accountId, r),
        })}</item>`,
    )
    .join("");
  return ec2Response("DescribeRegions", `<regionInfo>${items}</regionInfo>`, reqId);
}

// ---------------------------------------------------------------------------------------------
// Access Analyzer (restJson1)

interface Route {
  method: string;
  pattern: RegExp;
  operation: string;
}

/** Routes as the installed client-accessanalyzer serialises them (the model's http method and requestUri). */
export const AA_ROUTES: readonly Route[] = [
  { method: "PUT", pattern: /^\/analyzer$/, operation: "CreateAnalyzer" },
  { method: "GET", pattern: /^\/analyzer$/, operation: "ListAnalyzers" },
  { method: "GET", pattern: /^\/analyzer\/([^/]+)$/, operation: "GetAnalyzer" },
  { method: "PUT", pattern: /^\/analyzer\/([^/]+)$/, operation: "UpdateAnalyzer" },
  { method: "DELETE", pattern: /^\/analyzer\/([^/]+)$/, operation: "DeleteAnalyzer" },
  { method: "PUT", pattern: /^\/analyzer\/([^/]+)\/archive-rule$/, operation: "CreateArchiveRule" },
  { method: "GET", pattern: /^\/analyzer\/([^/]+)\/archive-rule$/, operation: "ListArchiveRules" },
  {
    method: "GET",
    pattern: /^\/analyzer\/([^/]+)\/archive-rule\/([^/]+)$/,
    operation: "GetArchiveRule",
  },
  {
    method: "PUT",
    pattern: /^\/analyzer\/([^/]+)\/archive-rule\/([^/]+)$/,
    operation: "UpdateArchiveRule",
  },
  {
    method: "DELETE",
    pattern: /^\/analyzer\/([^/]+)\/archive-rule\/([^/]+)$/,
    operation: "DeleteArchiveRule",
  },
  { method: "PUT", pattern: /^\/archive-rule$/, operation: "ApplyArchiveRule" },
  { method: "POST", pattern: /^\/finding$/, operation: "ListFindings" },
  { method: "POST", pattern: /^\/findingv2$/, operation: "ListFindingsV2" },
  { method: "GET", pattern: /^\/finding\/([^/]+)$/, operation: "GetFinding" },
  { method: "GET", pattern: /^\/findingv2\/([^/]+)$/, operation: "GetFindingV2" },
  { method: "POST", pattern: /^\/analyzed-resource$/, operation: "ListAnalyzedResources" },
  { method: "GET", pattern: /^\/analyzed-resource$/, operation: "GetAnalyzedResource" },
  { method: "POST", pattern: /^\/tags\/([^/]+)$/, operation: "TagResource" },
  { method: "DELETE", pattern: /^\/tags\/([^/]+)$/, operation: "UntagResource" },
  { method: "GET", pattern: /^\/tags\/([^/]+)$/, operation: "ListTagsForResource" },
];

/** Matches a restJson1 request to an operation; labels come back percent-decoded. */
export function routeAccessAnalyzer(
  method: string,
  rawPath: string,
): { operation: string; labels: string[] } | undefined {
  for (const route of AA_ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(rawPath);
    if (m) return { operation: route.operation, labels: m.slice(1).map(decodeURIComponent) };
  }
  return undefined;
}

interface PageToken {
  o: number;
}

function paginate<T>(
  items: T[],
  maxResultsRaw: unknown,
  nextToken: unknown,
): { page: T[]; next?: string } {
  let offset = 0;
  if (nextToken !== undefined && nextToken !== null && nextToken !== "") {
    try {
      const t = JSON.parse(
        Buffer.from(typeof nextToken === "string" ? nextToken : "", "base64url").toString("utf8"),
      ) as PageToken;
      if (!Number.isInteger(t.o) || t.o < 0) throw new Error("bad");
      offset = t.o;
    } catch {
      throw new AwsError("ValidationException", 400, "Invalid next token", { reason: "other" });
    }
  }
  let max = 100;
  if (maxResultsRaw !== undefined && maxResultsRaw !== null && maxResultsRaw !== "") {
    max = Number(maxResultsRaw);
    if (!Number.isInteger(max) || max < 1) {
      throw aaValidation(
        "maxResults",
        "Member must have value greater than or equal to 1",
        maxResultsRaw,
      );
    }
  }
  const page = items.slice(offset, offset + max);
  const end = offset + page.length;
  return {
    page,
    next:
      end < items.length
        ? Buffer.from(JSON.stringify({ o: end })).toString("base64url")
        : undefined,
  };
}

function analyzerSummary(a: Analyzer): Record<string, unknown> {
  return {
    arn: a.arn,
    name: a.name,
    type: a.type,
    createdAt: a.createdAt,
    status: a.status,
    tags: { ...a.tags },
    ...(a.configuration ? { configuration: a.configuration } : {}),
  };
}

function archiveRuleSummary(r: ArchiveRule): Record<string, unknown> {
  return { ruleName: r.ruleName, filter: r.filter, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

function findingSummary(f: Finding): Record<string, unknown> {
  return {
    id: f.id,
    resourceType: f.resourceType,
    resource: f.resource,
    resourceOwnerAccount: f.resourceOwnerAccount,
    principal: f.principal,
    action: f.action,
    condition: f.condition,
    isPublic: f.isPublic,
    status: f.status,
    error: f.error,
    createdAt: f.createdAt,
    analyzedAt: f.analyzedAt,
    updatedAt: f.updatedAt,
  };
}

const FINDING_RESOURCE_TYPE = "AWS::AccessAnalyzer::Finding";

function findingById(a: Analyzer, id: unknown): Finding {
  const finding = a.findings.find((f) => f.id === id);
  if (!finding) throw aaNotFound(FINDING_RESOURCE_TYPE, String(id), `Finding ${String(id)}`);
  return finding;
}

function requireExternalAccess(operation: string, a: Analyzer): void {
  if (!isExternalAccess(a.type)) {
    throw new AwsError(
      "ValidationException",
      400,
      `${operation} is not supported for analyzers of type ${a.type}; use ${operation === "ListAnalyzedResources" || operation === "GetAnalyzedResource" ? "an external access analyzer" : `${operation}V2`}`,
      { reason: "notSupported" },
    );
  }
}

/** GetFindingV2 `findingDetails`: one union member, chosen by the finding type. */
function findingDetails(f: Finding): Record<string, unknown>[] {
  const u = f.unusedAccess ?? {};
  switch (f.findingType) {
    case "UnusedIAMRole":
      return [{ unusedIamRoleDetails: { lastAccessed: u.lastAccessed } }];
    case "UnusedIAMUserPassword":
      return [{ unusedIamUserPasswordDetails: { lastAccessed: u.lastAccessed } }];
    case "UnusedIAMUserAccessKey":
      return [
        {
          unusedIamUserAccessKeyDetails: {
            accessKeyId: u.accessKeyId ?? "AKIAIOSFODNN7EXAMPLE",
            lastAccessed: u.lastAccessed,
          },
        },
      ];
    case "UnusedPermission":
      return [
        {
          unusedPermissionDetails: {
            serviceNamespace: u.serviceNamespace ?? "s3",
            actions: u.actions,
            lastAccessed: u.lastAccessed,
          },
        },
      ];
    case "InternalAccess":
      return [
        {
          internalAccessDetails: {
            action: f.action,
            condition: f.condition,
            principal: f.principal,
          },
        },
      ];
    default:
      return [
        {
          externalAccessDetails: {
            action: f.action,
            condition: f.condition,
            isPublic: f.isPublic,
            principal: f.principal,
          },
        },
      ];
  }
}

/** ListAnalyzedResources / GetAnalyzedResource: the resources the analyzer's findings are about. */
function analyzedResources(a: Analyzer): Map<string, Finding[]> {
  const byArn = new Map<string, Finding[]>();
  for (const f of a.findings) {
    if (f.resource === undefined || !f.resource.startsWith("arn:")) continue;
    byArn.set(f.resource, [...(byArn.get(f.resource) ?? []), f]);
  }
  return byArn;
}

function analyzedResource(arn: string, findings: Finding[]): Record<string, unknown> {
  const latest = (k: "createdAt" | "analyzedAt" | "updatedAt") =>
    findings.map((f) => f[k]).sort()[findings.length - 1];
  const active = findings.filter((f) => f.status === "ACTIVE");
  return {
    resourceArn: arn,
    resourceType: findings[0].resourceType,
    resourceOwnerAccount: findings[0].resourceOwnerAccount,
    createdAt: findings.map((f) => f.createdAt).sort()[0],
    analyzedAt: latest("analyzedAt"),
    updatedAt: latest("updatedAt"),
    isPublic: active.some((f) => f.isPublic === true),
    actions: [...new Set(active.flatMap((f) => f.action ?? []))].sort(),
    status: active.length > 0 ? "ACTIVE" : findings[findings.length - 1].status,
  };
}

function findingSummaryV2(f: Finding): Record<string, unknown> {
  return {
    id: f.id,
    resourceType: f.resourceType,
    resource: f.resource,
    resourceOwnerAccount: f.resourceOwnerAccount,
    status: f.status,
    error: f.error,
    findingType: f.findingType,
    createdAt: f.createdAt,
    analyzedAt: f.analyzedAt,
    updatedAt: f.updatedAt,
  };
}

const ANALYZER_ARN_RE =
  /^arn:aws(?:-us-gov|-cn)?:access-analyzer:([a-z0-9-]+):(\d{12}):analyzer\/(.+)$/;

/** The analyzer a tag call names; only analyzers in the caller's account and region are found. */
function taggedAnalyzer(ctx: CallContext, arn: string): Analyzer {
  const m = ANALYZER_ARN_RE.exec(arn);
  if (!m) {
    throw aaValidation(
      "resourceArn",
      "Member must satisfy regular expression pattern: arn:[^:]*:access-analyzer:[^:]*:[^:]*:analyzer/.*",
      arn,
    );
  }
  const accountId = ctx.caller.principal.accountId;
  if (m[2] !== accountId || m[1] !== ctx.region) {
    throw new AwsError("ResourceNotFoundException", 404, `Resource ${arn} not found`, {
      resourceId: arn,
      resourceType: "AWS::AccessAnalyzer::Analyzer",
    });
  }
  return ctx.state.analyzerByArn(accountId, ctx.region, arn);
}

function sortFindings(findings: Finding[], sort: unknown): Finding[] {
  const s = sort as { attributeName?: string; orderBy?: string } | undefined;
  if (!s?.attributeName) return findings;
  const key = s.attributeName as keyof Finding;
  const dir = s.orderBy === "DESC" ? -1 : 1;
  return [...findings].sort(
    (a, b) => JSON.stringify(a[key] ?? "").localeCompare(JSON.stringify(b[key] ?? "")) * dir,
  );
}

export function handleAccessAnalyzer(ctx: CallContext): WireResponse {
  const { state, region, reqId, json, query, labels } = ctx;
  const accountId = ctx.caller.principal.accountId;
  const input = aaCallInput(ctx.operation, labels, query, json);
  validateAaInput(ctx.operation, input);
  switch (ctx.operation) {
    case "CreateAnalyzer": {
      const a = state.createAnalyzer(accountId, region, {
        analyzerName: json.analyzerName as string | undefined,
        type: json.type as string | undefined,
        tags: json.tags as Record<string, string> | undefined,
        archiveRules: json.archiveRules as never,
        configuration: json.configuration as never,
        clientToken: json.clientToken as string | undefined,
      });
      return jsonResponse({ arn: a.arn }, reqId);
    }
    case "GetAnalyzer":
      return jsonResponse(
        { analyzer: analyzerSummary(state.getAnalyzer(accountId, region, labels[0])) },
        reqId,
      );
    case "ListAnalyzers": {
      const type = query.get("type");
      const all = state
        .listAnalyzers(accountId, region)
        .filter((a) => type === null || a.type === type);
      const { page, next } = paginate(
        all,
        query.get("maxResults") ?? undefined,
        query.get("nextToken") ?? undefined,
      );
      return jsonResponse({ analyzers: page.map(analyzerSummary), nextToken: next }, reqId);
    }
    case "DeleteAnalyzer":
      state.deleteAnalyzer(accountId, region, labels[0]);
      return jsonResponse(undefined, reqId);
    case "UpdateAnalyzer": {
      const a = state.updateAnalyzer(accountId, region, labels[0], json.configuration as never);
      return jsonResponse({ configuration: a.configuration }, reqId);
    }
    case "TagResource": {
      const a = taggedAnalyzer(ctx, labels[0]);
      const merged = validateTags({ ...a.tags, ...validateTags(json.tags) });
      a.tags = merged;
      return jsonResponse(undefined, reqId);
    }
    case "UntagResource": {
      const a = taggedAnalyzer(ctx, labels[0]);
      for (const k of query.getAll("tagKeys")) delete a.tags[k];
      return jsonResponse(undefined, reqId);
    }
    case "ListTagsForResource":
      return jsonResponse({ tags: { ...taggedAnalyzer(ctx, labels[0]).tags } }, reqId);
    case "CreateArchiveRule":
      state.createArchiveRule(accountId, region, labels[0], json.ruleName, json.filter);
      return jsonResponse(undefined, reqId);
    case "GetArchiveRule":
      return jsonResponse(
        {
          archiveRule: archiveRuleSummary(
            state.getArchiveRule(accountId, region, labels[0], labels[1]),
          ),
        },
        reqId,
      );
    case "ListArchiveRules": {
      const rules = [...state.getAnalyzer(accountId, region, labels[0]).archiveRules.values()];
      const { page, next } = paginate(
        rules,
        query.get("maxResults") ?? undefined,
        query.get("nextToken") ?? undefined,
      );
      return jsonResponse({ archiveRules: page.map(archiveRuleSummary), nextToken: next }, reqId);
    }
    case "UpdateArchiveRule":
      state.updateArchiveRule(accountId, region, labels[0], labels[1], json.filter);
      return jsonResponse(undefined, reqId);
    case "DeleteArchiveRule":
      state.deleteArchiveRule(accountId, region, labels[0], labels[1]);
      return jsonResponse(undefined, reqId);
    case "ApplyArchiveRule":
      state.applyArchiveRule(accountId, region, json.analyzerArn, json.ruleName);
      return jsonResponse(undefined, reqId);
    case "ListFindings":
    case "ListFindingsV2": {
      const a = state.analyzerByArn(accountId, region, json.analyzerArn);
      if (ctx.operation === "ListFindings" && !isExternalAccess(a.type)) {
        throw new AwsError(
          "ValidationException",
          400,
          `ListFindings is not supported for analyzers of type ${a.type}; use ListFindingsV2`,
          { reason: "notSupported" },
        );
      }
      const filter = json.filter === undefined ? {} : validateFilter("filter", json.filter);
      const matched = sortFindings(
        a.findings.filter((f) => findingMatches(f, filter)),
        json.sort,
      );
      const { page, next } = paginate(matched, json.maxResults, json.nextToken);
      const render = ctx.operation === "ListFindings" ? findingSummary : findingSummaryV2;
      return jsonResponse({ findings: page.map(render), nextToken: next }, reqId);
    }
    case "GetFinding": {
      const a = state.analyzerByArn(accountId, region, input.analyzerArn);
      requireExternalAccess(ctx.operation, a);
      const f = findingById(a, input.id);
      return jsonResponse({ finding: findingSummary(f) }, reqId);
    }
    case "GetFindingV2": {
      const a = state.analyzerByArn(accountId, region, input.analyzerArn);
      const f = findingById(a, input.id);
      const { page, next } = paginate(findingDetails(f), input.maxResults, input.nextToken);
      return jsonResponse({ ...findingSummaryV2(f), findingDetails: page, nextToken: next }, reqId);
    }
    case "ListAnalyzedResources": {
      const a = state.analyzerByArn(accountId, region, input.analyzerArn);
      requireExternalAccess(ctx.operation, a);
      const all = [...analyzedResources(a)]
        .filter(
          ([, fs]) => input.resourceType === undefined || fs[0].resourceType === input.resourceType,
        )
        .map(([arn, fs]) => ({
          resourceArn: arn,
          resourceOwnerAccount: fs[0].resourceOwnerAccount,
          resourceType: fs[0].resourceType,
        }));
      const { page, next } = paginate(all, input.maxResults, input.nextToken);
      return jsonResponse({ analyzedResources: page, nextToken: next }, reqId);
    }
    case "GetAnalyzedResource": {
      const a = state.analyzerByArn(accountId, region, input.analyzerArn);
      requireExternalAccess(ctx.operation, a);
      const arn = String(input.resourceArn);
      const findings = analyzedResources(a).get(arn);
      if (!findings)
        throw aaNotFound("AWS::AccessAnalyzer::AnalyzedResource", arn, `Resource ${arn}`);
      return jsonResponse({ resource: analyzedResource(arn, findings) }, reqId);
    }
    default:
      throw new AwsError("UnknownOperationException", 404, `Unknown operation ${ctx.operation}`);
  }
}
