import * as fs from "fs";
import * as YAML from "yaml";
import { z } from "zod";
import { policyDocumentSchema } from "./iam";
import { ORG_ACCOUNT_STATES } from "./orgState";
import { PARTITIONS } from "./regions";

const accountId = z.string().regex(/^\d{12}$/, "an account id is 12 digits");

export const accessKeyConfigSchema = z.object({
  accessKeyId: z.string().min(16),
  secretAccessKey: z.string().min(1),
  /** IAM user name; absent means the account's root user. */
  userName: z.string().optional(),
});

export const roleConfigSchema = z.object({
  name: z.string().min(1),
  /** IAM path, default "/". */
  path: z.string().default("/"),
  /** Accounts whose principals may assume the role; "*" means any account the fake knows. */
  trustedAccountIds: z.array(z.union([accountId, z.literal("*")])).default(["*"]),
  /** When set, AssumeRole must pass this ExternalId. */
  externalId: z.string().optional(),
  maxSessionDuration: z.number().int().min(3600).max(43200).default(3600),
  /**
   * Identity policies attached to the role (IAM JSON policy documents). Every call made with the
   * role's session is authorised against them (see iam.ts). Absent: the role may do anything.
   */
  policies: z.array(policyDocumentSchema).optional(),
});

export const analyzerSeedSchema = z.object({
  region: z.string(),
  name: z.string(),
  type: z.string().default("ACCOUNT"),
  tags: z.record(z.string(), z.string()).default({}),
});

export const accountConfigSchema = z.object({
  id: accountId,
  name: z.string().optional(),
  /**
   * The partition the account lives in: `aws` (default), `aws-us-gov` (GovCloud) or `aws-cn`
   * (China). Its credentials work in that partition's regions only, and its ARNs start
   * `arn:<partition>:`.
   */
  partition: z.enum(PARTITIONS).default("aws"),
  /** Opt-in regions this account has enabled (the 17 default regions are always enabled). */
  optedInRegions: z.array(z.string()).default([]),
  /**
   * Position in AWS Organizations: "none" (standalone), "member", "management" or "delegated-admin"
   * (registered Access Analyzer delegated administrator). Organization analyzers need management or
   * delegated-admin.
   */
  orgRole: z.enum(["none", "member", "management", "delegated-admin"]).default("none"),
  /**
   * Turns trusted access for access-analyzer.amazonaws.com on or off for the whole organization.
   * Unset: unchanged (an organization made from the accounts file starts with it on).
   */
  orgTrustedAccess: z.boolean().optional(),
  /** Where the account sits in the organization: an OU path under the root ("Prod/EU") or an OU id. */
  ou: z.string().optional(),
  /** The account's email in Organizations (default `aws+<id>@example.com`). */
  email: z.string().optional(),
  /**
   * The account's Organizations `State` (PENDING_ACTIVATION, ACTIVE, SUSPENDED, PENDING_CLOSURE,
   * CLOSED); only ACTIVE accounts can be called or assumed into.
   */
  status: z.enum(ORG_ACCOUNT_STATES).default("ACTIVE"),
  accessKeys: z.array(accessKeyConfigSchema).default([]),
  roles: z.array(roleConfigSchema).default([]),
  /** Analyzers that already exist (e.g. made in the console), created at start-up. */
  analyzers: z.array(analyzerSeedSchema).default([]),
});

/** The organization the accounts with an `orgRole` belong to (one account must be its management). */
export const organizationConfigSchema = z.object({
  /** `o-` and 10-32 lowercase letters or digits; default derived from the management account. */
  id: z.string().optional(),
  /** OU paths under the root to create even when empty ("Prod", "Prod/EU"). */
  ous: z.array(z.string()).default([]),
  /** Service principals with trusted access (default: access-analyzer.amazonaws.com only). */
  trustedAccess: z.array(z.string()).optional(),
  /** Delegated administrators to register (any service; the management account cannot be one). */
  delegatedAdministrators: z
    .array(z.object({ accountId, servicePrincipal: z.string() }))
    .default([]),
});

export const fakeAwsSettingsSchema = z.object({
  /** How long a new analyzer stays CREATING before it is ACTIVE (default 0: at once). */
  analyzerActivationMs: z.number().int().min(0).optional(),
  /**
   * Organizations' request rate per organization (token bucket): `requestsPerSecond` refilled,
   * up to `burst` at once; 0 requests per second turns the throttle off. See README, "Throttling".
   */
  organizationsRate: z
    .object({
      requestsPerSecond: z.number().min(0),
      burst: z.number().int().min(1),
    })
    .optional(),
});

export const fakeAwsConfigSchema = z.object({
  accounts: z.array(accountConfigSchema).default([]),
  organization: organizationConfigSchema.optional(),
  settings: fakeAwsSettingsSchema.optional(),
});

export type AccessKeyConfig = z.input<typeof accessKeyConfigSchema>;
export type RoleConfig = z.input<typeof roleConfigSchema>;
export type AccountConfig = z.input<typeof accountConfigSchema>;
export type FakeAwsConfig = z.input<typeof fakeAwsConfigSchema>;
export type OrganizationConfig = z.input<typeof organizationConfigSchema>;
export type ParsedAccountConfig = z.output<typeof accountConfigSchema>;
export type ParsedFakeAwsConfig = z.output<typeof fakeAwsConfigSchema>;

export function parseConfig(input: unknown): ParsedFakeAwsConfig {
  return fakeAwsConfigSchema.parse(input);
}

/** Reads an accounts file (YAML or JSON; JSON is YAML). */
export function loadConfigFile(file: string): ParsedFakeAwsConfig {
  return parseConfig(YAML.parse(fs.readFileSync(file, "utf8")));
}
