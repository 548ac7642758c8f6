import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    checkCapacity,
    checkPassword,
    checkRebootedCapacity,
    DEFAULT_ENGINE_VERSION,
    DEFAULT_MAX_CAPACITY,
    DEFAULT_MIN_CAPACITY,
    secondsUntilAutoPauseOf,
} from "./database/aurora";
import { poolSettings } from "./database/connectionBudget";
import { EdgeSettings, pickEdgeSettings, validateEdgeSettings } from "./edge/edgeSettings";
import { OneHubCluster } from "./cluster/oneHubCluster";
import { OneHubDatabase } from "./database/oneHubDatabase";
import { DEFAULT_NAT_STRATEGY, NAT_STRATEGIES, OneHubNetwork } from "./network/oneHubNetwork";
import { checkAmiId, checkNatInstanceType, DEFAULT_NAT_INSTANCE_TYPE, NAT_INSTANCE_STRATEGIES } from "./network/natInstanceSettings";
import { CONTAINER_INSIGHTS_MODES, DEFAULT_CONTAINER_INSIGHTS } from "./cluster/oneHubCluster";
import { OneHubMasterService } from "./services/oneHubMasterService";
import { checkHashidsSalt, checkSuppliedSecret, OneHubSecrets } from "./secrets/oneHubSecrets";
import { checkSlaveScaling, OneHubSlaveService, SLAVE_DEREGISTRATION_DELAY } from "./services/oneHubSlaveService";
import { checkedWafRules, PrivateEdge } from "./edge/privateEdge";
import { CONTAINER_NAME, CPU_ARCHITECTURES, DEFAULT_CPU_ARCHITECTURE, SERVICE_DEFAULTS, validateServiceArgs } from "./services/serviceBase";
import { checkAzCount, subnetMasks } from "./network/subnetLayout";
import { checkExistingVpc } from "./network/vpcChecks";
import { checkComponentName, checkInteger, checkMatches, checkOneOf, fail } from "./common/validation";
import { OneHubMonitoring } from "./monitoring/oneHubMonitoring";
import { checkMonitoringSettings, STACK_TAG } from "./monitoring/monitoringSettings";
import { OneHubBedrockAccess } from "./bedrock/oneHubBedrockAccess";
import { OneHubBedrockEndpoint } from "./bedrock/oneHubBedrockEndpoint";
import {
    BEDROCK_ACCESS_MODES,
    checkAccessKeySlots,
    checkBedrockRegions,
    checkModelArns,
    DEFAULT_ACCESS_KEY_SLOTS,
} from "./bedrock/bedrockSettings";
import { CACHE_LIMITS, OneHubCache } from "./cache/oneHubCache";
import { apiRateLimit } from "./services/healthCheckBudget";
import { checkShutdownGrace, MAX_SHUTDOWN_GRACE_SECONDS } from "./services/oneHubSlaveService";
import { checkNotifyOverlap, notifySecretNames, parseNotifySettings } from "./secrets/notify";
import { checkDataApi } from "./database/aurora";
import { checkExecKmsKeyArn } from "./cluster/ecsExec";
import { OneHubRootPassword } from "./secrets/oneHubRootPassword";

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
     * Egress of a new VPC: "Instance" (one fck-nat NAT instance), "InstancePerAz", "Single" (one NAT
     * gateway) or "OnePerAz". Default "Instance" (prod "OnePerAz"); with `existingVpcId` the default
     * is "None", the only value allowed there: the VPC's own routing must give the tasks egress.
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
    /** Minimum ACUs, 0–256 in 0.5 steps; 0 = auto-pause. Default 0 (prod 0.5). */
    dbMinCapacity?: number;
    /** Maximum ACUs, 1–256 in 0.5 steps. Default 4 (prod 64). */
    dbMaxCapacity?: number;
    /**
     * The `dbMaxCapacity` every Aurora instance has been rebooted with, 1–256 in 0.5 steps: the pools
     * are sized from max_connections at the smaller of the two. Default 4 (prod 64). Raise it only
     * after rebooting each instance. See OneHubDatabaseArgs.rebootedMaxCapacity.
     */
    dbRebootedMaxCapacity?: number;
    /**
     * Auto-pause delay for a 0-ACU minimum, 300–86400 s; 0 = off. Default 300 with `dbMinCapacity`
     * 0, else 0 (prod 0).
     */
    dbSecondsUntilAutoPause?: number;
    /** Aurora readers in other AZs, 0–15. Default 0 (prod 1). */
    dbReaderCount?: number;
    /** Backup retention, 1–35 days. Default 1 (prod 14). */
    dbBackupRetentionDays?: number;
    /** Aurora deletion protection. Default false (prod true). */
    dbDeletionProtection?: boolean;
    /** Final snapshot on delete. Default false (prod true). */
    dbFinalSnapshot?: boolean;
    /** RDS Data API. Default true, the only value allowed: OneHub's database user is created through it. */
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
    /** SYNC_FREQUENCY (s) on every node, 1–86400; each sync wakes a paused database. Default 1800 (prod 60). */
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

    // ---- monitoring (OneHubMonitoring) ----
    /** Alarms, the two alarm topics, the ECS event rules and the dashboard. Default true. */
    monitoringEnabled?: boolean;
    /** Addresses subscribed to the alarm topics (each confirms AWS's e-mail). Default []. */
    alarmEmails?: string[];
    /** A monthly AWS Budget in USD, notifying at 80 % actual and 100 % forecast; 0 = none. Default 200 (prod 1000). */
    monthlyBudgetUsd?: number;
    /**
     * Scope the budget to this deployment by the `onehub:stack` cost-allocation tag, which `tags`
     * must then hold (the stack program sets it) and which must be activated in the payer account.
     * Default false: the budget counts the whole account and its name ends in "-account-wide".
     */
    budgetScopedToStack?: boolean;
    /** An existing Cost Anomaly Detection monitor to subscribe to immediately; "" = none. Default "". */
    costAnomalyMonitorArn?: string;
    /** CloudFront's additional metrics (billed) and an alarm on the 504 rate. Default false. */
    cloudfrontAdditionalMetrics?: boolean;
    /** The slaves roll a deployment back on unhealthy targets or ALB-generated 502/503. Default true. */
    slaveRollbackAlarms?: boolean;
    /**
     * Credentials for OneHub's Amazon Bedrock channel: "None" or "IamUser" — an IAM user that may
     * only invoke `bedrockModelArns` (bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream,
     * all OneHub calls), with an access key per slot of `bedrockAccessKeySlots`, each published per
     * region of `bedrockRegions` as a Secrets Manager secret holding the channel key
     * "region|AccessKeyId|SecretAccessKey". Default "None". See OneHubBedrockAccess.
     */
    bedrockAccess?: string;
    /** With bedrockAccess "IamUser": the regions OneHub calls Bedrock in, at least one. Default []. See OneHubBedrockAccessArgs.regions. */
    bedrockRegions?: string[];
    /**
     * With bedrockAccess "IamUser": the foundation-model and inference-profile ARNs the key may invoke.
     * Default []: Anthropic's models in every region and this account's inference profiles.
     * See OneHubBedrockAccessArgs.modelArns.
     */
    bedrockModelArns?: string[];
    /** With bedrockAccess "IamUser": the access-key slots, from "a" and "b". Default ["a"]. See OneHubBedrockAccessArgs.accessKeySlots. */
    bedrockAccessKeySlots?: string[];
    /**
     * An interface VPC endpoint for bedrock-runtime in the private subnets, with private DNS, that
     * admits only the tasks on 443: Bedrock calls to the stack's region skip the NAT. An existing
     * VPC needs DNS support and DNS hostnames and no other bedrock-runtime endpoint with private DNS
     * (looked up at preview). Default false. See OneHubBedrockEndpoint.
     */
    bedrockVpcEndpoint?: boolean;

    // ---- shared Redis, client IPs, Spot, notifications ----
    /**
     * The shared Redis of every node: "None" (each node keeps its own memory cache and rate-limit
     * counters; tokens and users are read from the database on every request), "Serverless" (an
     * ElastiCache Serverless Valkey cache, OneHubCache) or "Existing" (`redisSecretArn`). Default
     * "None" (prod "Serverless"). Redis becomes a start-up dependency: OneHub exits when its first PING
     * fails, and Redis errors or a reached usage limit answer 401/500 on relay paths.
     */
    redisMode?: string;
    /**
     * With `redisMode` "Existing": a Secrets Manager secret (full ARN) holding REDIS_CONN_STRING,
     * `redis[s]://[user:password@]host:port` for a single endpoint, without a /db (REDIS_DB stays 0).
     * The tasks' execution role may read it (and its KMS key must let it decrypt). Default "".
     */
    redisSecretArn?: string;
    /**
     * With `redisMode` "Existing": the existing cache's security group; each service adds its own
     * ingress rule on it (6379–6380), as with the serverless cache. Default "": the cache's owner
     * admits the tasks' security groups.
     */
    redisSecurityGroupId?: string;
    /** With `redisMode` "Serverless": most GB the cache may hold, 1–5000, the storage spend cap. Default 1. */
    redisMaxDataStorageGb?: number;
    /** With `redisMode` "Serverless": most ECPUs per second, 1000–15,000,000, the request spend cap. Default 5000 (prod 20000). */
    redisMaxEcpuPerSecond?: number;
    /**
     * GLOBAL_API_RATE_LIMIT on every node: requests per client address per 180 s on /api/*. 0: chosen
     * for you (with Redis, what the health checks of 1 master + 2 × slaveMaxCount slaves need, at least
     * OneHub's 300; without, OneHub's default). A value the health checks cannot fit is refused. Default 0.
     */
    globalApiRateLimit?: number;
    /**
     * Seconds a slave keeps serving in-flight responses after SIGTERM (a Spot notice, a deploy) before
     * OneHub gets it, 0–110. Default 110. See OneHubSlaveServiceArgs.shutdownGraceSeconds.
     */
    slaveShutdownGraceSeconds?: number;
    /**
     * OneHub's plain notification settings on every node, as "NAME=value" entries (NOTIFY_EMAIL_DISABLE,
     * NOTIFY_EMAIL_SMTP_TO, NOTIFY_WECOM_DISABLE, NOTIFY_DINGTALK_KEYWORD, NOTIFY_LARK_KEYWORD,
     * NOTIFY_PUSHDEER_URL, NOTIFY_TELEGRAM_CHAT_ID, NOTIFY_TELEGRAM_HTTP_PROXY). Credentials are refused
     * here: they go in `notifySecrets`. Default [].
     */
    notifySettings?: string[];
    /**
     * OneHub's notification credentials (secret): a JSON object of NOTIFY_* names to values, e.g.
     * {"NOTIFY_TELEGRAM_BOT_API_KEY":"…"}, stored as one Secrets Manager secret and injected into every
     * node key by key. A string (the names must be known when the task definitions are built; the value
     * only ever goes into the secret). Default: unset.
     */
    notifySecrets?: string;
    // ---- cost (issue 14) ----
    /**
     * With natStrategy "Instance"/"InstancePerAz": the NAT instance type, a Graviton (arm64) one.
     * Default "t4g.nano". See NatInstanceArgs.instanceType.
     */
    natInstanceType?: string;
    /**
     * With natStrategy "Instance"/"InstancePerAz": an arm64 fck-nat AMI id. Default "": the newest
     * one at the first deploy, kept afterwards. See NatInstanceArgs.amiId.
     */
    natInstanceAmiId?: string;
    /**
     * Container Insights of the created ECS cluster: "disabled", "enabled" or "enhanced" (charged
     * as custom metrics, per metric and dimension set). Default "disabled" (prod "enabled"). Ignored
     * with `existingClusterName`. Scaling uses the free AWS/ECS metrics either way.
     */
    containerInsights?: string;
    /** CPU architecture of the master and slave tasks: "ARM64" (Graviton) or "X86_64". Default "ARM64". */
    cpuArchitecture?: string;
    /**
     * SQL_MAX_IDLE_CONNS per task, 0–100 (at most the pool, SQL_MAX_OPEN_CONNS). Default 0 (prod 10):
     * no idle connection keeps a 0-ACU database from pausing.
     */
    sqlMaxIdleConns?: number;
    /** SQL_MAX_LIFETIME in seconds, 1–86400: how long a task reuses a connection. Default 60 (prod 300). */
    sqlMaxLifetime?: number;
    // ---- security: no known passwords, least privilege, audited shells, pinned images ----
    /**
     * Replace OneHub's default admin login (root / 123456, created on the master's first start) with
     * a generated 20-character password in Secrets Manager (the `rootPasswordSecretArn` output),
     * through a deploy-time step after the master's verified rollout — only while root still logs
     * in with 123456, so a changed password or an imported installation is never touched. Default
     * true. Off: nothing is generated, and the default login stays until you change it.
     */
    rootPasswordBootstrap?: boolean;
    /**
     * ECS Exec into the tasks (`masterExecCommand`). Default true (prod false). A shell sees every
     * injected secret; when on, each session is in CloudTrail (ExecuteCommand) and its output goes
     * to the cluster's session log group (with `existingClusterName`, the cluster's own
     * configuration decides).
     */
    ecsExec?: boolean;
    /**
     * ARN of a KMS key that encrypts ECS Exec sessions; the task roles may decrypt with exactly
     * this key. Default "" (TLS only). Needs `ecsExec`.
     */
    ecsExecKmsKeyArn?: string;
    /**
     * Image digest ("sha256:" + 64 hex) pinning master and slaves immutably, alone (with
     * `imageTag: ""`) or next to the tag, which is then only a label (e.g. "dev" for a fix
     * published only in OneHub's dev image). Default "" (the release tag pins).
     */
    imageDigest?: string;
    /** Allow an `imageRepository` other than OneHub's registries (a mirror, a derived image). Default false. */
    allowCustomImageRepository?: boolean;
}

