// OneHub guardrails: what OneHub itself needs to run correctly on more than one node — a single
// master, well-configured slaves that share secrets and image and roll after the master, a
// well-formed SQL_DSN, streaming-friendly timeouts, an API CloudFront never caches, distinct
// routing priorities, health checks on /api/status, UTC everywhere and pinned images.
// See docs/architecture.md#one-master-many-slaves and #streaming-and-routing.
import * as aws from "@pulumi/aws";
import { PolicyResource, Policies, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import {
    ContainerDefinition,
    envOf,
    floatingImageReason,
    isOneHubContainer,
    nodeRole,
    parseContainers,
    REQUIRED_SECRETS,
    secretsOf,
} from "./helpers";
import {
    containersOf,
    isAny,
    LISTENER_RULES,
    LOAD_BALANCERS,
    MANDATORY,
    TARGET_GROUPS,
    taskDefinitionOf,
    validateResourceOfTypes,
    see,
} from "./plumbing";

/** OneHub answers its health check from memory on both node types. */
export const HEALTH_CHECK_PATH = "/api/status";
/** Silent LLM streams need the ALB to hold idle connections at least this long (seconds). */
export const MIN_ALB_IDLE_TIMEOUT = 300;
/** AWS's ALB idle timeout when none is set. */
export const DEFAULT_ALB_IDLE_TIMEOUT = 60;
/** CloudFront's wait for the origin's first byte and every gap after it (seconds). */
export const MIN_ORIGIN_READ_TIMEOUT = 60;
/** CloudFront's origin read timeout when none is set. */
export const DEFAULT_ORIGIN_READ_TIMEOUT = 30;
/** AWS-managed CloudFront policies (global, fixed ids). */
export const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
export const ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
/** Every method an API gateway must pass through. */
export const ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];
/** The error codes CloudFront caches (10 s by default) unless told otherwise. */
export const CACHED_ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

export const masterSingleton: StackValidationPolicy = {
    name: "master-singleton",
    description:
        'Exactly one ECS service runs OneHub masters (NODE_TYPE not exactly "slave"), with desiredCount 1, deployment maximum 100 % and minimum healthy 0 %, no Fargate Spot and no autoscaling: two masters run cron twice and race migrations.' +
        see("one-master-many-slaves"),
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const masters: PolicyResource[] = [];
        for (const service of args.resources.filter((r) => r.isType(aws.ecs.Service))) {
            const task = taskDefinitionOf(service, args.resources);
            const containers = (task && parseContainers(task.props.containerDefinitions)?.filter(isOneHubContainer)) || [];
            if (containers.some((c) => nodeRole(c) === "master")) {
                masters.push(service);
            }
        }
        if (masters.length === 0) {
            return args.notApplicable("no ECS service runs a OneHub master");
        }
        if (masters.length > 1) {
            for (const m of masters) {
                report(
                    `${masters.length} ECS services run OneHub masters (${masters.map((s) => s.name).join(", ")}); NODE_TYPE must be exactly "slave" on all but one`,
                    m.urn,
                );
            }
        }
        const targets = args.resources.filter((r) => r.isType(aws.appautoscaling.Target));
        for (const m of masters) {
            const s = m.props;
            // AWS defaults: desiredCount 0, maximum 200 %, minimum healthy 100 %.
            if (s.desiredCount !== 1) {
                report(`${m.name} has desiredCount ${s.desiredCount ?? "unset (0)"}; the master runs exactly 1 task`, m.urn);
            }
            if ((s.deploymentMaximumPercent ?? 200) !== 100 || (s.deploymentMinimumHealthyPercent ?? 100) !== 0) {
                report(
                    `${m.name} deploys with maximum ${s.deploymentMaximumPercent ?? 200} % / minimum healthy ${s.deploymentMinimumHealthyPercent ?? 100} %; use 100 % / 0 % so the old master stops before the new one starts`,
                    m.urn,
                );
            }
            const spot = (s.capacityProviderStrategies ?? []).filter((c: any) => c.capacityProvider === "FARGATE_SPOT");
            if (spot.length > 0) {
                report(`${m.name} may run on FARGATE_SPOT; a Spot interruption takes the only master away`, m.urn);
            }
            for (const t of targets) {
                const named = typeof s.name === "string" && String(t.props.resourceId ?? "").endsWith(`/${s.name}`);
                if (named || t.dependencies.some((d) => d.urn === m.urn)) {
                    report(`${t.name} autoscales the master service ${m.name}; scale the slaves instead`, t.urn);
                }
            }
        }
    },
};

