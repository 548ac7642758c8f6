import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MASTER_PATHS, PRIORITY } from "./routing";
import { createServiceBase, OneHubServiceArgs, serviceNetwork, validateServiceArgs } from "./serviceBase";
import { checkComponentName, checkInteger } from "../common/validation";

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
}

/**
 * The one OneHub master: migrations, cron, admin API, web UI and callbacks. Exactly one task,
 * never autoscaled, and a deployment that stops the old task before starting the new one.
 */
export class OneHubMasterService extends pulumi.ComponentResource {
    public readonly serviceName: pulumi.Output<string>;
    public readonly serviceArn: pulumi.Output<string>;
    public readonly targetGroupArn: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: OneHubMasterServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Target group names are at most 32 characters.
        checkComponentName("OneHubMasterService", name, "-tg", 32);
        const k = (field: keyof OneHubMasterServiceArgs) => `OneHubMasterService args.${field}`;
        validateServiceArgs(args, k);
        checkInteger(k("channelTestFrequency"), args.channelTestFrequency ?? 0, 0, 10080);
        checkInteger(k("healthCheckGracePeriod"), args.healthCheckGracePeriod ?? 180, 0, 1800);
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
        );

        const service = new aws.ecs.Service(
            `${name}-service`,
            {
                cluster: args.clusterArn,
                taskDefinition: base.taskDefinition.arn,
                desiredCount: 1,
                // Max 100 % / min 0 %: the old master stops before the new one starts, so two
                // masters never run cron or migrations at once. The admin UI blinks per deploy.
                deploymentMaximumPercent: 100,
                deploymentMinimumHealthyPercent: 0,
                // On-demand only: a Spot interruption would take the only master away.
                capacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 1 }],
                // Rebalancing starts a task in another AZ before stopping one: a second master.
                availabilityZoneRebalancing: "DISABLED",
                healthCheckGracePeriodSeconds: args.healthCheckGracePeriod ?? 180,
                // Dependants (the slaves) update only once the master runs the new image.
                waitForSteadyState: true,
                ...serviceNetwork(base, args),
                tags: args.tags,
            },
            { parent: this, dependsOn: base.listenerRules },
        );

        this.serviceName = service.name;
        this.serviceArn = service.id;
        this.targetGroupArn = base.targetGroup.arn;
        this.securityGroupId = base.securityGroup.id;
        this.logGroupName = base.logGroup.name;
        this.registerOutputs({
            serviceName: this.serviceName,
            serviceArn: this.serviceArn,
            targetGroupArn: this.targetGroupArn,
            securityGroupId: this.securityGroupId,
            logGroupName: this.logGroupName,
        });
    }
}
