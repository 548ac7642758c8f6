import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkComponentName, checkInteger, checkMatches, checkStep, fail } from "../common/validation";
import { maxConnections } from "../database/aurora";
import { CACHE_LIMITS } from "../cache/oneHubCache";
import { dashboardBody, DashboardIds } from "./dashboard";
import { deploymentFailedPattern, spotInterruptionPattern, taskPlacementPattern } from "./eventPatterns";
import { checkMonitoringSettings, thresholds } from "./monitoringSettings";

/** CloudFront and WAF (CLOUDFRONT scope) publish their metrics in us-east-1 only. */
const GLOBAL_REGION = "us-east-1";

export interface OneHubMonitoringArgs {
    /** The ECS cluster's name (OneHubCluster.clusterName), the `ClusterName` dimension. */
    clusterName: pulumi.Input<string>;
    /** The ECS cluster's ARN, for the Spot-interruption event pattern. */
    clusterArn: pulumi.Input<string>;
    /** The master's ECS service name, the `ServiceName` dimension. */
    masterServiceName: pulumi.Input<string>;
    /** The master's ECS service ARN (OneHubMasterService.serviceArn), for the deployment events. */
    masterServiceArn: pulumi.Input<string>;
    /** The slaves' ECS service name. */
    slaveServiceName: pulumi.Input<string>;
    /** The slaves' ECS service ARN. */
    slaveServiceArn: pulumi.Input<string>;
    /** "app/<name>/<id>" (PrivateEdge.albArnSuffix), the `LoadBalancer` dimension. */
    loadBalancerArnSuffix: pulumi.Input<string>;
    /** "targetgroup/<name>/<id>" of the master (OneHubMasterService.targetGroupArnSuffix). */
    masterTargetGroupArnSuffix: pulumi.Input<string>;
    /** "targetgroup/<name>/<id>" of the slaves. */
    slaveTargetGroupArnSuffix: pulumi.Input<string>;
    /** The Aurora cluster identifier (OneHubDatabase.clusterIdentifier), the `DBClusterIdentifier` dimension. */
    databaseClusterIdentifier: pulumi.Input<string>;
    /** The CloudFront distribution id (PrivateEdge.distributionId). */
    distributionId: pulumi.Input<string>;
    /**
     * The WAF web ACL's metric name (PrivateEdge.webAclMetricName): the `WebACL` dimension of
     * AWS/WAFV2 metrics is the visibility config's metric name, not the ACL's name. Default: none
     * (no WAF alarm or widget).
     * See https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html
     */
    webAclMetricName?: pulumi.Input<string>;
    /**
     * The VPC's NAT gateway ids (OneHubNetwork.natGatewayIds, one entry per gateway). Default [].
     * Each gets a port-allocation and a dropped-packets alarm.
     */
    natGatewayIds?: pulumi.Input<string>[];
    /**
     * Auto Scaling groups of NAT instances (the NAT-instance option of the network). Default []. Each
     * gets an in-service alarm and a status-check alarm; the group must publish group metrics (`enabledMetrics` with
     * GroupInServiceInstances), or the alarm sees no data and fires.
     */
    natInstanceAutoScalingGroupNames?: pulumi.Input<string>[];
    /**
     * The serverless Redis's name (OneHubCache.cacheName), the `clusterId` dimension of its
     * AWS/ElastiCache metrics. Default "" (no cache alarms; an existing cache is its owner's to watch).
     * See https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/serverless-metrics-events-redis.html
     */
    cacheName?: pulumi.Input<string>;
    /** The cache's storage cap in GB (OneHubCache maxDataStorageGb), 1–5000: alarm at 80 % of it. Default 1. */
    cacheMaxDataStorageGb?: number;
    /** Fewest slave tasks (the slaves' minCount): below it the slaves alarm. Default 1. */
    slaveMinCount?: number;
    /** Most slave tasks (maxCount): at it, with high CPU, the slaves are saturated. Default 3. */
    slaveMaxCount?: number;
    /** The slaves' CPU scaling target %, 10–90: "high" is 15 points above it (at most 95). Default 70. */
    slaveCpuTarget?: number;
    /** Aurora's maximum ACU (dbMaxCapacity), 1–256: capacity alarms at 90 % of it. Default 4. */
    databaseMaxCapacity?: number;
    /**
     * The max_connections the tasks' pools are sized from (OneHubDatabase.maxConnections): the
     * connections alarm fires above 80 % of it. Default: Aurora's at `databaseMaxCapacity`.
     */
    databaseMaxConnections?: number;
    /** Aurora readers, 0–15: with one or more, a replica-lag alarm. Default 0. */
    databaseReaderCount?: number;
    /** CloudFront's origin response timeout (s), 1–120: slaves alarm at a p99 of 80 % of it. Default 60. */
    originReadTimeout?: number;
    /**
     * Whether the cluster has Container Insights. Default false: every alarm then uses metrics that
     * exist without it (AWS/ApplicationELB, AWS/ECS, AWS/RDS, …). True: "slaves below minimum"
     * counts running tasks (ECS/ContainerInsights RunningTaskCount) and the dashboard shows
     * running vs desired tasks.
     */
    containerInsightsEnabled?: boolean;
    /**
     * Subscribe the distribution to CloudFront's additional metrics (8 metrics billed as custom
     * metrics, ~$2.40 a month) and alarm on its 504 rate. Default false.
     * See https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/viewing-cloudfront-metrics.html
     */
    cloudfrontAdditionalMetrics?: boolean;
    /** Addresses subscribed to both alarm topics; each must confirm AWS's e-mail. Default []. */
    alarmEmails?: string[];
    /** A monthly AWS Budget in USD (actual > 80 %, forecast > 100 % notify); 0 = none. Default 0. */
    monthlyBudgetUsd?: number;
    /**
     * The cost-allocation tag that scopes the budget to this deployment, e.g. "onehub:stack"; it
     * must be activated in the payer account's Billing console. Default "": the budget counts the
     * whole account and says so in its name.
     * See https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html
     */
    costAllocationTagKey?: string;
    /** With `costAllocationTagKey`: the tag's value on this deployment's resources. */
    costAllocationTagValue?: string;
    /**
     * An existing Cost Anomaly Detection monitor (arn:aws:ce::<account>:anomalymonitor/<id>) to
     * subscribe the us-east-1 topic to, immediately. Default "" (none): an account usually has one
     * such monitor, and some kinds exist only in the management account, so none is created here.
     */
    costAnomalyMonitorArn?: string;
    /** Tags for every resource that takes tags. */
    tags?: Record<string, string>;
}

