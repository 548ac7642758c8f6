import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkComponentName, checkLogRetention, checkOneOf, DEFAULT_LOG_RETENTION_DAYS, fail } from "../common/validation";
import { createDeployStep } from "../lifecycle/deployStep";
import { checkExecKmsKeyArn } from "./ecsExec";

/** The cluster's `containerInsights` setting values (ECS PutClusterSettings / CreateCluster). */
export const CONTAINER_INSIGHTS_MODES = ["disabled", "enabled", "enhanced"] as const;
export const DEFAULT_CONTAINER_INSIGHTS = "disabled";

/** The role ECS creates on first use; its path and name are fixed by AWS. */
export const ECS_SERVICE_LINKED_ROLE = "aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS";

export interface OneHubClusterArgs {
    /**
     * Make sure the ECS service-linked role (AWSServiceRoleForECS) exists before the capacity
     * providers are attached: a deploy-time step creates it if the account lacks it, leaves it alone
     * if present, and never deletes it (other ECS clusters in the account use it). Default true.
     * In an account that never used ECS, the capacity-provider call otherwise fails with "Unable to
     * assume the service linked role". Off only where iam:CreateServiceLinkedRole is not allowed
     * and the role is known to exist.
     * See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html
     */
    ensureServiceLinkedRole?: boolean;
    /**
     * Retired; use `ensureServiceLinkedRole`. Stacks that created the role with it (true) keep it
     * true for one `pulumi up` of this version, which marks the role retain-on-delete; removing it
     * afterwards drops the role from Pulumi's state without deleting it. Default false.
     */
    createServiceLinkedRole?: boolean;
    /** Retention of the deploy-time step's and the ECS Exec session log groups, a CloudWatch-allowed value. Default 7. */
    logRetentionDays?: number;
    /**
     * Container Insights: "disabled", "enabled" (cluster, service and task-family metrics) or
     * "enhanced" (also per task and container). Default "disabled". Its metrics are charged as
     * custom metrics, per metric and dimension set (~$18.60 a month for a cluster with two
     * services); production turns it on (the policy pack requires it there). Autoscaling does not
     * need it: it uses the free AWS/ECS CPUUtilization and the ALB's request count.
     * See https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
     */
    containerInsights?: string;
    /**
     * Audit ECS Exec sessions: the cluster's executeCommandConfiguration sends each session's
     * output (logging OVERRIDE) to a log group of its own, with `logRetentionDays`. Default true.
     * Off: no session log group and no exec configuration; the services should then turn ECS Exec
     * off too (OneHub does). Who opened a shell is in CloudTrail (ExecuteCommand) either way; the
     * output is recorded only if the image has `script` (OneHub's has not).
     * See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-logging
     */
    ecsExec?: boolean;
    /**
     * ARN of a KMS key that encrypts ECS Exec sessions between the client and the task, on top of
     * TLS. Default "" (none). The task roles need kms:Decrypt on it (the services'
     * `execKmsKeyArn`), and whoever opens a shell kms:GenerateDataKey.
     */
    ecsExecKmsKeyArn?: string;
    /** Tags for the cluster and its log groups. */
    tags?: Record<string, string>;
}

/** An ECS cluster for OneHub: both Fargate and Fargate Spot capacity, and Container Insights when asked for. */
export class OneHubCluster extends pulumi.ComponentResource {
    /** The ECS cluster. */
    public readonly cluster: aws.ecs.Cluster;
    /** The cluster's ARN, resolving once FARGATE and FARGATE_SPOT are attached (services name them). */
    public readonly clusterArn: pulumi.Output<string>;
    /** The cluster's name, resolving once its capacity providers are attached. */
    public readonly clusterName: pulumi.Output<string>;
    /** The ECS Exec session log group's ARN; "" with `ecsExec` off. Services pass it as `execLogGroupArn`. */
    public readonly execLogGroupArn: pulumi.Output<string>;
    /** The ECS Exec session log group's name; "" with `ecsExec` off. */
    public readonly execLogGroupName: pulumi.Output<string>;

