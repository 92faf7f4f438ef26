// Provider configuration: what an `aws.Provider` resource (or `aws:*` stack config for the default
// provider) sends to CheckConfig/Configure, decoded into one typed object.
import { Json, PropertyMap, isObject, isUnknown, str, strList, strMap, unwrap } from "./values";

export interface AssumeRoleConfig {
  roleArn: string;
  sessionName?: string;
  externalId?: string;
  durationSeconds?: number;
  policy?: string;
  policyArns: string[];
  sourceIdentity?: string;
  tags: Record<string, string>;
  transitiveTagKeys: string[];
}

export interface ProviderConfig {
  region?: string;
  profile?: string;
  accessKey?: string;
  secretKey?: string;
  token?: string;
  assumeRoles: AssumeRoleConfig[];
  /** Service name (lower case, e.g. "accessanalyzer", "ec2", "sts") → endpoint URL. */
  endpoints: Record<string, string>;
  allowedAccountIds: string[];
  forbiddenAccountIds: string[];
  skipCredentialsValidation: boolean;
  skipRequestingAccountId: boolean;
  skipMetadataApiCheck: boolean;
  skipRegionValidation: boolean;
  defaultTags: Record<string, string>;
  ignoreTagKeys: string[];
  ignoreTagKeyPrefixes: string[];
  maxRetries?: number;
  stsRegion?: string;
  retryMode?: string;
}

/** Keys whose values the Node SDK JSON-encodes before sending (non-string provider inputs). */
const STRUCTURED_KEYS = new Set([
  "allowedAccountIds",
  "forbiddenAccountIds",
  "assumeRoles",
  "assumeRole",
  "assumeRoleWithWebIdentity",
  "defaultTags",
  "endpoints",
  "ignoreTags",
  "insecure",
  "maxRetries",
  "s3UsePathStyle",
  "sharedConfigFiles",
  "sharedCredentialsFiles",
  "skipCredentialsValidation",
  "skipMetadataApiCheck",
  "skipRegionValidation",
  "skipRequestingAccountId",
  "tokenBucketRateLimiterCapacity",
  "useDualstackEndpoint",
  "useFipsEndpoint",
  "userAgents",
]);

/** Config keys that are secret and must never be logged. */
export const SECRET_KEYS = new Set(["accessKey", "secretKey", "token"]);

/**
 * Picks the raw provider config out of a Configure request: `args` when the engine sent it (every
 * engine since 3.x does), otherwise the legacy `variables` map keyed `aws:config:<key>`.
 */
export function rawConfig(
  args: PropertyMap | undefined,
  variables: Array<[string, string]>,
): PropertyMap {
  if (args && Object.keys(args).length > 0) {
    return unwrap(args) as PropertyMap;
  }
  const out: PropertyMap = {};
  for (const [k, v] of variables) {
    const key = k.startsWith("aws:config:")
      ? k.slice("aws:config:".length)
      : k.replace(/^aws:/, "");
    out[key] = v;
  }
  return out;
}

/** Decodes one value: JSON strings for structured keys, "true"/"false" strings for booleans. */
function decode(key: string, v: Json | undefined): Json | undefined {
  if (v === undefined || v === null) {
    return undefined;
  }
  if (typeof v === "string" && STRUCTURED_KEYS.has(key) && !isUnknown(v)) {
    if (v === "") {
      return undefined;
    }
    try {
      return JSON.parse(v) as Json;
    } catch {
      return v;
    }
  }
  return v;
}

function bool(v: Json | undefined, dflt: boolean): boolean {
  if (typeof v === "boolean") {
    return v;
  }
  if (typeof v === "string") {
    return v === "true";
  }
  return dflt;
}

function parseAssumeRole(v: Json): AssumeRoleConfig | undefined {
  if (!isObject(v)) {
    return undefined;
  }
  const roleArn = str(v["roleArn"]);
  if (!roleArn) {
    return undefined;
  }
  const duration = str(v["duration"]);
  let durationSeconds: number | undefined;
  if (duration) {
    // Terraform duration strings such as "1h", "15m", "3600s".
    const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
    if (m) {
      durationSeconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
    }
  }
  return {
    roleArn,
    sessionName: str(v["sessionName"]),
    externalId: str(v["externalId"]),
    durationSeconds,
    policy: str(v["policy"]),
    policyArns: strList(v["policyArns"]),
    sourceIdentity: str(v["sourceIdentity"]),
    tags: strMap(v["tags"]),
    transitiveTagKeys: strList(v["transitiveTagKeys"]),
  };
}

