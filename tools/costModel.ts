// Estimates what a stack costs per month at idle and under a stated load, from the resources the
// offline plan registers and the price table. Pure arithmetic: every assumption is a parameter
// or a line in `ASSUMPTIONS`, and the CLI prints them.
import { RegisteredResource, StackRun } from "./offlineStack";
import { DAYS_PER_MONTH, EC2_INSTANCE_HOUR, FREE_TIER, HOURS_PER_MONTH, PRICES, SPOT_DISCOUNT_PERCENT } from "./pricing";

const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const KB_PER_GB = 1024 * 1024;

export interface Load {
    /** API requests per month. */
    requestsPerMonth: number;
    /** Average request body, KB (prompts). */
    requestKb: number;
    /** Average response, KB (completions). */
    responseKb: number;
    /** GB served to viewers per month; default requests × responseKb. */
    gbOut?: number;
    /** Requests per second one slave vCPU sustains at the scaling target. */
    rpsPerVcpu: number;
    /** Extra Aurora ACUs per request per second (each relay request makes ~6 small writes). */
    acuPerRps: number;
    /** Aurora I/O operations per request. */
    ioPerRequest: number;
    /** CloudWatch log volume per request, KB. */
    logKbPerRequest: number;
    /** Share (0–1) of the upstream traffic that goes to Bedrock in the stack's region (a Bedrock endpoint carries it instead of the NAT). */
    bedrockShare: number;
    /** ElastiCache Processing Units per relay request with a shared Redis (token, user, quota, limiter). */
    ecpuPerRequest: number;
    /** Fargate Spot's discount on the on-demand price, percent (0–90). */
    spotDiscountPercent: number;
}

export const DEFAULT_LOAD: Load = {
    requestsPerMonth: 1_000_000,
    requestKb: 4,
    responseKb: 8,
    rpsPerVcpu: 40,
    acuPerRps: 0.05,
    ioPerRequest: 10,
    logKbPerRequest: 1,
    bedrockShare: 0,
    ecpuPerRequest: 10,
    spotDiscountPercent: SPOT_DISCOUNT_PERCENT,
};

export const IDLE: Load = { ...DEFAULT_LOAD, requestsPerMonth: 0, gbOut: 0 };

export const ASSUMPTIONS = [
    "Prices: us-east-1 list prices (tools/pricing.ts); other regions differ. Free tiers are not subtracted (they are per account).",
    "Fargate Spot at the stated discount on on-demand (it floats; AWS says up to 70 %); ARM64 (Graviton) tasks at the ARM prices.",
    "Idle: no API traffic; tasks at their minimum count; the database at its minimum ACUs for the share of the time it is awake.",
    "A 0-ACU database pauses after its delay without a connection; OneHub wakes it with the master's statistics job (every 600 s), each slave's cache sync (SYNC_FREQUENCY) and channel tests: each wake keeps it awake the delay + 15 s resume (+ SQL_MAX_LIFETIME when pools keep idle connections), overlaps not subtracted. Under load it is always awake.",
    "NAT: each gateway or NAT instance has one public IPv4 address; upstream LLM traffic (request + response) passes it, the request bodies leave AWS (data transfer out), and tasks in an AZ without its own NAT send it across AZs.",
    "NAT instance: its hours, a 4 GiB gp3 root volume (fck-nat's image size) and its Elastic IP; no per-GB processing charge.",
    "ALB LCUs: the larger of processed GB per hour and new connections per second / 25.",
    "Aurora readers in promotion tier 0–1 scale with the writer, so each costs as much as the writer.",
    "Aurora storage: 1 GB base plus 1 KB of logs/billing rows per request, kept for one month.",
    "Container Insights: custom metrics per metric and dimension set — 12 per cluster, 15 per service, 10 per task family (enhanced: + ~20 per running task) — plus ~2 KB of performance log events per task per minute.",
    "Monitoring: $0.10 per alarm metric (metric math: each metric in it; anomaly detection: 3), $0.50 per composite alarm, $3 per dashboard (the free tier of 10 alarms and 3 dashboards per account is not subtracted); SNS e-mail, ECS events on the default bus and a budget without actions cost nothing.",
    "Idle logs: ~10 health-check log lines per task per minute, 200 bytes each.",
    "Bedrock: --bedrock-share of the upstream traffic goes to Bedrock in the stack's region; with a Bedrock VPC endpoint it skips the NAT (other regions still pass it).",
    "ElastiCache Serverless (Valkey): the metered minimum of 100 MB stored (OneHub's keys expire within SYNC_FREQUENCY), ~10 ECPUs per request; idle health checks' ECPUs are left out (cents).",
    "CloudFront Functions: one viewer-request invocation per request, after the 2 M-a-month free tier.",
    "The Spot drain's Lambda and EventBridge rule run only on Spot interruptions: left out.",
    "Deploy-time steps (Lambda functions, the Data API) run only during pulumi up: per update at most their timeouts at 128 MB and a few statements, fractions of a cent; not counted per month.",
    "WAF logs (wafLogging): ~2 KB per request (one JSON record with headers, labels and rule matches), at the vended-logs price.",
];

