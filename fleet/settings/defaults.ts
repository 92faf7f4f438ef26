/**
 * The fleet file's defaults that code far below the schema needs (the AWS clients): a leaf, so they
 * cost those modules no import of the whole schema.
 */

/** The role session name the bot uses when the fleet file sets none. */
export const DEFAULT_SESSION_NAME = "access-analyzer-fleet";