export function parseConfig(raw: PropertyMap): ProviderConfig {
  const get = (key: string): Json | undefined => decode(key, raw[key]);

  const assumeRoles: AssumeRoleConfig[] = [];
  const roles = get("assumeRoles");
  for (const r of Array.isArray(roles) ? roles : []) {
    const parsed = parseAssumeRole(r);
    if (parsed) {
      assumeRoles.push(parsed);
    }
  }
  const single = get("assumeRole");
  if (assumeRoles.length === 0 && single !== undefined) {
    const parsed = parseAssumeRole(single);
    if (parsed) {
      assumeRoles.push(parsed);
    }
  }

  const endpoints: Record<string, string> = {};
  const eps = get("endpoints");
  for (const e of Array.isArray(eps) ? eps : isObject(eps) ? [eps] : []) {
    for (const [svc, url] of Object.entries(strMap(e))) {
      if (url) {
        endpoints[svc.toLowerCase()] = url;
      }
    }
  }

  const defaultTagsRaw = get("defaultTags");
  const ignoreTagsRaw = get("ignoreTags");
  const maxRetries = get("maxRetries");

  return {
    region: str(get("region")) || undefined,
    profile: str(get("profile")) || undefined,
    accessKey: str(get("accessKey")) || undefined,
    secretKey: str(get("secretKey")) || undefined,
    token: str(get("token")) || undefined,
    assumeRoles,
    endpoints,
    allowedAccountIds: strList(get("allowedAccountIds")),
    forbiddenAccountIds: strList(get("forbiddenAccountIds")),
    skipCredentialsValidation: bool(get("skipCredentialsValidation"), false),
    skipRequestingAccountId: bool(get("skipRequestingAccountId"), false),
    skipMetadataApiCheck: bool(get("skipMetadataApiCheck"), false),
    skipRegionValidation: bool(get("skipRegionValidation"), true),
    defaultTags: isObject(defaultTagsRaw) ? strMap(defaultTagsRaw["tags"]) : {},
    ignoreTagKeys: isObject(ignoreTagsRaw) ? strList(ignoreTagsRaw["keys"]) : [],
    ignoreTagKeyPrefixes: isObject(ignoreTagsRaw) ? strList(ignoreTagsRaw["keyPrefixes"]) : [],
    maxRetries:
      typeof maxRetries === "number"
        ? maxRetries
        : typeof maxRetries === "string" && maxRetries !== ""
          ? Number(maxRetries)
          : undefined,
    stsRegion: str(get("stsRegion")) || undefined,
    retryMode: str(get("retryMode")) || undefined,
  };
}

/** Resolves the region like the real provider: config, then AWS_REGION / AWS_DEFAULT_REGION. */
export function effectiveRegion(cfg: ProviderConfig): string | undefined {
  return cfg.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined);
}

export const MISSING_REGION_MESSAGE =
  'missing required configuration key "aws:region": The region where AWS operations will take ' +
  "place. Examples are us-east-1, us-west-2, etc.\n" +
  "Set a value using the command `pulumi config set aws:region <value>`, or pass `region` to the " +
  "explicit aws.Provider.";

/** Known public regions, used only when skipRegionValidation is false. */
const KNOWN_REGIONS = new Set([
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "cn-north-1",
  "cn-northwest-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-gov-east-1",
  "us-gov-west-1",
  "us-west-1",
  "us-west-2",
]);

export function isKnownRegion(region: string): boolean {
  return KNOWN_REGIONS.has(region);
}

export function partitionOf(region: string): { partition: string; dnsSuffix: string } {
  if (region.startsWith("cn-")) {
    return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" };
  }
  if (region.startsWith("us-gov-")) {
    return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com" };
  }
  if (region.startsWith("us-isob-")) {
    return { partition: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov" };
  }
  if (region.startsWith("us-iso-")) {
    return { partition: "aws-iso", dnsSuffix: "c2s.ic.gov" };
  }
  return { partition: "aws", dnsSuffix: "amazonaws.com" };
}

/** Config key names present (for logs; never values). */
export function configKeys(raw: PropertyMap): string[] {
  return Object.keys(raw)
    .filter((k) => raw[k] !== null && raw[k] !== undefined && raw[k] !== "")
    .sort();
}