/** Size of one WAF log record, KB. */
const WAF_LOG_KB_PER_REQUEST = 2;

export interface CostLine {
    item: string;
    idle: number;
    load: number;
    detail: string;
}

interface Rates {
    rps: number;
    requests: number;
    /** GB of API traffic, request and response (what passes the ALB, the tasks and the NAT upstream). */
    gbThroughput: number;
    /** GB of request bodies sent upstream (what leaves AWS through NAT). */
    gbUpstreamOut: number;
    gbOut: number;
}

function rates(load: Load): Rates {
    const requests = load.requestsPerMonth;
    return {
        rps: requests / SECONDS_PER_MONTH,
        requests,
        gbThroughput: (requests * (load.requestKb + load.responseKb)) / KB_PER_GB,
        gbUpstreamOut: (requests * load.requestKb) / KB_PER_GB,
        gbOut: load.gbOut ?? (requests * load.responseKb) / KB_PER_GB,
    };
}

const ofType = (run: StackRun, type: string) => run.resources.filter((r) => r.type === type);
const under = (run: StackRun, r: RegisteredResource, componentType: string) => {
    const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
    for (let p = byUrn.get(r.parent); p; p = byUrn.get(p.parent)) {
        if (p.type === componentType) {
            return true;
        }
    }
    return false;
};

/** NAT gateways the VPC gets: none for an existing VPC or with NAT instances (the Vpc then has "None"). */
export function natGatewayCount(run: StackRun): number {
    return ofType(run, "awsx:ec2:Vpc").reduce((n, vpc) => {
        const strategy = vpc.inputs.natGateways?.strategy ?? "OnePerAz";
        return n + (strategy === "None" ? 0 : strategy === "Single" ? 1 : zonesOf(vpc));
    }, 0);
}

const zonesOf = (vpc: RegisteredResource): number => vpc.inputs.availabilityZoneNames?.length ?? vpc.inputs.numberOfAvailabilityZones ?? 3;

/** The NAT instances (their launch templates' types) and the Elastic IPs of the NatInstance components. */
export function natInstances(run: StackRun): { instanceTypes: string[]; elasticIps: number } {
    const inNat = (r: RegisteredResource) => under(run, r, "onehub:index:NatInstance");
    return {
        instanceTypes: ofType(run, "aws:ec2/launchTemplate:LaunchTemplate")
            .filter(inNat)
            .map((t) => t.inputs.instanceType),
        elasticIps: ofType(run, "aws:ec2/eip:Eip").filter(inNat).length,
    };
}

/** The hourly price of an instance type; a type the table lacks is an error naming the table. */
export function instanceHour(type: string): number {
    const price = EC2_INSTANCE_HOUR[type];
    if (price === undefined) {
        throw new Error(`no price for the instance type ${type}: add it to EC2_INSTANCE_HOUR in tools/pricing.ts`);
    }
    return price;
}

/** The share of upstream NAT traffic that crosses AZs: tasks in zones without a NAT of their own. */
export function crossAzShare(zones: number, natPoints: number): number {
    return zones <= 0 || natPoints === 0 || natPoints >= zones ? 0 : (zones - natPoints) / zones;
}

/** Splits `tasks` over on-demand and Spot as ECS does: the base first, then by weight. */
export function splitCapacity(
    strategies: { capacityProvider: string; base?: number; weight?: number }[],
    tasks: number,
): { onDemand: number; spot: number } {
    let onDemand = 0;
    let spot = 0;
    let left = tasks;
    for (const s of strategies) {
        const base = Math.min(s.base ?? 0, left);
        if (s.capacityProvider === "FARGATE_SPOT") {
            spot += base;
        } else {
            onDemand += base;
        }
        left -= base;
    }
    const totalWeight = strategies.reduce((n, s) => n + (s.weight ?? 0), 0);
    const spotWeight = strategies.filter((s) => s.capacityProvider === "FARGATE_SPOT").reduce((n, s) => n + (s.weight ?? 0), 0);
    const toSpot = totalWeight === 0 ? 0 : (left * spotWeight) / totalWeight;
    return { onDemand: onDemand + left - toSpot, spot: spot + toSpot };
}

