// Plain-JSON property values as the engine sends them over google.protobuf.Struct, plus the
// sentinels the Pulumi wire format uses for unknowns, secrets, resource references and outputs.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type PropertyMap = { [key: string]: Json };

/** The engine's sentinel for a value that is not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

export function isObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

export function containsUnknowns(v: unknown): boolean {
  if (isUnknown(v)) {
    return true;
  }
  if (Array.isArray(v)) {
    return v.some(containsUnknowns);
  }
  if (isObject(v)) {
    return Object.values(v).some(containsUnknowns);
  }
  return false;
}

/**
 * Strips secret, output-value and resource-reference wrappers. The engine always sends them in
 * Configure's `args` (KeepSecrets), whatever the provider said it accepts.
 */
export function unwrap(v: Json): Json {
  if (Array.isArray(v)) {
    return v.map(unwrap);
  }
  if (!isObject(v)) {
    return v;
  }
  const sig = v[SIG_KEY];
  if (sig === SECRET_SIG) {
    return unwrap(v["value"] ?? null);
  }
  if (sig === OUTPUT_SIG) {
    return "value" in v ? unwrap(v["value"] ?? null) : UNKNOWN;
  }
  if (sig === RESOURCE_SIG) {
    const id = v["id"];
    return typeof id === "string" ? id : (v["urn"] ?? null);
  }
  const out: PropertyMap = {};
  for (const [k, inner] of Object.entries(v)) {
    out[k] = unwrap(inner);
  }
  return out;
}

/** Removes `undefined` (Struct.fromJavaScript cannot encode it) recursively. */
export function clean(v: unknown): Json {
  if (v === undefined || v === null) {
    return null;
  }
  if (Array.isArray(v)) {
    return v.map(clean);
  }
  if (typeof v === "object") {
    const out: PropertyMap = {};
    for (const [k, inner] of Object.entries(v as Record<string, unknown>)) {
      if (inner !== undefined) {
        out[k] = clean(inner);
      }
    }
    return out;
  }
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
    return v;
  }
  return typeof v === "bigint" ? v.toString() : null;
}

/**
 * Normalises a value for comparison: null, empty arrays and empty objects count as absent,
 * so `tags: {}` equals no tags and `contains: []` equals no `contains`.
 */
export function normalize(v: Json | undefined): Json | undefined {
  if (v === null || v === undefined) {
    return undefined;
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => normalize(x) ?? null);
    return items.length === 0 ? undefined : items;
  }
  if (isObject(v)) {
    const out: PropertyMap = {};
    for (const k of Object.keys(v).sort()) {
      const n = normalize(v[k]);
      if (n !== undefined) {
        out[k] = n;
      }
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v;
}

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

export function str(v: Json | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function strList(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

export function strMap(v: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) {
    for (const [k, inner] of Object.entries(v)) {
      if (typeof inner === "string") {
        out[k] = inner;
      }
    }
  }
  return out;
}
