import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkCapacity, checkPassword, checkRebootedCapacity, DEFAULT_ENGINE_VERSION, DEFAULT_MAX_CAPACITY } from "./database/aurora";
import { poolSettings } from "./database/connectionBudget";
import { EdgeSettings, pickEdgeSettings, validateEdgeSettings, WAF_LOGIN_RATE_LIMIT_DEFAULT, WAF_RATE_LIMIT } from "./edge/edgeSettings";
import { checkWafCapacity, wafRules } from "./edge/wafRules";
import { OneHubCluster } from "./cluster/oneHubCluster";
import { OneHubDatabase } from "./database/oneHubDatabase";
import { NAT_STRATEGIES, OneHubNetwork } from "./network/oneHubNetwork";
import { OneHubMasterService } from "./services/oneHubMasterService";
import { checkHashidsSalt, checkSuppliedSecret, OneHubSecrets } from "./secrets/oneHubSecrets";
import { checkSlaveScaling, OneHubSlaveService, SLAVE_DEREGISTRATION_DELAY } from "./services/oneHubSlaveService";
import { PrivateEdge } from "./edge/privateEdge";
import { checkRelayPaths } from "./services/routing";
import { CONTAINER_NAME, validateServiceArgs } from "./services/serviceBase";
import { checkAzCount, subnetMasks } from "./network/subnetLayout";
import { checkExistingVpc } from "./network/vpcChecks";
import { checkComponentName, checkInteger, checkMatches, checkOneOf, fail } from "./common/validation";

/**
 * Everything a OneHub deployment needs, flat. Each field has the name of the stack's config key
 * (`onehub:<field>`), and its default is the one in Pulumi.yaml. The edge's fields are in
 * EdgeSettings (prod: priceClass "PriceClass_All", wafEnabled true).
 */
export interface OneHubArgs extends EdgeSettings {
    /** Availability Zones of a new VPC, 2–6. Default 2 (prod 3). */
    azCount?: number;
    /**
     * The zones of a new VPC, `azCount` of them, each supporting CloudFront VPC origins. Default: the
     * region's first `azCount` zones, checked at preview (the stack program passes the first ones
     * that support VPC origins). Changing them later replaces every subnet.
     */
    availabilityZoneNames?: string[];
    /**
     * NAT gateways of a new VPC: "Single" or "OnePerAz". Default "Single" (prod "OnePerAz"). "None"
     * only with `existingVpcId`, whose own routing must give the tasks egress.
     */
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
    /**
     * The `dbMaxCapacity` every Aurora instance has been rebooted with, 1–256 in 0.5 steps: the pools
     * are sized from max_connections at the smaller of the two. Default 4 (prod 64). Raise it only
     * after rebooting each instance. See OneHubDatabaseArgs.rebootedMaxCapacity.
     */
    dbRebootedMaxCapacity?: number;
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