interface ServiceShape {
    name: string;
    /** The task definition's family (Container Insights' TaskDefinitionFamily dimension). */
    family: string;
    vcpu: number;
    gb: number;
    arm: boolean;
    min: number;
    max: number;
    strategies: { capacityProvider: string; base?: number; weight?: number }[];
    scaled: boolean;
    /** The task's plain environment. */
    env: Record<string, string>;
}

function services(run: StackRun): ServiceShape[] {
    // A service's task definition and scaling target are its siblings in the same component.
    const sibling = (s: RegisteredResource, type: string) => ofType(run, type).find((r) => r.parent === s.parent);
    return ofType(run, "aws:ecs/service:Service").map((s) => {
        const task = sibling(s, "aws:ecs/taskDefinition:TaskDefinition");
        const target = sibling(s, "aws:appautoscaling/target:Target");
        let env: Record<string, string> = {};
        try {
            const [container] = JSON.parse(task?.inputs.containerDefinitions ?? "[]");
            env = Object.fromEntries((container?.environment ?? []).map((e: any) => [e.name, e.value]));
        } catch {
            env = {};
        }
        return {
            name: s.name,
            family: task?.inputs.family ?? s.name,
            vcpu: Number(task?.inputs.cpu ?? 256) / 1024,
            gb: Number(task?.inputs.memory ?? 512) / 1024,
            arm: task?.inputs.runtimePlatform?.cpuArchitecture === "ARM64",
            min: target?.inputs.minCapacity ?? s.inputs.desiredCount ?? 1,
            max: target?.inputs.maxCapacity ?? s.inputs.desiredCount ?? 1,
            strategies: s.inputs.capacityProviderStrategies ?? [{ capacityProvider: "FARGATE", weight: 1 }],
            scaled: target !== undefined,
            env,
        };
    });
}

/** Tasks a service runs on average: scaled services follow the request rate within their bounds. */
export function averageTasks(
    service: { vcpu: number; min: number; max: number; scaled: boolean },
    rps: number,
    rpsPerVcpu: number,
): number {
    if (!service.scaled) {
        return service.min;
    }
    return Math.min(service.max, Math.max(service.min, Math.ceil(rps / (rpsPerVcpu * service.vcpu))));
}

/** Fargate's price per task-hour of a shape: x86 or ARM, on-demand or Spot at `spotDiscountPercent`. */
export function fargateTaskHour(s: { vcpu: number; gb: number; arm: boolean }, spot: boolean, spotDiscountPercent: number): number {
    const onDemand = s.arm
        ? s.vcpu * PRICES.fargateArmVcpuHour + s.gb * PRICES.fargateArmGbHour
        : s.vcpu * PRICES.fargateVcpuHour + s.gb * PRICES.fargateGbHour;
    return spot ? onDemand * (1 - spotDiscountPercent / 100) : onDemand;
}

function fargateMonth(s: ServiceShape, tasks: number, spotDiscountPercent: number): number {
    const { onDemand, spot } = splitCapacity(s.strategies, tasks);
    return (
        HOURS_PER_MONTH * (onDemand * fargateTaskHour(s, false, spotDiscountPercent) + spot * fargateTaskHour(s, true, spotDiscountPercent))
    );
}

// ---- Container Insights ----------------------------------------------------------------------

/**
 * Container Insights metrics for Amazon ECS on Fargate and the dimension sets CloudWatch publishes
 * each under (Amazon CloudWatch User Guide, "Amazon ECS Container Insights metrics"). Each
 * metric × dimension set is one custom metric.
 */
export const CONTAINER_INSIGHTS = {
    /** CpuUtilized/Reserved, MemoryUtilized/Reserved, NetworkRx/TxBytes, StorageRead/WriteBytes, EphemeralStorageUtilized/Reserved: under ClusterName; ClusterName+ServiceName; ClusterName+TaskDefinitionFamily. */
    resourceMetrics: 10,
    /** TaskCount and ServiceCount, under ClusterName only. */
    clusterOnlyMetrics: 2,
    /** DesiredTaskCount, RunningTaskCount, PendingTaskCount, DeploymentCount, TaskSetCount, under ClusterName+ServiceName. */
    serviceOnlyMetrics: 5,
    /** Enhanced observability adds task-level (TaskId) and container-level (ContainerName) metrics: ~10 each per running task. */
    enhancedPerTask: 20,
    /** Performance log events (task and container, once a minute) ingested into /aws/ecs/containerinsights/<cluster>/performance. */
    logKbPerTaskMinute: 2,
};

/**
 * The custom metrics and performance-log GB a month Container Insights bills for one cluster in
 * `mode` ("disabled", "enabled", "enhanced") with these services (distinct task families) and
 * `runningTasks` tasks on average.
 */
