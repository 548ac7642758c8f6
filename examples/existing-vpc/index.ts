// (b) The pieces, in a VPC and an ECS cluster the platform team already runs. Each piece validates
// its own arguments and attaches itself: the services add their listener rules to the edge, and
// their own ingress rules to the database's security group. Nothing here creates a VPC.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { OneHubDatabase, OneHubMasterService, OneHubRootPassword, OneHubSecrets, OneHubSlaveService, PrivateEdge } from "onehub";

const config = new pulumi.Config();
const vpcId = config.get("vpcId") ?? "vpc-0123456789abcdef0";
const privateSubnetIds = config.getObject<string[]>("privateSubnetIds") ?? ["subnet-01111111", "subnet-11111111"];
const databaseSubnetIds = config.getObject<string[]>("databaseSubnetIds") ?? ["subnet-03333333", "subnet-14444444"];
const clusterName = config.get("clusterName") ?? "platform";
// The platform cluster's ECS Exec session log group, if its executeCommandConfiguration logs sessions
// (logging OVERRIDE): the task roles may then write there. "" = no shells into OneHub's tasks.
const execLogGroupArn = config.get("execLogGroupArn") ?? "";

const cluster = aws.ecs.getClusterOutput({ clusterName });
const secrets = new OneHubSecrets("llm-secrets", {});
const database = new OneHubDatabase("llm-db", { vpcId, subnetIds: databaseSubnetIds, maxCapacity: 8, rebootedMaxCapacity: 8 });
const edge = new PrivateEdge("llm-edge", { vpcId, subnetIds: privateSubnetIds });

const shared = {
    clusterArn: cluster.arn,
    vpcId,
    subnetIds: privateSubnetIds,
    // The pinned values: no task starts before they exist, and a new value redeploys.
    secrets: {
        SQL_DSN: database.sqlDsnValueFrom,
        SESSION_SECRET: secrets.sessionSecretValueFrom,
        USER_TOKEN_SECRET: secrets.userTokenSecretValueFrom,
    },
    listenerArn: edge.listenerArn,
    albSecurityGroupId: edge.albSecurityGroupId,
    // The edge overwrites True-Client-IP on every request: OneHub may trust it for per-IP limits.
    trustedHeader: edge.clientIpHeader,
    databaseSecurityGroupId: database.securityGroupId,
    // The services refuse a pool the database cannot hold at their full scale.
    databaseMaxConnections: database.maxConnections,
    sqlMaxOpenConns: 50,
    // A shell sees every secret: only where the cluster records the sessions.
    enableExecuteCommand: execLogGroupArn !== "",
    execLogGroupArn,
};
const master = new OneHubMasterService("llm-master", shared);
const slaves = new OneHubSlaveService("llm-slave", {
    ...shared,
    // Resolves after the master's rollout gate: the slaves roll only after the master.
    masterServiceName: master.serviceName,
    minCount: 2,
    maxCount: 10,
    albArnSuffix: edge.albArnSuffix,
    requestsPerTarget: 600,
});

// No known admin password: once the master runs, OneHub's root / 123456 is replaced by a generated one.
const rootPassword = new OneHubRootPassword("llm-root-password", {
    url: pulumi.interpolate`https://${edge.distributionDomainName}`,
    masterServiceName: master.serviceName,
    database: database.clusterArn,
});

export const url = edge.url;
export const slaveService = slaves.serviceName;
export const rootPasswordSecretArn = rootPassword.secretArn;