/** How one alarm is built; the tests and the plan read the registered inputs. */
export interface AlarmSpec {
    /** Suffix of the resource name. */
    suffix: string;
    /** What it means and the first thing to check. */
    description: string;
    /** A plain metric … */
    metric?: {
        namespace: string;
        metricName: string;
        dimensions: Record<string, pulumi.Input<string>>;
        statistic?: string;
        extendedStatistic?: string;
    };
    /** … or metric math: the metrics by id, and the expression whose value is compared. */
    math?: {
        expression: string;
        label: string;
        metrics: Record<string, { namespace: string; metricName: string; dimensions: Record<string, pulumi.Input<string>>; stat: string }>;
    };
    /** For anomaly detection: the band expression compared against (GreaterThanUpperThreshold). */
    anomalyBand?: { metricId: string; deviations: number };
    period: number;
    evaluationPeriods: number;
    datapointsToAlarm?: number;
    threshold?: number;
    comparisonOperator: string;
    treatMissingData: "breaching" | "notBreaching" | "missing" | "ignore";
    /** In us-east-1 (CloudFront, WAF), notified through the us-east-1 topic. */
    global?: boolean;
}

/**
 * NAT gateway alarms: port allocation errors (connections to one destination exhausted the
 * gateway's ports) and dropped packets above AWS's recommended 0.01 % of the traffic.
 * See https://docs.aws.amazon.com/vpc/latest/userguide/metrics-dimensions-nat-gateway.html
 */
export function natGatewayAlarms(index: number, natGatewayId: pulumi.Input<string>): AlarmSpec[] {
    const m = (metricName: string) => ({
        namespace: "AWS/NATGateway",
        metricName,
        dimensions: { NatGatewayId: natGatewayId },
        stat: "Sum",
    });
    return [
        {
            suffix: `nat-${index}-port-allocation`,
            description:
                "NAT gateway could not allocate a source port: too many simultaneous connections to one upstream (55,000 per destination). Tasks get connection errors to that LLM provider. Check which upstream (VPC flow logs); add a secondary IP to the gateway.",
            metric: { ...m("ErrorPortAllocation"), statistic: "Sum" },
            period: 300,
            evaluationPeriods: 1,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
        },
        {
            suffix: `nat-${index}-packets-dropped`,
            description:
                "NAT gateway drops more than 0.01 % of its packets (AWS's threshold for a problem): upstream calls time out. Check the AWS Health Dashboard for the zone, then the gateway's bandwidth.",
            math: {
                expression:
                    "IF((FILL(fromSource, 0) + FILL(fromDestination, 0)) > 0, 100 * FILL(dropped, 0) / (FILL(fromSource, 0) + FILL(fromDestination, 0)), 0)",
                label: "dropped packets %",
                metrics: {
                    dropped: m("PacketsDropCount"),
                    fromSource: m("PacketsInFromSource"),
                    fromDestination: m("PacketsInFromDestination"),
                },
            },
            period: 300,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            threshold: 0.01,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
        },
    ];
}

/**
 * The alarm of one NAT instance's Auto Scaling group — no instance in service means no egress for the zones it serves.
 * The group must publish its group metrics (`enabledMetrics: ["GroupInServiceInstances"]`); without
 * them there is no data, which counts as breaching.
 * See https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-metrics.html
 */
