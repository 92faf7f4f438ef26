// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * Problems with arguments, as people read them: a path (`archiveRules[2].name`) and the fix.
 * Shared by the component, the per-account program and the fleet file. Pure: no Pulumi, no I/O.
 */

import type { z } from "zod";
import { suggestKey } from "./schema";

/** A problem with one argument: `path` names the argument (`excludeRegions[2]`), `message` the fix. */
export interface ArgumentProblem {
  readonly path: string;
  readonly message: string;
}

/** A dotted path as people write it: `accounts[3].tags["cost center"]`; `(top level)` when empty. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") {
      out += `[${part}]`;
    } else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) {
      out += out === "" ? part : `.${part}`;
    } else {
      out += `[${JSON.stringify(String(part))}]`;
    }
  }
  return out === "" ? "(top level)" : out;
}

/** Formats problems as one message, one line per problem, each naming its argument. */
export function formatProblems(prefix: string, problems: readonly ArgumentProblem[]): string {
  return [prefix, ...problems.map((p) => `  - ${p.path}: ${p.message}`)].join("\n");
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Messages for the issues the schemas give no message of their own (zod's `error` parse option). */
export function genericMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case "invalid_type": {
      if (iss.input === undefined) return "is required";
      const expected =
        iss.expected === "array"
          ? "a list"
          : iss.expected === "object" || iss.expected === "record"
            ? "a map"
            : `a ${iss.expected}`;
      return `must be ${expected} (got ${typeName(iss.input)})`;
    }
    case "too_small":
      return iss.origin === "array"
        ? `must have at least ${iss.minimum} item(s)`
        : `must be at least ${iss.minimum}`;
    case "too_big":
      return iss.origin === "array"
        ? `must have at most ${iss.maximum} item(s)`
        : `must be at most ${iss.maximum}`;
    default:
      return undefined;
  }
}

/** The parts of a zod schema's definition that lead to the schemas inside it. */
interface SchemaDef {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
}

const defOf = (schema: z.ZodType | undefined): SchemaDef | undefined =>
  (schema as { _zod?: { def: SchemaDef } } | undefined)?._zod?.def;

/** The schema found at `path` inside `schema` (through optionals, lists, maps and unions). */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): SchemaDef | undefined {
  let def = defOf(schema);
  let rest = [...path];
  while (def !== undefined) {
    if (def.innerType !== undefined) {
      def = defOf(def.innerType);
    } else if (def.type === "pipe") {
      def = defOf(def.in);
    } else if (def.type === "union") {
      def = defOf(def.options?.[0]);
    } else if (rest.length === 0) {
      return def;
    } else {
      const next =
        def.type === "object"
          ? def.shape?.[String(rest[0])]
          : def.type === "array"
            ? def.element
            : def.type === "record"
              ? def.valueType
              : undefined;
      def = defOf(next);
      rest = rest.slice(1);
    }
  }
  return undefined;
}

/** The keys an object schema allows at `path` (for "did you mean"); none when it is no object. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const def = schemaAt(schema, path);
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

/** How to word the problems of one schema. */
export interface ProblemWording {
  /** The schema the issues came from, for the keys allowed where a key is unknown. */
  readonly schema: z.ZodType;
  /** A fixed message for a key that belongs elsewhere, by its formatted path. */
  readonly keyHints?: Readonly<Record<string, string>>;
}

/**
 * Turns zod issues into problems: every unknown key gets a "did you mean", a union of a plain
 * value and a deferred `pulumi.Input` reports the plain value's problem.
 */
export function problemsOf(
  issues: readonly z.core.$ZodIssue[],
  wording: ProblemWording,
  base: readonly PropertyKey[] = [],
): ArgumentProblem[] {
  const problems: ArgumentProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      const allowed = keysAt(wording.schema, path);
      for (const key of issue.keys) {
        const where = formatPath([...path, key]);
        const hint = wording.keyHints?.[where];
        if (hint !== undefined) {
          problems.push({ path: where, message: hint });
          continue;
        }
        const suggestion = suggestKey(key, allowed);
        const what =
          path.at(-1) === "providerArgs" ? "is not an aws.ProviderArgs field" : "unknown key";
        problems.push({
          path: where,
          message:
            what +
            (suggestion ? `; did you mean "${suggestion}"?` : ".") +
            (allowed.length ? ` Allowed here: ${allowed.join(", ")}` : ""),
        });
      }
    } else if (issue.code === "invalid_key" && issue.issues.length > 0) {
      problems.push({ path: formatPath(path), message: issue.issues[0].message });
    } else if (issue.code === "invalid_union" && issue.errors.length > 0) {
      // `inputOf(plain)`: the plain schema comes first; a deferred value never fails.
      problems.push(...problemsOf(issue.errors[0], wording, path));
    } else {
      problems.push({ path: formatPath(path), message: issue.message });
    }
  }
  return problems;
}
