// AWS Organizations, as terraform-provider-aws serves it: the resources
// aws_organizations_delegated_administrator (ID `<accountId>/<servicePrincipal>`, both ForceNew,
// no update) and aws_organizations_aws_service_access (ID = servicePrincipal, ForceNew), and the
// data source aws_organizations_organization. Organizations is global: no per-resource `region`.
import type {
  Account,
  DelegatedAdministrator,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { status } from "@grpc/grpc-js";

import { RpcError, awsErrorCode, awsFailure, describeAwsError } from "./errors";
import {
  CheckFailure,
  Ctx,
  DiffResult,
  ResourceHandler,
  compact,
  compareProperty,
  emptyDiff,
  requireString,
} from "./resource";
import { PropertyMap, UNKNOWN, containsUnknowns, isUnknown, str } from "./values";

export const DELEGATED_ADMINISTRATOR_TYPE =
  "aws:organizations/delegatedAdministrator:DelegatedAdministrator";
export const AWS_SERVICE_ACCESS_TYPE = "aws:organizations/awsServiceAccess:AwsServiceAccess";
export const GET_ORGANIZATION = "aws:organizations/getOrganization:getOrganization";

const SERVICE = "Organizations";
const ACCOUNT_ID_RE = /^\d{12}$/;

/** Go's time.RFC3339, which the provider formats Organizations timestamps with. */
function rfc3339(d: Date | undefined): string | undefined {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : undefined;
}

function checkServicePrincipal(news: PropertyMap, failures: CheckFailure[]): void {
  const sp = requireString(news, "servicePrincipal", failures);
  if (sp !== undefined && (sp.length < 1 || sp.length > 128)) {
    failures.push({
      property: "servicePrincipal",
      reason: `expected length of servicePrincipal to be in the range (1 - 128), got ${sp}`,
    });
  }
}

/** Inputs never change in place: every input is ForceNew, so Update only echoes. */
function forceNewDiff(keys: string[], olds: PropertyMap, news: PropertyMap): DiffResult {
  const acc = emptyDiff();
  for (const k of keys) {
    compareProperty(acc, k, olds[k], news[k], true);
  }
  return acc;
}

// --- aws:organizations/delegatedAdministrator:DelegatedAdministrator ---

export function parseDelegatedAdministratorId(id: string): {
  accountId: string;
  servicePrincipal: string;
} {
  const parts = id.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new RpcError(
      status.INVALID_ARGUMENT,
      `unexpected format for ID (${id}), expected ACCOUNTID/SERVICEPRINCIPAL`,
    );
  }
  return { accountId: parts[0], servicePrincipal: parts[1] };
}

async function findDelegatedAdministrator(
  client: OrganizationsClient,
  accountId: string,
  servicePrincipal: string,
): Promise<DelegatedAdministrator | undefined> {
  const { paginateListDelegatedAdministrators } = await import("@aws-sdk/client-organizations");
  for await (const page of paginateListDelegatedAdministrators(
    { client },
    { ServicePrincipal: servicePrincipal },
  )) {
    const hit = (page.DelegatedAdministrators ?? []).find((a) => a.Id === accountId);
    if (hit) {
      return hit;
    }
  }
  return undefined;
}

function delegatedAdministratorOutputs(
  accountId: string,
  servicePrincipal: string,
  a: DelegatedAdministrator,
): PropertyMap {
  return compact({
    id: `${accountId}/${servicePrincipal}`,
    accountId,
    arn: a.Arn,
    delegationEnabledDate: rfc3339(a.DelegationEnabledDate),
    email: a.Email,
    joinedMethod: a.JoinedMethod,
    joinedTimestamp: rfc3339(a.JoinedTimestamp),
    name: a.Name,
    servicePrincipal,
    status: a.Status,
  });
}

async function readDelegatedAdministrator(ctx: Ctx, id: string): Promise<PropertyMap | undefined> {
  const { accountId, servicePrincipal } = parseDelegatedAdministratorId(id);
  const client = await ctx.session.organizations();
  let found: DelegatedAdministrator | undefined;
  try {
    found = await findDelegatedAdministrator(client, accountId, servicePrincipal);
  } catch (e) {
    throw awsFailure(
      "reading Organizations Delegated Administrator",
      id,
      e,
      SERVICE,
      "ListDelegatedAdministrators",
    );
  }
  return found ? delegatedAdministratorOutputs(accountId, servicePrincipal, found) : undefined;
}