export function natInstanceGroupAlarms(index: number, autoScalingGroupName: pulumi.Input<string>): AlarmSpec[] {
    return [
        {
            suffix: `nat-instance-${index}-in-service`,
            description:
                "No NAT instance is in service in its Auto Scaling group: the private subnets it serves have no egress (no image pulls, no upstream LLM calls). Check the group's activity history.",
            metric: {
                namespace: "AWS/AutoScaling",
                metricName: "GroupInServiceInstances",
                dimensions: { AutoScalingGroupName: autoScalingGroupName },
                statistic: "Minimum",
            },
            period: 60,
            evaluationPeriods: 3,
            threshold: 1,
            comparisonOperator: "LessThanThreshold",
            treatMissingData: "breaching",
        },
    ];
}

/**
 * One NAT instance's EC2 status checks (system or instance check failed: the instance forwards
 * nothing), by its Auto Scaling group: the group replaces the instance, so an instance id would go
 * stale; EC2 publishes its metrics per group too.
 * See https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html#status-check-metrics
 */
export function natInstanceStatusAlarms(index: number, autoScalingGroupName: pulumi.Input<string>): AlarmSpec[] {
    return [
        {
            suffix: `nat-instance-${index}-status-check`,
            description:
                "A NAT instance fails its EC2 status checks: the zones it serves lose egress. Check the instance's status checks and system log; its Auto Scaling group should replace it.",
            metric: {
                namespace: "AWS/EC2",
                metricName: "StatusCheckFailed",
                dimensions: { AutoScalingGroupName: autoScalingGroupName },
                statistic: "Maximum",
            },
            period: 60,
            evaluationPeriods: 2,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            // While the group replaces the instance nothing reports: that is the group alarm's business.
            treatMissingData: "notBreaching",
        },
    ];
}

/** Share of the cache's storage cap at which it alarms. */
const CACHE_STORAGE_ALARM_SHARE = 0.8;

/**
 * The shared Redis's alarms: throttled commands (the ECPU cap reached, or traffic growing faster
 * than the cache scales: OneHub then answers 401/500 on relay paths) and storage near its cap.
 * ElastiCache counts the cap in GB of 10^9 bytes, so 80 % of it is compared in bytes.
 */
export function cacheAlarms(cacheName: pulumi.Input<string>, maxDataStorageGb: number): AlarmSpec[] {
    const dimensions = { clusterId: cacheName };
    return [
        {
            suffix: "cache-throttled",
            description:
                "The shared Redis throttled commands in 2 of 5 minutes: its ECPU cap (redisMaxEcpuPerSecond) is reached or traffic grew faster than it scales, and OneHub answers 401/500 on relay paths meanwhile. Raise redisMaxEcpuPerSecond.",
            metric: { namespace: "AWS/ElastiCache", metricName: "ThrottledCmds", dimensions, statistic: "Sum" },
            period: 60,
            evaluationPeriods: 5,
            datapointsToAlarm: 2,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
        },
        {
            suffix: "cache-storage-high",
            description: `The shared Redis holds more than ${Math.round(CACHE_STORAGE_ALARM_SHARE * 100)} % of its ${maxDataStorageGb} GB cap (redisMaxDataStorageGb) for 15 minutes: at the cap it can store nothing more. OneHub's keys expire; raise redisMaxDataStorageGb if this persists.`,
            metric: { namespace: "AWS/ElastiCache", metricName: "BytesUsedForCache", dimensions, statistic: "Maximum" },
            period: 300,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            threshold: CACHE_STORAGE_ALARM_SHARE * maxDataStorageGb * 1e9,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
        },
    ];
}

/**
 * OneHub's operations layer: an SNS topic in the stack's region and one in us-east-1, alarms whose
 * thresholds follow the deployment's configuration, EventBridge rules for the ECS events no metric
 * shows, a dashboard, and optionally a monthly budget and a cost-anomaly subscription. It only reads
 * the other components' outputs: nothing it watches depends on it.
 */
export class OneHubMonitoring extends pulumi.ComponentResource {
    /** The topic in the stack's region: regional alarms and the ECS events. */
    public readonly topic: aws.sns.Topic;
    /** The topic in us-east-1: CloudFront and WAF alarms, the budget, the cost-anomaly subscription. */
    public readonly globalTopic: aws.sns.Topic;
    /** The dashboard. */
    public readonly dashboard: aws.cloudwatch.Dashboard;
    /** The regional topic's ARN (add a Chatbot or other subscriber here). */
    public readonly topicArn: pulumi.Output<string>;
    /** The us-east-1 topic's ARN. */
    public readonly globalTopicArn: pulumi.Output<string>;
    /** The dashboard's name. */
    public readonly dashboardName: pulumi.Output<string>;
    /** The names of every alarm with actions (metric and composite). */
    public readonly alarmNames: pulumi.Output<string[]>;

