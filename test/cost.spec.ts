import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseLoad, regionNote, renderCost } from "../tools/cost";
import {
    auroraIdleAwakeShare,
    averageTasks,
    containerInsightsUsage,
    crossAzShare,
    DEFAULT_LOAD,
    estimate,
    fargateTaskHour,
    freeTierValue,
    IDLE,
    natGatewayCount,
    oneHubWakeSources,
    splitCapacity,
    stepCostPerUpdate,
    totals,
} from "../tools/costModel";
import { NO_RESOURCE_OPTIONS, RegisteredResource, ROOT, StackRun } from "../tools/offlineStack";
import { DAYS_PER_MONTH, HOURS_PER_MONTH, PRICES } from "../tools/pricing";
import { stackRun } from "./util";

function resource(type: string, name: string, inputs: Record<string, any>, parent = "p"): RegisteredResource {
    return { urn: `urn:${name}`, type, name, parent, custom: true, inputs, secretPaths: [], dependencies: [], ...NO_RESOURCE_OPTIONS };
}
const fakeRun = (resources: RegisteredResource[]): StackRun => ({ stack: "fake", resources, outputs: {}, secretOutputs: [] });
const line = (run: StackRun, item: string, load = DEFAULT_LOAD) => estimate(run, load).find((l) => l.item.startsWith(item))!;

