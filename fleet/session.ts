/**
 * The role session name the bot uses when the fleet file sets none. A leaf module: the fleet file,
 * the SDK clients and the organization reader all need it, and importing it from any of them would
 * close an import cycle (organization → auditSdk → fleetFile → organization).
 */
export const DEFAULT_SESSION_NAME = "access-analyzer-fleet";