    /** OneHub image repository. Default "ghcr.io/martialbe/one-api". */
    imageRepository?: string;
    /** OneHub image tag, pinned, the same for master and slaves. Default "v0.14.27". */
    imageTag?: string;
    /** Number of masters. Default 1, and 1 is the only value allowed: it exists to say so. */
    masterCount?: number;
    /** Master task CPU units. Default 256 (prod 1024). */
    masterCpu?: number;
    /** Master task memory (MiB), a Fargate pair with `masterCpu`. Default 512 (prod 2048). */
    masterMemory?: number;
    /** Slave task CPU units. Default 256 (prod 1024). */
    slaveCpu?: number;
    /** Slave task memory (MiB), a Fargate pair with `slaveCpu`. Default 512 (prod 2048). */
    slaveMemory?: number;
    /** Fewest slaves, 1–100. Default 1 (prod 2). */
    slaveMinCount?: number;
    /** Most slaves, ≥ slaveMinCount, ≤ 500. Default 3 (prod 20). */
    slaveMaxCount?: number;
    /** Slave CPU target %, 10–90. Default 70. */
    slaveCpuTarget?: number;
    /** Slave ALB requests per task per minute target; 0 = off. Default 0. */
    slaveRequestsPerTarget?: number;
    /** Slaves always on on-demand Fargate. Default 0 (prod 2). */
    slaveFargateBase?: number;
    /** On-demand share of slaves above the base. Default 0 (prod 1). */
    slaveFargateWeight?: number;
    /** Spot share of slaves above the base. Default 1 (prod 3). */
    slaveSpotWeight?: number;
    /** SYNC_FREQUENCY (s) on every node, 1–86400. Default 60. */
    syncFrequency?: number;
    /** CHANNEL_TEST_FREQUENCY (min) on the master only, 0 = off. Default 0. */
    channelTestFrequency?: number;
    /** Retention of every log group (tasks and Aurora exports), a CloudWatch value. Default 7 (prod 30). */
    logRetentionDays?: number;
    /** Seconds a stopping slave drains its streams, 0–3600. Default 300. (The master drains in 5 s.) */
    deregistrationDelay?: number;
    /** Extra relay path patterns for the slaves. Default []. */
    extraRelayPaths?: string[];
    /** Run the services in this existing ECS cluster (with FARGATE and FARGATE_SPOT). Default "" (create one). */
    existingClusterName?: string;
    /** Create the ECS service-linked role at deploy time if missing, never delete it. Default true. */
    ensureEcsServiceLinkedRole?: boolean;
    /** Retired; see OneHubClusterArgs.createServiceLinkedRole. Default false. */
    createEcsServiceLinkedRole?: boolean;
    /** Existing SESSION_SECRET (secret); generated when unset. */
    sessionSecret?: pulumi.Input<string>;
    /** Existing USER_TOKEN_SECRET (secret); generated when unset. */
    userTokenSecret?: pulumi.Input<string>;
    /**
     * HASHIDS_SALT (secret), the sqids alphabet API key ids are encoded with, the same on every node.
     * Default: unset (OneHub's default alphabet). Keep an existing installation's value: changing it
     * invalidates every issued key.
     */
    hashidsSalt?: pulumi.Input<string>;
    /**
     * Tags for every resource that takes tags (the VPC origin excepted: CloudFront refuses any update
     * of a VPC origin in use, tags included). Default {}. Tag with a cost-allocation key to find the
     * stack's spend; provider-level `defaultTags` work too.
     */
    tags?: Record<string, string>;
}

/**
 * Validates the arguments as a whole. `keyPrefix` names them in errors: "onehub:" when they come
 * from stack config, "OneHub args." when a program passes them.
 */