    constructor(name: string, args: OneHubMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        // EventBridge rule names are at most 64 characters; the longest is "<name>-deployment-failed".
        checkComponentName("OneHubMonitoring", name, "-deployment-failed", 64);
        const k = (field: keyof OneHubMonitoringArgs) => `OneHubMonitoring args.${field}`;
        checkMonitoringSettings(args, k);
        const slaveMinCount = checkInteger(k("slaveMinCount"), args.slaveMinCount ?? 1, 1, 100);
        const slaveMaxCount = checkInteger(k("slaveMaxCount"), args.slaveMaxCount ?? 3, slaveMinCount, 500);
        const slaveCpuTarget = checkInteger(k("slaveCpuTarget"), args.slaveCpuTarget ?? 70, 10, 90);
        const databaseMaxCapacity = checkStep(k("databaseMaxCapacity"), args.databaseMaxCapacity ?? 4, 1, 256, 0.5);
        const databaseMaxConnections = checkInteger(
            k("databaseMaxConnections"),
            args.databaseMaxConnections ?? maxConnections(databaseMaxCapacity),
            1,
            16000,
        );
        const databaseReaderCount = checkInteger(k("databaseReaderCount"), args.databaseReaderCount ?? 0, 0, 15);
        const originReadTimeout = checkInteger(k("originReadTimeout"), args.originReadTimeout ?? 60, 1, 120);
        const cacheMaxDataStorageGb = checkInteger(
            k("cacheMaxDataStorageGb"),
            args.cacheMaxDataStorageGb ?? CACHE_LIMITS.dataStorageGb.default,
            CACHE_LIMITS.dataStorageGb.min,
            CACHE_LIMITS.dataStorageGb.max,
        );
        const tagKey = args.costAllocationTagKey ?? "";
        const tagValue = args.costAllocationTagValue ?? "";
        if (tagKey !== "") {
            checkMatches(
                k("costAllocationTagKey"),
                tagKey,
                /^(?!aws:)[\p{L}\p{N}\s_.:/=+\-@]{1,128}$/u,
                "must be a tag key (1–128 characters, not aws:…)",
            );
            checkMatches(
                k("costAllocationTagValue"),
                tagValue,
                /^[\p{L}\p{N}\s_.:/=+\-@]{1,256}$/u,
                `must be the tag's value when ${k("costAllocationTagKey")} is set`,
            );
        } else if (tagValue !== "") {
            fail(k("costAllocationTagValue"), tagValue, `needs ${k("costAllocationTagKey")}`);
        }
        super("onehub:index:OneHubMonitoring", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags;
        const t = thresholds({
            slaveMinCount,
            slaveMaxCount,
            slaveCpuTarget,
            databaseMaxCapacity,
            databaseMaxConnections,
            originReadTimeout,
            monthlyBudgetUsd: args.monthlyBudgetUsd ?? 0,
        });

        // ---- notification: a topic per region, publishable by the AWS services that alarm --------
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const topic = new aws.sns.Topic(`${name}-alarms`, { displayName: `OneHub ${name} alarms`, tags }, parent);
        const globalTopic = new aws.sns.Topic(
            `${name}-alarms-global`,
            { region: GLOBAL_REGION, displayName: `OneHub ${name} alarms (us-east-1)`, tags },
            parent,
        );
        // Budgets and Cost Anomaly Detection check at creation that they may publish, and EventBridge
        // drops what it may not deliver: what publishes waits for its topic's policy.
        const policies = new Map<aws.sns.Topic, aws.sns.TopicPolicy>();
        for (const [suffix, t2, region] of [
            ["alarms", topic, undefined],
            ["alarms-global", globalTopic, GLOBAL_REGION],
        ] as const) {
            policies.set(
                t2,
                new aws.sns.TopicPolicy(`${name}-${suffix}`, { region, arn: t2.arn, policy: topicPolicy(t2.arn, account) }, parent),
            );
            (args.alarmEmails ?? []).forEach(
                (email, i) =>
                    new aws.sns.TopicSubscription(
                        `${name}-${suffix}-email-${i}`,
                        { region, topic: t2.arn, protocol: "email", endpoint: email },
                        parent,
                    ),
            );
        }

        // ---- alarms -------------------------------------------------------------------------------
        const lb = args.loadBalancerArnSuffix;
        const tgDims = (tg: pulumi.Input<string>) => ({ TargetGroup: tg, LoadBalancer: lb });
        const alb = (metricName: string, dims: Record<string, pulumi.Input<string>>, statistic: string) => ({
            namespace: "AWS/ApplicationELB",
            metricName,
            dimensions: dims,
            statistic,
        });
        const writer = { DBClusterIdentifier: args.databaseClusterIdentifier, Role: "WRITER" };
        const rds = (metricName: string, statistic: string, dims: Record<string, pulumi.Input<string>> = writer) => ({
            namespace: "AWS/RDS",
            metricName,
            dimensions: dims,
            statistic,
        });
        const ecsService = { ClusterName: args.clusterName, ServiceName: args.slaveServiceName };

        const specs: AlarmSpec[] = [
            {
                suffix: "master-down",
                description:
                    "No healthy master for 5 minutes (a deploy takes 1–2): the admin UI, /api/* and the cron jobs are down. Check the master service's events and its log group (masterLogGroupName); `pulumi up --refresh` after a failed rollout.",
                metric: alb("HealthyHostCount", tgDims(args.masterTargetGroupArnSuffix), "Minimum"),
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 5,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "breaching",
            },
            {
                suffix: "slaves-below-min",
                description: `Fewer than slaveMinCount (${slaveMinCount}) slaves ${args.containerInsightsEnabled ? "running" : "healthy"} for 10 minutes: relay capacity is short. Check the slave service's events (Spot capacity, task start failures) and the Fargate vCPU quota.`,
                metric: args.containerInsightsEnabled
                    ? { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: ecsService, statistic: "Minimum" }
                    : alb("HealthyHostCount", tgDims(args.slaveTargetGroupArnSuffix), "Minimum"),
                period: 60,
                evaluationPeriods: 10,
                datapointsToAlarm: 10,
                threshold: slaveMinCount,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "breaching",
            },
        ];
        for (const [node, tg, p99] of [
            ["master", args.masterTargetGroupArnSuffix, t.masterP99Seconds],
            ["slave", args.slaveTargetGroupArnSuffix, t.slaveP99Seconds],
        ] as const) {
            specs.push(
                {
                    suffix: `${node}-5xx-rate`,
                    description: `More than 5 % of the ${node} requests answered 5xx by OneHub for 5 minutes (ignored below 10 requests a minute). On the slaves this is usually an upstream LLM provider failing: check OneHub's channel logs and disabled channels; on the master, its log group.`,
                    math: {
                        expression: "IF(FILL(requests, 0) >= 10, 100 * FILL(errors, 0) / FILL(requests, 0), 0)",
                        label: `${node} target 5xx %`,
                        metrics: {
                            requests: { ...alb("RequestCount", tgDims(tg), "Sum"), stat: "Sum" },
                            errors: { ...alb("HTTPCode_Target_5XX_Count", tgDims(tg), "Sum"), stat: "Sum" },
                        },
                    },
                    period: 60,
                    evaluationPeriods: 5,
                    datapointsToAlarm: 5,
                    threshold: 5,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "notBreaching",
                },
                {
                    suffix: `${node}-unhealthy-hosts`,
                    description: `A ${node} target has failed its /api/status health checks for 5 minutes. Check the ${node} tasks' logs and the database's connections.`,
                    metric: alb("UnHealthyHostCount", tgDims(tg), "Maximum"),
                    period: 60,
                    evaluationPeriods: 5,
                    datapointsToAlarm: 5,
                    threshold: 1,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    treatMissingData: "notBreaching",
                },
                {
                    suffix: `${node}-p99-latency`,
                    description:
                        node === "slave"
                            ? `p99 time to the first response byte of the slaves above ${p99} s (80 % of originReadTimeout ${originReadTimeout} s) for 5 minutes: the slowest answers are about to become CloudFront 504s. Check upstream provider latency; raise originReadTimeout (quota) if models think longer.`
                            : `p99 response time of the master above ${p99} s for 5 minutes: admin and API calls are slow. Check the database's CPU and connections.`,
                    metric: {
                        namespace: "AWS/ApplicationELB",
                        metricName: "TargetResponseTime",
                        dimensions: tgDims(tg),
                        extendedStatistic: "p99",
                    },
                    period: 60,
                    evaluationPeriods: 5,
                    datapointsToAlarm: 5,
                    threshold: p99,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "notBreaching",
                },
            );
        }
        const elb = { LoadBalancer: lb };
        specs.push(
            {
                suffix: "alb-502",
                description:
                    "The ALB answers 502 (a task closed the connection or crashed mid-request) 5+ times a minute in 3 of 5 minutes. Check stopped tasks (exit codes, OOM) and the tasks' logs.",
                metric: alb("HTTPCode_ELB_502_Count", elb, "Sum"),
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
                threshold: 5,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
            },
            {
                suffix: "alb-503",
                description:
                    "The ALB answers 503 (a target group has no healthy target) in 3 of 5 minutes — longer than a master deploy. Check which node type is down: master-down or slaves-below-min.",
                metric: alb("HTTPCode_ELB_503_Count", elb, "Sum"),
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
            },
            {
                suffix: "alb-504",
                description:
                    "The ALB answers 504 (a target stayed silent past albIdleTimeout) 5+ times a minute in 3 of 5 minutes: LLM streams that think longer than the idle timeout, or hung tasks. Check albIdleTimeout and the slaves' CPU.",
                metric: alb("HTTPCode_ELB_504_Count", elb, "Sum"),
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
                threshold: 5,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
            },
            {
                suffix: "alb-rejected-connections",
                description:
                    "The ALB rejected connections because it reached its maximum: clients get errors before OneHub sees them. Check for a traffic spike or a client holding connections open.",
                metric: alb("RejectedConnectionCount", elb, "Sum"),
                period: 300,
                evaluationPeriods: 1,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
            },
            {
                suffix: "db-capacity-near-max",
                description: `Aurora's writer has run at ${t.databaseCapacityNearMax} ACU or more (90 % of dbMaxCapacity ${databaseMaxCapacity}) for 15 minutes: it cannot grow much further. Raise dbMaxCapacity (then reboot and raise dbRebootedMaxCapacity) or find the slow queries (slow-query log).`,
                metric: rds("ServerlessDatabaseCapacity", "Maximum"),
                period: 300,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
                threshold: t.databaseCapacityNearMax,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
            },
            {
                suffix: "db-connections-high",
                description: `More than ${t.databaseConnectionsHigh} connections to Aurora's writer (80 % of the max_connections ${databaseMaxConnections} the pools are sized from) for 5 minutes: new tasks will soon get "Error 1040: Too many connections". Check slaveMaxCount against the connection budget, or raise dbMaxCapacity.`,
                metric: rds("DatabaseConnections", "Maximum"),
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 5,
                threshold: t.databaseConnectionsHigh,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            },
            {
                suffix: "db-cpu-high",
                description:
                    "Aurora's writer CPU above 90 % for 15 minutes: queries queue. Check the slow-query log and whether capacity is at dbMaxCapacity (db-capacity-near-max).",
                metric: rds("CPUUtilization", "Average"),
                period: 300,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
                threshold: 90,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            },
            {
                suffix: "db-deadlocks",
                description:
                    "Aurora reports deadlocks (more than 3 a minute over 5 minutes): billing writes retry or fail. Check the error log export; often several nodes update the same quota rows at once.",
                metric: rds("Deadlocks", "Average"),
                period: 300,
                evaluationPeriods: 1,
                threshold: 0.05,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            },
            {
                suffix: "db-freeable-memory-low",
                description: `Aurora's writer has less than ${Math.round(t.databaseFreeableMemoryLow / 1024 ** 2)} MiB freeable memory (5 % of dbMaxCapacity's ${databaseMaxCapacity * 2} GiB) for 15 minutes. On Serverless v2 this counts the memory left up to the maximum capacity, so it is low only at the maximum: raise dbMaxCapacity.`,
                metric: rds("FreeableMemory", "Minimum"),
                period: 300,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
                threshold: t.databaseFreeableMemoryLow,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "notBreaching",
            },
        );
        if (databaseReaderCount > 0) {
            specs.push({
                suffix: "db-reader-lag",
                description:
                    "Aurora readers lag the writer by more than 1 s for 5 minutes: a failover would lose that much. Check the writer's write load and the reader's capacity.",
                metric: rds("AuroraReplicaLag", "Maximum", { DBClusterIdentifier: args.databaseClusterIdentifier, Role: "READER" }),
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 5,
                threshold: 1000,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            });
        }
        (args.natGatewayIds ?? []).forEach((id, i) => specs.push(...natGatewayAlarms(i, id)));
        (args.natInstanceAutoScalingGroupNames ?? []).forEach((group, i) => specs.push(...natInstanceGroupAlarms(i, group)));
        (args.natInstanceAutoScalingGroupNames ?? []).forEach((group, i) => specs.push(...natInstanceStatusAlarms(i, group)));
        if (args.cacheName !== undefined && args.cacheName !== "") {
            specs.push(...cacheAlarms(args.cacheName, cacheMaxDataStorageGb));
        }

        const cdn = { DistributionId: args.distributionId, Region: "Global" };
        specs.push({
            suffix: "cdn-5xx-rate",
            description:
                "More than 5 % of CloudFront's responses are 5xx for 5 minutes: viewers see errors, whatever their source. Compare with the ALB and target 5xx alarms to find the source.",
            metric: { namespace: "AWS/CloudFront", metricName: "5xxErrorRate", dimensions: cdn, statistic: "Average" },
            period: 60,
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
            threshold: 5,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            global: true,
        });
        if (args.cloudfrontAdditionalMetrics) {
            specs.push({
                suffix: "cdn-504-rate",
                description: `More than 2 % of CloudFront's responses are 504 for 5 minutes: the origin stayed silent past originReadTimeout (${originReadTimeout} s). Check the slaves' p99 latency; raise originReadTimeout (quota) if models think longer.`,
                metric: { namespace: "AWS/CloudFront", metricName: "504ErrorRate", dimensions: cdn, statistic: "Average" },
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 5,
                threshold: 2,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                global: true,
            });
        }
        const hasWaf = args.webAclMetricName !== undefined && args.webAclMetricName !== "";
        if (hasWaf) {
            specs.push({
                suffix: "waf-blocked-spike",
                description:
                    "The WAF blocks far more requests than usual (above CloudWatch's anomaly band, 3 standard deviations) for 10 minutes: an attack, or a rule blocking real clients. Check the web ACL's sampled requests by rule.",
                math: {
                    expression: "ANOMALY_DETECTION_BAND(blocked, 3)",
                    label: "blocked requests band",
                    metrics: {
                        blocked: {
                            namespace: "AWS/WAFV2",
                            metricName: "BlockedRequests",
                            dimensions: { WebACL: args.webAclMetricName!, Rule: "ALL" },
                            stat: "Sum",
                        },
                    },
                },
                anomalyBand: { metricId: "blocked", deviations: 3 },
                period: 300,
                evaluationPeriods: 2,
                datapointsToAlarm: 2,
                comparisonOperator: "GreaterThanUpperThreshold",
                treatMissingData: "notBreaching",
                global: true,
            });
        }
        const notified = specs.map((spec) => this.alarm(name, spec, spec.global ? globalTopic : topic, tags));

        // Saturated: at the most slaves autoscaling may run, and still busy. Both halves exist with
        // Container Insights off; only the composite notifies.
        const atMax = this.alarm(
            name,
            {
                suffix: "slaves-at-max",
                description: `Part of slaves-saturated: slaveMaxCount (${slaveMaxCount}) healthy slaves for 5 minutes.`,
                metric: alb("HealthyHostCount", tgDims(args.slaveTargetGroupArnSuffix), "Minimum"),
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 5,
                threshold: slaveMaxCount,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
            },
            undefined,
            tags,
        );
        const cpuHigh = this.alarm(
            name,
            {
                suffix: "slaves-cpu-high",
                description: `Part of slaves-saturated: slave CPU above ${t.slaveCpuHigh} % (slaveCpuTarget ${slaveCpuTarget} + 15) for 5 minutes.`,
                metric: { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: ecsService, statistic: "Average" },
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 5,
                threshold: t.slaveCpuHigh,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            },
            undefined,
            tags,
        );
        const saturated = new aws.cloudwatch.CompositeAlarm(
            `${name}-slaves-saturated`,
            {
                alarmName: `${name}-slaves-saturated`,
                alarmDescription: `The slaves run at slaveMaxCount (${slaveMaxCount}) and their CPU is still above ${t.slaveCpuHigh} %: autoscaling can add no more and requests queue. Raise slaveMaxCount (within the connection budget) or slaveCpu.`,
                alarmRule: pulumi.interpolate`ALARM("${atMax.name}") AND ALARM("${cpuHigh.name}")`,
                alarmActions: [topic.arn],
                okActions: [topic.arn],
                tags,
            },
            parent,
        );

        // ---- events no metric shows ------------------------------------------------------------------
        const serviceArns = pulumi.all([args.masterServiceArn, args.slaveServiceArn]);
        const rules: [string, string, pulumi.Input<Record<string, unknown>>][] = [
            [
                "spot-interrupted",
                "Fargate Spot reclaimed a task (the service starts another)",
                pulumi.output(args.clusterArn).apply(spotInterruptionPattern),
            ],
            [
                "deployment-failed",
                "A service deployment failed or rolled back (circuit breaker or deployment alarms)",
                serviceArns.apply(deploymentFailedPattern),
            ],
            ["task-placement", "ECS could not place or start a service's tasks", serviceArns.apply(taskPlacementPattern)],
        ];
        for (const [suffix, description, pattern] of rules) {
            const rule = new aws.cloudwatch.EventRule(
                `${name}-${suffix}`,
                { description: `OneHub ${name}: ${description}`, eventPattern: pulumi.jsonStringify(pattern), tags },
                parent,
            );
            // The raw event: e-mail shows it as JSON, and AWS Chatbot formats ECS events itself.
            new aws.cloudwatch.EventTarget(
                `${name}-${suffix}`,
                { rule: rule.name, arn: topic.arn },
                { parent: this, dependsOn: [policies.get(topic)!] },
            );
        }

        // ---- CloudFront's additional metrics (504 rate, origin latency, …) ---------------------------
        if (args.cloudfrontAdditionalMetrics) {
            new aws.cloudfront.MonitoringSubscription(
                `${name}-cdn-metrics`,
                {
                    distributionId: args.distributionId,
                    monitoringSubscription: { realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" } },
                },
                parent,
            );
        }

        // ---- dashboard -------------------------------------------------------------------------------
        const region = aws.getRegionOutput({}, parent).region;
        const dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName: name,
                dashboardBody: pulumi
                    .all({
                        region,
                        clusterName: args.clusterName,
                        masterServiceName: args.masterServiceName,
                        slaveServiceName: args.slaveServiceName,
                        loadBalancer: lb,
                        masterTargetGroup: args.masterTargetGroupArnSuffix,
                        slaveTargetGroup: args.slaveTargetGroupArnSuffix,
                        databaseClusterIdentifier: args.databaseClusterIdentifier,
                        distributionId: args.distributionId,
                        webAclMetricName: hasWaf ? args.webAclMetricName! : "",
                        natGatewayIds: pulumi.all(args.natGatewayIds ?? []),
                    })
                    .apply((ids) =>
                        dashboardBody({
                            ...(ids as Omit<DashboardIds, "containerInsightsEnabled" | "databaseMaxCapacity" | "databaseMaxConnections">),
                            containerInsightsEnabled: args.containerInsightsEnabled ?? false,
                            databaseMaxCapacity,
                            databaseMaxConnections,
                        }),
                    ),
            },
            parent,
        );

        // ---- money -----------------------------------------------------------------------------------
        const budgetUsd = args.monthlyBudgetUsd ?? 0;
        if (budgetUsd > 0) {
            const scoped = tagKey !== "";
            new aws.budgets.Budget(
                `${name}-budget`,
                {
                    // The name says what it counts: a budget without the tag counts the whole account.
                    name: scoped ? `${name}-monthly` : `${name}-monthly-account-wide`,
                    budgetType: "COST",
                    limitAmount: budgetUsd.toFixed(2),
                    limitUnit: "USD",
                    timeUnit: "MONTHLY",
                    // user:<key>$<value>: Cost Explorer's form of a user-defined cost-allocation tag.
                    costFilters: scoped ? [{ name: "TagKeyValue", values: [`user:${tagKey}$${tagValue}`] }] : undefined,
                    notifications: [
                        {
                            notificationType: "ACTUAL",
                            comparisonOperator: "GREATER_THAN",
                            threshold: 80,
                            thresholdType: "PERCENTAGE",
                            subscriberSnsTopicArns: [globalTopic.arn],
                        },
                        {
                            notificationType: "FORECASTED",
                            comparisonOperator: "GREATER_THAN",
                            threshold: 100,
                            thresholdType: "PERCENTAGE",
                            subscriberSnsTopicArns: [globalTopic.arn],
                        },
                    ],
                    tags,
                },
                { parent: this, dependsOn: [policies.get(globalTopic)!] },
            );
        }
        if (args.costAnomalyMonitorArn) {
            new aws.costexplorer.AnomalySubscription(
                `${name}-anomalies`,
                {
                    frequency: "IMMEDIATE",
                    monitorArnLists: [args.costAnomalyMonitorArn],
                    // IMMEDIATE subscriptions notify SNS only.
                    subscribers: [{ type: "SNS", address: globalTopic.arn }],
                    thresholdExpression: {
                        dimension: {
                            key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                            matchOptions: ["GREATER_THAN_OR_EQUAL"],
                            values: [String(t.anomalyImpactUsd)],
                        },
                    },
                    tags,
                },
                { parent: this, dependsOn: [policies.get(globalTopic)!] },
            );
        }

        this.topic = topic;
        this.globalTopic = globalTopic;
        this.dashboard = dashboard;
        this.topicArn = topic.arn;
        this.globalTopicArn = globalTopic.arn;
        this.dashboardName = dashboard.dashboardName;
        this.alarmNames = pulumi.all([...notified.map((a) => a.name), saturated.alarmName]);
        this.registerOutputs({
            topicArn: this.topicArn,
            globalTopicArn: this.globalTopicArn,
            dashboardName: this.dashboardName,
            alarmNames: this.alarmNames,
        });
    }

