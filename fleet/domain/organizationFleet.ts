/**
 * The targets of a fleet file with `organization:` once the organization has been read: the
 * discovered accounts with the fleet file's `defaults` and entries applied, the registration stack
 * and the delegated administrator's organization analyzers, and what is left out. Pure.
 */
import { ROLE_ARN_PATTERN, partitionOfArn } from "../../components/schema";
import { DEFAULT_SESSION_NAME } from "../settings/defaults";
import { type Fleet, type LeftOutTarget, type Target } from "../settings/schema";
import { type AccountSelection, type LeftOutReason, REGISTRATION_STACK } from "./organization";

const LEFT_OUT_WORDS: Record<LeftOutReason, string> = {
  "not-active": "not active",
  "excluded-ou": "excluded OU",
  "excluded-account": "excluded id",
  "outside-scope": "outside scope",
};

/**
 * The name an account has in AWS Organizations, for a target the fleet file gives none: progress
 * lines, tables and reports then say `Prod EU 111122223333`, not the bare id (`accountLabel`), and
 * `--accounts` takes it too. The fleet file's own name wins; an empty name or one that is the id
 * adds nothing.
 */
function orgName(target: Target, name: string | undefined): { name?: string } {
  if (target.name !== undefined || name === undefined) return {};
  const trimmed = name.trim();
  return trimmed !== "" && trimmed !== target.accountId ? { name: trimmed } : {};
}

/** The whole fleet of an organization-backed file: targets in run order, and what was left out. */
export interface OrganizationFleet {
  /** Registration (if any), then every account by account id. */
  readonly targets: Target[];
  readonly leftOut: LeftOutTarget[];
  readonly warnings: string[];
  /** Problems that stop the run (each names the key and the fix). */
  readonly problems: string[];
}

/**
 * The targets of a fleet file with `organization:` once the organization has been read. Pure.
 * Discovered ACTIVE in-scope accounts get `defaults` (stack `acct-<id>`, role from
 * `defaults.roleName`); an `accounts:` entry overrides a discovered account's settings by id, or
 * adds an account outside the scope. With `delegatedAdministrator`, the registration stack comes
 * first (management account, through `organization.roleArn`), and the administrator's own stack
 * gets `organization: { externalAccess: true, ...organization.analyzers }`.
 */
