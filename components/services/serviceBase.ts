// What the master and slave services share: the task (image, env, secrets, health check,
// logs, roles), its security group wiring and its target group. Not a component of its own:
// each service component builds these as its children.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkFargateSize } from "./fargate";
import { checkPoolFits } from "../database/connectionBudget";
import { DB_PORT } from "../database/oneHubDatabase";
import { checkInteger, checkLogRetention, checkMatches, checkOneOf, DEFAULT_LOG_RETENTION_DAYS, fail } from "../common/validation";
import { SECRET_VALUE_FROM_RE, secretArnOf } from "../secrets/valueFrom";
import { BEDROCK_ENDPOINT_PORT } from "../bedrock/bedrockSettings";
import { CACHE_PORTS } from "../cache/oneHubCache";
import { ALB_HEALTH_CHECK_INTERVAL_SECONDS, apiRateLimit, CONTAINER_HEALTH_CHECK_INTERVAL_SECONDS } from "./healthCheckBudget";
import { checkImage, DEFAULT_IMAGE_REPOSITORY, DEFAULT_IMAGE_TAG, imageReference } from "./image";
import { checkExecKmsKeyArn, execTaskRoleStatements } from "../cluster/ecsExec";

export const CONTAINER_NAME = "onehub";
export const CONTAINER_PORT = 3000;
export const HEALTH_CHECK_PATH = "/api/status";
/** The container label that records whether ECS Exec is on (see the container definition). */
export const ECS_EXEC_LABEL = "onehub.ecs-exec";
/** Seconds ECS waits after SIGTERM before SIGKILL: Fargate's maximum. */
export const STOP_TIMEOUT_SECONDS = 120;
/** ECS runtimePlatform.cpuArchitecture values on Fargate (Linux). */
export const CPU_ARCHITECTURES = ["ARM64", "X86_64"] as const;
export const DEFAULT_CPU_ARCHITECTURE = "ARM64";
/**
 * The shared settings' defaults, one source for the services, OneHub and Pulumi.yaml: the dev
 * profile, whose pools keep no idle connection and whose slaves sync every 30 minutes, so a 0-ACU
 * database can pause (README, "What it costs"). Production sets 10 idle connections, 300 s and 60 s.
 */
export const SERVICE_DEFAULTS = {
    cpu: 256,
    memory: 512,
    syncFrequency: 1800,
    sqlMaxOpenConns: 20,
    sqlMaxIdleConns: 0,
    sqlMaxLifetime: 60,
} as const;
/** The secrets every OneHub node needs, each identical on every node. */
export const REQUIRED_SECRETS = ["SQL_DSN", "SESSION_SECRET", "USER_TOKEN_SECRET"];
/** Plain env vars the components own; a caller setting them would break the cluster's invariants. */
const RESERVED_ENV = [
    ...REQUIRED_SECRETS,
    "HASHIDS_SALT",
    "NODE_TYPE",
    "MEMORY_CACHE_ENABLED",
    "SYNC_FREQUENCY",
    "TZ",
    "PORT",
    "SQL_MAX_OPEN_CONNS",
    "SQL_MAX_IDLE_CONNS",
    "SQL_MAX_LIFETIME",
    "CHANNEL_TEST_FREQUENCY",
    // The client-IP header and the limit health checks must fit are set by the components, the same
    // on every node; a serverless cache refuses SELECT, so REDIS_DB is never set. (REDIS_CONN_STRING
    // is refused as a credential: it reaches the tasks only as a secret.)
    "REDIS_DB",
    "TRUSTED_HEADER",
    "GLOBAL_API_RATE_LIMIT",
    // Read by the slaves' entry-point wrapper (slaveWrapper.sh).
    "ONEHUB_BINARY",
];
/**
 * Names that look like credentials belong in Secrets Manager, never in plain env. Matched by
 * "_"-separated word, so OneHub's TIKTOKEN_CACHE_DIR is not taken for a token.
 */
