// Estimates what a stack costs per month at idle and under a stated load, from the resources the
// offline plan registers and the price table. Pure arithmetic: every assumption is a parameter
// or a line in `ASSUMPTIONS`, and the CLI prints them.
import { RegisteredResource, StackRun } from "./offlineStack";
import { DAYS_PER_MONTH, HOURS_PER_MONTH, PRICES } from "./pricing";

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
};

export const IDLE: Load = { ...DEFAULT_LOAD, requestsPerMonth: 0, gbOut: 0 };

export const ASSUMPTIONS = [
    "Prices: us-east-1 list prices (tools/pricing.ts); Fargate Spot at a typical ~70 % discount (it floats).",
    "Idle: no API traffic; the database sits at its minimum ACUs, tasks at their minimum count.",
    "Each NAT gateway has one public IPv4 address; upstream LLM traffic (request + response) passes the NAT.",
    "ALB LCUs: the larger of processed GB per hour and new connections per second / 25.",
    "Aurora readers in promotion tier 0–1 scale with the writer, so each costs as much as the writer.",
    "Aurora storage: 1 GB base plus 1 KB of logs/billing rows per request, kept for one month.",
    "CloudFront: the always-free tier (1 TB, 10 M requests per month) is subtracted.",
    "Container Insights: billed per metric per dimension set — 12 for the cluster, 15 per service, 10 per task family (Fargate; the ECS Container Insights metrics table) — at the custom-metric price.",
    "Monitoring: $0.10 per alarm metric (metric math: each metric in it; anomaly detection: 3), $0.50 per composite alarm, $3 per dashboard (the free tier of 10 alarms and 3 dashboards per account is not subtracted); SNS e-mail, ECS events on the default bus and a budget without actions cost nothing.",
    "Idle logs: ~10 health-check log lines per task per minute, 200 bytes each.",
    "Bedrock: --bedrock-share of the upstream traffic goes to Bedrock in the stack's region; with a Bedrock VPC endpoint it skips the NAT (other regions still pass it).",
    "ElastiCache Serverless (Valkey): the metered minimum of 100 MB stored (OneHub's keys expire within SYNC_FREQUENCY), ~10 ECPUs per request; idle health checks' ECPUs are left out (cents).",
    "CloudFront Functions: one viewer-request invocation per request, after the 2 M-a-month free tier.",
    "The Spot drain's Lambda and EventBridge rule run only on Spot interruptions: left out.",
];

export interface CostLine {
    item: string;
    idle: number;
    load: number;
    detail: string;
}

interface Rates {
    rps: number;
    requests: number;
    gbThroughput: number;
    gbOut: number;
}

function rates(load: Load): Rates {
    const requests = load.requestsPerMonth;
    return {
        rps: requests / SECONDS_PER_MONTH,
        requests,
        gbThroughput: (requests * (load.requestKb + load.responseKb)) / KB_PER_GB,
        gbOut: load.gbOut ?? (requests * load.responseKb) / KB_PER_GB,
    };
}

const ofType = (run: StackRun, type: string) => run.resources.filter((r) => r.type === type);

/** NAT gateways the VPC gets: none for an existing VPC. */
export function natGatewayCount(run: StackRun): number {
    return ofType(run, "awsx:ec2:Vpc").reduce((n, vpc) => {
        const strategy = vpc.inputs.natGateways?.strategy ?? "OnePerAz";
        return n + (strategy === "None" ? 0 : strategy === "Single" ? 1 : (vpc.inputs.numberOfAvailabilityZones ?? 3));
    }, 0);
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
    vcpu: number;
    gb: number;
    min: number;
    max: number;
    strategies: { capacityProvider: string; base?: number; weight?: number }[];
    scaled: boolean;
}

