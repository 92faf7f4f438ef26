// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

// Turns on the schema view of the component's types (components/types.ts, `TypeView`) in the
// provider's TypeScript program, which the schema is inferred from. Only provider/tsconfig.json
// lists this file; the repository's own tsconfig.json leaves it out, so TypeScript callers keep
// the full types.

declare module "../components/types" {
  interface TypeView {
    readonly schema: true;
  }
}

export {};
