// Reads every `onehub:` config key into the OneHub component's arguments (field = key) and
// validates them before anything is registered. Defaults live only in Pulumi.yaml, which the
// CLI merges in, so a missing key means Pulumi.yaml lost it: that is an error too.
import * as pulumi from "@pulumi/pulumi";
import { OneHubArgs, validateOneHubArgs } from "../components/oneHub";
import { fail } from "../components/common/validation";

export const CONFIG_NAMESPACE = "onehub";
const k = (key: string) => `${CONFIG_NAMESPACE}:${key}`;

/** Typed access to raw config strings, as the CLI passes them (JSON for arrays). */
class Reader {
    private readonly cfg = new pulumi.Config(CONFIG_NAMESPACE);

    string(key: string): string {
        const v = this.cfg.get(key);
        if (v === undefined) {
            fail(k(key), v, "is required; its default belongs in Pulumi.yaml's config block");
        }
        return v;
    }
    integer(key: string): number {
        const v = this.string(key);
        if (!/^-?\d+$/.test(v)) {
            fail(k(key), v, "must be a whole number");
        }
        return Number(v);
    }
    number(key: string): number {
        const v = this.string(key);
        if (!/^-?\d+(\.\d+)?$/.test(v)) {
            fail(k(key), v, "must be a number such as 0.5 or 4");
        }
        return Number(v);
    }
    boolean(key: string): boolean {
        const v = this.string(key);
        if (v !== "true" && v !== "false") {
            fail(k(key), v, "must be true or false");
        }
        return v === "true";
    }
    stringList(key: string): string[] {
        const v = this.string(key);
        let parsed: unknown;
        try {
            parsed = JSON.parse(v);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((e) => typeof e === "string")) {
            fail(k(key), v, "must be a list of strings");
        }
        return parsed as string[];
    }
    /** An optional secret, which must have been set with `pulumi config set --secret`. */
    secret(key: string): string | undefined {
        const v = this.cfg.get(key);
        if (v === undefined || v === "") {
            return undefined;
        }
        if (!isConfigSecret(k(key))) {
            fail(k(key), "(plain text)", `must be stored encrypted: pulumi config set --secret ${key} <value>`);
        }
        return v;
    }
}

// The SDK knows which keys the CLI passed as secrets but does not export the check in its typings.
function isConfigSecret(fullKey: string): boolean {
    return (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret(fullKey);
}

/** The stack's config as OneHub's arguments, validated. Secrets come back as secret Outputs. */
export function loadConfig(): OneHubArgs {
    const r = new Reader();
    const args: OneHubArgs = {
        azCount: r.integer("azCount"),
        natStrategy: r.string("natStrategy"),
        vpcCidr: r.string("vpcCidr"),
        existingVpcId: r.string("existingVpcId"),
        existingPrivateSubnetIds: r.stringList("existingPrivateSubnetIds"),
        existingDatabaseSubnetIds: r.stringList("existingDatabaseSubnetIds"),

        dbEngineVersion: r.string("dbEngineVersion"),
        dbMinCapacity: r.number("dbMinCapacity"),
        dbMaxCapacity: r.number("dbMaxCapacity"),
        dbRebootedMaxCapacity: r.number("dbRebootedMaxCapacity"),
        dbSecondsUntilAutoPause: r.integer("dbSecondsUntilAutoPause"),
        dbReaderCount: r.integer("dbReaderCount"),
        dbBackupRetentionDays: r.integer("dbBackupRetentionDays"),
        dbDeletionProtection: r.boolean("dbDeletionProtection"),
        dbFinalSnapshot: r.boolean("dbFinalSnapshot"),
        dbEnableDataApi: r.boolean("dbEnableDataApi"),
        dbPassword: r.secret("dbPassword"),

        albIdleTimeout: r.integer("albIdleTimeout"),
        albAccessLogsBucket: r.string("albAccessLogsBucket"),
        albCertificateArn: r.string("albCertificateArn"),
        albOriginDomainName: r.string("albOriginDomainName"),
        originReadTimeout: r.integer("originReadTimeout"),
        originKeepaliveTimeout: r.integer("originKeepaliveTimeout"),
        priceClass: r.string("priceClass"),
        customDomain: r.string("customDomain"),
        certificateArn: r.string("certificateArn"),
        hostedZoneId: r.string("hostedZoneId"),
        wafEnabled: r.boolean("wafEnabled"),
        wafRateLimit: r.integer("wafRateLimit"),
        wafLoginRateLimit: r.integer("wafLoginRateLimit"),

        imageRepository: r.string("imageRepository"),
        imageTag: r.string("imageTag"),
        masterCount: r.integer("masterCount"),
        masterCpu: r.integer("masterCpu"),
        masterMemory: r.integer("masterMemory"),
        slaveCpu: r.integer("slaveCpu"),
        slaveMemory: r.integer("slaveMemory"),
        slaveMinCount: r.integer("slaveMinCount"),
        slaveMaxCount: r.integer("slaveMaxCount"),
        slaveCpuTarget: r.integer("slaveCpuTarget"),
        slaveRequestsPerTarget: r.integer("slaveRequestsPerTarget"),
        slaveFargateBase: r.integer("slaveFargateBase"),
        slaveFargateWeight: r.integer("slaveFargateWeight"),
        slaveSpotWeight: r.integer("slaveSpotWeight"),
        syncFrequency: r.integer("syncFrequency"),
        channelTestFrequency: r.integer("channelTestFrequency"),
        logRetentionDays: r.integer("logRetentionDays"),
        deregistrationDelay: r.integer("deregistrationDelay"),
        extraRelayPaths: r.stringList("extraRelayPaths"),
        existingClusterName: r.string("existingClusterName"),
        ensureEcsServiceLinkedRole: r.boolean("ensureEcsServiceLinkedRole"),
        createEcsServiceLinkedRole: r.boolean("createEcsServiceLinkedRole"),
        sessionSecret: r.secret("sessionSecret"),
        userTokenSecret: r.secret("userTokenSecret"),
        hashidsSalt: r.secret("hashidsSalt"),
    };
    // Plain values are validated here, so errors name the config key; secrets are wrapped after.
    validateOneHubArgs(args, `${CONFIG_NAMESPACE}:`);
    const secret = (v: pulumi.Input<string> | undefined) => (v === undefined ? undefined : pulumi.secret(v));
    return {
        ...args,
        dbPassword: secret(args.dbPassword),
        sessionSecret: secret(args.sessionSecret),
        userTokenSecret: secret(args.userTokenSecret),
        hashidsSalt: secret(args.hashidsSalt),
    };
}
