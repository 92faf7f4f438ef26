import { AwsError } from "./errors";
import { type FakeOrganization, type OrgMember, type OrgUnit, legacyStatusOf } from "./orgState";
import { PARTITION_INFO, type Partition } from "./regions";
import type { CallContext } from "./services";
import type { WireResponse } from "./wire";

/**
 * AWS Organizations over awsJson1_1: `POST /`, `X-Amz-Target: AWSOrganizationsV20161128.<Op>`,
 * `application/x-amz-json-1.1`. Shapes, limits and error codes from organizations-2016-11-28.
 */
export const ORGANIZATIONS_TARGET_PREFIX = "AWSOrganizationsV20161128.";

export const ORGANIZATIONS_OPERATIONS = [
  "DescribeOrganization",
  "DescribeAccount",
  "ListRoots",
  "ListOrganizationalUnitsForParent",
  "ListAccountsForParent",
  "ListAccounts",
  "ListParents",
  "RegisterDelegatedAdministrator",
  "DeregisterDelegatedAdministrator",
  "ListDelegatedAdministrators",
  "EnableAWSServiceAccess",
  "DisableAWSServiceAccess",
  "ListAWSServiceAccessForOrganization",
] as const;

/**
 * Organizations is a global service with one endpoint per partition, which takes SigV4 scoped to
 * that partition's Organizations region only (`organizations.us-east-1.amazonaws.com`,
 * `organizations.us-gov-west-1.amazonaws.com`, `organizations.cn-northwest-1.amazonaws.com.cn`):
 * regions.ts `PARTITION_INFO`. A client built for another region must say that region.
 */
export function organizationsSigningRegion(partition: Partition): string {
  return PARTITION_INFO[partition].organizationsRegion;
}

