import * as pulumi from "@pulumi/pulumi";
import { checkCapacity, checkPassword, DEFAULT_ENGINE_VERSION } from "./aurora";
import { OneHubDatabase } from "./oneHubDatabase";
import { NAT_STRATEGIES, OneHubNetwork } from "./oneHubNetwork";
import { checkAzCount, subnetMasks } from "./subnetLayout";
import { checkComponentName, checkInteger, checkOneOf, fail } from "./validation";

/**
 * Everything a OneHub deployment needs, flat. Each field has the name of the stack's config key
 * (`onehub:<field>`), and its default is the one in Pulumi.yaml.
 */
export interface OneHubArgs {
    /** Availability Zones of a new VPC, 2–6. Default 2 (prod 3). */
    azCount?: number;
    /** NAT gateways of a new VPC: "Single", "OnePerAz" or "None". Default "Single" (prod "OnePerAz"). */
    natStrategy?: string;
    /** CIDR of a new VPC. Default "10.0.0.0/16". */
    vpcCidr?: string;
    /** Deploy into this existing VPC instead of creating one. Default "" (create). */
    existingVpcId?: string;
    /** With `existingVpcId`: private subnets (NAT egress) for the ALB and tasks, ≥ 2 AZs. */
    existingPrivateSubnetIds?: string[];
    /** With `existingVpcId`: subnets for Aurora, ≥ 2 AZs. */
    existingDatabaseSubnetIds?: string[];

    /** Aurora MySQL engine version. See OneHubDatabaseArgs.engineVersion. */
    dbEngineVersion?: string;
    /** Minimum ACUs, 0–256 in 0.5 steps. Default 0.5. */
    dbMinCapacity?: number;
    /** Maximum ACUs, 1–256 in 0.5 steps. Default 4 (prod 64). */
    dbMaxCapacity?: number;
    /** Auto-pause delay for a 0-ACU minimum, 300–86400 s; 0 = off. Default 0. */
    dbSecondsUntilAutoPause?: number;
    /** Aurora readers in other AZs, 0–15. Default 0 (prod 1). */
    dbReaderCount?: number;
    /** Backup retention, 1–35 days. Default 1 (prod 14). */
    dbBackupRetentionDays?: number;
    /** Aurora deletion protection. Default false (prod true). */
    dbDeletionProtection?: boolean;
    /** Final snapshot on delete. Default false (prod true). */
    dbFinalSnapshot?: boolean;
    /** RDS Data API. Default true. */
    dbEnableDataApi?: boolean;
    /** Existing master password (secret); generated when unset. */
    dbPassword?: pulumi.Input<string>;
}

/**
 * Validates the arguments as a whole. `keyPrefix` names them in errors: "onehub:" when they come
 * from stack config, "OneHub args." when a program passes them.
 */
export function validateOneHubArgs(args: OneHubArgs, keyPrefix: string): void {
    const k = (key: keyof OneHubArgs) => `${keyPrefix}${key}`;
    const azCount = checkAzCount(k("azCount"), args.azCount ?? 2);
    checkOneOf(k("natStrategy"), args.natStrategy ?? "Single", NAT_STRATEGIES as readonly string[]);
    subnetMasks(k("vpcCidr"), args.vpcCidr ?? "10.0.0.0/16", azCount);
    const subnetKeys = ["existingPrivateSubnetIds", "existingDatabaseSubnetIds"] as const;
    if (!args.existingVpcId) {
        for (const key of subnetKeys) {
            if ((args[key] ?? []).length > 0) {
                fail(k(key), args[key], `needs ${k("existingVpcId")}; leave both empty to create a VPC`);
            }
        }
    } else {
        if (!/^vpc-[0-9a-f]{8,17}$/.test(args.existingVpcId)) {
            fail(k("existingVpcId"), args.existingVpcId, "must be a VPC id such as vpc-0123456789abcdef0");
        }
        for (const key of subnetKeys) {
            const ids = args[key] ?? [];
            if (ids.length < 2 || !ids.every((id) => /^subnet-[0-9a-f]{8,17}$/.test(id))) {
                fail(k(key), ids, "with an existing VPC, must list at least 2 subnet ids (subnet-…) in different AZs");
            }
        }
    }

    checkCapacity(
        { min: k("dbMinCapacity"), max: k("dbMaxCapacity"), autoPause: k("dbSecondsUntilAutoPause"), engineVersion: k("dbEngineVersion") },
        args.dbMinCapacity ?? 0.5,
        args.dbMaxCapacity ?? 4,
        args.dbSecondsUntilAutoPause ?? 0,
        args.dbEngineVersion ?? DEFAULT_ENGINE_VERSION,
    );
    checkInteger(k("dbReaderCount"), args.dbReaderCount ?? 0, 0, 15);
    checkInteger(k("dbBackupRetentionDays"), args.dbBackupRetentionDays ?? 1, 1, 35);
    if (typeof args.dbPassword === "string") {
        checkPassword(k("dbPassword"), args.dbPassword);
    }
}

/** OneHub on AWS in one line: network (or an existing VPC), database, edge and services. */
export class OneHub extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly databaseEndpoint: pulumi.Output<string>;
    public readonly databaseCredentialsSecretArn: pulumi.Output<string>;

    constructor(name: string, args: OneHubArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentName("OneHub", name, "-db-parameters", 63);
        validateOneHubArgs(args, "OneHub args.");
        super("onehub:index:OneHub", name, {}, opts);

        let vpcId: pulumi.Output<string>;
        let databaseSubnetIds: pulumi.Input<string>[] | pulumi.Output<string[]>;
        if (args.existingVpcId) {
            vpcId = pulumi.output(args.existingVpcId);
            databaseSubnetIds = args.existingDatabaseSubnetIds ?? [];
        } else {
            const network = new OneHubNetwork(
                `${name}-net`,
                { azCount: args.azCount, natStrategy: args.natStrategy, cidrBlock: args.vpcCidr },
                { parent: this },
            );
            vpcId = network.vpcId;
            databaseSubnetIds = network.isolatedSubnetIds;
        }

        const database = new OneHubDatabase(
            `${name}-db`,
            {
                vpcId,
                subnetIds: databaseSubnetIds,
                engineVersion: args.dbEngineVersion,
                minCapacity: args.dbMinCapacity,
                maxCapacity: args.dbMaxCapacity,
                secondsUntilAutoPause: args.dbSecondsUntilAutoPause,
                readerCount: args.dbReaderCount,
                backupRetentionDays: args.dbBackupRetentionDays,
                deletionProtection: args.dbDeletionProtection,
                finalSnapshot: args.dbFinalSnapshot,
                enableDataApi: args.dbEnableDataApi,
                masterPassword: args.dbPassword,
            },
            { parent: this },
        );

        this.vpcId = vpcId;
        this.databaseEndpoint = database.endpoint;
        this.databaseCredentialsSecretArn = database.credentialsSecretArn;
        this.registerOutputs({
            vpcId: this.vpcId,
            databaseEndpoint: this.databaseEndpoint,
            databaseCredentialsSecretArn: this.databaseCredentialsSecretArn,
        });
    }
}
