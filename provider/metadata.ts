// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * What the package's schema says beyond the component types: how each language's SDK is named and
 * published. Schema inference cannot know it, so it is laid over the inferred schema here (see
 * `inferSchema`). Change REPOSITORY (and with it the Go module path) when the repository moves.
 */

/** The repository the package is published from. */
export const REPOSITORY = "https://github.com/access-analyzer/pulumi-access-analyzer-all-regions";

/** The Go module of the generated Go SDK (a `sdk/go` folder of the repository, by convention). */
export const GO_MODULE = "github.com/access-analyzer/pulumi-access-analyzer-all-regions/sdk/go";

/** The package-level fields and language sections laid over the inferred schema. */
export const SCHEMA_METADATA = {
  displayName: "IAM Access Analyzer in all regions",
  publisher: "The pulumi-access-analyzer-all-regions authors",
  homepage: REPOSITORY,
  repository: REPOSITORY,
  license: "Apache-2.0",
  keywords: ["pulumi", "aws", "access-analyzer", "security", "cis", "kind/component"],
  language: {
    nodejs: {
      packageName: "@access-analyzer/pulumi-all-regions",
      packageDescription: "IAM Access Analyzer in every enabled region (Pulumi component package).",
    },
    python: {
      packageName: "pulumi_access_analyzer_all_regions",
      pyproject: { enabled: true },
    },
    go: {
      importBasePath: `${GO_MODULE}/accessanalyzer`,
      // The generator names, but does not emit, the input types of plain arrays of objects
      // (archiveRules) unless asked for every input type: without this the SDK does not compile.
      generateExtraInputTypes: true,
    },
    csharp: {
      rootNamespace: "AccessAnalyzerAllRegions",
      packageReferences: { Pulumi: "3.*" },
    },
  },
} as const;