    constructor(name: string, args: OneHubClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentName("OneHubCluster", name, "-cluster", 255);
        const logRetentionDays = checkLogRetention(
            "OneHubCluster args.logRetentionDays",
            args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
        );
        const containerInsights = checkOneOf(
            "OneHubCluster args.containerInsights",
            args.containerInsights ?? DEFAULT_CONTAINER_INSIGHTS,
            CONTAINER_INSIGHTS_MODES,
        );
        const ecsExec = args.ecsExec ?? true;
        const kmsKeyArn = checkExecKmsKeyArn("OneHubCluster args.ecsExecKmsKeyArn", args.ecsExecKmsKeyArn ?? "");
        if (kmsKeyArn && !ecsExec) {
            fail("OneHubCluster args.ecsExecKmsKeyArn", kmsKeyArn, "only applies with OneHubCluster args.ecsExec true");
        }
        super("onehub:index:OneHubCluster", name, {}, opts);

        const roleReady: pulumi.Resource[] = [];
        if (args.createServiceLinkedRole) {
            // The resource earlier versions created, kept under its URN so nothing is replaced, and
            // marked retain-on-delete: once the key is removed, Pulumi forgets the role, AWS keeps it.
            roleReady.push(
                new aws.iam.ServiceLinkedRole(
                    `${name}-ecs-role`,
                    { awsServiceName: "ecs.amazonaws.com" },
                    { parent: this, retainOnDelete: true },
                ),
            );
            pulumi.log.warn(
                "createServiceLinkedRole (onehub:createEcsServiceLinkedRole) is retired: this update marks the ECS service-linked role " +
                    "retain-on-delete. Remove the setting afterwards; the next update then stops managing the role without deleting it.",
                this,
            );
        }
        if (args.ensureServiceLinkedRole ?? true) {
            const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
            const partition = aws.getPartitionOutput({}, { parent: this }).partition;
            const roleArn = pulumi.interpolate`arn:${partition}:iam::${account}:role/${ECS_SERVICE_LINKED_ROLE}`;
            const step = createDeployStep(this, `${name}-ecs-role`, {
                handler: "ecsServiceLinkedRole",
                description: `OneHub ${name}: creates AWSServiceRoleForECS if the account lacks it (never deletes it)`,
                statements: [
                    { Effect: "Allow", Action: ["iam:GetRole"], Resource: roleArn },
                    {
                        Effect: "Allow",
                        Action: ["iam:CreateServiceLinkedRole"],
                        Resource: roleArn,
                        Condition: { StringEquals: { "iam:AWSServiceName": "ecs.amazonaws.com" } },
                    },
                ],
                // IAM needs a few seconds before ECS can assume a new role.
                input: { propagationSeconds: 10 },
                timeoutSeconds: 120,
                logRetentionDays,
                tags: args.tags,
            });
            roleReady.push(step.invocation);
        }

        // ECS Exec sessions are audited: their output goes to a log group of their own, which expires.
        // Kept when ECS Exec is turned off or the stack destroyed: the record of past sessions must
        // not disappear with the feature; its events still expire with the retention.
        const execLogGroup = ecsExec
            ? new aws.cloudwatch.LogGroup(
                  `${name}-exec-logs`,
                  { retentionInDays: logRetentionDays, tags: args.tags },
                  { parent: this, retainOnDelete: true },
              )
            : undefined;
        const cluster = new aws.ecs.Cluster(
            `${name}-cluster`,
            {
                settings: [{ name: "containerInsights", value: containerInsights }],
                configuration: execLogGroup
                    ? {
                          executeCommandConfiguration: {
                              kmsKeyId: kmsKeyArn || undefined,
                              logging: "OVERRIDE",
                              // The log group uses CloudWatch's own encryption at rest; `true` would demand a KMS-encrypted group.
                              logConfiguration: { cloudWatchLogGroupName: execLogGroup.name, cloudWatchEncryptionEnabled: false },
                          },
                      }
                    : undefined,
                tags: args.tags,
            },
            { parent: this, dependsOn: roleReady },
        );
        const providers = new aws.ecs.ClusterCapacityProviders(
            `${name}-capacity`,
            {
                clusterName: cluster.name,
                capacityProviders: ["FARGATE", "FARGATE_SPOT"],
                defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1 }],
            },
            // Its own dependency, not inherited from the cluster: the call that fails without the role.
            { parent: this, dependsOn: roleReady },
        );

        this.cluster = cluster;
        this.clusterArn = pulumi.all([cluster.arn, providers.id]).apply(([arn]) => arn);
        this.clusterName = pulumi.all([cluster.name, providers.id]).apply(([n]) => n);
        this.execLogGroupArn = execLogGroup?.arn ?? pulumi.output("");
        this.execLogGroupName = execLogGroup?.name ?? pulumi.output("");
        this.registerOutputs({
            clusterArn: this.clusterArn,
            clusterName: this.clusterName,
            execLogGroupArn: this.execLogGroupArn,
            execLogGroupName: this.execLogGroupName,
        });
    }
}