function services(run: StackRun): ServiceShape[] {
    // A service's task definition and scaling target are its siblings in the same component.
    const sibling = (s: RegisteredResource, type: string) => ofType(run, type).find((r) => r.parent === s.parent);
    return ofType(run, "aws:ecs/service:Service").map((s) => {
        const task = sibling(s, "aws:ecs/taskDefinition:TaskDefinition");
        const target = sibling(s, "aws:appautoscaling/target:Target");
        return {
            name: s.name,
            vcpu: Number(task?.inputs.cpu ?? 256) / 1024,
            gb: Number(task?.inputs.memory ?? 512) / 1024,
            min: target?.inputs.minCapacity ?? s.inputs.desiredCount ?? 1,
            max: target?.inputs.maxCapacity ?? s.inputs.desiredCount ?? 1,
            strategies: s.inputs.capacityProviderStrategies ?? [{ capacityProvider: "FARGATE", weight: 1 }],
            scaled: target !== undefined,
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

function fargateMonth(s: ServiceShape, tasks: number): number {
    const { onDemand, spot } = splitCapacity(s.strategies, tasks);
    const perTaskHour = (vcpuPrice: number, gbPrice: number) => s.vcpu * vcpuPrice + s.gb * gbPrice;
    return (
        HOURS_PER_MONTH *
        (onDemand * perTaskHour(PRICES.fargateVcpuHour, PRICES.fargateGbHour) +
            spot * perTaskHour(PRICES.fargateSpotVcpuHour, PRICES.fargateSpotGbHour))
    );
}

/** Monthly cost lines for `run` at idle and under `load`. */
export function estimate(run: StackRun, load: Load = DEFAULT_LOAD): CostLine[] {
    const idle = rates({ ...load, requestsPerMonth: 0, gbOut: 0 });
    const busy = rates(load);
    const both = (item: string, detail: string, f: (r: Rates) => number): CostLine => ({ item, detail, idle: f(idle), load: f(busy) });
    const lines: CostLine[] = [];

    const nats = natGatewayCount(run);
    const endpointAzs = bedrockEndpointAzs(run);
    // What a Bedrock endpoint carries no longer passes the NAT.
    const natGb = (r: Rates) => r.gbThroughput * (endpointAzs > 0 ? 1 - load.bedrockShare : 1);
    lines.push(
        both(
            "NAT gateways",
            `${nats} × hours + GB processed`,
            (r) => nats * HOURS_PER_MONTH * PRICES.natGatewayHour + (nats ? natGb(r) * PRICES.natGatewayGb : 0),
        ),
    );
    lines.push(both("Public IPv4 (NAT)", `${nats} address(es)`, () => nats * HOURS_PER_MONTH * PRICES.publicIpv4Hour));

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

    for (const s of services(run)) {
        const tasks = (r: Rates) => averageTasks(s, r.rps, load.rpsPerVcpu);
        const { onDemand, spot } = splitCapacity(s.strategies, tasks(idle));
        lines.push(
            both(
                `Fargate ${s.name}`,
                `${s.vcpu} vCPU / ${s.gb} GB × ${s.min}${s.scaled ? `–${s.max}` : ""} task(s); idle ${onDemand} on-demand + ${spot} Spot`,
                (r) => fargateMonth(s, tasks(r)),
            ),
        );
    }

    for (const c of ofType(run, "aws:rds/cluster:Cluster")) {
        const scaling = c.inputs.serverlessv2ScalingConfiguration ?? { minCapacity: 0.5, maxCapacity: 1 };
        const instances = ofType(run, "aws:rds/clusterInstance:ClusterInstance").filter((i) => i.parent === c.parent).length;
        const acu = (r: Rates) => Math.min(scaling.maxCapacity, scaling.minCapacity + r.rps * load.acuPerRps);
        lines.push(
            both(
                "Aurora Serverless v2 compute",
                `${instances} instance(s) × ${scaling.minCapacity}–${scaling.maxCapacity} ACU`,
                (r) => instances * acu(r) * HOURS_PER_MONTH * PRICES.auroraAcuHour,
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
            "requests + GB out, after the free tier",
            (r) =>
                (Math.max(0, r.requests - PRICES.cloudfrontFreeRequests) / 10_000) * PRICES.cloudfrontHttpsPer10k +
                Math.max(0, r.gbOut - PRICES.cloudfrontFreeGb) * PRICES.cloudfrontGbOut,
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

    const secrets = ofType(run, "aws:secretsmanager/secret:Secret").length;
    lines.push(both("Secrets Manager", `${secrets} secrets`, () => secrets * PRICES.secretMonth));

    lines.push(...containerInsightsLines(run, both));
    lines.push(...monitoringLines(run, both));
    lines.push(
        both("CloudWatch Logs", "health checks + per-request logs", (r) => {
            const taskCount = services(run).reduce((n, s) => n + averageTasks(s, r.rps, load.rpsPerVcpu), 0);
            const healthGb = (taskCount * 10 * 60 * HOURS_PER_MONTH * 0.2) / KB_PER_GB;
            const gb = healthGb + (r.requests * load.logKbPerRequest) / KB_PER_GB;
            return gb * (PRICES.logsIngestGb + PRICES.logsStorageGbMonth);
        }),
    );
    return lines;
}

type Both = (item: string, detail: string, f: (r: Rates) => number) => CostLine;

/** Container Insights metrics a run bills: per metric per dimension set (cluster, service, task family). */
export function containerInsightsMetrics(run: StackRun): number {
    const clusters = ofType(run, "aws:ecs/cluster:Cluster").filter((c) =>
        c.inputs.settings?.some((s: any) => s.name === "containerInsights" && s.value !== "disabled"),
    ).length;
    if (clusters === 0) {
        return 0;
    }
    const services = ofType(run, "aws:ecs/service:Service").length;
    const families = new Set(ofType(run, "aws:ecs/taskDefinition:TaskDefinition").map((t) => t.inputs.family)).size;
    // Fargate: the 10 resource metrics in every set, ServiceCount and TaskCount per cluster, and
    // DeploymentCount, DesiredTaskCount, PendingTaskCount, RunningTaskCount, TaskSetCount per service.
    return clusters * 12 + services * 15 + families * 10;
}

function containerInsightsLines(run: StackRun, both: Both): CostLine[] {
    const metrics = containerInsightsMetrics(run);
    return [
        both(
            "CloudWatch Container Insights",
            `${metrics} metrics (cluster, service, task family)`,
            () => metrics * PRICES.customMetricMonth,
        ),
    ];
}

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
    if (natGatewayCount(run) === 0 || azs === 0) {
        return ["Bedrock VPC endpoint: the stack has no NAT gateway of its own here, so the estimate cannot compare the two."];
    }
    const gb = bedrockEndpointBreakEvenGb(azs);
    const requests = (gb * KB_PER_GB) / (load.requestKb + load.responseKb);
    const endpointMonth = azs * HOURS_PER_MONTH * PRICES.vpcEndpointAzHour;
    return [
        `Bedrock VPC endpoint ${endpointAzs ? "(on)" : "(bedrockVpcEndpoint, off)"}: $${endpointMonth.toFixed(2)}/month for ${azs} AZ(s) + $${PRICES.vpcEndpointGb}/GB, ` +
            `against $${PRICES.natGatewayGb}/GB of NAT processing: it pays for itself above ${Math.round(gb)} GB/month of Bedrock traffic ` +
            `to the stack's region (~${(requests / 1e6).toFixed(1)} M requests of ${load.requestKb + load.responseKb} KB).`,
    ];
}
