import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createDeployStep } from "../lifecycle/deployStep";
import { MASTER_PATHS, PRIORITY } from "./routing";
import { createServiceBase, OneHubServiceArgs, serviceApiRateLimit, serviceNetwork, validateServiceArgs } from "./serviceBase";
import { checkComponentName, checkInteger, DEFAULT_LOG_RETENTION_DAYS } from "../common/validation";

/** The master's default drain: its traffic is admin, UI and API calls of a second or less. */
const MASTER_DEREGISTRATION_DELAY = 5;
/** How long the gate waits for the master's rollout to complete after ECS reports it steady. */
const ROLLOUT_GATE_TIMEOUT_SECONDS = 600;

export interface OneHubMasterServiceArgs extends OneHubServiceArgs {
    /**
     * CHANNEL_TEST_FREQUENCY in minutes, 0–10080; 0 = off. Default 0. Set only here: every node
     * where it is set tests all channels, so slaves would multiply the upstream test calls.
     */
    channelTestFrequency?: number;
    /**
     * Seconds ECS ignores failing load-balancer health checks after a task starts, 0–1800.
     * Default 180: the master migrates the schema before it answers.
     */
    healthCheckGracePeriod?: number;
    /**
     * Seconds the ALB drains a stopping master, 0–3600. Default 5. The master deploys stop-first
     * (never two masters), so every second of drain is a second of admin-UI outage per deploy;
     * its requests are short.
     */
    deregistrationDelay?: number;
}

/**
 * The one OneHub master: migrations, cron, admin API, web UI and callbacks. Exactly one task,
 * never autoscaled, a deployment that stops the old task before starting the new one, and a gate
 * that fails `pulumi up` unless ECS really completed the rollout of this update's task definition.
 */
export class OneHubMasterService extends pulumi.ComponentResource {
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
    /** The rollout gate's invocation: it succeeds only once the master runs this update's task definition. */
    public readonly rolloutGate: aws.lambda.Invocation;
    /**
     * The master's service name, resolving only after the rollout gate passed. The slaves take it
     * (OneHubSlaveServiceArgs.masterServiceName), so they never roll before the master is verified.
     */
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

    constructor(name: string, args: OneHubMasterServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Target group names are at most 32 characters.
        checkComponentName("OneHubMasterService", name, "-tg", 32);
        const k = (field: keyof OneHubMasterServiceArgs) => `OneHubMasterService args.${field}`;
        // One master; the slaves count it in their own budget.
        const budget = { tasks: 1, tasksKey: "the master", poolKey: k("sqlMaxOpenConns") };
        validateServiceArgs(args, k, true, budget);
        checkInteger(k("channelTestFrequency"), args.channelTestFrequency ?? 0, 0, 10080);
        checkInteger(k("healthCheckGracePeriod"), args.healthCheckGracePeriod ?? 180, 0, 1800);
        const deregistrationDelay = checkInteger(
            k("deregistrationDelay"),
            args.deregistrationDelay ?? MASTER_DEREGISTRATION_DELAY,
            0,
            3600,
        );
        // With a shared Redis the same limit as the slaves'; OneHubSlaveService checks it holds their health checks.
        const globalApiRateLimit = serviceApiRateLimit(k("globalApiRateLimit"), args.globalApiRateLimit, args.secrets, 0);
        super("onehub:index:OneHubMasterService", name, {}, opts);

        const nodeEnv: Record<string, string> = { NODE_TYPE: "master" };
        if (args.channelTestFrequency) {
            nodeEnv.CHANNEL_TEST_FREQUENCY = String(args.channelTestFrequency);
        }
        const base = createServiceBase(
            this,
            name,
            args,
            nodeEnv,
            [
                // First, so no relay rule can ever shadow the admin API or MCP sessions.
                { priority: PRIORITY.masterPaths, pathPatterns: MASTER_PATHS },
                // Last: the web UI and everything else no other rule claims.
                { priority: PRIORITY.catchAll, pathPatterns: ["/*"] },
            ],
            120,
            deregistrationDelay,
            budget,
            { globalApiRateLimit },
        );

        const service = new aws.ecs.Service(
            `${name}-service`,
            {
                cluster: args.clusterArn,
                taskDefinition: base.taskDefinition.arn,
                desiredCount: 1,
                // Max 100 % / min 0 %: the old master stops before the new one starts, so two
                // masters never run cron or migrations at once. The admin UI is down per deploy.
                deploymentMaximumPercent: 100,
                deploymentMinimumHealthyPercent: 0,
                // On-demand only: a Spot interruption would take the only master away.
                capacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 1 }],
                // Rebalancing starts a task in another AZ before stopping one: a second master.
                availabilityZoneRebalancing: "DISABLED",
                healthCheckGracePeriodSeconds: args.healthCheckGracePeriod ?? 180,
                waitForSteadyState: true,
                ...serviceNetwork(base, args),
                tags: args.tags,
            },
            {
                parent: this,
                dependsOn: base.ready,
                // Replacing (a new name or cluster) must not run the new master next to the old one.
                deleteBeforeReplace: true,
            },
        );

        // "Steady" is not "updated": after a circuit-breaker rollback the waiter sees the old task
        // definition running and reports success. The gate checks the PRIMARY deployment itself.
        // Its input is the task definition the service now records, so after a rollback
        // `pulumi up --refresh` sees the old one running, redeploys, and the gate runs again.
        const gate = createDeployStep(this, `${name}-gate`, {
            handler: "masterRolloutGate",
            description: `OneHub ${name}: fails the update unless the master's new task definition rolled out`,
            statements: [{ Effect: "Allow", Action: ["ecs:DescribeServices"], Resource: service.id }],
            input: {
                cluster: args.clusterArn,
                service: service.name,
                taskDefinition: service.taskDefinition,
                timeoutSeconds: ROLLOUT_GATE_TIMEOUT_SECONDS,
            },
            timeoutSeconds: ROLLOUT_GATE_TIMEOUT_SECONDS + 60,
            logRetentionDays: args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
            tags: args.tags,
        });

        this.service = service;
        this.taskDefinition = base.taskDefinition;
        this.targetGroup = base.targetGroup;
        this.securityGroup = base.securityGroup;
        this.logGroup = base.logGroup;
        this.rolloutGate = gate.invocation;
        this.serviceName = pulumi.all([service.name, gate.invocation.result]).apply(([serviceName]) => serviceName);
        this.serviceArn = service.id;
        this.targetGroupArn = base.targetGroup.arn;
        this.targetGroupArnSuffix = base.targetGroup.arnSuffix;
        this.securityGroupId = base.securityGroup.id;
        this.logGroupName = base.logGroup.name;
        this.registerOutputs({
            serviceName: this.serviceName,
            serviceArn: this.serviceArn,
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            securityGroupId: this.securityGroupId,
            logGroupName: this.logGroupName,
        });
    }
}