const CREDENTIAL_WORDS = ["SECRET", "PASSWORD", "PASSWD", "TOKEN", "DSN", "CREDENTIAL", "CREDENTIALS", "KEY", "APIKEY", "ACCESSKEY"];
const isCredentialName = (name: string) =>
    name
        .toUpperCase()
        .split("_")
        .some((w) => CREDENTIAL_WORDS.includes(w)) || /CONN_STRING/.test(name.toUpperCase());

export interface OneHubServiceArgs {
    /** ECS cluster ARN; the cluster must offer the FARGATE (and, for Spot slaves, FARGATE_SPOT) capacity providers. */
    clusterArn: pulumi.Input<string>;
    /** VPC of the tasks. */
    vpcId: pulumi.Input<string>;
    /** Private subnets (with NAT egress) for the tasks; they get no public IP. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Image repository. Default "ghcr.io/martialbe/one-api" (Docker Hub limits anonymous pulls per NAT
     * IP). Anything but OneHub's own (ghcr.io/martialbe/one-api, docker.io/martialbe/one-api,
     * martialbe/one-api) needs `allowCustomImageRepository`.
     */
    imageRepository?: string;
    /**
     * Image tag: a release, vX.Y.Z with an optional -suffix. Default "v0.14.27". With `imageDigest`
     * the tag is only a label (any tag, e.g. "dev", or "" for the digest alone). Without one,
     * anything but a release is refused: latest, dev and the like move, and a slave that scales out
     * later would run code newer than the schema the master migrated.
     */
    imageTag?: string;
    /**
     * Image digest, "sha256:" + 64 hex digits: an immutable pin (the reference becomes
     * repo@sha256:… or repo:tag@sha256:…), e.g. for a fix published only in OneHub's `dev` image.
     * It must exist for linux/amd64 (`npm run preflight` checks it). Default "" (the tag pins).
     */
    imageDigest?: string;
    /**
     * Allow an `imageRepository` other than OneHub's registries (a mirror, or a derived image such as
     * one with `script` for ECS Exec transcripts). Default false.
     */
    allowCustomImageRepository?: boolean;
    /** Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384. Default 256. */
    cpu?: number;
    /**
     * Task memory in MiB, a size Fargate allows with `cpu`. Default 512.
     * See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
     */
    memory?: number;
    /**
     * Environment variables the container reads from Secrets Manager: name → ECS `valueFrom` (a
     * secret ARN, or `<arn>:<json-key>:<version-stage>:<version-id>`). Must hold SQL_DSN
     * (OneHubDatabase.sqlDsnValueFrom), SESSION_SECRET and USER_TOKEN_SECRET
     * (OneHubSecrets.sessionSecretValueFrom, .userTokenSecretValueFrom), the same on every node;
     * may add HASHIDS_SALT (OneHubSecrets.hashidsSaltValueFrom) or any other secret OneHub reads.
     * Pass the components' pinned `…ValueFrom` outputs: the tasks then wait for each secret's value
     * (and the database's writer), and a new value redeploys them. An entry whose value resolves to
     * "" is left out (an unset optional secret). The execution role may read exactly these secrets.
     */
    secrets: Record<string, pulumi.Input<string>>;
    /** The edge listener the service adds its rules to (PrivateEdge.listenerArn). */
    listenerArn: pulumi.Input<string>;
    /** The ALB's security group (PrivateEdge.albSecurityGroupId): allowed in to the tasks on 3000. */
    albSecurityGroupId: pulumi.Input<string>;
    /** The database's security group (OneHubDatabase.securityGroupId): the service allows itself in on 3306. */
    databaseSecurityGroupId: pulumi.Input<string>;
    /**
     * SYNC_FREQUENCY in seconds, 1–86400, the same on every node: how often a slave reloads channels,
     * prices and options. Default 1800 (production: 60).
     */
    syncFrequency?: number;
    /** SQL_MAX_OPEN_CONNS per task, 1–10000. Default 20; OneHub sizes it from the database's max_connections. */
    sqlMaxOpenConns?: number;
    /**
     * The database's `max_connections` (OneHubDatabase.maxConnections). When given, the service
     * refuses a pool the database cannot hold at full scale: `sqlMaxOpenConns` × (this service's most
     * tasks + the master) + 10 reserved. Default: unchecked.
     */
    databaseMaxConnections?: pulumi.Input<number>;
    /** SQL_MAX_IDLE_CONNS per task, ≤ sqlMaxOpenConns. Default 0 (production: 10): an idle connection keeps a 0-ACU database awake. */
    sqlMaxIdleConns?: number;
    /** SQL_MAX_LIFETIME in seconds (OneHub reads seconds), 1–86400. Default 60 (production: 300). */
    sqlMaxLifetime?: number;
    /** Days CloudWatch keeps the task logs, a CloudWatch-allowed value. Default 7. */
    logRetentionDays?: number;
    /**
     * CPU architecture of the tasks: "ARM64" (Graviton, ~20 % cheaper per vCPU- and GB-hour, on
     * Fargate and Fargate Spot alike) or "X86_64". Default "ARM64". OneHub publishes linux/arm64 and
     * linux/amd64 images (`npm run preflight` checks the tag has the one needed).
     * See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-arm64.html
     */
    cpuArchitecture?: string;
    /**
     * Extra plain OneHub environment, e.g. { RELAY_TIMEOUT: "900" }. Names the components
     * set themselves, and names that look like credentials (use Secrets Manager), are refused.
     */
    environment?: Record<string, string>;
    /**
     * ECS Exec (`aws ecs execute-command`) into the tasks. Default true. A shell sees every secret
     * ECS injected, so production turns it off; when on, every session is in CloudTrail
     * (ExecuteCommand) and, with `execLogGroupArn`, its output in CloudWatch Logs. Toggling it
     * changes the task definition, so running tasks are replaced and the setting applies at once.
     */
    enableExecuteCommand?: boolean;
    /**
     * The cluster's ECS Exec session log group (OneHubCluster.execLogGroupArn): the task role may
     * write exactly there. Default "" (the cluster logs no sessions, or its log group is not ours).
     */
    execLogGroupArn?: pulumi.Input<string>;
    /**
     * The KMS key that encrypts ECS Exec sessions (the cluster's executeCommandConfiguration.kmsKeyId),
     * as an ARN: the task role may decrypt with exactly this key. Default "" (none).
     */
    execKmsKeyArn?: string;
    /** Tags for every resource. */
    tags?: Record<string, string>;
    /**
     * The Bedrock runtime endpoint's security group (OneHubBedrockEndpoint.securityGroupId): the
     * service allows itself in on 443, so OneHub's Bedrock calls reach the endpoint. Default: none.
     */
    bedrockEndpointSecurityGroupId?: pulumi.Input<string>;