export function containerInsightsUsage(
    mode: string,
    services: { family: string }[],
    runningTasks: number,
): { metrics: number; logsGb: number; detail: string } {
    if (mode !== "enabled" && mode !== "enhanced") {
        return { metrics: 0, logsGb: 0, detail: "disabled" };
    }
    const ci = CONTAINER_INSIGHTS;
    const families = new Set(services.map((s) => s.family)).size;
    const cluster = ci.resourceMetrics + ci.clusterOnlyMetrics;
    const perService = ci.resourceMetrics + ci.serviceOnlyMetrics;
    const perFamily = ci.resourceMetrics;
    const perTask = mode === "enhanced" ? ci.enhancedPerTask : 0;
    const metrics = cluster + services.length * perService + families * perFamily + Math.ceil(runningTasks) * perTask;
    const logsGb = (runningTasks * ci.logKbPerTaskMinute * 60 * HOURS_PER_MONTH) / KB_PER_GB;
    return {
        metrics,
        logsGb,
        detail:
            `${mode}: ${cluster} cluster + ${services.length} × ${perService} service + ${families} × ${perFamily} task-family` +
            (perTask ? ` + ${Math.ceil(runningTasks)} × ${perTask} task` : "") +
            ` = ${metrics} metrics, ${logsGb.toFixed(2)} GB of performance logs`,
    };
}

// ---- Aurora auto-pause -----------------------------------------------------------------------

/** OneHub's master runs `update_statistics` every 10 minutes (cron/main.go), whatever the traffic. */
export const ONEHUB_STATISTICS_SECONDS = 600;
/** A paused Aurora Serverless v2 instance takes about 15 s to resume. */
export const AURORA_RESUME_SECONDS = 15;

/** What wakes the database at idle: one periodic source (a task's loop), with its period in seconds. */
export interface WakeSource {
    what: string;
    periodSeconds: number;
}

/** The idle wake-ups of OneHub's tasks, from their environment: the master's cron and channel tests, every cached node's syncs. */
export function oneHubWakeSources(tasks: { env: Record<string, string>; count: number }[]): WakeSource[] {
    const sources: WakeSource[] = [];
    for (const t of tasks) {
        for (let i = 0; i < t.count; i++) {
            if (t.env.NODE_TYPE !== "slave") {
                sources.push({ what: "master statistics job", periodSeconds: ONEHUB_STATISTICS_SECONDS });
            }
            const testMinutes = Number(t.env.CHANNEL_TEST_FREQUENCY ?? 0);
            if (testMinutes > 0) {
                sources.push({ what: "channel tests", periodSeconds: testMinutes * 60 });
            }
            if (t.env.MEMORY_CACHE_ENABLED === "true") {
                sources.push({ what: `${t.env.NODE_TYPE ?? "master"} cache sync`, periodSeconds: Number(t.env.SYNC_FREQUENCY ?? 600) });
            }
        }
    }
    return sources;
}

/**
 * The share of the time a 0-ACU database is awake at idle: each wake keeps it awake for the pause
 * delay plus the resume (plus the pools' connection lifetime when they keep idle connections);
 * summed over the sources without subtracting overlaps, so an upper bound. A source that wakes it
 * more often than the delay keeps it awake for good.
 */
export function auroraIdleAwakeShare(secondsUntilAutoPause: number, sources: WakeSource[], idleConnectionHoldSeconds = 0): number {
    const awakePerWake = secondsUntilAutoPause + AURORA_RESUME_SECONDS + idleConnectionHoldSeconds;
    if (sources.some((s) => s.periodSeconds <= secondsUntilAutoPause + idleConnectionHoldSeconds)) {
        return 1;
    }
    return Math.min(
        1,
        sources.reduce((n, s) => n + awakePerWake / s.periodSeconds, 0),
    );
}

// ---- the estimate ----------------------------------------------------------------------------

