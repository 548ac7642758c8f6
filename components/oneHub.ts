import * as pulumi from "@pulumi/pulumi";
import { checkCapacity, checkPassword, DEFAULT_ENGINE_VERSION } from "./aurora";
import { validateEdgeSettings } from "./edgeSettings";
import { OneHubDatabase } from "./oneHubDatabase";
import { NAT_STRATEGIES, OneHubNetwork } from "./oneHubNetwork";
import { PrivateEdge } from "./privateEdge";
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

    /** ALB idle timeout, 60–4000 s. Default 600. See PrivateEdgeArgs.albIdleTimeout. */
    albIdleTimeout?: number;
    /** S3 bucket for ALB access logs. Default "" (off). */
    albAccessLogsBucket?: string;
    /** ACM certificate for an HTTPS ALB listener. Default "" (HTTP inside the VPC). */
    albCertificateArn?: string;
    /** With `albCertificateArn`: the origin domain name on that certificate. Default "". */
    albOriginDomainName?: string;
    /** CloudFront origin response timeout, 1–180 s (> 60 needs a quota increase). Default 60. */
    originReadTimeout?: number;
    /** CloudFront origin keep-alive timeout, 1–60 s. Default 60. */
    originKeepaliveTimeout?: number;
    /** CloudFront price class. Default "PriceClass_100" (prod "PriceClass_All"). */
    priceClass?: string;
    /** Custom domain for viewers. Default "" (the cloudfront.net name). */
    customDomain?: string;
    /** ACM certificate in us-east-1 for `customDomain`. Default "". */
    certificateArn?: string;
    /** Route 53 zone for `customDomain` records (and a created certificate). Default "". */
    hostedZoneId?: string;
    /** AWS WAF on the distribution. Default false (prod true). */
    wafEnabled?: boolean;
    /** WAF requests per IP per 5 minutes, site-wide. Default 2000. */
    wafRateLimit?: number;
    /** WAF requests per IP per 5 minutes on login/sign-up/OAuth paths. Default 100. */
    wafLoginRateLimit?: number;
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
    validateEdgeSettings(args, keyPrefix);
}

/** OneHub on AWS in one line: network (or an existing VPC), database, edge and services. */
export class OneHub extends pulumi.ComponentResource {
    /** The public base URL (custom domain or CloudFront). */
    public readonly url: pulumi.Output<string>;
    public readonly vpcId: pulumi.Output<string>;
    public readonly distributionId: pulumi.Output<string>;
    public readonly albArn: pulumi.Output<string>;
    public readonly databaseEndpoint: pulumi.Output<string>;
    public readonly databaseCredentialsSecretArn: pulumi.Output<string>;

    constructor(name: string, args: OneHubArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentName("OneHub", name, "-db-parameters", 63);
        validateOneHubArgs(args, "OneHub args.");
        super("onehub:index:OneHub", name, {}, opts);

        let vpcId: pulumi.Output<string>;
        let privateSubnetIds: pulumi.Input<string[]>;
        let databaseSubnetIds: pulumi.Input<string[]>;
        if (args.existingVpcId) {
            vpcId = pulumi.output(args.existingVpcId);
            privateSubnetIds = args.existingPrivateSubnetIds ?? [];
            databaseSubnetIds = args.existingDatabaseSubnetIds ?? [];
        } else {
            const network = new OneHubNetwork(
                `${name}-net`,
                { azCount: args.azCount, natStrategy: args.natStrategy, cidrBlock: args.vpcCidr },
                { parent: this },
            );
            vpcId = network.vpcId;
            privateSubnetIds = network.privateSubnetIds;
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

        const edge = new PrivateEdge(
            `${name}-edge`,
            {
                vpcId,
                subnetIds: privateSubnetIds,
                albIdleTimeout: args.albIdleTimeout,
                albAccessLogsBucket: args.albAccessLogsBucket,
                albCertificateArn: args.albCertificateArn,
                albOriginDomainName: args.albOriginDomainName,
                originReadTimeout: args.originReadTimeout,
                originKeepaliveTimeout: args.originKeepaliveTimeout,
                priceClass: args.priceClass,
                customDomain: args.customDomain,
                certificateArn: args.certificateArn,
                hostedZoneId: args.hostedZoneId,
                wafEnabled: args.wafEnabled,
                wafRateLimit: args.wafRateLimit,
                wafLoginRateLimit: args.wafLoginRateLimit,
            },
            { parent: this },
        );

        this.url = edge.url;
        this.vpcId = vpcId;
        this.distributionId = edge.distributionId;
        this.albArn = edge.albArn;
        this.databaseEndpoint = database.endpoint;
        this.databaseCredentialsSecretArn = database.credentialsSecretArn;
        this.registerOutputs({
            url: this.url,
            vpcId: this.vpcId,
            distributionId: this.distributionId,
            albArn: this.albArn,
            databaseEndpoint: this.databaseEndpoint,
            databaseCredentialsSecretArn: this.databaseCredentialsSecretArn,
        });
    }
}