    /**
     * The shared Redis's security group (OneHubCache.securityGroupId, or an existing cache's): the
     * service allows itself in on 6379–6380. Default: none. Pass it with a `secrets` entry
     * REDIS_CONN_STRING (OneHubCache.connectionStringValueFrom), on every node: the master's updates
     * delete cached keys.
     */
    cacheSecurityGroupId?: pulumi.Input<string>;
    /**
     * TRUSTED_HEADER: the request header OneHub takes the client's address from, for its per-IP limits
     * and per-key IP allow-lists. Default: unset (the left-most X-Forwarded-For entry, which clients
     * can write). Set it only to a header the edge overwrites on every request:
     * PrivateEdge.clientIpHeader ("True-Client-IP").
     */
    trustedHeader?: pulumi.Input<string>;
    /**
     * GLOBAL_API_RATE_LIMIT: requests per client address per 180 s on /api/* (health checks included).
     * 0 or unset: OneHub's default (300). With a shared Redis (REDIS_CONN_STRING in `secrets`) it is
     * required, the same on every node, and must hold every task's health checks on one counter:
     * OneHubSlaveService refuses a value below what 1 master + 2 × maxCount slaves need.
     */
    globalApiRateLimit?: number;
}

/** The shared settings' names a service's `k` may be asked for. */
type ServiceField = keyof OneHubServiceArgs;