/** Monthly cost lines for `run` at idle and under `load`. */
export function estimate(run: StackRun, load: Load = DEFAULT_LOAD): CostLine[] {
    const idle = rates({ ...load, requestsPerMonth: 0, gbOut: 0 });
    const busy = rates(load);
    const both = (item: string, detail: string, f: (r: Rates) => number): CostLine => ({ item, detail, idle: f(idle), load: f(busy) });
    const lines: CostLine[] = [];
    const shapes = services(run);

    // NAT: gateways (awsx) or instances (NatInstance), their addresses, and the traffic through them.
    const gateways = natGatewayCount(run);
    const nat = natInstances(run);
    const endpointAzs = bedrockEndpointAzs(run);
    // What a Bedrock endpoint carries no longer passes the NAT.
    const natGb = (r: Rates) => r.gbThroughput * (endpointAzs > 0 ? 1 - load.bedrockShare : 1);
    if (gateways > 0) {
        lines.push(
            both(
                "NAT gateways",
                `${gateways} × hours + GB processed`,
                (r) => gateways * HOURS_PER_MONTH * PRICES.natGatewayHour + natGb(r) * PRICES.natGatewayGb,
            ),
        );
    }
    if (nat.instanceTypes.length > 0) {
        const hourly = nat.instanceTypes.reduce((n, t) => n + instanceHour(t), 0);
        const ebs = nat.instanceTypes.length * NAT_INSTANCE_VOLUME_GB * PRICES.ebsGp3GbMonth;
        lines.push(
            both(
                "NAT instances",
                `${nat.instanceTypes.join(" + ")} + ${nat.instanceTypes.length} × ${NAT_INSTANCE_VOLUME_GB} GiB gp3`,
                () => hourly * HOURS_PER_MONTH + ebs,
            ),
        );
    }
    const addresses = gateways + nat.elasticIps;
    lines.push(both("Public IPv4 (NAT)", `${addresses} address(es)`, () => addresses * HOURS_PER_MONTH * PRICES.publicIpv4Hour));
    lines.push(
        both("Data transfer out (upstream)", "request bodies to the LLM providers", (r) => r.gbUpstreamOut * PRICES.dataTransferOutGb),
    );
    const vpcs = ofType(run, "awsx:ec2:Vpc");
    if (vpcs.length > 0) {
        const zones = zonesOf(vpcs[0]);
        const share = crossAzShare(zones, gateways + nat.instanceTypes.length);
        lines.push(
            both(
                "Cross-AZ to NAT",
                `${Math.round(share * 100)} % of upstream traffic from AZs without a NAT`,
                (r) => r.gbThroughput * share * 2 * PRICES.interAzGbEachWay,
            ),
        );
    }

    if (endpointAzs > 0) {
        lines.push(
            both(
                "Bedrock VPC endpoint",
                `${endpointAzs} AZ(s) × hours + GB processed (${Math.round(load.bedrockShare * 100)} % of upstream traffic)`,
                (r) => endpointAzs * HOURS_PER_MONTH * PRICES.vpcEndpointAzHour + r.gbThroughput * load.bedrockShare * PRICES.vpcEndpointGb,
            ),
        );
    }

    const albs = ofType(run, "aws:lb/loadBalancer:LoadBalancer").length;
    lines.push(
        both("Application Load Balancer", `${albs} × hours + LCU`, (r) => {
            const lcu = Math.max(r.gbThroughput / HOURS_PER_MONTH, r.rps / 25);
            return albs * HOURS_PER_MONTH * (PRICES.albHour + lcu * PRICES.albLcuHour);
        }),
    );

    for (const s of shapes) {
        const tasks = (r: Rates) => averageTasks(s, r.rps, load.rpsPerVcpu);
        const { onDemand, spot } = splitCapacity(s.strategies, tasks(idle));
        lines.push(
            both(
                `Fargate ${s.name}`,
                `${s.vcpu} vCPU / ${s.gb} GB ${s.arm ? "ARM64" : "x86"} × ${s.min}${s.scaled ? `–${s.max}` : ""} task(s); idle ${onDemand} on-demand + ${spot} Spot (−${load.spotDiscountPercent} %)`,
                (r) => fargateMonth(s, tasks(r), load.spotDiscountPercent),
            ),
        );
    }

    for (const c of ofType(run, "aws:rds/cluster:Cluster")) {
        const scaling = c.inputs.serverlessv2ScalingConfiguration ?? { minCapacity: 0.5, maxCapacity: 1 };
        const instances = ofType(run, "aws:rds/clusterInstance:ClusterInstance").filter((i) => i.parent === c.parent).length;
        const pause = scaling.minCapacity === 0 ? (scaling.secondsUntilAutoPause ?? 0) : 0;
        // A pausing database runs at 0.5 ACU (the least above 0) while it is awake.
        const floor = pause > 0 ? 0.5 : scaling.minCapacity;
        const holdsIdle = shapes.some((s) => Number(s.env.SQL_MAX_IDLE_CONNS ?? 0) > 0);
        const hold = holdsIdle ? Math.max(...shapes.map((s) => Number(s.env.SQL_MAX_LIFETIME ?? 0))) : 0;
        const sources = oneHubWakeSources(shapes.map((s) => ({ env: s.env, count: s.min })));
        const awake = pause > 0 ? auroraIdleAwakeShare(pause, sources, hold) : 1;
        const acu = (r: Rates) => Math.min(scaling.maxCapacity, floor + r.rps * load.acuPerRps);
        const share = (r: Rates) => (r.requests > 0 ? 1 : awake);
        lines.push(
            both(
                "Aurora Serverless v2 compute",
                `${instances} instance(s) × ${scaling.minCapacity}–${scaling.maxCapacity} ACU` +
                    (pause > 0
                        ? `; awake ${Math.round(awake * 100)} % at idle (pauses after ${pause} s; ${describeWakes(sources)}), always under load`
                        : ""),
                (r) => instances * acu(r) * share(r) * HOURS_PER_MONTH * PRICES.auroraAcuHour,
            ),
        );
        lines.push(
            both(
                "Aurora storage and I/O",
                "1 GB + 1 KB per request; I/O per request",
                (r) =>
                    (1 + r.requests / KB_PER_GB) * PRICES.auroraStorageGbMonth +
                    (r.requests * load.ioPerRequest * PRICES.auroraIoPerMillion) / 1e6,
            ),
        );
    }

    lines.push(
        both(
            "CloudFront",
            "HTTPS requests + GB out (free tier not subtracted)",
            (r) => (r.requests / 10_000) * PRICES.cloudfrontHttpsPer10k + r.gbOut * PRICES.cloudfrontGbOut,
        ),
    );

    const functions = ofType(run, "aws:cloudfront/function:Function").length;
    if (functions > 0) {
        lines.push(
            both(
                "CloudFront Functions",
                `${functions} viewer-request function(s), one invocation per request, after the free tier`,
                (r) =>
                    (functions * Math.max(0, r.requests - PRICES.cloudfrontFreeFunctionInvocations) * PRICES.cloudfrontFunctionPerMillion) /
                    1e6,
            ),
        );
    }

    for (const cache of ofType(run, "aws:elasticache/serverlessCache:ServerlessCache")) {
        const limits = cache.inputs.cacheUsageLimits ?? {};
        const maxGb: number | undefined = limits.dataStorage?.maximum;
        const maxEcpu: number | undefined = limits.ecpuPerSeconds?.[0]?.maximum;
        const ceiling =
            maxGb !== undefined && maxEcpu !== undefined
                ? maxGb * HOURS_PER_MONTH * PRICES.valkeyServerlessGbHour +
                  (maxEcpu * SECONDS_PER_MONTH * PRICES.valkeyServerlessPerMillionEcpu) / 1e6
                : undefined;
        lines.push(
            both(
                "ElastiCache Serverless (Valkey)",
                `${PRICES.valkeyServerlessMinimumGb} GB stored (the minimum) + ${load.ecpuPerRequest} ECPUs per request; caps ${maxGb ?? "none"} GB, ${maxEcpu ?? "no"} ECPU/s${ceiling === undefined ? "" : ` (at most $${ceiling.toFixed(0)}/month)`}`,
                (r) =>
                    PRICES.valkeyServerlessMinimumGb * HOURS_PER_MONTH * PRICES.valkeyServerlessGbHour +
                    (r.requests * load.ecpuPerRequest * PRICES.valkeyServerlessPerMillionEcpu) / 1e6,
            ),
        );
    }

    for (const acl of ofType(run, "aws:wafv2/webAcl:WebAcl")) {
        const rules = acl.inputs.rules?.length ?? 0;
        lines.push(
            both(
                "WAF",
                `1 web ACL + ${rules} rules + requests`,
                (r) => PRICES.wafWebAclMonth + rules * PRICES.wafRuleMonth + (r.requests / 1e6) * PRICES.wafPerMillionRequests,
            ),
        );
    }

    for (const _logging of ofType(run, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")) {
        lines.push(
            both(
                "WAF logs",
                `~${WAF_LOG_KB_PER_REQUEST} KB per request into CloudWatch Logs`,
                (r) => ((r.requests * WAF_LOG_KB_PER_REQUEST) / KB_PER_GB) * (PRICES.vendedLogsIngestGb + PRICES.logsStorageGbMonth),
            ),
        );
    }
    const steps = ofType(run, "aws:lambda/function:Function");
    const perUpdate = stepCostPerUpdate(steps);
    lines.push(
        both(
            "Deploy-time steps",
            `${steps.length} Lambda function(s), run only by pulumi up: at most $${perUpdate.toFixed(4)} per update`,
            () => 0,
        ),
    );

    const secrets = ofType(run, "aws:secretsmanager/secret:Secret").length;
    lines.push(both("Secrets Manager", `${secrets} secrets`, () => secrets * PRICES.secretMonth));

    for (const cluster of ofType(run, "aws:ecs/cluster:Cluster")) {
        const mode = cluster.inputs.settings?.find((s: any) => s.name === "containerInsights")?.value ?? "disabled";
        const usage = (r: Rates) =>
            containerInsightsUsage(
                mode,
                shapes,
                shapes.reduce((n, s) => n + averageTasks(s, r.rps, load.rpsPerVcpu), 0),
            );
        lines.push(
            both(
                "CloudWatch Container Insights",
                usage(idle).detail,
                (r) => usage(r).metrics * PRICES.customMetricMonth + usage(r).logsGb * (PRICES.logsIngestGb + PRICES.logsStorageGbMonth),
            ),
        );
    }
    lines.push(...monitoringLines(run, both));
    lines.push(
        both("CloudWatch Logs", "health checks + per-request logs", (r) => {
            const taskCount = shapes.reduce((n, s) => n + averageTasks(s, r.rps, load.rpsPerVcpu), 0);
            const healthGb = (taskCount * 10 * 60 * HOURS_PER_MONTH * 0.2) / KB_PER_GB;
            const gb = healthGb + (r.requests * load.logKbPerRequest) / KB_PER_GB;
            return gb * (PRICES.logsIngestGb + PRICES.logsStorageGbMonth);
        }),
    );
    return lines;
}

type Both = (item: string, detail: string, f: (r: Rates) => number) => CostLine;

/** What the monitoring costs a month: alarms by kind, dashboards, CloudFront's additional metrics. */
export function monitoringCost(run: StackRun): {
    alarmMetrics: number;
    composites: number;
    dashboards: number;
    cloudfrontMetrics: number;
    month: number;
} {
    const alarmMetrics = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").reduce((n, a) => {
        const metrics = (a.inputs.metricQueries ?? []).filter((q: any) => q.metric).length;
        return n + (a.inputs.thresholdMetricId ? PRICES.anomalyAlarmMetrics * Math.max(1, metrics) : Math.max(1, metrics));
    }, 0);
    const composites = ofType(run, "aws:cloudwatch/compositeAlarm:CompositeAlarm").length;
    const dashboards = ofType(run, "aws:cloudwatch/dashboard:Dashboard").length;
    const cloudfrontMetrics =
        ofType(run, "aws:cloudfront/monitoringSubscription:MonitoringSubscription").length * PRICES.cloudfrontAdditionalMetrics;
    const month =
        alarmMetrics * PRICES.alarmMetricMonth +
        composites * PRICES.compositeAlarmMonth +
        dashboards * PRICES.dashboardMonth +
        cloudfrontMetrics * PRICES.customMetricMonth;
    return { alarmMetrics, composites, dashboards, cloudfrontMetrics, month };
}

