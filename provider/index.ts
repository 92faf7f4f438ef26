// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

// The plugin's entry point: serves the `access-analyzer` package to the engine, which starts it as
// `pulumi-resource-access-analyzer [flags] <engine-address>` (bin/, through the launcher) or, on
// engines whose Node.js host has RunPlugin, through PulumiPlugin.yaml. The first line on stdout is
// the port. It exports nothing: the components are found by the schema inference through the
// imports of provider.ts.

import { main } from "@pulumi/pulumi/provider";

import { AccessAnalyzerProvider } from "./provider";

void main(new AccessAnalyzerProvider(), process.argv.slice(2));