export const delegatedAdministrator: ResourceHandler = {
  check(news: PropertyMap) {
    const failures: CheckFailure[] = [];
    const accountId = requireString(news, "accountId", failures);
    if (accountId !== undefined && !ACCOUNT_ID_RE.test(accountId)) {
      failures.push({
        property: "accountId",
        reason: `"accountId" (${accountId}) must be a 12-digit AWS account ID`,
      });
    }
    checkServicePrincipal(news, failures);
    return { inputs: { ...news }, failures };
  },

  diff(_ctx: Ctx, _id: string, olds: PropertyMap, news: PropertyMap): DiffResult {
    return forceNewDiff(["accountId", "servicePrincipal"], olds, news);
  },

  async create(ctx: Ctx, news: PropertyMap, preview: boolean) {
    const accountId = str(news["accountId"]);
    const servicePrincipal = str(news["servicePrincipal"]);
    if (preview || containsUnknowns(news) || !accountId || !servicePrincipal) {
      return {
        id: "",
        outs: {
          ...news,
          id: UNKNOWN,
          arn: UNKNOWN,
          delegationEnabledDate: UNKNOWN,
          email: UNKNOWN,
          joinedMethod: UNKNOWN,
          joinedTimestamp: UNKNOWN,
          name: UNKNOWN,
          status: UNKNOWN,
        },
      };
    }
    const id = `${accountId}/${servicePrincipal}`;
    const { RegisterDelegatedAdministratorCommand } = await import("@aws-sdk/client-organizations");
    const client = await ctx.session.organizations();
    try {
      await client.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: accountId,
          ServicePrincipal: servicePrincipal,
        }),
      );
    } catch (e) {
      throw awsFailure(
        "creating Organizations Delegated Administrator",
        id,
        e,
        SERVICE,
        "RegisterDelegatedAdministrator",
      );
    }
    const outs = await readDelegatedAdministrator(ctx, id);
    if (!outs) {
      throw new RpcError(
        status.UNKNOWN,
        `reading Organizations Delegated Administrator (${id}): empty result`,
      );
    }
    return { id, outs };
  },

  async read(ctx: Ctx, id: string, _state: PropertyMap, inputs: PropertyMap | undefined) {
    const outs = await readDelegatedAdministrator(ctx, id);
    if (!outs) {
      return undefined;
    }
    const newInputs = compact({
      ...(inputs ?? {}),
      accountId: outs["accountId"],
      servicePrincipal: outs["servicePrincipal"],
    });
    return { id, outs, inputs: newInputs };
  },

  update(_ctx: Ctx, _id: string, olds: PropertyMap) {
    return Promise.resolve(olds);
  },

  async delete(ctx: Ctx, id: string) {
    const { accountId, servicePrincipal } = parseDelegatedAdministratorId(id);
    const { DeregisterDelegatedAdministratorCommand } =
      await import("@aws-sdk/client-organizations");
    const client = await ctx.session.organizations();
    try {
      await client.send(
        new DeregisterDelegatedAdministratorCommand({
          AccountId: accountId,
          ServicePrincipal: servicePrincipal,
        }),
      );
    } catch (e) {
      throw awsFailure(
        "deleting Organizations Delegated Administrator",
        id,
        e,
        SERVICE,
        "DeregisterDelegatedAdministrator",
      );
    }
  },
};

// --- aws:organizations/awsServiceAccess:AwsServiceAccess ---

async function readServiceAccess(ctx: Ctx, servicePrincipal: string) {
  const { paginateListAWSServiceAccessForOrganization } =
    await import("@aws-sdk/client-organizations");
  const client = await ctx.session.organizations();
  try {
    for await (const page of paginateListAWSServiceAccessForOrganization({ client }, {})) {
      const hit = (page.EnabledServicePrincipals ?? []).find(
        (p) => p.ServicePrincipal === servicePrincipal,
      );
      if (hit) {
        return compact({
          id: servicePrincipal,
          dateEnabled: rfc3339(hit.DateEnabled),
          servicePrincipal,
        });
      }
    }
  } catch (e) {
    throw awsFailure(
      "reading Organizations AWS Service Access",
      servicePrincipal,
      e,
      SERVICE,
      "ListAWSServiceAccessForOrganization",
    );
  }
  return undefined;
}

export const awsServiceAccess: ResourceHandler = {
  check(news: PropertyMap) {
    const failures: CheckFailure[] = [];
    checkServicePrincipal(news, failures);
    return { inputs: { ...news }, failures };
  },

  diff(_ctx: Ctx, _id: string, olds: PropertyMap, news: PropertyMap): DiffResult {
    return forceNewDiff(["servicePrincipal"], olds, news);
  },

  async create(ctx: Ctx, news: PropertyMap, preview: boolean) {
    const sp = str(news["servicePrincipal"]);
    if (preview || !sp || isUnknown(sp)) {
      return { id: "", outs: { ...news, id: UNKNOWN, dateEnabled: UNKNOWN } };
    }
    const { EnableAWSServiceAccessCommand } = await import("@aws-sdk/client-organizations");
    const client = await ctx.session.organizations();
    try {
      await client.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: sp }));
    } catch (e) {
      throw awsFailure(
        "enabling Organizations AWS Service Access",
        sp,
        e,
        SERVICE,
        "EnableAWSServiceAccess",
      );
    }
    const outs = await readServiceAccess(ctx, sp);
    if (!outs) {
      throw new RpcError(
        status.UNKNOWN,
        `reading Organizations AWS Service Access (${sp}): empty result`,
      );
    }
    return { id: sp, outs };
  },

  async read(ctx: Ctx, id: string, _state: PropertyMap, inputs: PropertyMap | undefined) {
    const outs = await readServiceAccess(ctx, id);
    if (!outs) {
      return undefined;
    }
    return { id, outs, inputs: compact({ ...(inputs ?? {}), servicePrincipal: id }) };
  },

  update(_ctx: Ctx, _id: string, olds: PropertyMap) {
    return Promise.resolve(olds);
  },

  async delete(ctx: Ctx, id: string) {
    const { DisableAWSServiceAccessCommand } = await import("@aws-sdk/client-organizations");
    const client = await ctx.session.organizations();
    try {
      await client.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: id }));
    } catch (e) {
      throw awsFailure(
        "disabling Organizations AWS Service Access",
        id,
        e,
        SERVICE,
        "DisableAWSServiceAccess",
      );
    }
  },
};