export const slaveNodeSettings: ResourceValidationPolicy = {
    name: "slave-node-settings",
    description:
        'Slave containers set NODE_TYPE exactly "slave" (lower case), MEMORY_CACHE_ENABLED "true" (or a Redis) and SYNC_FREQUENCY > 0: without the cache a slave never reloads channels and prices.' +
        see("one-master-many-slaves"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, args, report) => {
        const containers = containersOf(task, report).filter(isOneHubContainer);
        const meantAsSlave = containers.filter((c) => (envOf(c).NODE_TYPE ?? "").trim().toLowerCase() === "slave");
        if (meantAsSlave.length === 0) {
            return args.notApplicable("no OneHub slave container in this task definition");
        }
        for (const container of meantAsSlave) {
            const env = envOf(container);
            if (env.NODE_TYPE !== "slave") {
                report(
                    `container ${container.name} has NODE_TYPE ${JSON.stringify(env.NODE_TYPE)}; OneHub treats anything but exactly "slave" as a master`,
                );
                continue;
            }
            const redis = "REDIS_CONN_STRING" in env || "REDIS_CONN_STRING" in secretsOf(container);
            if (env.MEMORY_CACHE_ENABLED !== "true" && !redis) {
                report(
                    `container ${container.name} has MEMORY_CACHE_ENABLED ${JSON.stringify(env.MEMORY_CACHE_ENABLED ?? null)} and no Redis; a slave without a cache loads channels and prices once and never again`,
                );
            }
            const sync = env.SYNC_FREQUENCY;
            if (sync === undefined || !/^\d+$/.test(sync) || Number(sync) <= 0) {
                report(
                    `container ${container.name} has SYNC_FREQUENCY ${JSON.stringify(sync ?? null)}; set a whole number of seconds above 0 (0 spins on the database)`,
                );
            }
        }
    }),
};

export const nodesShareSecretsAndImage: StackValidationPolicy = {
    name: "nodes-share-secrets-and-image",
    description:
        `Every OneHub container in the stack reads the same ${REQUIRED_SECRETS.join(", ")} secrets and has the same TZ and image: sessions and API keys must validate on any node, and slaves run the schema the master migrated. ` +
        "A shared Redis (REDIS_CONN_STRING), the client-IP header (TRUSTED_HEADER) and the API limit (GLOBAL_API_RATE_LIMIT) are the same on every node too, or on none: the master's updates delete the keys the slaves cached, and every node counts on the same limiter lists." +
        see("one-master-many-slaves") +
        see("one-shared-redis-or-none"),
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const nodes: { task: PolicyResource; container: ContainerDefinition }[] = [];
        for (const task of args.resources.filter((r) => r.isType(aws.ecs.TaskDefinition))) {
            for (const container of parseContainers(task.props.containerDefinitions)?.filter(isOneHubContainer) ?? []) {
                nodes.push({ task, container });
            }
        }
        if (nodes.length < 2) {
            return args.notApplicable("fewer than two OneHub containers in the stack");
        }
        const settings: [string, (c: ContainerDefinition) => string | undefined][] = [
            ...REQUIRED_SECRETS.map((name): [string, (c: ContainerDefinition) => string | undefined] => [
                `secret ${name}`,
                (c) => secretsOf(c)[name],
            ]),
            ["TZ", (c) => envOf(c).TZ],
            ["image", (c) => c.image],
            ["secret REDIS_CONN_STRING", (c) => secretsOf(c).REDIS_CONN_STRING],
            ["TRUSTED_HEADER", (c) => envOf(c).TRUSTED_HEADER],
            ["GLOBAL_API_RATE_LIMIT", (c) => envOf(c).GLOBAL_API_RATE_LIMIT],
        ];
        for (const [label, read] of settings) {
            const values = new Map<string, string[]>();
            for (const { task, container } of nodes) {
                const value = read(container) ?? "(unset)";
                values.set(value, [...(values.get(value) ?? []), `${task.name}/${container.name}`]);
            }
            if (values.size > 1) {
                const detail = [...values.entries()]
                    .map(([v, where]) => `${where.join(", ")}: ${label.startsWith("secret") ? v : JSON.stringify(v)}`)
                    .join("; ");
                report(`OneHub nodes disagree on ${label} (${detail})`);
            }
        }
    },
};

