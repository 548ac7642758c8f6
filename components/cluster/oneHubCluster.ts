import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkComponentName } from "../common/validation";

export interface OneHubClusterArgs {
    /**
     * Create the ECS service-linked role (AWSServiceRoleForECS). Default false. Only accounts
     * that have never used ECS lack it, and there the first deployment fails without it. Leave
     * it off where the role exists: creating it twice fails.
     * See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html
     */
    createServiceLinkedRole?: boolean;
    /** Tags for the cluster. */
    tags?: Record<string, string>;
}

/** An ECS cluster for OneHub: Container Insights, and both Fargate and Fargate Spot capacity. */
export class OneHubCluster extends pulumi.ComponentResource {
    public readonly clusterArn: pulumi.Output<string>;
    public readonly clusterName: pulumi.Output<string>;

    constructor(name: string, args: OneHubClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentName("OneHubCluster", name, "-cluster", 255);
        super("onehub:index:OneHubCluster", name, {}, opts);

        const dependsOn = args.createServiceLinkedRole
            ? [new aws.iam.ServiceLinkedRole(`${name}-ecs-role`, { awsServiceName: "ecs.amazonaws.com" }, { parent: this })]
            : [];
        const cluster = new aws.ecs.Cluster(
            `${name}-cluster`,
            { settings: [{ name: "containerInsights", value: "enabled" }], tags: args.tags },
            { parent: this, dependsOn },
        );
        const providers = new aws.ecs.ClusterCapacityProviders(
            `${name}-capacity`,
            {
                clusterName: cluster.name,
                capacityProviders: ["FARGATE", "FARGATE_SPOT"],
                defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1 }],
            },
            { parent: this },
        );

        // Services need the capacity providers attached before they can name them.
        this.clusterArn = pulumi.all([cluster.arn, providers.id]).apply(([arn]) => arn);
        this.clusterName = pulumi.all([cluster.name, providers.id]).apply(([n]) => n);
        this.registerOutputs({ clusterArn: this.clusterArn, clusterName: this.clusterName });
    }
}