export function validateOneHubArgs(args: OneHubArgs, keyPrefix: string): void {
    const k = (key: keyof OneHubArgs) => `${keyPrefix}${key}`;
    const azCount = checkAzCount(k("azCount"), args.azCount ?? 2);
    const natStrategy = checkOneOf(k("natStrategy"), args.natStrategy ?? "Single", ["None", ...NAT_STRATEGIES]);
    if (natStrategy === "None" && !args.existingVpcId) {
        fail(
            k("natStrategy"),
            natStrategy,
            `needs ${k("existingVpcId")}: a new VPC without NAT gives the tasks no route to the image registry, Secrets Manager, CloudWatch Logs or the LLM providers (CannotPullContainer); use "Single" or "OnePerAz"`,
        );
    }
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
        args.dbMaxCapacity ?? DEFAULT_MAX_CAPACITY,
        args.dbSecondsUntilAutoPause ?? 0,
        args.dbEngineVersion ?? DEFAULT_ENGINE_VERSION,
    );
    checkInteger(k("dbReaderCount"), args.dbReaderCount ?? 0, 0, 15);
    checkInteger(k("dbBackupRetentionDays"), args.dbBackupRetentionDays ?? 1, 1, 35);
    if (typeof args.dbPassword === "string") {
        checkPassword(k("dbPassword"), args.dbPassword);
    }
    validateEdgeSettings(args, keyPrefix);

    if ((args.masterCount ?? 1) !== 1) {
        fail(
            k("masterCount"),
            args.masterCount,
            "must be 1: two masters run cron twice, race schema migrations and keep stale channel state; scale the slaves instead",
        );
    }
    const service = (cpu: keyof OneHubArgs, memory: keyof OneHubArgs) =>
        validateServiceArgs(
            { ...args, cpu: args[cpu] as number | undefined, memory: args[memory] as number | undefined },
            (field) => (field === "cpu" ? k(cpu) : field === "memory" ? k(memory) : `${keyPrefix}${field}`),
            false,
        );
    service("masterCpu", "masterMemory");
    service("slaveCpu", "slaveMemory");
    checkInteger(k("channelTestFrequency"), args.channelTestFrequency ?? 0, 0, 10080);
    checkInteger(k("deregistrationDelay"), args.deregistrationDelay ?? SLAVE_DEREGISTRATION_DELAY, 0, 3600);
    const scaling = checkSlaveScaling(slaveScalingOf(args), (field) =>
        k(`slave${field[0].toUpperCase()}${field.slice(1)}` as keyof OneHubArgs),
    );
    checkRelayPaths(k("extraRelayPaths"), args.extraRelayPaths ?? []);
    checkRebootedCapacity(k("dbRebootedMaxCapacity"), args.dbRebootedMaxCapacity ?? DEFAULT_MAX_CAPACITY);
    poolsOf(args, k);
    if (args.existingClusterName) {
        checkMatches(k("existingClusterName"), args.existingClusterName, /^[A-Za-z0-9_-]{1,255}$/, "must be an ECS cluster name");
    }
    checkHashidsSalt(k("hashidsSalt"), args.hashidsSalt);
    checkSuppliedSecret(k("sessionSecret"), args.sessionSecret);
    checkSuppliedSecret(k("userTokenSecret"), args.userTokenSecret);

    // The edge's WAF: its rules must fit the capacity the web ACL's price includes.
    if (args.wafEnabled) {
        checkWafCapacity(
            k("extraRelayPaths"),
            args.extraRelayPaths ?? [],
            wafRules({
                metricPrefix: "onehub",
                rateLimit: args.wafRateLimit ?? WAF_RATE_LIMIT.default,
                loginRateLimit: args.wafLoginRateLimit ?? WAF_LOGIN_RATE_LIMIT_DEFAULT,
                relayPaths: checkRelayPaths(k("extraRelayPaths"), args.extraRelayPaths ?? []),
                labelCredentialPaths: args.wafLogging ?? false,
            }),
        );
    }
}

/** The pools every task gets: max_connections at the capacity the instances were rebooted with, shared by all tasks. */
function poolsOf(args: OneHubArgs, k: (key: keyof OneHubArgs) => string) {
    const max = args.dbMaxCapacity ?? DEFAULT_MAX_CAPACITY;
    const rebooted = args.dbRebootedMaxCapacity ?? DEFAULT_MAX_CAPACITY;
    return poolSettings(Math.min(max, rebooted), args.slaveMaxCount ?? 3, {
        capacity: rebooted < max ? k("dbRebootedMaxCapacity") : k("dbMaxCapacity"),
        slaveMaxCount: k("slaveMaxCount"),
    });
}

function slaveScalingOf(args: OneHubArgs) {
    return {
        minCount: args.slaveMinCount,
        maxCount: args.slaveMaxCount,
        cpuTarget: args.slaveCpuTarget,
        requestsPerTarget: args.slaveRequestsPerTarget,
        fargateBase: args.slaveFargateBase,
        fargateWeight: args.slaveFargateWeight,
        spotWeight: args.slaveSpotWeight,
    };
}

/** OneHub on AWS in one line: network (or an existing VPC), secrets, database, edge, master, slaves. */
export class OneHub extends pulumi.ComponentResource {
    /** The master's ECS service. */
    public readonly masterService: aws.ecs.Service;
    /** The slaves' ECS service. */
    public readonly slaveService: aws.ecs.Service;
    /** The internal ALB. */
    public readonly loadBalancer: aws.lb.LoadBalancer;
    /** The CloudFront distribution. */
    public readonly distribution: aws.cloudfront.Distribution;
    /** The Aurora cluster. */
    public readonly databaseCluster: aws.rds.Cluster;
    /** The public base URL (custom domain or CloudFront). */
    public readonly url: pulumi.Output<string>;
    /** The VPC: created, or the existing one. */
    public readonly vpcId: pulumi.Output<string>;
    /** The CloudFront distribution's id (for invalidations and metrics). */
    public readonly distributionId: pulumi.Output<string>;
    /** The internal ALB's ARN. */
    public readonly albArn: pulumi.Output<string>;
    /** The ECS cluster the services run in. */
    public readonly clusterName: pulumi.Output<string>;
    /** The master's ECS service (resolves after its rollout gate). */
    public readonly masterServiceName: pulumi.Output<string>;
    /** The slaves' ECS service. */
    public readonly slaveServiceName: pulumi.Output<string>;
    /** Aurora's writer endpoint. */
    public readonly databaseEndpoint: pulumi.Output<string>;
    /** Secrets Manager secret with the master credentials in the RDS shape (Query Editor, Data API). */
    public readonly databaseCredentialsSecretArn: pulumi.Output<string>;
    /** The master's CloudWatch log group. */
    public readonly masterLogGroupName: pulumi.Output<string>;
    /** The slaves' CloudWatch log group. */
    public readonly slaveLogGroupName: pulumi.Output<string>;
    /** A ready `aws ecs execute-command` line that opens a shell in the master task. */
    public readonly masterExecCommand: pulumi.Output<string>;