function monitoringLines(run: StackRun, both: Both): CostLine[] {
    const m = monitoringCost(run);
    if (m.month === 0) {
        return [];
    }
    return [
        both(
            "CloudWatch alarms and dashboard",
            `${m.alarmMetrics} alarm metrics, ${m.composites} composite, ${m.dashboards} dashboard${m.cloudfrontMetrics ? `, ${m.cloudfrontMetrics} CloudFront metrics` : ""}`,
            () => m.month,
        ),
    ];
}

/** The NAT instance's root volume: fck-nat's AMIs are built with 4 GiB (packer/fck-nat.pkr.hcl). */
export const NAT_INSTANCE_VOLUME_GB = 4;

function describeWakes(sources: WakeSource[]): string {
    const counts = new Map<string, number>();
    for (const s of sources) {
        const key = `${s.what} every ${s.periodSeconds} s`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].map(([key, n]) => (n > 1 ? `${n} × ${key}` : key)).join(", ") || "nothing wakes it";
}

/**
 * What the account's free tiers could take off this stack's month if it had them alone (never
 * subtracted from the totals): custom metrics, log GB, CloudFront and data transfer out.
 */
export function freeTierValue(lines: CostLine[], load: Load): { idle: number; load: number } {
    const value = (r: Rates, column: "idle" | "load") => {
        const ci = lines.find((l) => l.item === "CloudWatch Container Insights")?.[column] ?? 0;
        const metrics = Math.min(FREE_TIER.customMetrics * PRICES.customMetricMonth, ci);
        const logs = Math.min(FREE_TIER.logsGb * PRICES.logsIngestGb, lines.find((l) => l.item === "CloudWatch Logs")?.[column] ?? 0);
        const cloudfront =
            (Math.min(r.requests, FREE_TIER.cloudfrontRequests) / 10_000) * PRICES.cloudfrontHttpsPer10k +
            Math.min(r.gbOut, FREE_TIER.cloudfrontGbOut) * PRICES.cloudfrontGbOut;
        const transfer = Math.min(r.gbUpstreamOut, FREE_TIER.dataTransferOutGb) * PRICES.dataTransferOutGb;
        return metrics + logs + cloudfront + transfer;
    };
    return { idle: value(rates({ ...load, requestsPerMonth: 0, gbOut: 0 }), "idle"), load: value(rates(load), "load") };
}

