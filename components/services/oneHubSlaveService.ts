import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkRelayPaths, chunkRules, PRIORITY } from "./routing";
import {
    CONTAINER_PORT,
    createServiceBase,
    OneHubServiceArgs,
    serviceApiRateLimit,
    serviceNetwork,
    STOP_TIMEOUT_SECONDS,
    validateServiceArgs,
} from "./serviceBase";
import { checkComponentName, checkInteger, DEFAULT_LOG_RETENTION_DAYS, fail } from "../common/validation";
import { componentAsset } from "../common/assets";
import { createHandlerFunction } from "../lifecycle/deployStep";

/** The slaves' default drain: long enough for an LLM answer that is already streaming. */
export const SLAVE_DEREGISTRATION_DELAY = 300;
/** Seconds OneHub needs to exit after the wrapper passes SIGTERM on (it exits at once; this is head room). */
const SHUTDOWN_MARGIN_SECONDS = 10;
/** The longest grace period: SIGKILL follows SIGTERM after stopTimeout. */
export const MAX_SHUTDOWN_GRACE_SECONDS = STOP_TIMEOUT_SECONDS - SHUTDOWN_MARGIN_SECONDS;

export interface OneHubSlaveServiceArgs extends OneHubServiceArgs {
    /**
     * Name of the master's ECS service, as OneHubMasterService.serviceName publishes it: resolving
     * only once the master's rollout gate passed. The slave service takes it as an input, so the
     * slaves roll only after the master runs (and has migrated) the new version.
     */
    masterServiceName: pulumi.Input<string>;
    /**
     * Seconds a stopping slave keeps serving its in-flight responses, 0–3600. Default 300. OneHub has
     * no graceful shutdown: a stream cut by SIGTERM is lost, so this must outlast the longest answer.
     */
    deregistrationDelay?: number;
    /** Relay path patterns beyond OneHub's built-in ones (e.g. "/custom-relay/*"). Default []. */
    extraRelayPaths?: string[];
    /** Fewest slave tasks, 1–100. Default 1. */
    minCount?: number;
    /** Most slave tasks, minCount–500. Default 3. */
    maxCount?: number;
    /** Target average CPU % for scaling, 10–90. Default 70. */
    cpuTarget?: number;
    /**
     * Target ALB requests per task per minute for a second scaling policy; 0 = off. Default 0.
     * Needs `albArnSuffix`. Useful when long, idle-waiting streams keep CPU low.
     */
    requestsPerTarget?: number;
    /**
     * The ALB's ARN suffix (PrivateEdge.albArnSuffix), for `requestsPerTarget` and the rollback
     * alarms. Default: read from `listenerArn` (an ALB listener's ARN embeds it).
     */
    albArnSuffix?: pulumi.Input<string>;
    /** Tasks always on on-demand Fargate before any Spot, 0–maxCount. Default 0. */
    fargateBase?: number;
    /** Share of on-demand Fargate above the base, 0–1000. Default 0 (all Spot). */
    fargateWeight?: number;
    /**
     * Share of Fargate Spot, 0–1000. Default 1. Spot costs ~70 % less and may be reclaimed with
     * 2 minutes' notice; the ALB drains the task meanwhile.
     */
    spotWeight?: number;
    /**
     * Roll a deployment back when one of two alarms fires during it: a slave target failing its
     * health checks, or the ALB itself answering 502/503 (a task that crashes or closes connections,
     * a target group left without healthy targets). Not OneHub's own 5xx: an upstream LLM outage
     * produces those and is no reason to undo a release. Default true. A rollback leaves Pulumi's
     * state ahead of what runs: `pulumi up --refresh` redeploys.
     * See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
     */
    rollbackAlarms?: boolean;

    /**
     * Seconds a slave keeps serving its in-flight responses after SIGTERM before OneHub gets the signal,
     * 0–110. Default 110. OneHub exits at once on SIGTERM, which Fargate Spot sends with its two-minute
     * interruption notice: the container starts OneHub through a wrapper (slaveWrapper.sh) that waits
     * this long, then passes SIGTERM on. ECS kills the container 120 s (stopTimeout, Fargate's maximum)
     * after SIGTERM, and OneHub needs the last 10 s to exit. 0 runs OneHub directly. Every slave stop
     * (deploys, scale-in) takes this much longer after its drain.
     * See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
     */
    shutdownGraceSeconds?: number;
}

