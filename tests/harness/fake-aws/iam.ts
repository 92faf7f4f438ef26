/**
 * IAM identity-policy evaluation for the fake: which IAM action each served operation needs, the
 * resource it acts on, and whether a role's identity policies allow it (explicit Deny wins, then
 * an Allow, else the implicit deny).
 *
 * Modelled on AWS's policy evaluation logic (IAM User Guide, "Policy evaluation logic") for one
 * account and identity policies only: no SCPs, RCPs, permission boundaries, session policies or
 * resource policies. Supported: `Action`/`NotAction`, `Resource`/`NotResource` with `*` and `?`
 * wildcards, and the `String*` condition operators (a key missing from the request matches only the
 * negated operators, as in AWS).
 */
import { z } from "zod";
import { AwsError, type ServiceName } from "./errors";

// ---- policy documents ----------------------------------------------------------------------

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** The condition operators the fake evaluates (IAM "Condition operators", string family). */
export const CONDITION_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
] as const;
type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export const policyStatementSchema = z
  .strictObject({
    Sid: z.string().optional(),
    Effect: z.enum(["Allow", "Deny"]),
    Action: stringOrList.optional(),
    NotAction: stringOrList.optional(),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Condition: z
      .partialRecord(z.enum(CONDITION_OPERATORS), z.record(z.string(), stringOrList))
      .optional(),
  })
  .refine((s) => (s.Action === undefined) !== (s.NotAction === undefined), {
    message: "a statement needs exactly one of Action or NotAction",
  })
  .refine((s) => (s.Resource === undefined) !== (s.NotResource === undefined), {
    message: "an identity-policy statement needs exactly one of Resource or NotResource",
  });

export const policyDocumentSchema = z.strictObject({
  Version: z.literal("2012-10-17"),
  Id: z.string().optional(),
  Statement: z.union([policyStatementSchema, z.array(policyStatementSchema).min(1)]),
});