export const slavesDeployAfterMaster: StackValidationPolicy = {
    name: "slaves-deploy-after-master",
    description:
        "Slave services depend on the master service, and the master waits for a steady state (waitForSteadyState): only the master migrates the schema, so slaves roll only once it runs the new image." +
        see("lifecycle-invariants"),
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const masters: PolicyResource[] = [];
        const slaves: PolicyResource[] = [];
        for (const service of args.resources.filter((r) => r.isType(aws.ecs.Service))) {
            const task = taskDefinitionOf(service, args.resources);
            const roles = ((task && parseContainers(task.props.containerDefinitions)?.filter(isOneHubContainer)) || []).map(nodeRole);
            if (roles.includes("master")) {
                masters.push(service);
            } else if (roles.includes("slave")) {
                slaves.push(service);
            }
        }
        if (masters.length === 0 || slaves.length === 0) {
            return args.notApplicable("needs a OneHub master service and a slave service");
        }
        for (const master of masters) {
            if (master.props.waitForSteadyState !== true) {
                report(
                    `${master.name} does not set waitForSteadyState, so dependants update before the new master has migrated the schema`,
                    master.urn,
                );
            }
        }
        for (const slave of slaves) {
            if (!masters.some((m) => slave.dependencies.some((d) => d.urn === m.urn))) {
                report(
                    `${slave.name} does not depend on the master service (${masters.map((m) => m.name).join(", ")}); slaves could start against an unmigrated schema`,
                    slave.urn,
                );
            }
        }
    },
};

export const sqlDsnFormat: ResourceValidationPolicy = {
    name: "sql-dsn-format",
    description:
        "A secret holding a MySQL DSN has OneHub's shape user:pass@tcp(host:port)/db, no parseTime, and a password without ? & / @ : # (OneHub appends loc= and reads dates as strings)." +
        see("one-master-many-slaves"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.secretsmanager.SecretVersion, (version, args, report) => {
        const dsn = version.secretString;
        if (typeof dsn !== "string" || !dsn.includes("@tcp(")) {
            return args.notApplicable("not a MySQL DSN");
        }
        // Messages describe the problem and never quote the secret.
        const m = /^([^:]+):(.*)@tcp\(([^)]+)\)\/([^?]+)(?:\?(.*))?$/s.exec(dsn);
        if (!m) {
            report("holds a DSN that is not user:pass@tcp(host:port)/db");
            return;
        }
        if (/[?&/@:#]/.test(m[2])) {
            report("holds a DSN whose password contains one of ? & / @ : #, which breaks OneHub's parsing");
        }
        if (/(^|&)parseTime=/i.test(m[5] ?? "")) {
            report("holds a DSN with parseTime; OneHub reads dates as strings and appends loc= itself");
        }
    }),
};

