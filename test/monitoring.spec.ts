// OneHubMonitoring: every alarm's metric, dimensions (the real resources' ids), statistic,
// threshold (derived from the configuration), missing-data treatment and actions; the topics'
// policies, the event patterns, the budget, the dashboard; and that it is never an input of what
// it watches.
import * as assert from "assert";
import { OneHub } from "../components";
import { OneHubMonitoring } from "../components/monitoring/oneHubMonitoring";
import { checkMonitoringSettings, thresholds } from "../components/monitoring/monitoringSettings";
import { MOCK_ZONES, RegisteredResource, StackRun } from "../tools/offlineStack";
import { monitoringCost } from "../tools/costModel";
import { alarmCount, summarize } from "../tools/plan";
import { dependsDirectlyOn, waitsFor } from "./graph";
import { expectConfigError, fixtureRun, ofType, one, stackRun } from "./util";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
const TOPIC = "aws:sns/topic:Topic";
const MONITORING = "onehub:index:OneHubMonitoring";
const ACCOUNT = "123456789012";

/** The alarm OneHubMonitoring named <stack>-mon-<suffix>. */
const alarm = (run: StackRun, suffix: string) => {
    const found = ofType(run, ALARM).filter((a) => a.name === `onehub-${run.stack}-mon-${suffix}`);
    assert.strictEqual(found.length, 1, `alarm ${suffix}`);
    return found[0].inputs;
};
const topicArn = (run: StackRun, global = false) =>
    `arn:aws:sns:us-east-1:${ACCOUNT}:onehub-${run.stack}-mon-alarms${global ? "-global" : ""}`;
const tgSuffix = (run: StackRun, node: string) => `targetgroup/${one(run, "aws:lb/targetGroup:TargetGroup", node).name}/0123456789abcdef`;
const albSuffix = (run: StackRun) => `app/${one(run, "aws:lb/loadBalancer:LoadBalancer").name}/0123456789abcdef`;
const clusterIdentifier = (run: StackRun) => one(run, "aws:rds/cluster:Cluster").inputs.clusterIdentifier;
/** The plain metric of an alarm, as [namespace, name, dimensions, statistic]. */
const metricOf = (a: any) => [a.namespace, a.metricName, a.dimensions, a.statistic ?? a.extendedStatistic];
/** The metric-math query `id` of an alarm. */
const query = (a: any, id: string) => a.metricQueries.find((q: any) => q.id === id);
/** Everything registered below a component, by URN. */
function descendants(run: StackRun, root: RegisteredResource): Set<string> {
    const urns = new Set([root.urn]);
    let grew = true;
    while (grew) {
        grew = false;
        for (const r of run.resources) {
            if (!urns.has(r.urn) && urns.has(r.parent)) {
                urns.add(r.urn);
                grew = true;
            }
        }
    }
    return urns;
}

