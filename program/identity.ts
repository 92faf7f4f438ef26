// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * File access for the program's identity (program/contract.ts `programIdentity`): the program
 * reads its own folder (index.ts); the fleet bot reads `--work-dir` with the same rules.
 */
import * as fs from "fs";
import * as path from "path";

import type { IdentityIo } from "./contract";

/** The identity read through Node's `fs` and `require.resolve`. */
export const NODE_IO: IdentityIo = {
  readFile: (file) => {
    try {
      return fs.readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
  },
  listFiles: (dir) => {
    try {
      return fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => fs.statSync(path.join(dir, f)).isFile());
    } catch {
      return [];
    }
  },
  packageDir: (module, dir) => {
    try {
      return path.dirname(require.resolve(`${module}/package.json`, { paths: [dir] }));
    } catch {
      return undefined;
    }
  },
};