    /** One alarm; `notify` is the topic of its alarm and OK actions (none for a composite's members). */
    private alarm(
        name: string,
        spec: AlarmSpec,
        notify: aws.sns.Topic | undefined,
        tags: Record<string, string> | undefined,
    ): aws.cloudwatch.MetricAlarm {
        const actions = notify ? [notify.arn] : [];
        const metricQueries = spec.math
            ? [
                  {
                      id: spec.anomalyBand ? "band" : "result",
                      expression: spec.math.expression,
                      label: spec.math.label,
                      returnData: true,
                  },
                  ...Object.entries(spec.math.metrics).map(([id, m]) => ({
                      id,
                      metric: {
                          namespace: m.namespace,
                          metricName: m.metricName,
                          dimensions: m.dimensions,
                          period: spec.period,
                          stat: m.stat,
                      },
                      // An anomaly alarm compares the metric itself with the band.
                      returnData: spec.anomalyBand?.metricId === id,
                  })),
              ]
            : undefined;
        return new aws.cloudwatch.MetricAlarm(
            `${name}-${spec.suffix}`,
            {
                region: spec.global ? GLOBAL_REGION : undefined,
                alarmDescription: spec.description,
                ...(spec.metric
                    ? {
                          namespace: spec.metric.namespace,
                          metricName: spec.metric.metricName,
                          dimensions: spec.metric.dimensions,
                          statistic: spec.metric.statistic,
                          extendedStatistic: spec.metric.extendedStatistic,
                          period: spec.period,
                      }
                    : { metricQueries }),
                evaluationPeriods: spec.evaluationPeriods,
                datapointsToAlarm: spec.datapointsToAlarm,
                threshold: spec.anomalyBand ? undefined : spec.threshold,
                thresholdMetricId: spec.anomalyBand ? "band" : undefined,
                comparisonOperator: spec.comparisonOperator,
                treatMissingData: spec.treatMissingData,
                alarmActions: actions,
                okActions: actions,
                tags,
            },
            { parent: this },
        );
    }
}