export function organizationTargets(fleet: Fleet, found: AccountSelection): OrganizationFleet {
  const { organization: org, discovered: fromDefaults } = fleet;
  if (org === undefined || fromDefaults === undefined) {
    return { targets: fleet.targets, leftOut: [], warnings: [], problems: [] };
  }
  const listed = new Map(fleet.targets.map((t) => [t.accountId, t]));
  const discovered = new Map(found.accounts.map((a) => [a.accountId, a]));
  const leftOutById = new Map(found.leftOut.map((a) => [a.accountId, a]));
  const warnings = [...found.warnings];
  const problems: string[] = [];
  const built: Target[] = [];
  for (const t of found.accounts.map((a) => fromDefaults(a.accountId))) {
    const a = discovered.get(t.accountId)!;
    const entry = listed.get(t.accountId);
    const base = entry ?? t;
    built.push({
      ...base,
      ...orgName(base, a.name),
      origin: { ouPath: a.ouPath, accountName: a.name, fleetFile: entry !== undefined },
    });
  }
  for (const t of fleet.targets) {
    if (discovered.has(t.accountId)) continue;
    const out = leftOutById.get(t.accountId);
    if (out !== undefined) {
      warnings.push(
        `accounts: ${t.accountId} is listed in the fleet file but the organization leaves it out (${out.detail}); it is covered as listed`,
      );
    }
    built.push({
      ...t,
      ...orgName(t, out?.name),
      origin: {
        fleetFile: true,
        ...(out !== undefined ? { ouPath: out.ouPath, accountName: out.name } : {}),
      },
    });
  }
  built.sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  const stacks = new Map<string, string>();
  for (const t of built) {
    const other = stacks.get(t.stack);
    if (other !== undefined) {
      problems.push(
        `accounts: stack "${t.stack}" would hold both ${other} and ${t.accountId}; give the fleet file's entry another stack`,
      );
    }
    stacks.set(t.stack, t.accountId);
  }
  const admin = org.delegatedAdministrator;
  if (admin === undefined)
    return { targets: built, leftOut: leftOutOf(found, listed), warnings, problems };

  const adminIndex = built.findIndex((t) => t.accountId === admin.accountId);
  if (admin.accountId === found.managementAccountId) {
    problems.push(
      `organization.delegatedAdministrator.accountId: ${admin.accountId} is the management account; AWS refuses it as delegated administrator: pick a member account (e.g. a security tooling account)`,
    );
  } else if (adminIndex < 0) {
    const out = leftOutById.get(admin.accountId);
    problems.push(
      out !== undefined
        ? `organization.delegatedAdministrator.accountId: ${admin.accountId} is left out of the fleet (${out.detail}); include it, or list it under accounts:`
        : `organization.delegatedAdministrator.accountId: ${admin.accountId} is not an account of organization ${found.organizationId}; use a member account's id`,
    );
  }
  // Only the management account registers a delegated administrator, and the registration stack
  // runs through organization.roleArn: a role in any other account would validate, then fail.
  const roleAccount =
    org.roleArn !== undefined ? ROLE_ARN_PATTERN.exec(org.roleArn)?.[2] : undefined;
  if (roleAccount !== undefined && roleAccount !== found.managementAccountId) {
    problems.push(
      `organization.roleArn: ${org.roleArn} is in account ${roleAccount}, but organization.delegatedAdministrator is registered by the management account ${found.managementAccountId} through this role (AWS refuses RegisterDelegatedAdministrator from any other account); use a role in ${found.managementAccountId}, e.g. "arn:${partitionOfArn(org.roleArn!) ?? "aws"}:iam::${found.managementAccountId}:role/AccessAnalyzerDeployer"`,
    );
  }
  if (stacks.has(REGISTRATION_STACK)) {
    problems.push(
      `accounts: stack "${REGISTRATION_STACK}" is the delegated administrator's registration stack; give the entry another stack`,
    );
  }
  if (problems.length > 0)
    return { targets: built, leftOut: leftOutOf(found, listed), warnings, problems };

  const adminTarget = built[adminIndex];
  const { externalAccess, ...rest } = org.analyzers ?? {};
  const ownOrg = (adminTarget.settings as { organization?: Record<string, unknown> }).organization;
  built[adminIndex] = {
    ...adminTarget,
    phase: "delegated-administrator",
    programConfig: {
      ...adminTarget.programConfig,
      organization: { ...ownOrg, ...rest, externalAccess: externalAccess ?? true },
    },
  };
  const { lookupRegion } = fromDefaults(found.managementAccountId).settings;
  const registration: Target = {
    accountId: found.managementAccountId,
    name: "org-registration",
    stack: REGISTRATION_STACK,
    access: {
      ...(org.roleArn !== undefined
        ? {
            roleArn: org.roleArn,
            sessionName: org.sessionName ?? DEFAULT_SESSION_NAME,
            ...(org.externalId !== undefined ? { externalId: org.externalId } : {}),
          }
        : {}),
    },
    // The lookup region is the partition's: the registration reads Organizations there (GovCloud
    // and China have no us-east-1). Nothing else of the defaults applies to it.
    settings: lookupRegion !== undefined ? { lookupRegion } : {},
    origin: { ouPath: "Root", fleetFile: false, accountName: "management account" },
    phase: "registration",
    programConfig: {
      delegatedAdministrator: {
        accountId: admin.accountId,
        ...(admin.enableTrustedAccess !== undefined
          ? { enableTrustedAccess: admin.enableTrustedAccess }
          : {}),
      },
    },
  };
  return {
    targets: [registration, ...built],
    leftOut: leftOutOf(found, listed),
    warnings,
    problems,
  };
}

/** The organization's accounts the run leaves out (an `accounts:` entry brings one back in). */
function leftOutOf(found: AccountSelection, listed: ReadonlyMap<string, Target>): LeftOutTarget[] {
  return found.leftOut
    .filter((a) => !listed.has(a.accountId))
    .map((a) => ({
      accountId: a.accountId,
      accountName: a.name,
      ouPath: a.ouPath,
      reason: LEFT_OUT_WORDS[a.reason],
      detail: a.detail,
    }));
}