/**
 * The most one `pulumi up` costs in deploy-time steps: each function invoked once for its whole
 * timeout at its memory (Arm), plus ten Data API statements.
 */
export function stepCostPerUpdate(functions: RegisteredResource[]): number {
    const gbSeconds = functions.reduce((n, f) => n + ((f.inputs.memorySize ?? 128) / 1024) * (f.inputs.timeout ?? 3), 0);
    return (
        gbSeconds * PRICES.lambdaArmGbSecond +
        (functions.length / 1e6) * PRICES.lambdaPerMillionRequests +
        (10 / 1e6) * PRICES.dataApiPerMillionRequests
    );
}

export function totals(lines: CostLine[]): { idleMonth: number; loadMonth: number; idleDay: number; loadDay: number } {
    const idleMonth = lines.reduce((n, l) => n + l.idle, 0);
    const loadMonth = lines.reduce((n, l) => n + l.load, 0);
    return { idleMonth, loadMonth, idleDay: idleMonth / DAYS_PER_MONTH, loadDay: loadMonth / DAYS_PER_MONTH };
}

const BEDROCK_RUNTIME = /^com\.amazonaws\.[a-z0-9-]+\.bedrock-runtime$/;

/** Availability Zones the stack's Bedrock runtime endpoints are billed for (0 without one). */
export function bedrockEndpointAzs(run: StackRun): number {
    return ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint")
        .filter((e) => BEDROCK_RUNTIME.test(String(e.inputs.serviceName ?? "")))
        .reduce((n, e) => n + (e.inputs.subnetIds?.length ?? 0), 0);
}