/**
 * Validates the shared settings; `k` names a field in errors. The secrets map only where the
 * caller supplies it (a service component); OneHub wires it itself.
 */
export function validateServiceArgs(
    args: Partial<OneHubServiceArgs>,
    k: (field: ServiceField) => string,
    callerSuppliesSecrets = true,
    budget?: PoolBudget,
): void {
    checkImage(
        {
            repository: k("imageRepository"),
            tag: k("imageTag"),
            digest: k("imageDigest"),
            allowCustomRepository: k("allowCustomImageRepository"),
        },
        imageOf(args),
    );
    checkFargateSize(k("cpu"), k("memory"), args.cpu ?? SERVICE_DEFAULTS.cpu, args.memory ?? SERVICE_DEFAULTS.memory);
    checkInteger(k("syncFrequency"), args.syncFrequency ?? SERVICE_DEFAULTS.syncFrequency, 1, 86400);
    const open = checkInteger(k("sqlMaxOpenConns"), args.sqlMaxOpenConns ?? SERVICE_DEFAULTS.sqlMaxOpenConns, 1, 10000);
    checkInteger(k("sqlMaxIdleConns"), args.sqlMaxIdleConns ?? SERVICE_DEFAULTS.sqlMaxIdleConns, 0, open);
    checkInteger(k("sqlMaxLifetime"), args.sqlMaxLifetime ?? SERVICE_DEFAULTS.sqlMaxLifetime, 1, 86400);
    checkLogRetention(k("logRetentionDays"), args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS);
    checkOneOf(k("cpuArchitecture"), args.cpuArchitecture ?? DEFAULT_CPU_ARCHITECTURE, CPU_ARCHITECTURES);
    checkEnvironment(k("environment"), args.environment ?? {});
    checkExecKmsKeyArn(k("execKmsKeyArn"), args.execKmsKeyArn ?? "");
    if (args.execKmsKeyArn && args.enableExecuteCommand === false) {
        fail(k("execKmsKeyArn"), args.execKmsKeyArn, `only applies with ${k("enableExecuteCommand")} true`);
    }
    if (budget && typeof args.databaseMaxConnections === "number") {
        checkPoolFits({ pool: budget.poolKey, tasks: budget.tasksKey }, open, budget.tasks, args.databaseMaxConnections);
    }
    if (callerSuppliesSecrets) {
        checkSecrets(k("secrets"), args.secrets ?? {}, args.environment ?? {});
    }
    if (typeof args.trustedHeader === "string" && args.trustedHeader !== "") {
        checkMatches(k("trustedHeader"), args.trustedHeader, /^[A-Za-z0-9-]{1,64}$/, "must be an HTTP header name such as True-Client-IP");
    }
    checkInteger(k("globalApiRateLimit"), args.globalApiRateLimit ?? 0, 0, 1_000_000);
}

/** Whether `secrets` injects a shared Redis (an entry that is not the "" of an unset optional secret). */
export function usesRedis(secrets: Record<string, pulumi.Input<string>> | undefined): boolean {
    const value = secrets?.REDIS_CONN_STRING;
    return value !== undefined && value !== "";
}

/**
 * The GLOBAL_API_RATE_LIMIT a service runs with. With a shared Redis it is required (every node must
 * count against the same limit) and must hold the health checks of `slaveMaxCount` slaves and the
 * master; without, 0 leaves OneHub's default.
 */
export function serviceApiRateLimit(
    key: string,
    configured: number | undefined,
    secrets: Record<string, pulumi.Input<string>> | undefined,
    slaveMaxCount: number,
): number | undefined {
    const redis = usesRedis(secrets);
    if (redis && !configured) {
        fail(
            key,
            configured,
            "is required with a shared Redis (REDIS_CONN_STRING in secrets): every node's limiter counts on the same Redis lists, so give the master and the slaves the same value, at least what their health checks need (OneHub computes it from the slaves' maximum)",
        );
    }
    return apiRateLimit(key, configured ?? 0, slaveMaxCount, redis);
}

