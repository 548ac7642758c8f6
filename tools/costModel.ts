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
}

export const DEFAULT_LOAD: Load = {
    requestsPerMonth: 1_000_000,
    requestKb: 4,
    responseKb: 8,
    rpsPerVcpu: 40,
    acuPerRps: 0.05,
    ioPerRequest: 10,
    logKbPerRequest: 1,
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
    "Container Insights: ~8 metrics per cluster + ~11 per service, at the custom-metric price.",
    "Idle logs: ~10 health-check log lines per task per minute, 200 bytes each.",
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
    lines.push(
        both(
            "NAT gateways",
            `${nats} × hours + GB processed`,
            (r) => nats * HOURS_PER_MONTH * PRICES.natGatewayHour + (nats ? r.gbThroughput * PRICES.natGatewayGb : 0),
        ),
    );
    lines.push(both("Public IPv4 (NAT)", `${nats} address(es)`, () => nats * HOURS_PER_MONTH * PRICES.publicIpv4Hour));

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

    const secrets = ofType(run, "aws:secretsmanager/secret:Secret").length;
    lines.push(both("Secrets Manager", `${secrets} secrets`, () => secrets * PRICES.secretMonth));

    const serviceCount = ofType(run, "aws:ecs/service:Service").length;
    const clusters = ofType(run, "aws:ecs/cluster:Cluster").filter((c) =>
        c.inputs.settings?.some((s: any) => s.name === "containerInsights" && s.value !== "disabled"),
    ).length;
    const metrics = clusters * (8 + 11 * serviceCount);
    lines.push(both("CloudWatch Container Insights", `~${metrics} metrics`, () => metrics * PRICES.customMetricMonth));
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

export function totals(lines: CostLine[]): { idleMonth: number; loadMonth: number; idleDay: number; loadDay: number } {
    const idleMonth = lines.reduce((n, l) => n + l.idle, 0);
    const loadMonth = lines.reduce((n, l) => n + l.load, 0);
    return { idleMonth, loadMonth, idleDay: idleMonth / DAYS_PER_MONTH, loadDay: loadMonth / DAYS_PER_MONTH };
}