// --- aws:organizations/getOrganization:getOrganization ---

function accountView(a: Account): PropertyMap {
  return compact({
    arn: a.Arn,
    email: a.Email,
    id: a.Id,
    joinedMethod: a.JoinedMethod,
    joinedTimestamp: rfc3339(a.JoinedTimestamp),
    name: a.Name,
    state: a.State,
    status: a.Status,
  });
}

function orgError(what: string, orgId: string, e: unknown, operation: string): RpcError {
  const id = orgId ? ` (${orgId})` : "";
  return new RpcError(
    status.UNKNOWN,
    `reading Organization${id} ${what}: ${describeAwsError(e, SERVICE, operation)}`,
  );
}

/**
 * The organization as the caller may see it: any member gets DescribeOrganization's fields; the
 * management account and delegated administrators also get accounts, roots and trusted-access
 * principals (a member's AccessDenied on ListAccounts just leaves them out), unless
 * `returnOrganizationOnly` is set.
 */
export async function getOrganization(ctx: Ctx, args: PropertyMap): Promise<PropertyMap> {
  const sdk = await import("@aws-sdk/client-organizations");
  const client = await ctx.session.organizations();
  let org;
  try {
    org = (await client.send(new sdk.DescribeOrganizationCommand({}))).Organization;
  } catch (e) {
    throw new RpcError(
      status.UNKNOWN,
      `reading Organizations Organization: ${describeAwsError(e, SERVICE, "DescribeOrganization")}`,
    );
  }
  const orgId = org?.Id ?? "";
  const managementId = org?.MasterAccountId ?? "";
  const out: PropertyMap = compact({
    arn: org?.Arn,
    featureSet: org?.FeatureSet,
    id: orgId,
    masterAccountArn: org?.MasterAccountArn,
    masterAccountEmail: org?.MasterAccountEmail,
    masterAccountId: managementId,
    returnOrganizationOnly:
      typeof args["returnOrganizationOnly"] === "boolean" ? args["returnOrganizationOnly"] : null,
  });
  if (args["returnOrganizationOnly"] === true) {
    return out;
  }
  const isManagement = managementId === (await ctx.session.callerIdentity()).accountId;
  const accounts: Account[] = [];
  try {
    for await (const page of sdk.paginateListAccounts({ client }, {})) {
      accounts.push(...(page.Accounts ?? []));
    }
  } catch (e) {
    if (isManagement || awsErrorCode(e) !== "AccessDeniedException") {
      throw orgError("accounts", orgId, e, "ListAccounts");
    }
    return out; // a member that is not a delegated administrator
  }
  const name = accounts.find((a) => a.Id === managementId)?.Name;
  if (name) {
    out["masterAccountName"] = name;
  }
  const roots = [];
  try {
    for await (const page of sdk.paginateListRoots({ client }, {})) {
      roots.push(...(page.Roots ?? []));
    }
  } catch (e) {
    throw orgError("roots", orgId, e, "ListRoots");
  }
  const principals: string[] = [];
  if (org?.FeatureSet === "ALL") {
    try {
      for await (const page of sdk.paginateListAWSServiceAccessForOrganization({ client }, {})) {
        for (const p of page.EnabledServicePrincipals ?? []) {
          if (p.ServicePrincipal) {
            principals.push(p.ServicePrincipal);
          }
        }
      }
    } catch (e) {
      throw orgError("service principals", orgId, e, "ListAWSServiceAccessForOrganization");
    }
  }
  out["accounts"] = accounts.map(accountView);
  out["nonMasterAccounts"] = accounts.filter((a) => a.Id !== managementId).map(accountView);
  out["awsServiceAccessPrincipals"] = principals.sort();
  out["enabledPolicyTypes"] = (roots[0]?.PolicyTypes ?? [])
    .filter((p) => p.Status === "ENABLED" && p.Type)
    .map((p) => p.Type as string);
  out["roots"] = roots.map((r) =>
    compact({
      arn: r.Arn,
      id: r.Id,
      name: r.Name,
      policyTypes: (r.PolicyTypes ?? []).map((p) => compact({ status: p.Status, type: p.Type })),
    }),
  );
  return out;
}
