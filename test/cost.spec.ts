import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseLoad } from "../tools/cost";
import { averageTasks, DEFAULT_LOAD, estimate, IDLE, natGatewayCount, splitCapacity, totals } from "../tools/costModel";
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

    it("prices Fargate per vCPU-hour and GB-hour, Spot cheaper", () => {
        const service = (provider: string) =>
            fakeRun([
                resource("aws:ecs/service:Service", "svc", {
                    desiredCount: 1,
                    capacityProviderStrategies: [{ capacityProvider: provider, weight: 1 }],
                }),
                resource("aws:ecs/taskDefinition:TaskDefinition", "task", { cpu: "1024", memory: "2048" }),
            ]);
        const onDemand = line(service("FARGATE"), "Fargate svc").idle;
        assert.ok(Math.abs(onDemand - 730 * (1 * PRICES.fargateVcpuHour + 2 * PRICES.fargateGbHour)) < 1e-9);
        assert.ok(line(service("FARGATE_SPOT"), "Fargate svc").idle < onDemand * 0.35);
    });

    it("scales autoscaled tasks with the request rate within their bounds", () => {
        const s = { vcpu: 0.25, min: 1, max: 3, scaled: true };
        assert.strictEqual(averageTasks(s, 0, 40), 1);
        assert.strictEqual(averageTasks(s, 15, 40), 2);
        assert.strictEqual(averageTasks(s, 1000, 40), 3);
        assert.strictEqual(averageTasks({ ...s, scaled: false }, 1000, 40), 1);
    });

    it("charges every Aurora instance for the ACUs the writer holds", () => {
        const run = fakeRun([
            resource("aws:rds/cluster:Cluster", "c", { serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 4 } }),
            resource("aws:rds/clusterInstance:ClusterInstance", "w", {}),
            resource("aws:rds/clusterInstance:ClusterInstance", "r", {}),
        ]);
        assert.strictEqual(line(run, "Aurora Serverless v2 compute").idle, 2 * 0.5 * 730 * 0.12);
    });

    it("charges CloudFront only beyond the free tier", () => {
        const run = fakeRun([]);
        assert.strictEqual(line(run, "CloudFront", { ...DEFAULT_LOAD, requestsPerMonth: 10_000_000, gbOut: 1024 }).load, 0);
        const over = line(run, "CloudFront", { ...DEFAULT_LOAD, requestsPerMonth: 20_000_000, gbOut: 2048 }).load;
        assert.ok(Math.abs(over - (1000 * 0.01 + 1024 * 0.085)) < 1e-9);
    });

    it("prices WAF per web ACL, rule and million requests", () => {
        const run = fakeRun([resource("aws:wafv2/webAcl:WebAcl", "waf", { rules: [1, 2, 3, 4, 5] })]);
        assert.strictEqual(line(run, "WAF", IDLE).idle, 5 + 5);
        assert.ok(Math.abs(line(run, "WAF").load - (10 + 0.6)) < 1e-9);
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

    it("puts the dev profile at idle inside the reference deployment's 3.7–5.4 USD a day", async () => {
        const idleDay = totals(estimate(await stackRun("dev"))).idleDay;
        assert.ok(idleDay >= 3.7 && idleDay <= 5.4, `dev idle ${idleDay.toFixed(2)} USD/day`);
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
    });
});