export const albIdleTimeoutStreaming: ResourceValidationPolicy = {
    name: "alb-idle-timeout-streaming",
    description:
        `Application load balancers keep idle connections for at least ${MIN_ALB_IDLE_TIMEOUT} s (AWS default ${DEFAULT_ALB_IDLE_TIMEOUT} s): LLM streams sit silent while the model thinks.` +
        see("streaming-and-routing"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfTypes<aws.lb.LoadBalancerArgs>(LOAD_BALANCERS, (lb, args, report) => {
        if ((lb.loadBalancerType ?? "application") !== "application") {
            return args.notApplicable("idle timeout applies to application load balancers");
        }
        const timeout = lb.idleTimeout ?? DEFAULT_ALB_IDLE_TIMEOUT;
        if (timeout < MIN_ALB_IDLE_TIMEOUT) {
            report(
                `idleTimeout is ${timeout} s; silent LLM streams end in 504 — use at least ${MIN_ALB_IDLE_TIMEOUT} (onehub:albIdleTimeout)`,
            );
        }
    }),
};

export const cloudFrontOriginReadTimeout: ResourceValidationPolicy = {
    name: "cloudfront-origin-read-timeout",
    description:
        `CloudFront custom and VPC origins wait at least ${MIN_ORIGIN_READ_TIMEOUT} s for the origin (AWS default ${DEFAULT_ORIGIN_READ_TIMEOUT} s).` +
        see("streaming-and-routing"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, _, report) => {
        for (const origin of distribution.origins ?? []) {
            const config = origin.vpcOriginConfig ?? origin.customOriginConfig;
            if (!config) {
                continue;
            }
            const timeout = config.originReadTimeout ?? DEFAULT_ORIGIN_READ_TIMEOUT;
            if (timeout < MIN_ORIGIN_READ_TIMEOUT) {
                report(
                    `origin ${origin.originId} has originReadTimeout ${timeout} s; slow first tokens end in 504 — use at least ${MIN_ORIGIN_READ_TIMEOUT} (onehub:originReadTimeout)`,
                );
            }
        }
    }),
};

export const cloudFrontApiNotCached: ResourceValidationPolicy = {
    name: "cloudfront-api-not-cached",
    description:
        "The default cache behavior passes the API through: CachingDisabled, AllViewerExceptHostHeader (Authorization and bodies reach OneHub), all HTTP methods, and no error response cached." +
        see("streaming-and-routing"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, _, report) => {
        const behavior = distribution.defaultCacheBehavior;
        if (behavior?.cachePolicyId !== CACHING_DISABLED) {
            report(
                `the default cache behavior uses cache policy ${JSON.stringify(behavior?.cachePolicyId ?? null)}; an API must use CachingDisabled (${CACHING_DISABLED})`,
            );
        }
        if (behavior?.originRequestPolicyId !== ALL_VIEWER_EXCEPT_HOST_HEADER) {
            report(
                `the default cache behavior uses origin request policy ${JSON.stringify(behavior?.originRequestPolicyId ?? null)}; use AllViewerExceptHostHeader (${ALL_VIEWER_EXCEPT_HOST_HEADER})`,
            );
        }
        const missing = ALL_METHODS.filter((m) => !(behavior?.allowedMethods ?? []).includes(m));
        if (missing.length > 0) {
            report(`the default cache behavior does not allow ${missing.join(", ")}`);
        }
        const ttl = new Map((distribution.customErrorResponses ?? []).map((e) => [e.errorCode, e.errorCachingMinTtl]));
        const cached = CACHED_ERROR_CODES.filter((code) => ttl.get(code) !== 0);
        if (cached.length > 0) {
            report(
                `error responses ${cached.join(", ")} are cached (errorCachingMinTtl not 0); a cached 502 outlives the deploy that caused it`,
            );
        }
    }),
};

export const listenerRulePrioritiesUnique: StackValidationPolicy = {
    name: "listener-rule-priorities-unique",
    description:
        "Listener rules on the same listener have distinct priorities: a shadowed rule silently sends traffic to the wrong node." +
        see("streaming-and-routing"),
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const rules = args.resources.filter((r) => isAny(r, LISTENER_RULES));
        if (rules.length === 0) {
            return args.notApplicable("no listener rules in the stack");
        }
        const byKey = new Map<string, PolicyResource[]>();
        for (const rule of rules) {
            // Without a priority AWS assigns the next free one.
            if (rule.props.priority === undefined) {
                continue;
            }
            const key = `${rule.props.listenerArn}\u0000${rule.props.priority}`;
            byKey.set(key, [...(byKey.get(key) ?? []), rule]);
        }
        for (const same of byKey.values()) {
            if (same.length > 1) {
                for (const rule of same) {
                    report(
                        `${rule.name} shares priority ${rule.props.priority} with ${same
                            .filter((o) => o !== rule)
                            .map((o) => o.name)
                            .join(", ")} on the same listener`,
                        rule.urn,
                    );
                }
            }
        }
    },
};