describe("OneHubMonitoring", () => {
    const runs: Record<string, StackRun> = {};
    let all: StackRun;
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
        // Everything optional on: e-mails, a scoped budget, an anomaly monitor, CloudFront's extra metrics.
        all = await fixtureRun("dev", {
            config: {
                "onehub:alarmEmails": ["ops@example.com", "oncall@example.com"],
                "onehub:budgetScopedToStack": true,
                "onehub:costAnomalyMonitorArn": `arn:aws:ce::${ACCOUNT}:anomalymonitor/12345678-abcd-ef12-3456-987654321a12`,
                "onehub:cloudfrontAdditionalMetrics": true,
                "onehub:slaveMinCount": 2,
                "onehub:slaveMaxCount": 6,
                "onehub:slaveCpuTarget": 60,
                "onehub:dbMaxCapacity": "16",
                "onehub:dbRebootedMaxCapacity": "16",
                "onehub:originReadTimeout": 90,
            },
        });
    });
    const both = () => Object.values(runs);

    describe("alarms", () => {
        it("master down: no healthy master target for longer than a master deploy, missing data breaching", () => {
            for (const run of both()) {
                const a = alarm(run, "master-down");
                assert.deepStrictEqual(metricOf(a), [
                    "AWS/ApplicationELB",
                    "HealthyHostCount",
                    { TargetGroup: tgSuffix(run, "-master-"), LoadBalancer: albSuffix(run) },
                    "Minimum",
                ]);
                assert.deepStrictEqual([a.comparisonOperator, a.threshold, a.treatMissingData], ["LessThanThreshold", 1, "breaching"]);
                assert.ok(
                    a.period * a.datapointsToAlarm >= 300,
                    "a master deploy is 1–2 minutes without a healthy target: it must not page",
                );
            }
        });

        it("slaves below slaveMinCount: healthy slave targets (Container Insights off) or running tasks (on), and the threshold follows the config", async () => {
            const dev = alarm(runs.dev, "slaves-below-min");
            assert.deepStrictEqual(metricOf(dev), [
                "ECS/ContainerInsights",
                "RunningTaskCount",
                { ClusterName: "onehub-dev-ecs-cluster", ServiceName: "onehub-dev-slave-service" },
                "Minimum",
            ]);
            assert.deepStrictEqual(
                [dev.threshold, alarm(runs.prod, "slaves-below-min").threshold, alarm(all, "slaves-below-min").threshold],
                [1, 2, 2],
            );
            assert.strictEqual(dev.treatMissingData, "breaching");
            const existing = await fixtureRun("dev", { config: { "onehub:existingClusterName": "shared" } });
            const off = alarm(existing, "slaves-below-min");
            assert.deepStrictEqual(metricOf(off), [
                "AWS/ApplicationELB",
                "HealthyHostCount",
                { TargetGroup: tgSuffix(existing, "-slave-"), LoadBalancer: albSuffix(existing) },
                "Minimum",
            ]);
            const everything =
                JSON.stringify(ofType(existing, ALARM).map((x) => x.inputs)) +
                one(existing, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody;
            assert.ok(
                !everything.includes("ECS/ContainerInsights"),
                "an existing cluster may lack Container Insights: nothing may need it",
            );
        });

        it("slaves saturated: a composite of at slaveMaxCount and CPU above the scaling target + 15, from metrics that exist without Container Insights", () => {
            for (const [run, max, cpu] of [
                [runs.dev, 3, 85],
                [runs.prod, 20, 85],
                [all, 6, 75],
            ] as const) {
                const atMax = alarm(run, "slaves-at-max");
                const cpuHigh = alarm(run, "slaves-cpu-high");
                assert.deepStrictEqual(metricOf(atMax).slice(0, 2), ["AWS/ApplicationELB", "HealthyHostCount"]);
                assert.deepStrictEqual([atMax.comparisonOperator, atMax.threshold], ["GreaterThanOrEqualToThreshold", max]);
                assert.deepStrictEqual(metricOf(cpuHigh), [
                    "AWS/ECS",
                    "CPUUtilization",
                    { ClusterName: `onehub-${run.stack}-ecs-cluster`, ServiceName: `onehub-${run.stack}-slave-service` },
                    "Average",
                ]);
                assert.deepStrictEqual([cpuHigh.comparisonOperator, cpuHigh.threshold], ["GreaterThanThreshold", cpu]);
                const composite = one(run, COMPOSITE, "-slaves-saturated").inputs;
                assert.strictEqual(
                    composite.alarmRule,
                    `ALARM("onehub-${run.stack}-mon-slaves-at-max") AND ALARM("onehub-${run.stack}-mon-slaves-cpu-high")`,
                );
                assert.deepStrictEqual([atMax.alarmActions, cpuHigh.alarmActions], [[], []], "only the composite notifies");
            }
        });

        it("per target group: target 5xx rate over requests, unhealthy hosts, p99 time to first byte (slaves: 80 % of originReadTimeout)", () => {
            for (const run of [runs.dev, all]) {
                for (const [node, p99] of [
                    ["master", 5],
                    ["slave", run === all ? 72 : 48],
                ] as const) {
                    const dims = { TargetGroup: tgSuffix(run, `-${node}-`), LoadBalancer: albSuffix(run) };
                    const rate = alarm(run, `${node}-5xx-rate`);
                    assert.strictEqual(
                        query(rate, "result").expression,
                        "IF(FILL(requests, 0) >= 10, 100 * FILL(errors, 0) / FILL(requests, 0), 0)",
                    );
                    assert.deepStrictEqual(query(rate, "errors").metric, {
                        namespace: "AWS/ApplicationELB",
                        metricName: "HTTPCode_Target_5XX_Count",
                        dimensions: dims,
                        period: 60,
                        stat: "Sum",
                    });
                    assert.deepStrictEqual(query(rate, "requests").metric.metricName, "RequestCount");
                    assert.deepStrictEqual(
                        [rate.threshold, rate.comparisonOperator, rate.treatMissingData],
                        [5, "GreaterThanThreshold", "notBreaching"],
                    );
                    assert.deepStrictEqual(metricOf(alarm(run, `${node}-unhealthy-hosts`)), [
                        "AWS/ApplicationELB",
                        "UnHealthyHostCount",
                        dims,
                        "Maximum",
                    ]);
                    const latency = alarm(run, `${node}-p99-latency`);
                    assert.deepStrictEqual(metricOf(latency), ["AWS/ApplicationELB", "TargetResponseTime", dims, "p99"]);
                    assert.strictEqual(latency.threshold, p99);
                }
            }
        });

        it("the ALB's own 502/503/504 and rejected connections, per load balancer", () => {
            const run = runs.dev;
            for (const [suffix, metric, threshold] of [
                ["alb-502", "HTTPCode_ELB_502_Count", 5],
                ["alb-503", "HTTPCode_ELB_503_Count", 1],
                ["alb-504", "HTTPCode_ELB_504_Count", 5],
                ["alb-rejected-connections", "RejectedConnectionCount", 1],
            ] as const) {
                const a = alarm(run, suffix);
                assert.deepStrictEqual(metricOf(a), ["AWS/ApplicationELB", metric, { LoadBalancer: albSuffix(run) }, "Sum"]);
                assert.deepStrictEqual([a.threshold, a.treatMissingData], [threshold, "notBreaching"]);
            }
            assert.ok(alarm(run, "alb-503").datapointsToAlarm >= 3, "longer than a master deploy's 503s");
        });

        it("Aurora, by the writer role: capacity at 90 % of dbMaxCapacity, connections above 80 % of the budget's max_connections, CPU, deadlocks, freeable memory", () => {
            for (const [run, acu, connections, memory] of [
                [runs.dev, 3.6, 108, 429496730],
                [runs.prod, 57.6, 3200, 6871947674],
                [all, 14.4, 1600, 1717986918],
            ] as const) {
                const writer = { DBClusterIdentifier: clusterIdentifier(run), Role: "WRITER" };
                const expect = (suffix: string, metric: string, statistic: string, threshold: number, op: string) => {
                    const a = alarm(run, suffix);
                    assert.deepStrictEqual(metricOf(a), ["AWS/RDS", metric, writer, statistic], suffix);
                    assert.deepStrictEqual(
                        [a.threshold, a.comparisonOperator, a.treatMissingData],
                        [threshold, op, "notBreaching"],
                        suffix,
                    );
                };
                expect("db-capacity-near-max", "ServerlessDatabaseCapacity", "Maximum", acu, "GreaterThanOrEqualToThreshold");
                expect("db-connections-high", "DatabaseConnections", "Maximum", connections, "GreaterThanThreshold");
                expect("db-cpu-high", "CPUUtilization", "Average", 90, "GreaterThanThreshold");
                expect("db-deadlocks", "Deadlocks", "Average", 0.05, "GreaterThanThreshold");
                expect("db-freeable-memory-low", "FreeableMemory", "Minimum", memory, "LessThanThreshold");
            }
        });

        it("reader lag only when there is a reader", () => {
            const lag = alarm(runs.prod, "db-reader-lag");
            assert.deepStrictEqual(metricOf(lag), [
                "AWS/RDS",
                "AuroraReplicaLag",
                { DBClusterIdentifier: clusterIdentifier(runs.prod), Role: "READER" },
                "Maximum",
            ]);
            assert.strictEqual(lag.threshold, 1000, "milliseconds");
            assert.ok(!ofType(runs.dev, ALARM).some((a) => a.name.endsWith("-db-reader-lag")));
        });

        it("port allocation errors and dropped packets per NAT gateway the VPC has", async () => {
            const single = await fixtureRun("dev", { config: { "onehub:natStrategy": "Single" } });
            for (const [run, count] of [
                [single, 1],
                [runs.prod, 3],
            ] as const) {
                for (let i = 0; i < count; i++) {
                    const id = `nat-0${i}000000000000000`;
                    assert.deepStrictEqual(metricOf(alarm(run, `nat-${i}-port-allocation`)), [
                        "AWS/NATGateway",
                        "ErrorPortAllocation",
                        { NatGatewayId: id },
                        "Sum",
                    ]);
                    const dropped = alarm(run, `nat-${i}-packets-dropped`);
                    assert.deepStrictEqual(query(dropped, "dropped").metric.dimensions, { NatGatewayId: id });
                    assert.strictEqual(query(dropped, "dropped").metric.metricName, "PacketsDropCount");
                    assert.strictEqual(dropped.threshold, 0.01, "AWS's 0.01 % of the traffic");
                }
                assert.strictEqual(ofType(run, ALARM).filter((a) => a.name.includes("-mon-nat-")).length, 2 * count);
            }
        });

        it("no instance in service and failed status checks per NAT instance's group, and no gateway alarm without gateways", () => {
            const groups = ofType(runs.dev, "aws:autoscaling/group:Group");
            assert.strictEqual(groups.length, 1, "the dev profile's NAT instance");
            assert.deepStrictEqual(groups[0].inputs.enabledMetrics, ["GroupInServiceInstances"], "the metric the alarm reads");
            const group = groups[0].name;
            assert.deepStrictEqual(metricOf(alarm(runs.dev, "nat-instance-0-in-service")), [
                "AWS/AutoScaling",
                "GroupInServiceInstances",
                { AutoScalingGroupName: group },
                "Minimum",
            ]);
            assert.strictEqual(alarm(runs.dev, "nat-instance-0-in-service").treatMissingData, "breaching");
            assert.deepStrictEqual(metricOf(alarm(runs.dev, "nat-instance-0-status-check")), [
                "AWS/EC2",
                "StatusCheckFailed",
                { AutoScalingGroupName: group },
                "Maximum",
            ]);
            assert.strictEqual(ofType(runs.dev, ALARM).filter((a) => /-mon-nat-\d/.test(a.name)).length, 0);
        });

        it("the stack's own serverless Redis: throttled commands and storage above 80 % of redisMaxDataStorageGb, by its clusterId; none without one or for an existing cache", async () => {
            const cache = one(runs.prod, "aws:elasticache/serverlessCache:ServerlessCache");
            const throttled = alarm(runs.prod, "cache-throttled");
            assert.deepStrictEqual(metricOf(throttled), ["AWS/ElastiCache", "ThrottledCmds", { clusterId: cache.inputs.name }, "Sum"]);
            assert.deepStrictEqual(
                [
                    throttled.period,
                    throttled.evaluationPeriods,
                    throttled.datapointsToAlarm,
                    throttled.threshold,
                    throttled.comparisonOperator,
                ],
                [60, 5, 2, 0, "GreaterThanThreshold"],
            );
            const storage = alarm(runs.prod, "cache-storage-high");
            assert.deepStrictEqual(metricOf(storage), [
                "AWS/ElastiCache",
                "BytesUsedForCache",
                { clusterId: cache.inputs.name },
                "Maximum",
            ]);
            assert.strictEqual(storage.threshold, 0.8 * cache.inputs.cacheUsageLimits.dataStorage.maximum * 1e9);
            for (const a of [throttled, storage]) {
                assert.deepStrictEqual(
                    [a.treatMissingData, a.alarmActions, a.okActions],
                    ["notBreaching", [topicArn(runs.prod)], [topicArn(runs.prod)]],
                );
            }
            // The threshold follows the cap.
            const bigger = await fixtureRun("prod", { config: { "onehub:redisMaxDataStorageGb": 10 } });
            assert.strictEqual(alarm(bigger, "cache-storage-high").threshold, 8e9);
            const cacheAlarmsOf = (run: StackRun) => ofType(run, ALARM).filter((a) => /-mon-cache-/.test(a.name));
            assert.deepStrictEqual(cacheAlarmsOf(runs.dev), [], "dev: no Redis");
            const existing = await fixtureRun("prod", {
                config: {
                    "onehub:redisMode": "Existing",
                    "onehub:redisSecretArn": `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:redis-conn-AbCdEf`,
                },
            });
            assert.deepStrictEqual(cacheAlarmsOf(existing), [], "an existing cache is its owner's to watch");
        });

        it("CloudFront 5xx rate (and 504 rate with the additional metrics subscription) and WAF block spikes live in us-east-1", () => {
            const cdn = { DistributionId: "onehub-dev-edge-cdn-id", Region: "Global" };
            const fivexx = alarm(runs.dev, "cdn-5xx-rate");
            assert.deepStrictEqual(metricOf(fivexx), ["AWS/CloudFront", "5xxErrorRate", cdn, "Average"]);
            assert.strictEqual(fivexx.region, "us-east-1");
            assert.ok(!ofType(runs.dev, ALARM).some((a) => a.name.endsWith("cdn-504-rate")), "off: the metric does not exist");
            assert.strictEqual(ofType(runs.dev, "aws:cloudfront/monitoringSubscription:MonitoringSubscription").length, 0);
            assert.deepStrictEqual(metricOf(alarm(all, "cdn-504-rate")), ["AWS/CloudFront", "504ErrorRate", cdn, "Average"]);
            assert.deepStrictEqual(one(all, "aws:cloudfront/monitoringSubscription:MonitoringSubscription").inputs, {
                distributionId: "onehub-dev-edge-cdn-id",
                monitoringSubscription: { realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" } },
            });
            const waf = alarm(runs.prod, "waf-blocked-spike");
            const acl = one(runs.prod, "aws:wafv2/webAcl:WebAcl").inputs;
            assert.deepStrictEqual(query(waf, "blocked").metric.dimensions, { WebACL: acl.visibilityConfig.metricName, Rule: "ALL" });
            assert.deepStrictEqual(
                [query(waf, "band").expression, waf.thresholdMetricId, waf.comparisonOperator, waf.region],
                ["ANOMALY_DETECTION_BAND(blocked, 3)", "band", "GreaterThanUpperThreshold", "us-east-1"],
            );
            assert.ok(!ofType(runs.dev, ALARM).some((a) => a.name.endsWith("waf-blocked-spike")), "no WAF in dev");
        });

        it("every alarm notifies on ALARM and OK through the topic of its region, except a composite's members and the slaves' rollback alarms", () => {
            for (const run of [...both(), all]) {
                const composites = ofType(run, COMPOSITE)
                    .map((c) => c.inputs.alarmRule)
                    .join(" ");
                const rollback = one(run, "aws:ecs/service:Service", "-slave-").inputs.alarms.alarmNames as string[];
                const alarms = [...ofType(run, ALARM), ...ofType(run, COMPOSITE)];
                assert.ok(alarms.length >= 24);
                for (const a of alarms) {
                    // An autonamed alarm's name is, offline, its logical name.
                    const name = a.inputs.alarmName ?? a.inputs.name ?? a.name;
                    if (composites.includes(`"${name}"`) || rollback.includes(name)) {
                        assert.deepStrictEqual(a.inputs.alarmActions, a.type === ALARM && rollback.includes(name) ? undefined : [], name);
                        continue;
                    }
                    const topic = topicArn(run, a.inputs.region === "us-east-1");
                    assert.deepStrictEqual([a.inputs.alarmActions, a.inputs.okActions], [[topic], [topic]], name);
                    assert.ok(a.inputs.alarmDescription.length > 40 && a.inputs.alarmDescription.length <= 1024, name);
                }
            }
        });
    });

    describe("notification", () => {
        it("one topic in the stack's region and one in us-east-1, each publishable by the account and by CloudWatch, EventBridge, Budgets and Cost Anomaly Detection for this account only", () => {
            const run = runs.dev;
            assert.deepStrictEqual(
                ofType(run, TOPIC).map((t) => t.inputs.region),
                [undefined, "us-east-1"],
            );
            for (const policy of ofType(run, "aws:sns/topicPolicy:TopicPolicy")) {
                const doc = JSON.parse(policy.inputs.policy);
                assert.deepStrictEqual(doc.Statement[1], {
                    Sid: "AlarmingServicesPublish",
                    Effect: "Allow",
                    Principal: {
                        Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"],
                    },
                    Action: "SNS:Publish",
                    Resource: policy.inputs.arn,
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
                });
                assert.deepStrictEqual(doc.Statement[0].Condition, { StringEquals: { "AWS:SourceOwner": ACCOUNT } });
                assert.strictEqual(policy.inputs.region, policy.inputs.arn.includes("-global") ? "us-east-1" : undefined);
            }
        });

        it("subscribes every address of alarmEmails to both topics, and refuses what is not an address", async () => {
            const subs = ofType(all, "aws:sns/topicSubscription:TopicSubscription").map((s) => [
                s.inputs.topic,
                s.inputs.protocol,
                s.inputs.endpoint,
            ]);
            assert.deepStrictEqual(subs, [
                [topicArn(all), "email", "ops@example.com"],
                [topicArn(all), "email", "oncall@example.com"],
                [topicArn(all, true), "email", "ops@example.com"],
                [topicArn(all, true), "email", "oncall@example.com"],
            ]);
            assert.strictEqual(ofType(runs.dev, "aws:sns/topicSubscription:TopicSubscription").length, 0);
            await expectConfigError(
                "dev",
                { "onehub:alarmEmails": ["ops@example.com", "pager"] },
                /onehub:alarmEmails = "pager" is invalid: must list e-mail addresses/,
            );
        });
    });

    describe("events", () => {
        it("Spot interruptions of the cluster's tasks, failed and rolled-back deployments, and placement failures of both services reach the regional topic", () => {
            const run = runs.dev;
            const pattern = (suffix: string) =>
                JSON.parse(one(run, "aws:cloudwatch/eventRule:EventRule", `-mon-${suffix}`).inputs.eventPattern);
            const services = ["onehub-dev-master-service-id", "onehub-dev-slave-service-id"];
            assert.deepStrictEqual(pattern("spot-interrupted"), {
                source: ["aws.ecs"],
                "detail-type": ["ECS Task State Change"],
                detail: {
                    clusterArn: [`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/onehub-dev-ecs-cluster`],
                    lastStatus: ["STOPPED"],
                    stopCode: ["SpotInterruption"],
                },
            });
            assert.deepStrictEqual(pattern("deployment-failed"), {
                source: ["aws.ecs"],
                "detail-type": ["ECS Deployment State Change"],
                resources: services,
                detail: {
                    $or: [
                        { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
                        { eventName: ["SERVICE_DEPLOYMENT_IN_PROGRESS"], reason: [{ wildcard: "*rolling back*" }] },
                    ],
                },
            });
            assert.deepStrictEqual(pattern("task-placement"), {
                source: ["aws.ecs"],
                "detail-type": ["ECS Service Action"],
                resources: services,
                detail: { eventName: ["SERVICE_TASK_PLACEMENT_FAILURE", "SERVICE_TASK_START_IMPAIRED"] },
            });
            assert.deepStrictEqual(
                services,
                ofType(run, "aws:ecs/service:Service").map((s) => `${s.name}-id`),
                "the services' ARNs",
            );
            const monitoringTargets = ofType(run, "aws:cloudwatch/eventTarget:EventTarget").filter((t) => t.name.includes("-mon-"));
            assert.strictEqual(monitoringTargets.length, 3);
            for (const target of monitoringTargets) {
                assert.strictEqual(target.inputs.arn, topicArn(run));
                assert.ok(
                    dependsDirectlyOn(
                        target,
                        ofType(run, "aws:sns/topicPolicy:TopicPolicy").find((p) => p.name === "onehub-dev-mon-alarms")!,
                    ),
                    "EventBridge may publish before the first event",
                );
            }
        });
    });

    describe("money", () => {
        it("a monthly budget (actual > 80 %, forecast > 100 %) on the us-east-1 topic, account-wide and named so unless scoped by the onehub:stack tag", () => {
            const budget = one(runs.dev, "aws:budgets/budget:Budget");
            const notifications = (run: StackRun) => [
                {
                    notificationType: "ACTUAL",
                    comparisonOperator: "GREATER_THAN",
                    threshold: 80,
                    thresholdType: "PERCENTAGE",
                    subscriberSnsTopicArns: [topicArn(run, true)],
                },
                {
                    notificationType: "FORECASTED",
                    comparisonOperator: "GREATER_THAN",
                    threshold: 100,
                    thresholdType: "PERCENTAGE",
                    subscriberSnsTopicArns: [topicArn(run, true)],
                },
            ];
            assert.deepStrictEqual(
                [budget.inputs.name, budget.inputs.limitAmount, budget.inputs.limitUnit, budget.inputs.timeUnit, budget.inputs.costFilters],
                ["onehub-dev-mon-monthly-account-wide", "200.00", "USD", "MONTHLY", undefined],
            );
            assert.deepStrictEqual(budget.inputs.notifications, notifications(runs.dev));
            assert.strictEqual(one(runs.prod, "aws:budgets/budget:Budget").inputs.limitAmount, "1000.00");
            const scoped = one(all, "aws:budgets/budget:Budget");
            assert.deepStrictEqual(
                [scoped.inputs.name, scoped.inputs.costFilters],
                ["onehub-dev-mon-monthly", [{ name: "TagKeyValue", values: ["user:onehub:stack$onehub-dev"] }]],
            );
            assert.ok(
                dependsDirectlyOn(scoped, one(all, "aws:sns/topicPolicy:TopicPolicy", "-mon-alarms-global")),
                "Budgets checks it may publish",
            );
            const none = ofType(all, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                (r) => r.inputs.tags?.["onehub:stack"] !== "onehub-dev",
            );
            assert.deepStrictEqual(none, [], "the stack program tags every resource with the budget's tag");
        });

        it("subscribes an existing anomaly monitor immediately through SNS, from 5 % of the budget (at least $10)", () => {
            const sub = one(all, "aws:costexplorer/anomalySubscription:AnomalySubscription").inputs;
            assert.deepStrictEqual(
                [sub.frequency, sub.monitorArnLists, sub.subscribers],
                [
                    "IMMEDIATE",
                    [`arn:aws:ce::${ACCOUNT}:anomalymonitor/12345678-abcd-ef12-3456-987654321a12`],
                    [{ type: "SNS", address: topicArn(all, true) }],
                ],
            );
            assert.deepStrictEqual(sub.thresholdExpression.dimension, {
                key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                matchOptions: ["GREATER_THAN_OR_EQUAL"],
                values: ["10"],
            });
            assert.strictEqual(
                thresholds({
                    slaveMinCount: 1,
                    slaveMaxCount: 3,
                    slaveCpuTarget: 70,
                    databaseMaxCapacity: 4,
                    databaseMaxConnections: 135,
                    originReadTimeout: 60,
                    monthlyBudgetUsd: 1000,
                }).anomalyImpactUsd,
                50,
            );
            assert.strictEqual(
                ofType(runs.dev, "aws:costexplorer/anomalySubscription:AnomalySubscription").length,
                0,
                "none unless a monitor is given",
            );
        });

        it("refuses a negative budget, an ARN that is not an anomaly monitor, and a scoped budget without the stack tag, before anything is registered", async () => {
            await expectConfigError(
                "dev",
                { "onehub:monthlyBudgetUsd": -1 },
                /onehub:monthlyBudgetUsd = -1 is invalid: must be a whole number from 0/,
            );
            await expectConfigError(
                "dev",
                { "onehub:costAnomalyMonitorArn": `arn:aws:ce::${ACCOUNT}:anomalysubscription/1234` },
                /onehub:costAnomalyMonitorArn = .*anomalysubscription.* is invalid: must be "" or the ARN of a Cost Anomaly Detection monitor/,
            );
            assert.throws(
                () => new OneHub("bare", { budgetScopedToStack: true, monthlyBudgetUsd: 100 }),
                /OneHub args\.budgetScopedToStack = true is invalid: needs the tag onehub:stack in OneHub args\.tags/,
            );
            assert.throws(
                () => checkMonitoringSettings({ alarmEmails: ["a@example.com", "A@example.com"] }, (f) => f),
                /lists an address twice/,
            );
        });
    });

    describe("dashboard", () => {
        it("shows requests and latency per node type, 5xx by source, tasks, ACU and connections against the budget, NAT bytes and WAF blocks", () => {
            const body = (run: StackRun) => JSON.parse(one(run, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody);
            const prod = body(runs.prod);
            const titles = prod.widgets.map((w: any) => w.properties.title);
            assert.deepStrictEqual(titles, [
                "Requests per node type",
                "Time to first byte per node type (p50, p99)",
                "5xx by source: ALB and targets",
                "5xx rate at CloudFront (%)",
                "Running vs desired tasks",
                "Aurora capacity (ACU) against dbMaxCapacity",
                "Aurora connections against the connection budget",
                "NAT gateway bytes",
                "WAF blocked requests",
            ]);
            const widget = (title: string) => prod.widgets.find((w: any) => w.properties.title === title).properties;
            assert.deepStrictEqual(widget("Aurora capacity (ACU) against dbMaxCapacity").annotations.horizontal[0].value, 64);
            assert.deepStrictEqual(
                widget("Aurora connections against the connection budget").annotations.horizontal.map((h: any) => h.value),
                [4000, 3200],
            );
            assert.strictEqual(widget("NAT gateway bytes").metrics.length, 6, "two series per gateway");
            assert.deepStrictEqual(
                [widget("5xx rate at CloudFront (%)").region, widget("WAF blocked requests").region],
                ["us-east-1", "us-east-1"],
            );
            assert.strictEqual(widget("Requests per node type").metrics[1][3], tgSuffix(runs.prod, "-slave-"));
            assert.ok(!body(runs.dev).widgets.some((w: any) => w.properties.title === "WAF blocked requests"), "no WAF in dev");
        });
    });

    describe("lifecycle", () => {
        it("reads the other components' outputs and is never an input of them: nothing outside it waits for anything inside it", () => {
            for (const run of both()) {
                const inside = descendants(run, one(run, MONITORING));
                const outside = run.resources.filter((r) => !inside.has(r.urn) && r.custom);
                assert.ok(outside.length > 50 && inside.size > 30);
                for (const r of outside) {
                    const waiting = run.resources.filter((m) => inside.has(m.urn) && waitsFor(run, r, m));
                    assert.deepStrictEqual(
                        waiting.map((m) => m.name),
                        [],
                        `${r.name} must not wait for monitoring`,
                    );
                }
            }
        });

        it("monitoring off builds no monitoring resource in either stack, and the slaves keep their rollback alarms", async () => {
            for (const stack of ["dev", "prod"]) {
                const run = await fixtureRun(stack, { config: { "onehub:monitoringEnabled": false } });
                assert.strictEqual(ofType(run, MONITORING).length, 0);
                for (const type of [TOPIC, COMPOSITE, "aws:cloudwatch/dashboard:Dashboard", "aws:budgets/budget:Budget"]) {
                    assert.strictEqual(ofType(run, type).length, 0, type);
                }
                // The only event rule left is the slaves' own Spot drain, not monitoring's.
                assert.deepStrictEqual(
                    ofType(run, "aws:cloudwatch/eventRule:EventRule").map((r) => r.name),
                    [`onehub-${stack}-slave-spot-drain`],
                );
                assert.deepStrictEqual(
                    ofType(run, ALARM)
                        .map((a) => a.name)
                        .sort(),
                    [`onehub-${stack}-slave-rollback-elb-5xx`, `onehub-${stack}-slave-rollback-unhealthy`],
                );
                assert.deepStrictEqual([run.outputs.alarmTopicArn, run.outputs.dashboardName], [undefined, undefined]);
            }
        });

        it("alarms take their names from Pulumi (a renamed alarm is a new one); the dashboard and composite have fixed names, the budget's name says what it counts", () => {
            const run = runs.dev;
            assert.ok(
                ofType(run, ALARM).every((a) => a.inputs.name === undefined),
                "autonamed: a replacement never collides with the old alarm",
            );
            assert.deepStrictEqual(
                [one(run, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardName, one(run, COMPOSITE).inputs.alarmName],
                ["onehub-dev-mon", "onehub-dev-mon-slaves-saturated"],
            );
            assert.ok(
                run.resources.filter((r) => r.name.startsWith("onehub-dev-mon")).every((r) => !r.retainOnDelete && !r.deleteBeforeReplace),
            );
        });
    });

    describe("used alone", () => {
        const args = {
            clusterName: "shared",
            clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/shared`,
            masterServiceName: "m",
            masterServiceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/shared/m`,
            slaveServiceName: "s",
            slaveServiceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/shared/s`,
            loadBalancerArnSuffix: "app/alb/1",
            masterTargetGroupArnSuffix: "targetgroup/m/1",
            slaveTargetGroupArnSuffix: "targetgroup/s/1",
            databaseClusterIdentifier: "db",
            distributionId: "E123",
        };

        it("watches a NAT instance by its Auto Scaling group: the in-service count and the status checks, each with actions", async () => {
            const run = await fixtureRun("dev", {}, () => {
                new OneHubMonitoring("solo", { ...args, natInstanceAutoScalingGroupNames: ["nat-asg-a"] });
            });
            const group = ofType(run, ALARM).find((a) => a.name === "solo-nat-instance-0-in-service")!.inputs;
            assert.deepStrictEqual(metricOf(group), [
                "AWS/AutoScaling",
                "GroupInServiceInstances",
                { AutoScalingGroupName: "nat-asg-a" },
                "Minimum",
            ]);
            assert.deepStrictEqual(
                [group.threshold, group.comparisonOperator, group.treatMissingData],
                [1, "LessThanThreshold", "breaching"],
            );
            const status = ofType(run, ALARM).find((a) => a.name === "solo-nat-instance-0-status-check")!.inputs;
            assert.deepStrictEqual(metricOf(status), ["AWS/EC2", "StatusCheckFailed", { AutoScalingGroupName: "nat-asg-a" }, "Maximum"]);
            for (const a of [group, status]) {
                assert.deepStrictEqual(a.alarmActions, [`arn:aws:sns:us-east-1:${ACCOUNT}:solo-alarms`]);
            }
            assert.strictEqual(ofType(run, "aws:budgets/budget:Budget").length, 0, "the component's budget defaults to none");
            assert.ok(
                !JSON.stringify(ofType(run, ALARM).map((a) => a.inputs)).includes("ECS/ContainerInsights"),
                "Container Insights off by default",
            );
        });

        it("refuses bad arguments before registering anything", () => {
            assert.throws(
                () => new OneHubMonitoring("solo", { ...args, alarmEmails: ["x"] }),
                /OneHubMonitoring args\.alarmEmails = "x" is invalid/,
            );
            assert.throws(
                () => new OneHubMonitoring("solo", { ...args, slaveMinCount: 4, slaveMaxCount: 2 }),
                /OneHubMonitoring args\.slaveMaxCount = 2 is invalid: must be a whole number from 4 to 500/,
            );
            assert.throws(
                () => new OneHubMonitoring("solo", { ...args, cacheName: "c", cacheMaxDataStorageGb: 0 }),
                /OneHubMonitoring args\.cacheMaxDataStorageGb = 0 is invalid: must be a whole number from 1 to 5000/,
            );
            assert.throws(
                () => new OneHubMonitoring("solo", { ...args, costAllocationTagValue: "x" }),
                /costAllocationTagValue = "x" is invalid: needs OneHubMonitoring args\.costAllocationTagKey/,
            );
            void MOCK_ZONES;
        });
    });

    describe("tools", () => {
        it("the plan counts the alarms by kind and shows each one's metric, threshold and window", () => {
            assert.strictEqual(
                alarmCount(runs.prod),
                "33 alarms (25 standard, 6 metric math, 1 anomaly detection, 1 composite; 4 without actions: composite members and deployment rollback alarms)",
            );
            const line = summarize(ofType(runs.dev, ALARM).find((a) => a.name === "onehub-dev-mon-db-connections-high")!);
            assert.strictEqual(line, "AWS/RDS DatabaseConnections Maximum > 108 in 5 of 5×60 s, missing notBreaching");
        });

        it("the cost model prices every alarm metric, the composite, the dashboard and CloudFront's extra metrics, and Container Insights per metric per dimension set", () => {
            // 24 alarms of one metric, 2 target 5xx rates and the rollback alarm of 2–3 metrics, the NAT drop rate of 3.
            // The dev profile: 28 alarm metrics (a NAT instance's two alarms, not a gateway's three metrics).
            const { month, ...counts } = monitoringCost(runs.dev);
            assert.deepStrictEqual(counts, { alarmMetrics: 28, composites: 1, dashboards: 1, cloudfrontMetrics: 0 });
            assert.ok(Math.abs(month - (28 * 0.1 + 0.5 + 3)) < 1e-9, "$0.10 per alarm metric, $0.50 per composite, $3 per dashboard");
            assert.strictEqual(monitoringCost(all).cloudfrontMetrics, 8);
            // Container Insights is priced with the rest of the cluster (tools/costModel.ts containerInsightsUsage).
        });
    });
});