/** The Availability Zones a new VPC spans (what an endpoint in its private subnets would be billed for). */
function vpcAzs(run: StackRun): number {
    const vpc = ofType(run, "awsx:ec2:Vpc")[0];
    return vpc?.inputs.availabilityZoneNames?.length ?? vpc?.inputs.numberOfAvailabilityZones ?? 0;
}

/**
 * The Bedrock traffic per month above which an endpoint in `azs` zones costs less than NAT
 * processing: its hours ÷ what each GB saves (NAT processing minus endpoint processing).
 */
export function bedrockEndpointBreakEvenGb(azs: number): number {
    return (azs * HOURS_PER_MONTH * PRICES.vpcEndpointAzHour) / (PRICES.natGatewayGb - PRICES.vpcEndpointGb);
}

/**
 * Notes the cost report prints after the table: for a stack with a Bedrock endpoint, or Bedrock
 * credentials without one, the Bedrock traffic at which the endpoint pays for itself.
 */
export function costNotes(run: StackRun, load: Load = DEFAULT_LOAD): string[] {
    const endpointAzs = bedrockEndpointAzs(run);
    const bedrockUser = ofType(run, "aws:iam/userPolicy:UserPolicy").some((p) => String(p.inputs.policy ?? "").includes("bedrock:Invoke"));
    if (endpointAzs === 0 && !bedrockUser) {
        return [];
    }
    const azs = endpointAzs || vpcAzs(run);
    const endpointMonth = azs * HOURS_PER_MONTH * PRICES.vpcEndpointAzHour;
    const state = endpointAzs ? "(on)" : "(bedrockVpcEndpoint, off)";
    if (natGatewayCount(run) === 0 && natInstances(run).instanceTypes.length > 0 && azs > 0) {
        return [
            `Bedrock VPC endpoint ${state}: $${endpointMonth.toFixed(2)}/month for ${azs} AZ(s) + $${PRICES.vpcEndpointGb}/GB; NAT instances charge ` +
                `nothing per GB, so here it never pays for itself in money — it keeps Bedrock traffic off the instance's bandwidth and inside AWS's network.`,
        ];
    }
    if (natGatewayCount(run) === 0 || azs === 0) {
        return ["Bedrock VPC endpoint: the stack has no NAT of its own here, so the estimate cannot compare the two."];
    }
    const gb = bedrockEndpointBreakEvenGb(azs);
    const requests = (gb * KB_PER_GB) / (load.requestKb + load.responseKb);
    return [
        `Bedrock VPC endpoint ${state}: $${endpointMonth.toFixed(2)}/month for ${azs} AZ(s) + $${PRICES.vpcEndpointGb}/GB, ` +
            `against $${PRICES.natGatewayGb}/GB of NAT processing: it pays for itself above ${Math.round(gb)} GB/month of Bedrock traffic ` +
            `to the stack's region (~${(requests / 1e6).toFixed(1)} M requests of ${load.requestKb + load.responseKb} KB).`,
    ];
}