/** The image settings with their defaults. */
function imageOf(args: Partial<OneHubServiceArgs>) {
    return {
        repository: args.imageRepository ?? DEFAULT_IMAGE_REPOSITORY,
        tag: args.imageTag ?? DEFAULT_IMAGE_TAG,
        digest: args.imageDigest ?? "",
        allowCustomRepository: args.allowCustomImageRepository ?? false,
    };
}

export function checkEnvironment(key: string, env: Record<string, string>): void {
    for (const name of Object.keys(env)) {
        if (RESERVED_ENV.includes(name)) {
            fail(`${key}.${name}`, env[name], "is set by the component itself and cannot be overridden");
        }
        if (isCredentialName(name)) {
            fail(
                `${key}.${name}`,
                "(hidden)",
                "looks like a credential: plain environment is visible in the task definition; keep it in Secrets Manager",
            );
        }
    }
}

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The secrets map: the required names, valid names that plain env does not also set, ECS `valueFrom` values. */
function checkSecrets(key: string, secrets: Record<string, pulumi.Input<string>>, environment: Record<string, string>): void {
    for (const name of REQUIRED_SECRETS) {
        if (!(name in secrets)) {
            fail(`${key}.${name}`, undefined, `is required: every OneHub node reads ${REQUIRED_SECRETS.join(", ")} from Secrets Manager`);
        }
    }
    for (const [name, valueFrom] of Object.entries(secrets)) {
        if (!ENV_NAME_RE.test(name) || name in environment || (RESERVED_ENV.includes(name) && !isSecretName(name))) {
            fail(
                `${key}.${name}`,
                "(reference)",
                "must be an environment variable name that neither plain environment nor the component sets",
            );
        }
        if (typeof valueFrom === "string" && valueFrom !== "" && !SECRET_VALUE_FROM_RE.test(valueFrom)) {
            fail(
                `${key}.${name}`,
                valueFrom,
                "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>), optionally :<json-key>:<stage>:<version-id>",
            );
        }
    }
}
const isSecretName = (name: string) => REQUIRED_SECRETS.includes(name) || name === "HASHIDS_SALT";

/** How many tasks share the database's connections at full scale, and the setting that says so. */
interface PoolBudget {
    tasks: number;
    tasksKey: string;
    /** How errors name the pool setting. */
    poolKey: string;
}

/** What differs by node type besides its environment. */
interface NodeSettings {
    /** GLOBAL_API_RATE_LIMIT, already checked (serviceApiRateLimit); undefined leaves OneHub's default. */
    globalApiRateLimit?: number;
    /** The container's entry point (the slaves' wrapper); default: the image's. */
    entryPoint?: string[];
}

interface ServiceBase {
    securityGroup: aws.ec2.SecurityGroup;
    targetGroup: aws.lb.TargetGroup;
    taskDefinition: aws.ecs.TaskDefinition;
    logGroup: aws.cloudwatch.LogGroup;
    executionRole: aws.iam.Role;
    taskRole: aws.iam.Role;
    /**
     * What the ECS service must wait for besides its task definition: the listener rules (a target
     * group must be on a listener), the security-group rules its tasks need (ALB in, database,
     * internet and, with one, the Bedrock endpoint out) and the execution role's policy (secrets and
     * logs at task start).
     */
    ready: pulumi.Resource[];
    /** Whether the service turns ECS Exec on. */
    enableExecuteCommand: boolean;
}

/**
 * Builds the shared pieces under `parent`. `nodeEnv` is the env that differs by node type;
 * `rules` are the listener rules (priority + path patterns) that forward to this service.
 */