export const targetGroupHealthCheck: ResourceValidationPolicy = {
    name: "target-group-health-check",
    description:
        `HTTP target groups health-check ${HEALTH_CHECK_PATH}, which OneHub answers from memory on both node types (AWS's default path "/" is the web UI).` +
        see("streaming-and-routing"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfTypes<aws.lb.TargetGroupArgs>(TARGET_GROUPS, (group, args, report) => {
        if (group.targetType === "lambda" || !["HTTP", "HTTPS", undefined].includes(group.protocol)) {
            return args.notApplicable("health check paths apply to HTTP target groups");
        }
        const check = group.healthCheck;
        if (check?.enabled === false) {
            report("has its health check disabled");
        } else if (check?.path !== HEALTH_CHECK_PATH) {
            report(`health-checks ${JSON.stringify(check?.path ?? "/")}; use ${HEALTH_CHECK_PATH}`);
        }
    }),
};

export const timeZoneUtc: ResourceValidationPolicy = {
    name: "time-zone-utc",
    description:
        "Aurora's time_zone and every OneHub container's TZ are UTC: daily statistics mix MySQL session time and Go time." +
        see("one-master-many-slaves"),
    enforcementLevel: MANDATORY,
    validateResource: [
        validateResourceOfType(aws.rds.ClusterParameterGroup, (group, args, report) => {
            if (!/mysql/.test(group.family ?? "")) {
                return args.notApplicable("applies to MySQL parameter groups");
            }
            // RDS's default time_zone is UTC; only an explicit other value breaks the match.
            const tz = (group.parameters ?? []).find((p) => p.name === "time_zone");
            if (tz !== undefined && tz.value !== "UTC") {
                report(`sets time_zone ${JSON.stringify(tz.value)}; OneHub's containers run in UTC`);
            }
        }),
        validateResourceOfType(aws.ecs.TaskDefinition, (task, args, report) => {
            const containers = containersOf(task, report).filter(isOneHubContainer);
            if (containers.length === 0) {
                return args.notApplicable("no OneHub container in this task definition");
            }
            for (const container of containers) {
                // The image's own zone is not ours to rely on: TZ is set explicitly.
                const tz = envOf(container).TZ;
                if (tz !== "UTC") {
                    report(`container ${container.name} has TZ ${JSON.stringify(tz ?? null)}; set TZ=UTC to match the database`);
                }
            }
        }),
    ],
};

export const imageTagPinned: ResourceValidationPolicy = {
    name: "image-tag-pinned",
    description:
        "Container images are pinned to a digest or a tag that does not move, never latest/dev/…; OneHub's own containers run a release tag (vX.Y.Z, optionally -suffix) or a sha256 digest: a slave scaling out later would otherwise pull code newer than the schema the master migrated." +
        see("one-master-many-slaves"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _, report) => {
        for (const container of containersOf(task, report)) {
            const reason = floatingImageReason(container.image ?? "", isOneHubContainer(container));
            if (reason) {
                report(
                    `container ${container.name} image ${JSON.stringify(container.image ?? "")} ${reason}; pin a release such as v0.14.27 (onehub:imageTag) or a digest (onehub:imageDigest)`,
                );
            }
        }
    }),
};

/** The OneHub guardrails, in the order reports list them. */
export const onehubPolicies: Policies = [
    masterSingleton,
    slaveNodeSettings,
    nodesShareSecretsAndImage,
    slavesDeployAfterMaster,
    sqlDsnFormat,
    albIdleTimeoutStreaming,
    cloudFrontOriginReadTimeout,
    cloudFrontApiNotCached,
    listenerRulePrioritiesUnique,
    targetGroupHealthCheck,
    timeZoneUtc,
    imageTagPinned,
];