export type PolicyStatement = z.output<typeof policyStatementSchema>;
export type PolicyDocument = z.output<typeof policyDocumentSchema>;

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function statementsOf(doc: PolicyDocument): PolicyStatement[] {
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

// ---- the action each operation needs -------------------------------------------------------

/**
 * Served operation → IAM action, per service. Source: the Service Authorization Reference
 * ("Actions defined by IAM Access Analyzer", "Actions defined by AWS Organizations", "Actions
 * defined by AWS Security Token Service", "Actions defined by Amazon EC2") and the Access Analyzer
 * API Reference, which says `ListFindingsV2` is authorised as `access-analyzer:ListFindings` and
 * `GetFindingV2` as `access-analyzer:GetFinding`.
 */
export const IAM_ACTIONS: Readonly<Record<ServiceName, Readonly<Record<string, string>>>> = {
  sts: {
    GetCallerIdentity: "sts:GetCallerIdentity",
    AssumeRole: "sts:AssumeRole",
  },
  ec2: { DescribeRegions: "ec2:DescribeRegions" },
  "access-analyzer": {
    CreateAnalyzer: "access-analyzer:CreateAnalyzer",
    ListAnalyzers: "access-analyzer:ListAnalyzers",
    GetAnalyzer: "access-analyzer:GetAnalyzer",
    UpdateAnalyzer: "access-analyzer:UpdateAnalyzer",
    DeleteAnalyzer: "access-analyzer:DeleteAnalyzer",
    CreateArchiveRule: "access-analyzer:CreateArchiveRule",
    ListArchiveRules: "access-analyzer:ListArchiveRules",
    GetArchiveRule: "access-analyzer:GetArchiveRule",
    UpdateArchiveRule: "access-analyzer:UpdateArchiveRule",
    DeleteArchiveRule: "access-analyzer:DeleteArchiveRule",
    ApplyArchiveRule: "access-analyzer:ApplyArchiveRule",
    ListFindings: "access-analyzer:ListFindings",
    ListFindingsV2: "access-analyzer:ListFindings",
    GetFinding: "access-analyzer:GetFinding",
    GetFindingV2: "access-analyzer:GetFinding",
    ListAnalyzedResources: "access-analyzer:ListAnalyzedResources",
    GetAnalyzedResource: "access-analyzer:GetAnalyzedResource",
    TagResource: "access-analyzer:TagResource",
    UntagResource: "access-analyzer:UntagResource",
    ListTagsForResource: "access-analyzer:ListTagsForResource",
  },
  organizations: {
    DescribeOrganization: "organizations:DescribeOrganization",
    DescribeAccount: "organizations:DescribeAccount",
    ListRoots: "organizations:ListRoots",
    ListOrganizationalUnitsForParent: "organizations:ListOrganizationalUnitsForParent",
    ListAccountsForParent: "organizations:ListAccountsForParent",
    ListAccounts: "organizations:ListAccounts",
    ListParents: "organizations:ListParents",
    RegisterDelegatedAdministrator: "organizations:RegisterDelegatedAdministrator",
    DeregisterDelegatedAdministrator: "organizations:DeregisterDelegatedAdministrator",
    ListDelegatedAdministrators: "organizations:ListDelegatedAdministrators",
    EnableAWSServiceAccess: "organizations:EnableAWSServiceAccess",
    DisableAWSServiceAccess: "organizations:DisableAWSServiceAccess",
    ListAWSServiceAccessForOrganization: "organizations:ListAWSServiceAccessForOrganization",
  },
};

/** Actions AWS authorises without any policy ("No permissions are required", STS API Reference). */
export const ALWAYS_ALLOWED: ReadonlySet<string> = new Set(["sts:GetCallerIdentity"]);

export function iamActionOf(service: ServiceName, operation: string): string {
  const action = IAM_ACTIONS[service][operation];
  if (!action) throw new Error(`fake-aws: no IAM action mapped for ${service} ${operation}`);
  return action;
}

/** The service principal whose service-linked role the first analyzer of an account creates. */
export const ACCESS_ANALYZER_SLR_SERVICE = "access-analyzer.amazonaws.com";
export function accessAnalyzerSlrArn(accountId: string, partition = "aws"): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/${ACCESS_ANALYZER_SLR_SERVICE}/AWSServiceRoleForAccessAnalyzer`;
}

const ANALYZER_LABEL_OPS = new Set([
  "GetAnalyzer",
  "UpdateAnalyzer",
  "DeleteAnalyzer",
  "CreateArchiveRule",
  "ListArchiveRules",
]);
const RULE_LABEL_OPS = new Set(["GetArchiveRule", "UpdateArchiveRule", "DeleteArchiveRule"]);
const TAG_OPS = new Set(["TagResource", "UntagResource", "ListTagsForResource"]);

/** What one request asks of IAM. */
export interface AuthorizationRequest {
  readonly action: string;
  /** The resource ARN, or `*` for actions without a resource type. */
  readonly resource: string;
  /** Condition keys of the request (`iam:AWSServiceName`, `organizations:ServicePrincipal`). */
  readonly context?: Readonly<Record<string, string>>;
}

/**
 * The resource and condition keys of a served request, as the Service Authorization Reference
 * lists them (analyzer and archive-rule ARNs for Access Analyzer; `*` for the rest).
 */
export function requestOf(
  service: ServiceName,
  operation: string,
  where: { accountId: string; region: string; partition?: string },
  input: { labels: string[]; json: Record<string, unknown>; query: URLSearchParams },
): AuthorizationRequest {
  const action = iamActionOf(service, operation);
  const analyzerArn = (name: string): string =>
    `arn:${where.partition ?? "aws"}:access-analyzer:${where.region}:${where.accountId}:analyzer/${name}`;
  const str = (v: unknown): string | undefined =>
    typeof v === "string" && v.length > 0 ? v : undefined;
  let resource = "*";
  const context: Record<string, string> = {};
  if (service === "access-analyzer") {
    const [label, rule] = input.labels;
    if (operation === "CreateAnalyzer") {
      const name = str(input.json.analyzerName);
      if (name) resource = analyzerArn(name);
    } else if (ANALYZER_LABEL_OPS.has(operation) && label) {
      resource = analyzerArn(label);
    } else if (RULE_LABEL_OPS.has(operation) && label && rule) {
      resource = `${analyzerArn(label)}/archive-rule/${rule}`;
    } else if (TAG_OPS.has(operation) && label) {
      resource = label;
    } else {
      resource = str(input.json.analyzerArn) ?? str(input.query.get("analyzerArn")) ?? "*";
    }
  } else if (service === "organizations") {
    const sp = str(input.json.ServicePrincipal);
    if (sp) context["organizations:ServicePrincipal"] = sp;
  }
  return { action, resource, context };
}

// ---- evaluation ----------------------------------------------------------------------------

/** `*` any run of characters, `?` one; everything else literal. */
function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, ignoreCase ? "is" : "s").test(value);
}

function conditionHolds(
  operator: ConditionOperator,
  key: string,
  wanted: string[],
  context: Readonly<Record<string, string>>,
): boolean {
  const value = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  const negated = operator.includes("Not");
  if (value === undefined) return negated;
  const ignoreCase = operator.endsWith("IgnoreCase");
  const like = operator.endsWith("Like");
  const any = wanted.some((w) =>
    like
      ? globMatches(w, value, false)
      : ignoreCase
        ? w.toLowerCase() === value.toLowerCase()
        : w === value,
  );
  return negated ? !any : any;
}

function statementApplies(s: PolicyStatement, req: AuthorizationRequest): boolean {
  const actionHit = (patterns: string[]): boolean =>
    patterns.some((p) => globMatches(p, req.action, true));
  if (s.Action !== undefined ? !actionHit(list(s.Action)) : actionHit(list(s.NotAction))) {
    return false;
  }
  const resourceHit = (patterns: string[]): boolean =>
    patterns.some((p) => globMatches(p, req.resource, false));
  if (
    s.Resource !== undefined ? !resourceHit(list(s.Resource)) : resourceHit(list(s.NotResource))
  ) {
    return false;
  }
  const context = req.context ?? {};
  for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
    for (const [key, wanted] of Object.entries(keys)) {
      if (!conditionHolds(operator as ConditionOperator, key, list(wanted), context)) return false;
    }
  }
  return true;
}

export type Decision = "allow" | "explicit-deny" | "implicit-deny";

/** AWS's order: an applicable Deny wins, then an applicable Allow, else the implicit deny. */
export function evaluate(policies: readonly PolicyDocument[], req: AuthorizationRequest): Decision {
  const applicable = policies.flatMap(statementsOf).filter((s) => statementApplies(s, req));
  if (applicable.some((s) => s.Effect === "Deny")) return "explicit-deny";
  if (applicable.some((s) => s.Effect === "Allow")) return "allow";
  return "implicit-deny";
}

/** The error each service answers a denied call with, with AWS's message form. */
export function accessDenied(
  service: ServiceName,
  principalArn: string,
  req: AuthorizationRequest,
  decision: Exclude<Decision, "allow">,
): AwsError {
  const why =
    decision === "explicit-deny"
      ? "with an explicit deny in an identity-based policy"
      : `because no identity-based policy allows the ${req.action} action`;
  const message = `User: ${principalArn} is not authorized to perform: ${req.action} on resource: ${req.resource} ${why}`;
  switch (service) {
    case "sts":
      return new AwsError("AccessDenied", 403, message);
    case "ec2":
      return new AwsError(
        "UnauthorizedOperation",
        403,
        `You are not authorized to perform this operation. ${message}`,
      );
    case "organizations":
      return new AwsError("AccessDeniedException", 400, message);
    default:
      return new AwsError("AccessDeniedException", 403, message);
  }
}