export function createServiceBase(
    parent: pulumi.Resource,
    name: string,
    args: OneHubServiceArgs,
    nodeEnv: Record<string, string>,
    rules: { priority: number; pathPatterns: string[] }[],
    healthCheckStartSeconds: number,
    deregistrationDelay: number,
    budget: PoolBudget,
    node: NodeSettings = {},
): ServiceBase {
    const opts = { parent };
    const tags = args.tags;

    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { retentionInDays: args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS, tags },
        opts,
    );

    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-sg`,
        { vpcId: args.vpcId, description: `OneHub ${name} tasks: ingress only from the ALB`, tags },
        opts,
    );
    const fromAlb = new aws.vpc.SecurityGroupIngressRule(
        `${name}-from-alb`,
        {
            securityGroupId: securityGroup.id,
            referencedSecurityGroupId: args.albSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: CONTAINER_PORT,
            toPort: CONTAINER_PORT,
            description: "ALB to OneHub",
            tags,
        },
        opts,
    );
    const albToTasks = new aws.vpc.SecurityGroupEgressRule(
        `${name}-alb-to-tasks`,
        {
            securityGroupId: args.albSecurityGroupId,
            referencedSecurityGroupId: securityGroup.id,
            ipProtocol: "tcp",
            fromPort: CONTAINER_PORT,
            toPort: CONTAINER_PORT,
            description: `ALB to OneHub ${name}`,
            tags,
        },
        opts,
    );
    // Upstream LLM providers live anywhere on the internet (through NAT), on any port.
    const toInternet = new aws.vpc.SecurityGroupEgressRule(
        `${name}-to-internet`,
        {
            securityGroupId: securityGroup.id,
            ipProtocol: "-1",
            cidrIpv4: "0.0.0.0/0",
            description: "Upstream LLM providers, image pulls, AWS APIs",
            tags,
        },
        opts,
    );
    // Attached like the database: this service's own rule on the cache's group.
    const toCache = args.cacheSecurityGroupId
        ? new aws.vpc.SecurityGroupIngressRule(
              `${name}-to-cache`,
              {
                  securityGroupId: args.cacheSecurityGroupId,
                  referencedSecurityGroupId: securityGroup.id,
                  ipProtocol: "tcp",
                  fromPort: CACHE_PORTS.from,
                  toPort: CACHE_PORTS.to,
                  description: `OneHub ${name} tasks`,
                  tags,
              },
              opts,
          )
        : undefined;
    const toDatabase = new aws.vpc.SecurityGroupIngressRule(
        `${name}-to-db`,
        {
            securityGroupId: args.databaseSecurityGroupId,
            referencedSecurityGroupId: securityGroup.id,
            ipProtocol: "tcp",
            fromPort: DB_PORT,
            toPort: DB_PORT,
            description: `OneHub ${name} tasks`,
            tags,
        },
        opts,
    );

    // With a Bedrock runtime endpoint the service lets itself in on 443, as into the database.
    const toBedrock = args.bedrockEndpointSecurityGroupId
        ? [
              new aws.vpc.SecurityGroupIngressRule(
                  `${name}-to-bedrock`,
                  {
                      securityGroupId: args.bedrockEndpointSecurityGroupId,
                      referencedSecurityGroupId: securityGroup.id,
                      ipProtocol: "tcp",
                      fromPort: BEDROCK_ENDPOINT_PORT,
                      toPort: BEDROCK_ENDPOINT_PORT,
                      description: `OneHub ${name} tasks`,
                      tags,
                  },
                  opts,
              ),
          ]
        : [];

    // The entries that are set ("" marks an optional secret left unset), sorted for a stable diff.
    const secrets = pulumi.output(args.secrets).apply((all) =>
        Object.entries(all)
            .filter(([, valueFrom]) => valueFrom !== "")
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([envName, valueFrom]) => ({ name: envName, valueFrom })),
    );
    const secretArns = secrets.apply((list) => [...new Set(list.map((s) => secretArnOf(s.valueFrom)))]);
    const account = aws.getCallerIdentityOutput({}, opts).accountId;
    const partition = aws.getPartitionOutput({}, opts).partition;
    const region = aws.getRegionOutput({}, opts).region;
    const executionRole = new aws.iam.Role(
        `${name}-execution`,
        { assumeRolePolicy: ecsTasksTrust("execution", account, partition, region), tags },
        opts,
    );
    const executionPolicy = new aws.iam.RolePolicy(
        `${name}-execution`,
        {
            role: executionRole.id,
            // Exactly the injected secrets and this service's log group; nothing else.
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArns },
                    {
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                        Resource: pulumi.interpolate`${logGroup.arn}:*`,
                    },
                ],
            }),
        },
        opts,
    );
    const taskRole = new aws.iam.Role(`${name}-task`, { assumeRolePolicy: ecsTasksTrust("task", account, partition, region), tags }, opts);
    const execEnabled = args.enableExecuteCommand ?? true;
    // The task role holds only what ECS Exec needs, and nothing at all without it.
    const execPolicy = execEnabled
        ? new aws.iam.RolePolicy(
              `${name}-ecs-exec`,
              {
                  role: taskRole.id,
                  policy: pulumi.output(args.execLogGroupArn ?? "").apply((logGroupArn) =>
                      JSON.stringify({
                          Version: "2012-10-17",
                          Statement: execTaskRoleStatements(logGroupArn, args.execKmsKeyArn ?? ""),
                      }),
                  ),
              },
              opts,
          )
        : undefined;

    const pool = args.sqlMaxOpenConns ?? SERVICE_DEFAULTS.sqlMaxOpenConns;
    const environment = {
        PORT: String(CONTAINER_PORT),
        // UTC like the database's time_zone: daily statistics mix MySQL and Go time.
        TZ: "UTC",
        SYNC_FREQUENCY: String(args.syncFrequency ?? SERVICE_DEFAULTS.syncFrequency),
        // Checked against the database's max_connections once it is known (at preview).
        SQL_MAX_OPEN_CONNS: pulumi.output(args.databaseMaxConnections).apply((max) => {
            if (max !== undefined) {
                checkPoolFits({ pool: budget.poolKey, tasks: budget.tasksKey }, pool, budget.tasks, max);
            }
            return String(pool);
        }),
        SQL_MAX_IDLE_CONNS: String(args.sqlMaxIdleConns ?? SERVICE_DEFAULTS.sqlMaxIdleConns),
        SQL_MAX_LIFETIME: String(args.sqlMaxLifetime ?? SERVICE_DEFAULTS.sqlMaxLifetime),
        ...args.environment,
        ...nodeEnv,
        ...(args.trustedHeader ? { TRUSTED_HEADER: args.trustedHeader } : {}),
        ...(node.globalApiRateLimit ? { GLOBAL_API_RATE_LIMIT: String(node.globalApiRateLimit) } : {}),
    };
    const image = imageReference(imageOf(args));
    const container = {
        name: CONTAINER_NAME,
        image,
        ...(node.entryPoint ? { entryPoint: node.entryPoint } : {}),
        essential: true,
        portMappings: [{ containerPort: CONTAINER_PORT, protocol: "tcp", name: "http" }],
        environment: Object.entries(environment)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([envName, value]) => ({ name: envName, value })),
        secrets,
        // The image has busybox wget but no curl.
        healthCheck: {
            command: [
                "CMD-SHELL",
                `wget -q -O - http://localhost:${CONTAINER_PORT}${HEALTH_CHECK_PATH} | grep -q '"success":true' || exit 1`,
            ],
            interval: CONTAINER_HEALTH_CHECK_INTERVAL_SECONDS,
            timeout: 10,
            retries: 3,
            startPeriod: healthCheckStartSeconds,
        },
        // The init process is PID 1 whether or not ECS Exec is on: ECS Exec needs it (it reaps the
        // SSM agent's children), and it forwards SIGTERM to the slaves' wrapper (slaveWrapper.sh).
        linuxParameters: { initProcessEnabled: true },
        // ECS applies enableExecuteCommand to new tasks only: the label makes a toggle a new task
        // definition, so the running tasks are replaced (a shell must not outlive turning it off).
        dockerLabels: { [ECS_EXEC_LABEL]: execEnabled ? "on" : "off" },
        stopTimeout: STOP_TIMEOUT_SECONDS,
        logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": CONTAINER_NAME },
        },
    };
    const taskDefinition = new aws.ecs.TaskDefinition(
        `${name}-task`,
        {
            family: name,
            networkMode: "awsvpc",
            requiresCompatibilities: ["FARGATE"],
            cpu: String(args.cpu ?? SERVICE_DEFAULTS.cpu),
            memory: String(args.memory ?? SERVICE_DEFAULTS.memory),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.cpuArchitecture ?? DEFAULT_CPU_ARCHITECTURE },
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            containerDefinitions: pulumi.jsonStringify([container]),
            tags,
        },
        opts,
    );

    const targetGroup = new aws.lb.TargetGroup(
        `${name}-tg`,
        {
            vpcId: args.vpcId,
            port: CONTAINER_PORT,
            protocol: "HTTP",
            targetType: "ip",
            // LLM requests last from milliseconds to minutes: send new ones to the least busy task.
            loadBalancingAlgorithmType: "least_outstanding_requests",
            deregistrationDelay,
            healthCheck: {
                path: HEALTH_CHECK_PATH,
                matcher: "200",
                interval: ALB_HEALTH_CHECK_INTERVAL_SECONDS,
                timeout: 5,
                healthyThreshold: 2,
                unhealthyThreshold: 3,
            },
            tags,
        },
        opts,
    );
    const listenerRules = rules.map(
        (rule, i) =>
            new aws.lb.ListenerRule(
                `${name}-rule-${i}`,
                {
                    listenerArn: args.listenerArn,
                    priority: rule.priority,
                    actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
                    conditions: [{ pathPattern: { values: rule.pathPatterns } }],
                    tags,
                },
                opts,
            ),
    );

    return {
        securityGroup,
        targetGroup,
        taskDefinition,
        logGroup,
        executionRole,
        taskRole,
        ready: [
            ...listenerRules,
            fromAlb,
            albToTasks,
            toInternet,
            toDatabase,
            ...(toCache ? [toCache] : []),
            executionPolicy,
            ...toBedrock,
            ...(execPolicy ? [execPolicy] : []),
        ],
        enableExecuteCommand: execEnabled,
    };
}