/** The name OneHub gives its Bedrock endpoint component (its own endpoint is exempt from the preview lookup). */
export const bedrockEndpointName = (oneHubName: string) => `${oneHubName}-bedrock-vpce`;

export const REDIS_MODES = ["None", "Serverless", "Existing"] as const;
/** A Secrets Manager secret's full ARN (with the 6-character suffix ECS and IAM need). */
const SECRET_ARN_RE = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

/**
 * Validates the arguments as a whole. `keyPrefix` names them in errors: "onehub:" when they come
 * from stack config, "OneHub args." when a program passes them.
 */
export function validateOneHubArgs(args: OneHubArgs, keyPrefix: string): void {
    const k = (key: keyof OneHubArgs) => `${keyPrefix}${key}`;
    const azCount = checkAzCount(k("azCount"), args.azCount ?? 2);
    const natStrategy = checkOneOf(k("natStrategy"), args.natStrategy ?? (args.existingVpcId ? "None" : DEFAULT_NAT_STRATEGY), [
        "None",
        ...NAT_STRATEGIES,
    ]);
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
        args.dbMinCapacity ?? DEFAULT_MIN_CAPACITY,
        args.dbMaxCapacity ?? DEFAULT_MAX_CAPACITY,
        secondsUntilAutoPauseOf(args.dbMinCapacity ?? DEFAULT_MIN_CAPACITY, args.dbSecondsUntilAutoPause),
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
            // The idle pool is checked below against its own range; OneHub caps it at the pool it sizes.
            { ...args, sqlMaxIdleConns: undefined, cpu: args[cpu] as number | undefined, memory: args[memory] as number | undefined },
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
    // The relay paths, and the edge's WAF: its rules must fit the capacity the web ACL's price includes.
    checkedWafRules("onehub", args, k("extraRelayPaths"));
    checkRebootedCapacity(k("dbRebootedMaxCapacity"), args.dbRebootedMaxCapacity ?? DEFAULT_MAX_CAPACITY);
    poolsOf(args, k);
    if (args.existingClusterName) {
        checkMatches(k("existingClusterName"), args.existingClusterName, /^[A-Za-z0-9_-]{1,255}$/, "must be an ECS cluster name");
    }
    checkHashidsSalt(k("hashidsSalt"), args.hashidsSalt);
    checkSuppliedSecret(k("sessionSecret"), args.sessionSecret);
    checkSuppliedSecret(k("userTokenSecret"), args.userTokenSecret);
    checkMonitoringSettings(args, k);
    if (args.budgetScopedToStack && !args.tags?.[STACK_TAG]) {
        fail(
            k("budgetScopedToStack"),
            args.budgetScopedToStack,
            `needs the tag ${STACK_TAG} in ${k("tags")} (the stack program sets it to <project>-<stack>): the budget filters on it`,
        );
    }

    // ---- Amazon Bedrock ----
    const bedrockAccess = checkOneOf(k("bedrockAccess"), args.bedrockAccess ?? "None", BEDROCK_ACCESS_MODES as readonly string[]);
    const slots = args.bedrockAccessKeySlots ?? DEFAULT_ACCESS_KEY_SLOTS;
    if (bedrockAccess === "IamUser") {
        checkBedrockRegions(k("bedrockRegions"), args.bedrockRegions ?? [], true);
        checkModelArns(k("bedrockModelArns"), args.bedrockModelArns ?? []);
        checkAccessKeySlots(k("bedrockAccessKeySlots"), slots);
    } else {
        // Settings that would do nothing are a mistake, not a no-op.
        for (const key of ["bedrockRegions", "bedrockModelArns"] as const) {
            if ((args[key] ?? []).length > 0) {
                fail(k(key), args[key], `needs ${k("bedrockAccess")} "IamUser"`);
            }
        }
        if (JSON.stringify(slots) !== JSON.stringify(DEFAULT_ACCESS_KEY_SLOTS)) {
            fail(k("bedrockAccessKeySlots"), slots, `needs ${k("bedrockAccess")} "IamUser"`);
        }
    }
    scaleSettingsOf(args, k);

    // cost (issue 14)
    if (args.existingVpcId && (NAT_INSTANCE_STRATEGIES as readonly string[]).includes(natStrategy)) {
        fail(
            k("natStrategy"),
            natStrategy,
            `a NAT instance is built only in a new VPC; with ${k("existingVpcId")} the VPC's own routing gives the tasks egress: use "None"`,
        );
    }
    checkNatInstanceType(k("natInstanceType"), args.natInstanceType ?? DEFAULT_NAT_INSTANCE_TYPE);
    checkAmiId(k("natInstanceAmiId"), args.natInstanceAmiId ?? "");
    checkOneOf(k("containerInsights"), args.containerInsights ?? DEFAULT_CONTAINER_INSIGHTS, CONTAINER_INSIGHTS_MODES);
    checkOneOf(k("cpuArchitecture"), args.cpuArchitecture ?? DEFAULT_CPU_ARCHITECTURE, CPU_ARCHITECTURES);
    checkInteger(k("sqlMaxIdleConns"), args.sqlMaxIdleConns ?? SERVICE_DEFAULTS.sqlMaxIdleConns, 0, 100);
    checkInteger(k("sqlMaxLifetime"), args.sqlMaxLifetime ?? SERVICE_DEFAULTS.sqlMaxLifetime, 1, 86400);

    // security
    checkDataApi(
        { engineVersion: k("dbEngineVersion"), enableDataApi: k("dbEnableDataApi") },
        args.dbEngineVersion ?? DEFAULT_ENGINE_VERSION,
        args.dbEnableDataApi ?? true,
    );
    checkExecKmsKeyArn(k("ecsExecKmsKeyArn"), args.ecsExecKmsKeyArn ?? "");
    if (args.ecsExecKmsKeyArn && !(args.ecsExec ?? true)) {
        fail(k("ecsExecKmsKeyArn"), args.ecsExecKmsKeyArn, `only applies with ${k("ecsExec")} true`);
    }
}

