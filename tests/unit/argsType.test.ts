// The component's exported `AllRegionsAccessAnalyzerArgs` (hand-written, with TSDoc for users) and
// the schema's inferred type must describe the same settings. The checks below are compiled by
// `tsc` (npm run typecheck): a field added to, dropped from or retyped in one of them and not the
// other breaks the build.
//
// `tags` and `providerArgs` accept `pulumi.Input`s in the component (an embedding program passes
// Outputs), which the schema models as "a plain value, or a deferred value let through". Those
// two fields are compared honestly but not structurally: the plain form of `tags` must fit both
// types, and `providerArgs` must have exactly `aws.ProviderArgs`' fields but `region`. Every other
// field is compared structurally, both ways.

import * as assert from "node:assert/strict";

import type { AllRegionsAccessAnalyzerArgs, ComponentArgsSchemaType } from "../../components";
import type { ProviderArgField } from "../../components/schema";
import { componentArgsObject, providerArgs } from "../../components/schema";

type Plain<T> = Omit<T, "tags" | "providerArgs">;
type Assignable<From, To> = [From] extends [To] ? true : false;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const check = <T extends true>(value: T): T => value;

// Every field but the Input-carrying ones: assignable both ways.
check<Assignable<Plain<AllRegionsAccessAnalyzerArgs>, Plain<ComponentArgsSchemaType>>>(true);
check<Assignable<Plain<ComponentArgsSchemaType>, Plain<AllRegionsAccessAnalyzerArgs>>>(true);
// The same field names.
check<Same<keyof AllRegionsAccessAnalyzerArgs, keyof ComponentArgsSchemaType>>(true);
// Plain tags fit both.
check<Assignable<Record<string, string>, NonNullable<AllRegionsAccessAnalyzerArgs["tags"]>>>(true);
check<Assignable<Record<string, string>, NonNullable<ComponentArgsSchemaType["tags"]>>>(true);
// providerArgs: exactly aws.ProviderArgs' fields but region, in both.
type ArgsProviderFields = keyof NonNullable<AllRegionsAccessAnalyzerArgs["providerArgs"]>;
type SchemaProviderFields = keyof NonNullable<ComponentArgsSchemaType["providerArgs"]>;
check<Same<ArgsProviderFields, ProviderArgField>>(true);
check<Same<SchemaProviderFields, ProviderArgField>>(true);

/** One entry per field of the exported interface; the compiler insists on all, and no more. */
const ARG_FIELDS: Record<keyof AllRegionsAccessAnalyzerArgs, true> = {
  regions: true,
  excludeRegions: true,
  lookupRegion: true,
  providerArgs: true,
  analyzerName: true,
  type: true,
  unusedAccess: true,
  internalAccess: true,
  organization: true,
  archiveRules: true,
  tags: true,
  protect: true,
  retainOnDelete: true,
  providerMode: true,
  adopt: true,
  allowDelete: true,
};

describe("the component's argument types", () => {
  it("are the schema's fields, one for one, at run time too", () => {
    assert.deepEqual(Object.keys(componentArgsObject.shape).sort(), Object.keys(ARG_FIELDS).sort());
  });

  it("check every aws.ProviderArgs field but region", () => {
    assert.ok(!("region" in providerArgs.shape));
    assert.ok(Object.keys(providerArgs.shape).length >= 30);
  });
});