/**
 * Who may publish to an alarm topic: the account itself (as SNS's default policy allows), and the
 * services that alarm — CloudWatch, EventBridge, AWS Budgets, Cost Anomaly Detection — only on
 * behalf of this account (aws:SourceAccount), so no other account's alarm or budget can use it.
 * See https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html and
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-resource-based.html#eb-sns-permissions
 */
function topicPolicy(topicArn: pulumi.Output<string>, account: pulumi.Output<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountOwnerManagesTopic",
                Effect: "Allow",
                Principal: { AWS: "*" },
                Action: [
                    "SNS:GetTopicAttributes",
                    "SNS:SetTopicAttributes",
                    "SNS:AddPermission",
                    "SNS:RemovePermission",
                    "SNS:DeleteTopic",
                    "SNS:Subscribe",
                    "SNS:ListSubscriptionsByTopic",
                    "SNS:Publish",
                ],
                Resource: topicArn,
                Condition: { StringEquals: { "AWS:SourceOwner": account } },
            },
            {
                Sid: "AlarmingServicesPublish",
                Effect: "Allow",
                Principal: {
                    Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"],
                },
                Action: "SNS:Publish",
                Resource: topicArn,
                Condition: { StringEquals: { "aws:SourceAccount": account } },
            },
        ],
    });
}
