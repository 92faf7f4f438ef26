// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * The assumed role's external id, taken from the environment rather than stack config: stack
 * config is plaintext in `Pulumi.<stack>.yaml` and `pulumi config set` puts it on a command line.
 * The fleet bot sets the variable in each account's own stack workspace. Pure.
 */

import { EXTERNAL_ID_ENV } from "./contract";

/**
 * `providerArgs` with the external id from the environment set on its last (innermost) role.
 * Returns a problem instead when the variable is set but there is no role to give it to, or the
 * role already has one (the value itself is never part of a message).
 */
export function withExternalIdFromEnv(
  providerArgs: Record<string, unknown> | undefined,
  env: Record<string, string | undefined>,
  key: string,
): { providerArgs: Record<string, unknown> | undefined } | { problem: string } {
  const externalId = env[EXTERNAL_ID_ENV];
  if (externalId === undefined || externalId === "") return { providerArgs };
  const roles: unknown = providerArgs?.assumeRoles;
  if (!Array.isArray(roles) || roles.length === 0) {
    return {
      problem:
        `${key}.assumeRoles: ${EXTERNAL_ID_ENV} is set but no role is assumed; ` +
        `add the role to ${key}.assumeRoles or unset ${EXTERNAL_ID_ENV}`,
    };
  }
  const chain = roles as Record<string, unknown>[];
  const last = chain[chain.length - 1];
  if (last.externalId !== undefined) {
    return {
      problem:
        `${key}.assumeRoles[${roles.length - 1}].externalId: also set by ${EXTERNAL_ID_ENV}; ` +
        `keep one (the variable keeps it out of stack config)`,
    };
  }
  return {
    providerArgs: {
      ...providerArgs,
      assumeRoles: [...chain.slice(0, -1), { ...last, externalId }],
    },
  };
}