/**
 * OneHub relay nodes: NODE_TYPE=slave with the memory cache on, so they reload channels and
 * prices every SYNC_FREQUENCY seconds; autoscaled; reached by OneHub's relay paths only.
 */
export class OneHubSlaveService extends pulumi.ComponentResource {
    /** The ECS service. */
    public readonly service: aws.ecs.Service;
    /** The task definition this update registered. */
    public readonly taskDefinition: aws.ecs.TaskDefinition;
    /** The service's ALB target group. */
    public readonly targetGroup: aws.lb.TargetGroup;
    /** The tasks' security group. */
    public readonly securityGroup: aws.ec2.SecurityGroup;
    /** The tasks' CloudWatch log group. */
    public readonly logGroup: aws.cloudwatch.LogGroup;
    /** The Application Auto Scaling target of the service's desired count. */
    public readonly scalingTarget: aws.appautoscaling.Target;
    /** The ECS service's name. */
    public readonly serviceName: pulumi.Output<string>;
    /** The ECS service's ARN. */
    public readonly serviceArn: pulumi.Output<string>;
    /** The target group's ARN. */
    public readonly targetGroupArn: pulumi.Output<string>;
    /** "targetgroup/<name>/<id>", for CloudWatch metrics. */
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    /** The tasks' security group id. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** The tasks' log group name. */
    public readonly logGroupName: pulumi.Output<string>;
    /** The alarms the service rolls a deployment back on ([] with `rollbackAlarms` false). */
    public readonly rollbackAlarmNames: pulumi.Output<string[]>;

