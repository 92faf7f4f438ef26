/**
 * The one write the fleet makes outside the engine: `ApplyArchiveRule`, after `up` created or changed
 * a rule (fleet/flows/archiveRules.ts). The deployer role's client: it holds
 * `access-analyzer:ApplyArchiveRule` and `ListFindings`; the read-only audit role never does.
 */
import { ApplyArchiveRuleCommand } from "@aws-sdk/client-accessanalyzer";
import { randomUUID } from "crypto";
import type { ArchiveRuleClient } from "../domain/account";
import { SdkAccountReader, wrap } from "./reader";

/** The account's reader, plus `ApplyArchiveRule` over the same role and clients. */
export class SdkArchiveRuleClient extends SdkAccountReader implements ArchiveRuleClient {
  async applyArchiveRule(region: string, analyzerArn: string, ruleName: string): Promise<void> {
    try {
      await this.analyzerClient(region).send(
        new ApplyArchiveRuleCommand({ analyzerArn, ruleName, clientToken: randomUUID() }),
        this.sendOptions,
      );
    } catch (error) {
      throw wrap(`ApplyArchiveRule ${ruleName} on ${analyzerArn}`, error);
    }
  }
}