describe("cost model", () => {
    it("counts NAT gateways from the VPC's strategy, and none for an existing VPC", () => {
        const vpc = (strategy: string) =>
            fakeRun([resource("awsx:ec2:Vpc", "v", { natGateways: { strategy }, numberOfAvailabilityZones: 3 })]);
        assert.strictEqual(natGatewayCount(vpc("Single")), 1);
        assert.strictEqual(natGatewayCount(vpc("OnePerAz")), 3);
        assert.strictEqual(natGatewayCount(vpc("None")), 0);
        assert.strictEqual(natGatewayCount(fakeRun([])), 0);
    });

    it("prices a NAT gateway by the hour plus its public IPv4, and GB processed under load", () => {
        const run = fakeRun([resource("awsx:ec2:Vpc", "v", { natGateways: { strategy: "Single" } })]);
        assert.strictEqual(line(run, "NAT gateways").idle, 730 * 0.045);
        assert.strictEqual(line(run, "Public IPv4").idle, 730 * 0.005);
        const gb = (1_000_000 * 12) / (1024 * 1024);
        assert.ok(Math.abs(line(run, "NAT gateways").load - (730 * 0.045 + gb * 0.045)) < 1e-9);
    });

    it("splits tasks as ECS does: the base on-demand first, the rest by weight", () => {
        const prod = [
            { capacityProvider: "FARGATE", base: 2, weight: 1 },
            { capacityProvider: "FARGATE_SPOT", weight: 3 },
        ];
        assert.deepStrictEqual(splitCapacity(prod, 2), { onDemand: 2, spot: 0 });
        assert.deepStrictEqual(splitCapacity(prod, 6), { onDemand: 3, spot: 3 });
        assert.deepStrictEqual(splitCapacity([{ capacityProvider: "FARGATE_SPOT", weight: 1 }], 3), { onDemand: 0, spot: 3 });
    });

    it("prices Fargate per vCPU-hour and GB-hour, Graviton (ARM64) 20 % below x86, Spot at the stated discount (60 % by default)", () => {
        const service = (provider: string, cpuArchitecture: string) =>
            fakeRun([
                resource("aws:ecs/service:Service", "svc", {
                    desiredCount: 1,
                    capacityProviderStrategies: [{ capacityProvider: provider, weight: 1 }],
                }),
                resource("aws:ecs/taskDefinition:TaskDefinition", "task", {
                    cpu: "1024",
                    memory: "2048",
                    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture },
                }),
            ]);
        const x86 = line(service("FARGATE", "X86_64"), "Fargate svc").idle;
        assert.ok(Math.abs(x86 - 730 * (1 * 0.04048 + 2 * 0.004445)) < 1e-9);
        const arm = line(service("FARGATE", "ARM64"), "Fargate svc").idle;
        assert.ok(Math.abs(arm - 730 * (1 * 0.03238 + 2 * 0.00356)) < 1e-9);
        assert.ok(Math.abs(arm / x86 - 0.8) < 0.001, "Graviton is 20 % cheaper");
        assert.ok(Math.abs(line(service("FARGATE_SPOT", "ARM64"), "Fargate svc").idle - arm * 0.4) < 1e-9);
        const deep = { ...DEFAULT_LOAD, spotDiscountPercent: 70 };
        assert.ok(Math.abs(line(service("FARGATE_SPOT", "ARM64"), "Fargate svc", deep).idle - arm * 0.3) < 1e-9);
        assert.strictEqual(fargateTaskHour({ vcpu: 1, gb: 2, arm: false }, true, 50), (0.04048 + 2 * 0.004445) / 2);
    });

    it("scales autoscaled tasks with the request rate within their bounds", () => {
        const s = { vcpu: 0.25, min: 1, max: 3, scaled: true };
        assert.strictEqual(averageTasks(s, 0, 40), 1);
        assert.strictEqual(averageTasks(s, 15, 40), 2);
        assert.strictEqual(averageTasks(s, 1000, 40), 3);
        assert.strictEqual(averageTasks({ ...s, scaled: false }, 1000, 40), 1);
    });

    it("charges a pausing (0-ACU) database 0.5 ACU for the share of the time it is awake at idle, and all the time under load", () => {
        const task = (name: string, env: Record<string, string>) => [
            resource("aws:ecs/service:Service", `${name}-service`, { desiredCount: 1 }, name),
            resource(
                "aws:ecs/taskDefinition:TaskDefinition",
                `${name}-task`,
                { containerDefinitions: JSON.stringify([{ environment: Object.entries(env).map(([n, value]) => ({ name: n, value })) }]) },
                name,
            ),
        ];
        const run = fakeRun([
            resource("aws:rds/cluster:Cluster", "c", {
                serverlessv2ScalingConfiguration: { minCapacity: 0, maxCapacity: 4, secondsUntilAutoPause: 300 },
            }),
            resource("aws:rds/clusterInstance:ClusterInstance", "w", {}),
            ...task("master", { NODE_TYPE: "master", SQL_MAX_IDLE_CONNS: "0" }),
            ...task("slave", { NODE_TYPE: "slave", MEMORY_CACHE_ENABLED: "true", SYNC_FREQUENCY: "1800", SQL_MAX_IDLE_CONNS: "0" }),
        ]);
        const compute = line(run, "Aurora Serverless v2 compute");
        // Awake the 300 s delay + 15 s resume after the master's 600 s job and the slave's 1800 s sync.
        const awake = 315 / 600 + 315 / 1800;
        assert.ok(Math.abs(compute.idle - 0.5 * awake * 730 * 0.12) < 1e-9);
        assert.match(
            compute.detail,
            /awake 70 % at idle \(pauses after 300 s; master statistics job every 600 s, slave cache sync every 1800 s\)/,
        );
        assert.ok(compute.load > 0.5 * 730 * 0.12, "under load it never pauses");
    });

    it("counts what wakes a paused database: the master's 10-minute job, channel tests, every cached node's syncs; idle connections and syncs under the delay keep it up", () => {
        const sources = oneHubWakeSources([
            { env: { NODE_TYPE: "master", CHANNEL_TEST_FREQUENCY: "60" }, count: 1 },
            { env: { NODE_TYPE: "slave", MEMORY_CACHE_ENABLED: "true", SYNC_FREQUENCY: "3600" }, count: 2 },
        ]);
        assert.deepStrictEqual(
            sources.map((s) => [s.what, s.periodSeconds]),
            [
                ["master statistics job", 600],
                ["channel tests", 3600],
                ["slave cache sync", 3600],
                ["slave cache sync", 3600],
            ],
        );
        assert.strictEqual(auroraIdleAwakeShare(300, [{ what: "job", periodSeconds: 600 }]), 315 / 600);
        assert.strictEqual(auroraIdleAwakeShare(300, [{ what: "sync", periodSeconds: 60 }]), 1, "a sync every minute: never pauses");
        assert.strictEqual(auroraIdleAwakeShare(300, [{ what: "job", periodSeconds: 600 }], 300), 1, "idle connections held 300 s more");
        assert.strictEqual(auroraIdleAwakeShare(300, []), 0);
    });

    it("charges every Aurora instance for the ACUs the writer holds", () => {
        const run = fakeRun([
            resource("aws:rds/cluster:Cluster", "c", { serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 4 } }),
            resource("aws:rds/clusterInstance:ClusterInstance", "w", {}),
            resource("aws:rds/clusterInstance:ClusterInstance", "r", {}),
        ]);
        assert.strictEqual(line(run, "Aurora Serverless v2 compute").idle, 2 * 0.5 * 730 * 0.12);
    });

    it("charges CloudFront for every request and GB: free tiers are per account, shown but never subtracted", () => {
        const run = fakeRun([]);
        const load = { ...DEFAULT_LOAD, requestsPerMonth: 10_000_000, gbOut: 1024 };
        const lines = estimate(run, load);
        assert.ok(Math.abs(lines.find((l) => l.item === "CloudFront")!.load - (1000 * 0.01 + 1024 * 0.085)) < 1e-9);
        const free = freeTierValue(lines, load);
        const transfer = Math.min((10_000_000 * 4) / (1024 * 1024), 100) * 0.09;
        assert.ok(
            Math.abs(
                free.load - (1000 * 0.01 + 1024 * 0.085 + transfer + Math.min(lines.find((l) => l.item === "CloudWatch Logs")!.load, 2.5)),
            ) < 1e-9,
        );
        assert.strictEqual(free.idle, 0);
    });

    it("counts Container Insights per metric and dimension set: cluster, each service and each task family", () => {
        const twoServices = [{ family: "master" }, { family: "slave" }];
        assert.strictEqual(containerInsightsUsage("enabled", twoServices, 2).metrics, 12 + 2 * 15 + 2 * 10);
        assert.strictEqual(containerInsightsUsage("enabled", [{ family: "a" }, { family: "a" }], 2).metrics, 12 + 2 * 15 + 10);
        assert.strictEqual(containerInsightsUsage("enhanced", twoServices, 3).metrics, 62 + 3 * 20, "plus task and container metrics");
        assert.deepStrictEqual(containerInsightsUsage("disabled", twoServices, 2), { metrics: 0, logsGb: 0, detail: "disabled" });
        const ci = containerInsightsUsage("enabled", twoServices, 2);
        assert.ok(Math.abs(ci.logsGb - (2 * 2 * 60 * 730) / (1024 * 1024)) < 1e-12, "~2 KB of performance events per task-minute");
    });

    it("prices Container Insights in prod (62 metrics) and nothing for it in dev (disabled)", async () => {
        const prod = estimate(await stackRun("prod")).find((l) => l.item === "CloudWatch Container Insights")!;
        assert.ok(prod.idle > 62 * 0.3 && prod.idle < 62 * 0.3 + 0.2, `${prod.idle}`);
        assert.strictEqual(estimate(await stackRun("dev")).find((l) => l.item === "CloudWatch Container Insights")!.idle, 0);
    });

    it("prices a NAT instance by its hours, a 4 GiB gp3 volume and its Elastic IP, with no per-GB processing", async () => {
        const dev = await stackRun("dev");
        const nat = line(dev, "NAT instances");
        assert.ok(Math.abs(nat.idle - (730 * 0.0042 + 4 * 0.08)) < 1e-9);
        assert.strictEqual(nat.load, nat.idle);
        assert.strictEqual(line(dev, "Public IPv4").idle, 730 * 0.005);
        assert.strictEqual(
            estimate(dev).find((l) => l.item === "NAT gateways"),
            undefined,
        );
    });

    it("charges data out for the request bodies sent upstream and, under load, the traffic that crosses to a NAT in another AZ", async () => {
        assert.strictEqual(crossAzShare(2, 1), 0.5);
        assert.strictEqual(crossAzShare(3, 3), 0);
        assert.strictEqual(crossAzShare(3, 0), 0);
        const dev = await stackRun("dev");
        const gb = (1_000_000 * 4) / (1024 * 1024);
        assert.ok(Math.abs(line(dev, "Data transfer out").load - gb * 0.09) < 1e-9);
        const through = (1_000_000 * 12) / (1024 * 1024);
        assert.ok(Math.abs(line(dev, "Cross-AZ to NAT").load - through * 0.5 * 0.02) < 1e-9);
        assert.strictEqual(line(dev, "Cross-AZ to NAT").idle, 0);
        assert.strictEqual(line(await stackRun("prod"), "Cross-AZ to NAT").load, 0, "a NAT gateway per AZ");
    });

    it("prices WAF per web ACL, rule and million requests", () => {
        const run = fakeRun([resource("aws:wafv2/webAcl:WebAcl", "waf", { rules: [1, 2, 3, 4, 5] })]);
        assert.strictEqual(line(run, "WAF", IDLE).idle, 5 + 5);
        assert.ok(Math.abs(line(run, "WAF").load - (10 + 0.6)) < 1e-9);
    });

    it("prices a serverless Valkey cache at its 100 MB metered minimum plus ECPUs per request, and states the ceiling its caps allow", () => {
        const run = fakeRun([
            resource("aws:elasticache/serverlessCache:ServerlessCache", "c", {
                cacheUsageLimits: { dataStorage: { maximum: 1, unit: "GB" }, ecpuPerSeconds: [{ maximum: 5000 }] },
            }),
        ]);
        const cache = line(run, "ElastiCache Serverless");
        assert.ok(Math.abs(cache.idle - 0.1 * 730 * 0.084) < 1e-9, "$6.13 a month at idle");
        assert.ok(Math.abs(cache.load - (cache.idle + (1_000_000 * 10 * 0.0023) / 1e6)) < 1e-9);
        assert.match(cache.detail, /caps 1 GB, 5000 ECPU\/s \(at most \$92\/month\)/);
        assert.strictEqual(estimate(fakeRun([])).filter((l) => l.item.startsWith("ElastiCache")).length, 0, "no cache, no line");
    });

    it("charges CloudFront Functions per invocation beyond the free 2 million", () => {
        const run = fakeRun([resource("aws:cloudfront/function:Function", "f", {})]);
        assert.strictEqual(line(run, "CloudFront Functions").load, 0, "1 M requests: inside the free tier");
        assert.ok(Math.abs(line(run, "CloudFront Functions", { ...DEFAULT_LOAD, requestsPerMonth: 12_000_000 }).load - 1) < 1e-9);
    });

    it("counts the deploy-time steps per update (each for its whole timeout at its memory), not per month", () => {
        const fn = (name: string, timeout: number) => resource("aws:lambda/function:Function", name, { timeout, memorySize: 128 });
        const run = fakeRun([fn("db-app-user", 660), fn("root-password", 360)]);
        const steps = line(run, "Deploy-time steps", DEFAULT_LOAD);
        assert.deepStrictEqual([steps.idle, steps.load], [0, 0]);
        const expected = (128 / 1024) * (660 + 360) * 0.0000133334 + (2 / 1e6) * 0.2 + (10 / 1e6) * 0.35;
        assert.ok(Math.abs(stepCostPerUpdate(run.resources) - expected) < 1e-12);
        assert.strictEqual(steps.detail, "2 Lambda function(s), run only by pulumi up: at most $0.0017 per update");
    });

    it("counts every secret, the root password's and the database user's among them", async () => {
        const dev = await stackRun("dev");
        const secrets = line(dev, "Secrets Manager", IDLE);
        assert.strictEqual(secrets.detail, "6 secrets");
        assert.ok(Math.abs(secrets.idle - 6 * 0.4) < 1e-9);
    });

    it("prices WAF logs at ~2 KB per request as vended logs, nothing at idle", () => {
        const run = fakeRun([resource("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "logging", {})]);
        assert.strictEqual(line(run, "WAF logs", IDLE).idle, 0);
        const gb = (1_000_000 * 2) / (1024 * 1024);
        assert.ok(Math.abs(line(run, "WAF logs").load - gb * (0.5 + 0.03)) < 1e-9);
    });

    it("gives daily totals as monthly / (730 / 24)", () => {
        const t = totals([{ item: "x", idle: 73, load: 146, detail: "" }]);
        assert.strictEqual(t.idleDay, 73 / DAYS_PER_MONTH);
        assert.strictEqual(t.loadDay, 146 / DAYS_PER_MONTH);
        assert.strictEqual(DAYS_PER_MONTH, HOURS_PER_MONTH / 24);
    });

    it("puts the dev profile at idle at or below 2.60 USD a day, alarms, dashboard and every secret included", async () => {
        const idleDay = totals(estimate(await stackRun("dev"))).idleDay;
        assert.ok(idleDay <= 2.6, `dev idle ${idleDay.toFixed(2)} USD/day`);
    });

    it("says when a stack's region is not the price table's us-east-1", () => {
        assert.deepStrictEqual(regionNote("us-east-1"), []);
        assert.match(regionNote("eu-central-1")[0], /region is eu-central-1, but these are us-east-1's prices/);
        assert.match(renderCost("x", estimate(fakeRun([]), IDLE), IDLE, [], "ap-northeast-1"), /but these are us-east-1's prices/);
        assert.doesNotMatch(renderCost("x", estimate(fakeRun([]), IDLE), IDLE), /these are us-east-1's prices/);
    });

    it("costs more under load than idle, and more in prod than in dev", async () => {
        const dev = totals(estimate(await stackRun("dev")));
        const prod = totals(estimate(await stackRun("prod")));
        assert.ok(dev.loadMonth > dev.idleMonth);
        assert.ok(prod.idleMonth > dev.idleMonth);
    });
});

describe("cost CLI options", () => {
    it("takes the load from flags over the defaults", () => {
        assert.deepStrictEqual(parseLoad(["--requests", "5000000", "--response-kb", "20"]), {
            ...DEFAULT_LOAD,
            requestsPerMonth: 5_000_000,
            responseKb: 20,
        });
    });

    it("rejects unknown flags and bad numbers with the allowed values", () => {
        assert.throws(() => parseLoad(["--rps", "3"]), /unknown option --rps: allowed are --requests/);
        assert.throws(() => parseLoad(["--requests", "-1"]), /--requests = "-1" is invalid: must be a number ≥ 0/);
        assert.throws(() => parseLoad(["--requests"]), /--requests = null is invalid/);
        assert.throws(() => parseLoad(["--rps-per-vcpu", "0"]), /not 0/);
        assert.throws(() => parseLoad(["--spot-discount", "95"]), /--spot-discount = "95" is invalid: must be a percentage from 0 to 90/);
        assert.strictEqual(parseLoad(["--spot-discount", "70"]).spotDiscountPercent, 70);
    });
});