    constructor(name: string, args: OneHubSlaveServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentName("OneHubSlaveService", name, "-tg", 32);
        const k = (field: keyof OneHubSlaveServiceArgs) => `OneHubSlaveService args.${field}`;
        const scaling = checkSlaveScaling(args, k);
        // Every slave at maxCount, and the master with the same pool (as OneHub sizes them).
        const budget = { tasks: scaling.maxCount + 1, tasksKey: `${k("maxCount")} + 1 master`, poolKey: k("sqlMaxOpenConns") };
        validateServiceArgs(args, k, true, budget);
        const relayPaths = checkRelayPaths(k("extraRelayPaths"), args.extraRelayPaths ?? []);
        const deregistrationDelay = checkInteger(k("deregistrationDelay"), args.deregistrationDelay ?? SLAVE_DEREGISTRATION_DELAY, 0, 3600);
        if (scaling.requestsPerTarget > 0 && !args.albArnSuffix) {
            fail(k("albArnSuffix"), args.albArnSuffix, `is required when ${k("requestsPerTarget")} > 0`);
        }
        const rollbackAlarms = args.rollbackAlarms ?? true;
        if (
            rollbackAlarms &&
            !args.albArnSuffix &&
            typeof args.listenerArn === "string" &&
            albArnSuffixOf(args.listenerArn) === undefined
        ) {
            fail(
                k("albArnSuffix"),
                args.albArnSuffix,
                `is required for the rollback alarms when ${k("listenerArn")} is not an ALB listener ARN (…:listener/app/<name>/<id>/<id>); or set ${k("rollbackAlarms")} false`,
            );
        }
        const grace = checkShutdownGrace(k("shutdownGraceSeconds"), args.shutdownGraceSeconds ?? MAX_SHUTDOWN_GRACE_SECONDS);
        const globalApiRateLimit = serviceApiRateLimit(k("globalApiRateLimit"), args.globalApiRateLimit, args.secrets, scaling.maxCount);
        super("onehub:index:OneHubSlaveService", name, {}, opts);

        const base = createServiceBase(
            this,
            name,
            args,
            // Without the memory cache a slave loads channels and prices once and never again.
            { NODE_TYPE: "slave", MEMORY_CACHE_ENABLED: "true" },
            chunkRules(relayPaths, PRIORITY.relayBase),
            60,
            deregistrationDelay,
            budget,
            {
                globalApiRateLimit,
                // OneHub as the wrapper's child, which keeps it serving for the grace period after SIGTERM.
                entryPoint:
                    grace > 0 ? ["/bin/sh", "-c", componentAsset("services/slaveWrapper.sh"), "onehub-slave", String(grace)] : undefined,
            },
        );

        const capacityProviderStrategies = [
            { capacityProvider: "FARGATE", base: scaling.fargateBase, weight: scaling.fargateWeight },
            { capacityProvider: "FARGATE_SPOT", weight: scaling.spotWeight },
        ].filter((s) => s.weight > 0 || (s.base ?? 0) > 0);

        const albArnSuffix =
            args.albArnSuffix ??
            pulumi.output(args.listenerArn).apply((arn) => {
                const suffix = albArnSuffixOf(arn);
                if (suffix === undefined) {
                    fail(k("albArnSuffix"), undefined, `is required: ${k("listenerArn")} ${arn} is not an ALB listener ARN`);
                }
                return suffix;
            });
        const alarms = rollbackAlarms ? rollbackAlarmsOf(this, name, base.targetGroup.arnSuffix, albArnSuffix, args.tags) : [];

        const service = new aws.ecs.Service(
            `${name}-service`,
            {
                cluster: args.clusterArn,
                taskDefinition: base.taskDefinition.arn,
                desiredCount: scaling.minCount,
                deploymentMaximumPercent: 200,
                deploymentMinimumHealthyPercent: 100,
                capacityProviderStrategies,
                // Keep tasks spread over AZs after an AZ outage or Spot reclaims.
                availabilityZoneRebalancing: "ENABLED",
                healthCheckGracePeriodSeconds: 60,
                // The provider refuses a change of the capacity-provider strategy (the Spot split)
                // unless the update also starts a new deployment; the slaves roll 200 %/100 %.
                forceNewDeployment: true,
                ...serviceNetwork(base, args),
                // ECS watches these during a deployment and rolls back when one fires. The names are
                // inputs: the alarms exist before the service names them.
                alarms: alarms.length > 0 ? { alarmNames: alarms.map((a) => a.name), enable: true, rollback: true } : undefined,
                // The master's name as an input: this service waits for the master's rollout gate.
                tags: { ...args.tags, "onehub:master": args.masterServiceName } as Record<string, pulumi.Input<string>>,
            },
            // Autoscaling owns desiredCount; a deploy must not reset it to minCount.
            { parent: this, dependsOn: base.ready, ignoreChanges: ["desiredCount"] },
        );

        if (scaling.spotWeight > 0) {
            this.spotDrain(name, args, service, base.targetGroup);
        }

        const clusterName = pulumi.output(args.clusterArn).apply((arn) => arn.split("/").pop()!);
        const target = new aws.appautoscaling.Target(
            `${name}-scaling`,
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${clusterName}/${service.name}`,
                minCapacity: scaling.minCount,
                maxCapacity: scaling.maxCount,
                tags: args.tags,
            },
            { parent: this },
        );
        const policy = (
            suffix: string,
            targetValue: number,
            metric: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
        ) =>
            new aws.appautoscaling.Policy(
                `${name}-${suffix}`,
                {
                    policyType: "TargetTrackingScaling",
                    serviceNamespace: target.serviceNamespace,
                    scalableDimension: target.scalableDimension,
                    resourceId: target.resourceId,
                    targetTrackingScalingPolicyConfiguration: {
                        targetValue,
                        predefinedMetricSpecification: metric,
                        // Out fast for bursts, in slowly so long streams are not drained mid-answer.
                        scaleOutCooldown: 60,
                        scaleInCooldown: 300,
                    },
                },
                { parent: this },
            );
        policy("cpu", scaling.cpuTarget, { predefinedMetricType: "ECSServiceAverageCPUUtilization" });
        if (scaling.requestsPerTarget > 0) {
            policy("requests", scaling.requestsPerTarget, {
                predefinedMetricType: "ALBRequestCountPerTarget",
                resourceLabel: pulumi.interpolate`${args.albArnSuffix}/${base.targetGroup.arnSuffix}`,
            });
        }

        this.service = service;
        this.taskDefinition = base.taskDefinition;
        this.targetGroup = base.targetGroup;
        this.securityGroup = base.securityGroup;
        this.logGroup = base.logGroup;
        this.scalingTarget = target;
        this.serviceName = service.name;
        this.serviceArn = service.id;
        this.targetGroupArn = base.targetGroup.arn;
        this.targetGroupArnSuffix = base.targetGroup.arnSuffix;
        this.securityGroupId = base.securityGroup.id;
        this.logGroupName = base.logGroup.name;
        this.rollbackAlarmNames = pulumi.all(alarms.map((a) => a.name));
        this.registerOutputs({
            serviceName: this.serviceName,
            serviceArn: this.serviceArn,
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            securityGroupId: this.securityGroupId,
            logGroupName: this.logGroupName,
            rollbackAlarmNames: this.rollbackAlarmNames,
        });
    }

    /**
     * Spot tasks leave the target group at their interruption notice: ECS deregisters a Spot task only
     * once it stopped, so for two minutes the ALB would go on sending it new requests. An EventBridge
     * rule on this service's SpotInterruption task state changes invokes a function that deregisters
     * the task's address from this target group, and may do nothing else.
     */
    private spotDrain(name: string, args: OneHubSlaveServiceArgs, service: aws.ecs.Service, targetGroup: aws.lb.TargetGroup): void {
        const parent = { parent: this };
        const fn = createHandlerFunction(this, `${name}-spot-drain`, {
            handler: "spotInterruptionDrain",
            description: `OneHub ${name}: deregisters a Spot task from the slave target group at its interruption notice`,
            statements: [{ Effect: "Allow", Action: ["elasticloadbalancing:DeregisterTargets"], Resource: targetGroup.arn }],
            environment: {
                TARGET_GROUP_ARN: targetGroup.arn,
                TARGET_PORT: String(CONTAINER_PORT),
                CLUSTER_ARN: args.clusterArn,
                SERVICE_NAME: service.name,
            },
            timeoutSeconds: 30,
            logRetentionDays: args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
            tags: args.tags,
        });
        const rule = new aws.cloudwatch.EventRule(
            `${name}-spot-drain`,
            {
                description: `OneHub ${name}: Fargate Spot interruption notices of the slave tasks`,
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.ecs"],
                    "detail-type": ["ECS Task State Change"],
                    detail: {
                        clusterArn: [args.clusterArn],
                        group: [pulumi.interpolate`service:${service.name}`],
                        stopCode: ["SpotInterruption"],
                        desiredStatus: ["STOPPED"],
                    },
                }),
                tags: args.tags,
            },
            parent,
        );
        const permission = new aws.lambda.Permission(
            `${name}-spot-drain`,
            { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
            parent,
        );
        // The rule gets its target only once EventBridge may invoke it: no notice fails for lack of permission.
        new aws.cloudwatch.EventTarget(
            `${name}-spot-drain`,
            { rule: rule.name, arn: fn.arn, retryPolicy: { maximumEventAgeInSeconds: 120, maximumRetryAttempts: 3 } },
            { parent: this, dependsOn: [permission] },
        );
    }
}

/** The wrapper's grace period: 0–110 s, within stopTimeout. */
export function checkShutdownGrace(key: string, seconds: number): number {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_SHUTDOWN_GRACE_SECONDS) {
        fail(
            key,
            seconds,
            `must be a whole number from 0 to ${MAX_SHUTDOWN_GRACE_SECONDS}: ECS kills the container ${STOP_TIMEOUT_SECONDS} s (stopTimeout, Fargate's maximum) after SIGTERM, and OneHub needs the last ${SHUTDOWN_MARGIN_SECONDS} s to exit`,
        );
    }
    return seconds;
}

/** "app/<name>/<id>" from an ALB listener ARN (…:listener/app/<name>/<id>/<listener-id>), or undefined. */
export function albArnSuffixOf(listenerArn: string): string | undefined {
    return /:listener\/(app\/[^/]+\/[^/]+)\/[^/]+$/.exec(listenerArn)?.[1];
}

/**
 * The two alarms a slave deployment rolls back on. Both count only what a bad release causes:
 * - the service's own targets failing their health checks (UnHealthyHostCount of its target group);
 * - 502 and 503 generated by the ALB itself (HTTPCode_ELB_502/503_Count; ALB-generated codes exist
 *   per load balancer only, not per target group). 502: a target closed the connection or sent a
 *   malformed response, i.e. a crash; 503: a target group without healthy targets. 504 (a silent
 *   stream past the idle timeout) and OneHub's own 5xx (HTTPCode_Target_5XX_Count, which an upstream
 *   LLM outage produces) are left out: neither is fixed by undoing the release.
 * They have no actions: ECS reads their state during a deployment. OneHubMonitoring alarms on the
 * same metrics with actions, and the deployment-failed event says when a rollback happened.
 * See https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 */
function rollbackAlarmsOf(
    parent: pulumi.Resource,
    name: string,
    targetGroupArnSuffix: pulumi.Input<string>,
    albArnSuffix: pulumi.Input<string>,
    tags: Record<string, string> | undefined,
): aws.cloudwatch.MetricAlarm[] {
    const elb = (metricName: string) => ({
        namespace: "AWS/ApplicationELB",
        metricName,
        dimensions: { LoadBalancer: albArnSuffix },
        period: 60,
        stat: "Sum",
    });
    return [
        new aws.cloudwatch.MetricAlarm(
            `${name}-rollback-unhealthy`,
            {
                alarmDescription:
                    "Deployment rollback alarm (read by ECS, no actions): a slave target fails its /api/status health checks in 2 of 3 minutes.",
                namespace: "AWS/ApplicationELB",
                metricName: "UnHealthyHostCount",
                dimensions: { TargetGroup: targetGroupArnSuffix, LoadBalancer: albArnSuffix },
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 3,
                datapointsToAlarm: 2,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                tags,
            },
            { parent },
        ),
        new aws.cloudwatch.MetricAlarm(
            `${name}-rollback-elb-5xx`,
            {
                alarmDescription:
                    "Deployment rollback alarm (read by ECS, no actions): more than 5 % of the ALB's requests answered 502/503 by the ALB itself in 2 of 3 minutes (ignored below 10 requests a minute).",
                metricQueries: [
                    {
                        id: "result",
                        expression: "IF(FILL(requests, 0) >= 10, 100 * (FILL(elb502, 0) + FILL(elb503, 0)) / FILL(requests, 0), 0)",
                        label: "ALB-generated 502/503 %",
                        returnData: true,
                    },
                    { id: "requests", metric: elb("RequestCount"), returnData: false },
                    { id: "elb502", metric: elb("HTTPCode_ELB_502_Count"), returnData: false },
                    { id: "elb503", metric: elb("HTTPCode_ELB_503_Count"), returnData: false },
                ],
                evaluationPeriods: 3,
                datapointsToAlarm: 2,
                threshold: 5,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                tags,
            },
            { parent },
        ),
    ];
}

interface SlaveScaling {
    minCount: number;
    maxCount: number;
    cpuTarget: number;
    requestsPerTarget: number;
    fargateBase: number;
    fargateWeight: number;
    spotWeight: number;
}

/** Validates the scaling and capacity settings; `k` names a field in errors. */
export function checkSlaveScaling(s: Partial<SlaveScaling>, k: (field: keyof SlaveScaling) => string): SlaveScaling {
    const minCount = checkInteger(k("minCount"), s.minCount ?? 1, 1, 100);
    const maxCount = s.maxCount ?? 3;
    if (!Number.isInteger(maxCount) || maxCount < minCount || maxCount > 500) {
        fail(k("maxCount"), maxCount, `must be a whole number from ${k("minCount")} (${minCount}) to 500`);
    }
    const fargateBase = s.fargateBase ?? 0;
    if (!Number.isInteger(fargateBase) || fargateBase < 0 || fargateBase > maxCount) {
        fail(k("fargateBase"), fargateBase, `must be a whole number from 0 to ${k("maxCount")} (${maxCount})`);
    }
    const fargateWeight = checkInteger(k("fargateWeight"), s.fargateWeight ?? 0, 0, 1000);
    const spotWeight = checkInteger(k("spotWeight"), s.spotWeight ?? 1, 0, 1000);
    if (fargateWeight === 0 && spotWeight === 0) {
        fail(k("spotWeight"), spotWeight, `and ${k("fargateWeight")} cannot both be 0: tasks above the base would have no capacity`);
    }
    return {
        minCount,
        maxCount,
        cpuTarget: checkInteger(k("cpuTarget"), s.cpuTarget ?? 70, 10, 90),
        requestsPerTarget: checkInteger(k("requestsPerTarget"), s.requestsPerTarget ?? 0, 0, 1_000_000),
        fargateBase,
        fargateWeight,
        spotWeight,
    };
}