// Model limits: MaxResults 1..20 (shape MaxResults), ids per their shapes' patterns.
const MAX_RESULTS = 20;
const ACCOUNT_ID_RE = /^\d{12}$/;
const PARENT_ID_RE = /^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const CHILD_ID_RE = /^(\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const SERVICE_PRINCIPAL_RE = /^[\w+=,.@-]{1,128}$/;

function orgJson(body: unknown, reqId: string): WireResponse {
  return {
    status: 200,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": reqId },
    body: body === undefined ? "{}" : JSON.stringify(body),
  };
}

function invalidInput(reason: string, message: string): AwsError {
  return new AwsError("InvalidInputException", 400, message, { Reason: reason });
}

function requiredString(json: Record<string, unknown>, field: string, pattern: RegExp): string {
  const v = json[field];
  if (v === undefined || v === null || v === "") {
    throw invalidInput("INPUT_REQUIRED", `You must specify a value for ${field}.`);
  }
  if (typeof v !== "string" || !pattern.test(v)) {
    throw invalidInput(
      "INVALID_PATTERN",
      `The value for ${field} does not match the required pattern.`,
    );
  }
  return v;
}

function servicePrincipal(json: Record<string, unknown>): string {
  const sp = requiredString(json, "ServicePrincipal", SERVICE_PRINCIPAL_RE);
  if (!sp.endsWith(".amazonaws.com")) {
    throw invalidInput(
      "UNRECOGNIZED_SERVICE_PRINCIPAL",
      `You specified a service principal that isn't recognized: ${sp}`,
    );
  }
  return sp;
}

/** NextToken/MaxResults as Organizations does: 1..20, a token only valid for the same listing. */
export function orgPage<T>(
  items: T[],
  json: Record<string, unknown>,
  listing: string,
): { page: T[]; NextToken?: string } {
  let max = MAX_RESULTS;
  if (json.MaxResults !== undefined && json.MaxResults !== null) {
    max = Number(json.MaxResults);
    if (!Number.isInteger(max) || max < 1) {
      throw invalidInput(
        "MIN_VALUE_EXCEEDED",
        "You provided a numeric parameter that has a smaller value than allowed: MaxResults must be at least 1.",
      );
    }
    if (max > MAX_RESULTS) {
      throw invalidInput(
        "MAX_VALUE_EXCEEDED",
        `You provided a numeric parameter that has a larger value than allowed: MaxResults must be at most ${MAX_RESULTS}.`,
      );
    }
  }
  let offset = 0;
  if (json.NextToken !== undefined && json.NextToken !== null) {
    try {
      if (typeof json.NextToken !== "string") throw new Error("bad token");
      const t = JSON.parse(Buffer.from(json.NextToken, "base64url").toString("utf8")) as {
        o: number;
        l: string;
      };
      if (!Number.isInteger(t.o) || t.o < 0 || t.l !== listing) throw new Error("bad token");
      offset = t.o;
    } catch {
      throw invalidInput("INVALID_NEXT_TOKEN", "The specified NextToken is not valid.");
    }
  }
  const page = items.slice(offset, offset + max);
  const end = offset + page.length;
  return {
    page,
    NextToken:
      end < items.length
        ? Buffer.from(JSON.stringify({ o: end, l: listing })).toString("base64url")
        : undefined,
  };
}

/** awsJson timestamps are epoch seconds. */
function epoch(d: Date): number {
  return d.getTime() / 1000;
}

function accountShape(org: FakeOrganization, m: OrgMember): Record<string, unknown> {
  return {
    Id: m.accountId,
    Arn: org.accountArn(m.accountId),
    Email: m.email,
    Name: m.name,
    // `Status` (retired 2026-09-09) beside `State`, as AWS sends both until then.
    ...(legacyStatusOf(m.status) !== undefined ? { Status: legacyStatusOf(m.status) } : {}),
    State: m.status,
    JoinedMethod: m.joinedMethod,
    JoinedTimestamp: epoch(m.joinedTimestamp),
  };
}

function ouShape(org: FakeOrganization, ou: OrgUnit): Record<string, unknown> {
  return { Id: ou.id, Arn: org.ouArn(ou.id), Name: ou.name, Path: org.idPathOf(ou.id) };
}

function requireParent(org: FakeOrganization, json: Record<string, unknown>): string {
  const parentId = requiredString(json, "ParentId", PARENT_ID_RE);
  if (!org.hasParent(parentId)) {
    throw new AwsError(
      "ParentNotFoundException",
      400,
      "We can't find a root or OU with the ParentId that you specified.",
    );
  }
  return parentId;
}

export function handleOrganizations(ctx: CallContext): WireResponse {
  const { state, json, reqId } = ctx;
  const caller = ctx.caller.principal.accountId;
  const org = state.organizationOf(caller);
  if (!org) {
    throw new AwsError(
      "AWSOrganizationsNotInUseException",
      400,
      "Your account is not a member of an organization.",
    );
  }
  // The organization's request rate (orgState.ts DEFAULT_ORGANIZATIONS_RATE): every call uses it.
  if (!org.rate.take()) {
    throw new AwsError(
      "TooManyRequestsException",
      400,
      "You have sent too many requests in too short a period of time. Try again later.",
    );
  }
  const page = <T>(items: T[], listing: string) => orgPage(items, json, listing);
  switch (ctx.operation) {
    case "DescribeOrganization": {
      // Any member account may describe its organization.
      const mgmt = org.members.get(org.managementAccountId);
      return orgJson(
        {
          Organization: {
            Id: org.id,
            Arn: org.arn,
            FeatureSet: "ALL",
            MasterAccountArn: org.accountArn(org.managementAccountId),
            MasterAccountId: org.managementAccountId,
            MasterAccountEmail: mgmt?.email,
            AvailablePolicyTypes: [],
          },
        },
        reqId,
      );
    }
    case "DescribeAccount": {
      org.requireReader(caller);
      const id = requiredString(json, "AccountId", ACCOUNT_ID_RE);
      const m = org.members.get(id);
      if (!m)
        throw new AwsError(
          "AccountNotFoundException",
          400,
          "You specified an account that doesn't exist.",
        );
      return orgJson({ Account: accountShape(org, m) }, reqId);
    }
    case "ListRoots": {
      org.requireReader(caller);
      const { page: roots, NextToken } = page([org.rootId], "roots");
      return orgJson(
        {
          Roots: roots.map((id) => ({ Id: id, Arn: org.rootArn, Name: "Root", PolicyTypes: [] })),
          NextToken,
        },
        reqId,
      );
    }
    case "ListOrganizationalUnitsForParent": {
      org.requireReader(caller);
      const parentId = requireParent(org, json);
      const { page: ous, NextToken } = page(org.childOus(parentId), `ous/${parentId}`);
      return orgJson({ OrganizationalUnits: ous.map((o) => ouShape(org, o)), NextToken }, reqId);
    }
    case "ListAccountsForParent": {
      org.requireReader(caller);
      const parentId = requireParent(org, json);
      const { page: accounts, NextToken } = page(
        org.childAccounts(parentId),
        `accounts/${parentId}`,
      );
      return orgJson({ Accounts: accounts.map((m) => accountShape(org, m)), NextToken }, reqId);
    }
    case "ListAccounts": {
      org.requireReader(caller);
      const { page: accounts, NextToken } = page([...org.members.values()], "accounts");
      return orgJson({ Accounts: accounts.map((m) => accountShape(org, m)), NextToken }, reqId);
    }
    case "ListParents": {
      org.requireReader(caller);
      const childId = requiredString(json, "ChildId", CHILD_ID_RE);
      const parentId = org.members.get(childId)?.parentId ?? org.ous.get(childId)?.parentId;
      if (!parentId) {
        throw new AwsError(
          "ChildNotFoundException",
          400,
          "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
        );
      }
      const { page: parents, NextToken } = page([parentId], `parents/${childId}`);
      return orgJson(
        {
          Parents: parents.map((id) => ({
            Id: id,
            Type: id === org.rootId ? "ROOT" : "ORGANIZATIONAL_UNIT",
          })),
          NextToken,
        },
        reqId,
      );
    }
    case "RegisterDelegatedAdministrator": {
      org.requireManagement(caller);
      const id = requiredString(json, "AccountId", ACCOUNT_ID_RE);
      org.register(id, servicePrincipal(json));
      return orgJson(undefined, reqId);
    }
    case "DeregisterDelegatedAdministrator": {
      org.requireManagement(caller);
      const id = requiredString(json, "AccountId", ACCOUNT_ID_RE);
      state.deregisterDelegatedAdministrator(id, servicePrincipal(json));
      return orgJson(undefined, reqId);
    }
    case "ListDelegatedAdministrators": {
      org.requireReader(caller);
      const filter = json.ServicePrincipal === undefined ? undefined : servicePrincipal(json);
      const seen = new Map<string, Date>();
      for (const [sp, admins] of org.delegatedAdmins) {
        if (filter !== undefined && sp !== filter) continue;
        for (const [id, date] of admins) if (!seen.has(id)) seen.set(id, date);
      }
      const { page: admins, NextToken } = page([...seen.entries()], `admins/${filter ?? "*"}`);
      return orgJson(
        {
          DelegatedAdministrators: admins.map(([id, date]) => ({
            ...accountShape(org, org.requireMember(id)),
            DelegationEnabledDate: epoch(date),
          })),
          NextToken,
        },
        reqId,
      );
    }
    case "EnableAWSServiceAccess":
      org.requireManagement(caller);
      org.enableServiceAccess(servicePrincipal(json));
      return orgJson(undefined, reqId);
    case "DisableAWSServiceAccess":
      org.requireManagement(caller);
      state.disableServiceAccess(servicePrincipal(json));
      return orgJson(undefined, reqId);
    case "ListAWSServiceAccessForOrganization": {
      org.requireReader(caller);
      const { page: enabled, NextToken } = page([...org.trustedAccess.entries()], "service-access");
      return orgJson(
        {
          EnabledServicePrincipals: enabled.map(([sp, date]) => ({
            ServicePrincipal: sp,
            DateEnabled: epoch(date),
          })),
          NextToken,
        },
        reqId,
      );
    }
    default:
      throw new AwsError("UnknownOperationException", 400, `Unknown operation ${ctx.operation}`);
  }
}