/** The Redis, health-check, Spot and notification settings, validated (one block, see OneHubArgs). */
function scaleSettingsOf(args: OneHubArgs, k: (key: keyof OneHubArgs) => string) {
    const redisMode = checkOneOf(k("redisMode"), args.redisMode ?? "None", REDIS_MODES);
    if (redisMode === "Existing") {
        if (!args.redisSecretArn || !SECRET_ARN_RE.test(args.redisSecretArn)) {
            fail(
                k("redisSecretArn"),
                args.redisSecretArn,
                `with ${k("redisMode")} "Existing", must be the full ARN of a Secrets Manager secret holding REDIS_CONN_STRING (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)`,
            );
        }
        if (args.redisSecurityGroupId && !/^sg-[0-9a-f]{8,17}$/.test(args.redisSecurityGroupId)) {
            fail(k("redisSecurityGroupId"), args.redisSecurityGroupId, "must be a security group id such as sg-0123456789abcdef0");
        }
    } else {
        for (const key of ["redisSecretArn", "redisSecurityGroupId"] as const) {
            if (args[key]) {
                fail(k(key), args[key], `only applies to ${k("redisMode")} "Existing"`);
            }
        }
    }
    const redisMaxDataStorageGb = checkInteger(
        k("redisMaxDataStorageGb"),
        args.redisMaxDataStorageGb ?? CACHE_LIMITS.dataStorageGb.default,
        CACHE_LIMITS.dataStorageGb.min,
        CACHE_LIMITS.dataStorageGb.max,
    );
    const redisMaxEcpuPerSecond = checkInteger(
        k("redisMaxEcpuPerSecond"),
        args.redisMaxEcpuPerSecond ?? CACHE_LIMITS.ecpuPerSecond.default,
        CACHE_LIMITS.ecpuPerSecond.min,
        CACHE_LIMITS.ecpuPerSecond.max,
    );
    const configuredLimit = checkInteger(k("globalApiRateLimit"), args.globalApiRateLimit ?? 0, 0, 1_000_000);
    // SYNC_FREQUENCY > 0 (validateServiceArgs): OneHub ignores Redis when it is 0.
    const globalApiRateLimit = apiRateLimit(k("globalApiRateLimit"), configuredLimit, args.slaveMaxCount ?? 3, redisMode !== "None");
    const slaveShutdownGraceSeconds = checkShutdownGrace(
        k("slaveShutdownGraceSeconds"),
        args.slaveShutdownGraceSeconds ?? MAX_SHUTDOWN_GRACE_SECONDS,
    );
    const notifySettings = parseNotifySettings(k("notifySettings"), args.notifySettings ?? []);
    if (args.notifySecrets !== undefined && typeof args.notifySecrets !== "string") {
        fail(
            k("notifySecrets"),
            "(secret)",
            "must be a string: the NOTIFY_* names become the task definitions' secret entries (the value only ever goes into Secrets Manager)",
        );
    }
    const notifySecrets = args.notifySecrets ? notifySecretNames(k("notifySecrets"), args.notifySecrets) : [];
    checkNotifyOverlap(k("notifySettings"), notifySettings, notifySecrets);
    return {
        redisMode,
        redisMaxDataStorageGb,
        redisMaxEcpuPerSecond,
        globalApiRateLimit,
        slaveShutdownGraceSeconds,
        notifySettings,
        notifySecrets,
    };
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

/** The library's budget (Pulumi.yaml's monthlyBudgetUsd): the dev profile's spend with room to spare. */
const DEFAULT_MONTHLY_BUDGET_USD = 200;

/** NAT gateways, and NAT instances, a created VPC gets: none, one, or one per zone. */
function natCount(args: OneHubArgs): { gateways: number; instances: number } {
    const strategy = args.natStrategy ?? DEFAULT_NAT_STRATEGY;
    const perAz = args.azCount ?? 2;
    return {
        gateways: strategy === "OnePerAz" ? perAz : strategy === "Single" ? 1 : 0,
        instances: strategy === "InstancePerAz" ? perAz : strategy === "Instance" ? 1 : 0,
    };
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
    /** The distribution's own name (d…cloudfront.net): the CNAME target of a custom domain you point yourself. */
    public readonly distributionDomainName: pulumi.Output<string>;
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
    /**
     * A ready `aws ecs execute-command` line that opens a shell in the master task; with ECS Exec
     * off, a command that says so and fails.
     */
    public readonly masterExecCommand: pulumi.Output<string>;
    /** The alarm topic in the stack's region (subscribe Chatbot or a pager here); undefined with monitoring off. */
    public readonly alarmTopicArn: pulumi.Output<string | undefined>;
    /** The CloudWatch dashboard; undefined with monitoring off. */
    public readonly dashboardName: pulumi.Output<string | undefined>;
    /** The IAM user of OneHub's Bedrock channel ("" without bedrockAccess "IamUser"). */
    public readonly bedrockUserName: pulumi.Output<string>;
    /**
     * The Secrets Manager secrets holding OneHub's Bedrock channel keys, by "<slot>/<region>" ({}
     * without bedrockAccess "IamUser"): ARNs only, never the values.
     */
    public readonly bedrockKeySecretArns: pulumi.Output<Record<string, string>>;
    /** The Bedrock runtime endpoint's id ("" without bedrockVpcEndpoint). */
    public readonly bedrockVpcEndpointId: pulumi.Output<string>;
    /** The serverless cache's name (redisMode "Serverless"), for alarms; "" otherwise. */
    public readonly cacheName: pulumi.Output<string>;
    /** The secret with OneHub's admin login (root); "" with `rootPasswordBootstrap` off. */
    public readonly rootPasswordSecretArn: pulumi.Output<string>;
    /** The credentials OneHub's database user connects with (rights on its own schema only). */
    public readonly databaseAppCredentialsSecretArn: pulumi.Output<string>;
    /** The log group with ECS Exec session output; "" with ECS Exec off or an existing cluster. */
    public readonly ecsExecLogGroupName: pulumi.Output<string>;

    constructor(name: string, args: OneHubArgs, opts?: pulumi.ComponentResourceOptions) {
        // The longest autonamed child is the master's target group, "<name>-master-tg" (≤ 32).
        checkComponentName("OneHub", name, "-master-tg", 32);
        validateOneHubArgs(args, "OneHub args.");
        super("onehub:index:OneHub", name, {}, opts);
        const parent = { parent: this };

        let vpcId: pulumi.Output<string>;
        // One per NAT gateway a created VPC has (an existing VPC's are not ours to watch).
        let natGatewayIds: pulumi.Output<string>[] = [];
        let natInstanceGroupNames: pulumi.Output<string>[] = [];
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
                    natInstanceType: args.natInstanceType,
                    natInstanceAmiId: args.natInstanceAmiId,
                    cidrBlock: args.vpcCidr,
                    tags: args.tags,
                },
                parent,
            );
            vpcId = network.vpcId;
            // The counts are known from the arguments; the ids only at deploy time.
            const nat = natCount(args);
            natGatewayIds = Array.from({ length: nat.gateways }, (_, i) => network.natGatewayIds.apply((ids) => ids[i]));
            natInstanceGroupNames = Array.from({ length: nat.instances }, (_, i) =>
                network.natInstanceGroupNames.apply((names) => names[i]),
            );
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
                notifySecrets: args.notifySecrets,
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
        // With an existing cluster its own executeCommandConfiguration decides where sessions are logged.
        let execLogGroupArn = pulumi.output("");
        let execLogGroupName = pulumi.output("");
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
                    containerInsights: args.containerInsights,
                    ecsExec: args.ecsExec,
                    ecsExecKmsKeyArn: args.ecsExecKmsKeyArn,
                    tags: args.tags,
                },
                parent,
            );
            clusterArn = cluster.clusterArn;
            clusterName = cluster.clusterName;
            execLogGroupArn = cluster.execLogGroupArn;
            execLogGroupName = cluster.execLogGroupName;
        }

        // ---- Amazon Bedrock: the channel's credentials, and a way to the runtime API that skips the NAT ----
        const bedrock =
            args.bedrockAccess === "IamUser"
                ? new OneHubBedrockAccess(
                      `${name}-bedrock`,
                      {
                          regions: args.bedrockRegions ?? [],
                          modelArns: args.bedrockModelArns,
                          accessKeySlots: args.bedrockAccessKeySlots,
                          tags: args.tags,
                      },
                      parent,
                  )
                : undefined;
        // Services attach themselves to it (an ingress rule each), as to the database.
        const bedrockEndpoint = args.bedrockVpcEndpoint
            ? new OneHubBedrockEndpoint(bedrockEndpointName(name), { vpcId, subnetIds: privateSubnetIds, tags: args.tags }, parent)
            : undefined;
        // The shared Redis (or none), the client-IP header, the health-check limit and the notifications:
        // the same on every node.
        const scale = scaleSettingsOf(args, (key) => `OneHub args.${key}`);
        let redis: { valueFrom: pulumi.Input<string>; securityGroupId?: pulumi.Input<string> } | undefined;
        let cacheName: pulumi.Output<string> = pulumi.output("");
        if (scale.redisMode === "Serverless") {
            const cache = new OneHubCache(
                `${name}-cache`,
                {
                    vpcId,
                    subnetIds: databaseSubnetIds,
                    maxDataStorageGb: scale.redisMaxDataStorageGb,
                    maxEcpuPerSecond: scale.redisMaxEcpuPerSecond,
                    tags: args.tags,
                },
                parent,
            );
            // Pinned, and resolving only once the cache exists: the services wait for it.
            redis = { valueFrom: cache.connectionStringValueFrom, securityGroupId: cache.securityGroupId };
            cacheName = cache.cacheName;
        } else if (scale.redisMode === "Existing") {
            redis = { valueFrom: args.redisSecretArn!, securityGroupId: args.redisSecurityGroupId || undefined };
        }
        const scaleSecrets: Record<string, pulumi.Input<string>> = {
            ...(redis ? { REDIS_CONN_STRING: redis.valueFrom } : {}),
            ...Object.fromEntries(scale.notifySecrets.map((n) => [n, secrets.notifyValueFroms.apply((m) => m[n])])),
        };
        const scaleShared = {
            cacheSecurityGroupId: redis?.securityGroupId,
            trustedHeader: edge.clientIpHeader,
            globalApiRateLimit: scale.globalApiRateLimit,
            environment: scale.notifySettings,
        };

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
                ...scaleSecrets,
            },
            listenerArn: edge.listenerArn,
            albSecurityGroupId: edge.albSecurityGroupId,
            databaseSecurityGroupId: database.securityGroupId,
            syncFrequency: args.syncFrequency,
            sqlMaxOpenConns: pools.maxOpen,
            // Never more idle connections than the pool may open.
            sqlMaxIdleConns: Math.min(args.sqlMaxIdleConns ?? SERVICE_DEFAULTS.sqlMaxIdleConns, pools.maxOpen),
            sqlMaxLifetime: args.sqlMaxLifetime,
            cpuArchitecture: args.cpuArchitecture,
            databaseMaxConnections: database.maxConnections,
            logRetentionDays: args.logRetentionDays,
            imageDigest: args.imageDigest,
            allowCustomImageRepository: args.allowCustomImageRepository,
            enableExecuteCommand: args.ecsExec,
            execLogGroupArn,
            execKmsKeyArn: args.ecsExecKmsKeyArn,
            tags: args.tags,
            bedrockEndpointSecurityGroupId: bedrockEndpoint?.securityGroupId,
            ...scaleShared,
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
                rollbackAlarms: args.slaveRollbackAlarms,
                shutdownGraceSeconds: scale.slaveShutdownGraceSeconds,
            },
            parent,
        );

        // Reads the other components' outputs; nothing above waits for it.
        let monitoring: OneHubMonitoring | undefined;
        if (args.monitoringEnabled ?? true) {
            const scoped = args.budgetScopedToStack ?? false;
            monitoring = new OneHubMonitoring(
                `${name}-mon`,
                {
                    clusterName,
                    clusterArn,
                    masterServiceName: master.serviceName,
                    masterServiceArn: master.serviceArn,
                    slaveServiceName: slave.serviceName,
                    slaveServiceArn: slave.serviceArn,
                    loadBalancerArnSuffix: edge.albArnSuffix,
                    masterTargetGroupArnSuffix: master.targetGroupArnSuffix,
                    slaveTargetGroupArnSuffix: slave.targetGroupArnSuffix,
                    databaseClusterIdentifier: database.clusterIdentifier,
                    distributionId: edge.distributionId,
                    webAclMetricName: args.wafEnabled ? edge.webAclMetricName.apply((m) => m ?? "") : undefined,
                    natGatewayIds: natGatewayIds,
                    natInstanceAutoScalingGroupNames: natInstanceGroupNames,
                    // Only the cache this stack owns; an existing one is its owner's to watch.
                    cacheName: scale.redisMode === "Serverless" ? cacheName : undefined,
                    cacheMaxDataStorageGb: scale.redisMaxDataStorageGb,
                    slaveMinCount: scaling.minCount,
                    slaveMaxCount: scaling.maxCount,
                    slaveCpuTarget: scaling.cpuTarget,
                    databaseMaxCapacity: args.dbMaxCapacity ?? DEFAULT_MAX_CAPACITY,
                    databaseMaxConnections: pools.databaseMaxConnections,
                    databaseReaderCount: args.dbReaderCount,
                    originReadTimeout: args.originReadTimeout,
                    // An existing cluster's Container Insights setting is unknown: use what always exists.
                    containerInsightsEnabled: !args.existingClusterName,
                    cloudfrontAdditionalMetrics: args.cloudfrontAdditionalMetrics,
                    alarmEmails: args.alarmEmails,
                    monthlyBudgetUsd: args.monthlyBudgetUsd ?? DEFAULT_MONTHLY_BUDGET_USD,
                    costAllocationTagKey: scoped ? STACK_TAG : undefined,
                    costAllocationTagValue: scoped ? args.tags?.[STACK_TAG] : undefined,
                    costAnomalyMonitorArn: args.costAnomalyMonitorArn,
                    tags: args.tags,
                },
                parent,
            );
        }
        // No known admin password: after the master's verified rollout, through the distribution's own name.
        const rootPassword =
            (args.rootPasswordBootstrap ?? true)
                ? new OneHubRootPassword(
                      `${name}-root-password`,
                      {
                          url: pulumi.interpolate`https://${edge.distributionDomainName}`,
                          masterServiceName: master.serviceName,
                          database: database.clusterArn,
                          logRetentionDays: args.logRetentionDays,
                          tags: args.tags,
                      },
                      parent,
                  )
                : undefined;

        const region = aws.getRegionOutput({}, parent).region;
        this.masterService = master.service;
        this.slaveService = slave.service;
        this.loadBalancer = edge.loadBalancer;
        this.distribution = edge.distribution;
        this.databaseCluster = database.cluster;
        this.url = edge.url;
        this.vpcId = vpcId;
        this.distributionId = edge.distributionId;
        this.distributionDomainName = edge.distributionDomainName;
        this.albArn = edge.albArn;
        this.clusterName = clusterName;
        this.masterServiceName = master.serviceName;
        this.slaveServiceName = slave.serviceName;
        this.databaseEndpoint = database.endpoint;
        this.databaseCredentialsSecretArn = database.credentialsSecretArn;
        this.masterLogGroupName = master.logGroupName;
        this.slaveLogGroupName = slave.logGroupName;
        this.alarmTopicArn = monitoring ? monitoring.topicArn : pulumi.output(undefined);
        this.dashboardName = monitoring ? monitoring.dashboardName : pulumi.output(undefined);
        this.bedrockUserName = bedrock?.userName ?? pulumi.output("");
        this.bedrockKeySecretArns = bedrock?.keySecretArns ?? pulumi.output<Record<string, string>>({});
        this.bedrockVpcEndpointId = bedrockEndpoint?.endpointId ?? pulumi.output("");
        this.cacheName = cacheName;
        this.masterExecCommand =
            (args.ecsExec ?? true)
                ? pulumi.interpolate`aws ecs execute-command --region ${region} --cluster ${clusterName} --container ${CONTAINER_NAME} --interactive --command /bin/sh --task "$(aws ecs list-tasks --region ${region} --cluster ${clusterName} --service-name ${master.serviceName} --query 'taskArns[0]' --output text)"`
                : pulumi.output(
                      "echo 'ECS Exec is off for this stack (onehub:ecsExec false): set it true and run pulumi up first' >&2; false",
                  );
        this.rootPasswordSecretArn = rootPassword?.secretArn ?? pulumi.output("");
        this.databaseAppCredentialsSecretArn = database.appCredentialsSecretArn;
        this.ecsExecLogGroupName = execLogGroupName;
        this.registerOutputs({
            url: this.url,
            vpcId: this.vpcId,
            distributionId: this.distributionId,
            distributionDomainName: this.distributionDomainName,
            albArn: this.albArn,
            clusterName: this.clusterName,
            masterServiceName: this.masterServiceName,
            slaveServiceName: this.slaveServiceName,
            databaseEndpoint: this.databaseEndpoint,
            databaseCredentialsSecretArn: this.databaseCredentialsSecretArn,
            masterLogGroupName: this.masterLogGroupName,
            slaveLogGroupName: this.slaveLogGroupName,
            masterExecCommand: this.masterExecCommand,
            alarmTopicArn: this.alarmTopicArn,
            dashboardName: this.dashboardName,
            bedrockUserName: this.bedrockUserName,
            bedrockKeySecretArns: this.bedrockKeySecretArns,
            bedrockVpcEndpointId: this.bedrockVpcEndpointId,
            cacheName: this.cacheName,
            rootPasswordSecretArn: this.rootPasswordSecretArn,
            databaseAppCredentialsSecretArn: this.databaseAppCredentialsSecretArn,
            ecsExecLogGroupName: this.ecsExecLogGroupName,
        });
    }
}