/**
 * Trust for the ECS tasks of this account only. The task role carries both condition keys the
 * ECS developer guide recommends against the confused deputy (aws:SourceArn may not name a
 * cluster, hence the account's whole ECS ARN space):
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 * The guide documents them only for task roles. The execution role (assumed by ECS to pull the
 * image, read the secrets and write logs) gets aws:SourceAccount as StringEqualsIfExists: enforced
 * whenever ECS supplies the key, and never the reason a task cannot start if it does not.
 */
export function ecsTasksTrust(
    role: "task" | "execution",
    account: pulumi.Input<string>,
    partition: pulumi.Input<string>,
    region: pulumi.Input<string>,
): pulumi.Output<string> {
    const condition =
        role === "task"
            ? {
                  StringEquals: { "aws:SourceAccount": account },
                  ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:ecs:${region}:${account}:*` },
              }
            : { StringEqualsIfExists: { "aws:SourceAccount": account } };
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole", Condition: condition }],
    });
}

/** The ECS service settings both node types share. */
export function serviceNetwork(base: ServiceBase, args: OneHubServiceArgs) {
    return {
        networkConfiguration: { subnets: args.subnetIds, securityGroups: [base.securityGroup.id], assignPublicIp: false },
        loadBalancers: [{ targetGroupArn: base.targetGroup.arn, containerName: CONTAINER_NAME, containerPort: CONTAINER_PORT }],
        enableExecuteCommand: base.enableExecuteCommand,
        propagateTags: "SERVICE",
        enableEcsManagedTags: true,
        deploymentCircuitBreaker: { enable: true, rollback: true },
    };
}