    constructor(name: string, args: OneHubArgs, opts?: pulumi.ComponentResourceOptions) {
        // The longest autonamed child is the master's target group, "<name>-master-tg" (≤ 32).
        checkComponentName("OneHub", name, "-master-tg", 32);
        validateOneHubArgs(args, "OneHub args.");
        super("onehub:index:OneHub", name, {}, opts);
        const parent = { parent: this };

        let vpcId: pulumi.Output<string>;
        let privateSubnetIds: pulumi.Input<string[]>;
        let databaseSubnetIds: pulumi.Input<string[]>;
        if (args.existingVpcId) {
            vpcId = pulumi.output(args.existingVpcId);
            // Checked at preview: the ALB in these subnets must be able to become a VPC origin.
            const existingVpcId = args.existingVpcId;
            privateSubnetIds = pulumi
                .output(args.existingPrivateSubnetIds ?? [])
                .apply((ids) =>
                    checkExistingVpc(
                        { vpcId: "OneHub args.existingVpcId", privateSubnetIds: "OneHub args.existingPrivateSubnetIds" },
                        existingVpcId,
                        ids,
                        parent,
                    ),
                );
            databaseSubnetIds = args.existingDatabaseSubnetIds ?? [];
        } else {
            const network = new OneHubNetwork(
                `${name}-net`,
                {
                    azCount: args.azCount,
                    availabilityZoneNames: args.availabilityZoneNames,
                    natStrategy: args.natStrategy,
                    cidrBlock: args.vpcCidr,
                    tags: args.tags,
                },
                parent,
            );
            vpcId = network.vpcId;
            privateSubnetIds = network.privateSubnetIds;
            databaseSubnetIds = network.isolatedSubnetIds;
        }

        const secrets = new OneHubSecrets(
            `${name}-secrets`,
            {
                sessionSecret: args.sessionSecret,
                userTokenSecret: args.userTokenSecret,
                hashidsSalt: args.hashidsSalt,
                tags: args.tags,
            },
            parent,
        );

        const database = new OneHubDatabase(
            `${name}-db`,
            {
                vpcId,
                subnetIds: databaseSubnetIds,
                engineVersion: args.dbEngineVersion,
                minCapacity: args.dbMinCapacity,
                maxCapacity: args.dbMaxCapacity,
                rebootedMaxCapacity: args.dbRebootedMaxCapacity,
                secondsUntilAutoPause: args.dbSecondsUntilAutoPause,
                readerCount: args.dbReaderCount,
                backupRetentionDays: args.dbBackupRetentionDays,
                deletionProtection: args.dbDeletionProtection,
                finalSnapshot: args.dbFinalSnapshot,
                enableDataApi: args.dbEnableDataApi,
                masterPassword: args.dbPassword,
                logRetentionDays: args.logRetentionDays,
                tags: args.tags,
            },
            parent,
        );

        const edge = new PrivateEdge(
            `${name}-edge`,
            {
                vpcId,
                subnetIds: privateSubnetIds,
                ...pickEdgeSettings(args),
                tags: args.tags,
                // The WAF lets prompts through on every relay path, and keeps its logs as long as the rest.
                extraRelayPaths: args.extraRelayPaths,
                logRetentionDays: args.logRetentionDays,
            },
            parent,
        );

        let clusterArn: pulumi.Output<string>;
        let clusterName: pulumi.Output<string>;
        if (args.existingClusterName) {
            clusterArn = aws.ecs.getClusterOutput({ clusterName: args.existingClusterName }, parent).arn;
            clusterName = pulumi.output(args.existingClusterName);
        } else {
            const cluster = new OneHubCluster(
                `${name}-ecs`,
                {
                    ensureServiceLinkedRole: args.ensureEcsServiceLinkedRole,
                    createServiceLinkedRole: args.createEcsServiceLinkedRole,
                    logRetentionDays: args.logRetentionDays,
                    tags: args.tags,
                },
                parent,
            );
            clusterArn = cluster.clusterArn;
            clusterName = cluster.clusterName;
        }

        const scaling = slaveScalingOf(args);
        const pools = poolsOf(args, (key) => `OneHub args.${key}`);
        const shared = {
            clusterArn,
            vpcId,
            subnetIds: privateSubnetIds,
            imageRepository: args.imageRepository,
            imageTag: args.imageTag,
            // Pinned to their versions, and SQL_DSN to the writer: no task starts before they exist.
            secrets: {
                SQL_DSN: database.sqlDsnValueFrom,
                SESSION_SECRET: secrets.sessionSecretValueFrom,
                USER_TOKEN_SECRET: secrets.userTokenSecretValueFrom,
                HASHIDS_SALT: secrets.hashidsSaltValueFrom,
            },
            listenerArn: edge.listenerArn,
            albSecurityGroupId: edge.albSecurityGroupId,
            databaseSecurityGroupId: database.securityGroupId,
            syncFrequency: args.syncFrequency,
            sqlMaxOpenConns: pools.maxOpen,
            sqlMaxIdleConns: pools.maxIdle,
            sqlMaxLifetime: pools.maxLifetimeSeconds,
            databaseMaxConnections: database.maxConnections,
            logRetentionDays: args.logRetentionDays,
            tags: args.tags,
        };
        const master = new OneHubMasterService(
            `${name}-master`,
            { ...shared, cpu: args.masterCpu, memory: args.masterMemory, channelTestFrequency: args.channelTestFrequency },
            parent,
        );
        const slave = new OneHubSlaveService(
            `${name}-slave`,
            {
                ...shared,
                cpu: args.slaveCpu,
                memory: args.slaveMemory,
                // Resolves only after the master's rollout gate: the slaves roll after the master.
                masterServiceName: master.serviceName,
                deregistrationDelay: args.deregistrationDelay,
                extraRelayPaths: args.extraRelayPaths,
                albArnSuffix: edge.albArnSuffix,
                ...scaling,
            },
            parent,
        );

        const region = aws.getRegionOutput({}, parent).region;
        this.masterService = master.service;
        this.slaveService = slave.service;
        this.loadBalancer = edge.loadBalancer;
        this.distribution = edge.distribution;
        this.databaseCluster = database.cluster;
        this.url = edge.url;
        this.vpcId = vpcId;
        this.distributionId = edge.distributionId;
        this.albArn = edge.albArn;
        this.clusterName = clusterName;
        this.masterServiceName = master.serviceName;
        this.slaveServiceName = slave.serviceName;
        this.databaseEndpoint = database.endpoint;
        this.databaseCredentialsSecretArn = database.credentialsSecretArn;
        this.masterLogGroupName = master.logGroupName;
        this.slaveLogGroupName = slave.logGroupName;
        this.masterExecCommand = pulumi.interpolate`aws ecs execute-command --region ${region} --cluster ${clusterName} --container ${CONTAINER_NAME} --interactive --command /bin/sh --task "$(aws ecs list-tasks --region ${region} --cluster ${clusterName} --service-name ${master.serviceName} --query 'taskArns[0]' --output text)"`;
        this.registerOutputs({
            url: this.url,
            vpcId: this.vpcId,
            distributionId: this.distributionId,
            albArn: this.albArn,
            clusterName: this.clusterName,
            masterServiceName: this.masterServiceName,
            slaveServiceName: this.slaveServiceName,
            databaseEndpoint: this.databaseEndpoint,
            databaseCredentialsSecretArn: this.databaseCredentialsSecretArn,
            masterLogGroupName: this.masterLogGroupName,
            slaveLogGroupName: this.slaveLogGroupName,
            masterExecCommand: this.masterExecCommand,
        });
    }
}
