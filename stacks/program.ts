import * as pulumi from "@pulumi/pulumi";
import { bedrockEndpointName, OneHub, OneHubArgs } from "../components/oneHub";
import { checkExistingVpc, checkNatInstanceAmi, vpcOriginZoneNames } from "../components/network/vpcChecks";
import { bedrockEndpointTagValue, checkBedrockAccount, checkBedrockEndpointVpc } from "../components/bedrock/bedrockChecks";
import { CONFIG_NAMESPACE, loadConfig } from "./config";

/**
 * The stack program: config → lookups → OneHub → stack outputs. Tests and `npm run plan` run it too.
 * Config is validated before anything else; the lookups (which zones support CloudFront VPC
 * origins, whether an existing VPC can host one, whether a pinned NAT instance AMI is arm64) run
 * during preview, before any resource is registered, so their errors stop `pulumi up` before
 * anything is created.
 */
export async function program(): Promise<Record<string, pulumi.Output<unknown>>> {
    const args: OneHubArgs = loadConfig();
    const key = (k: keyof OneHubArgs) => `${CONFIG_NAMESPACE}:${k}`;
    if (args.existingVpcId) {
        await checkExistingVpc(
            { vpcId: key("existingVpcId"), privateSubnetIds: key("existingPrivateSubnetIds") },
            args.existingVpcId,
            args.existingPrivateSubnetIds ?? [],
        );
    } else {
        args.availabilityZoneNames = await vpcOriginZoneNames(key("azCount"), args.azCount ?? 2);
    }
    if (args.natInstanceAmiId) {
        await checkNatInstanceAmi(key("natInstanceAmiId"), args.natInstanceAmiId);
    }
    const name = `onehub-${pulumi.getStack()}`;
    if (args.bedrockAccess === "IamUser") {
        await checkBedrockAccount(
            { regions: key("bedrockRegions"), modelArns: key("bedrockModelArns") },
            args.bedrockRegions ?? [],
            args.bedrockModelArns ?? [],
        );
    }
    if (args.bedrockVpcEndpoint && args.existingVpcId) {
        // A created VPC has DNS support and hostnames and no endpoint but ours.
        await checkBedrockEndpointVpc(
            { vpcId: key("existingVpcId"), subnetIds: key("existingPrivateSubnetIds") },
            args.existingVpcId,
            args.existingPrivateSubnetIds ?? [],
            bedrockEndpointTagValue(bedrockEndpointName(name)),
        );
    }
    const onehub = new OneHub(name, args);
    const bedrock = {
        ...(args.bedrockAccess === "IamUser"
            ? { bedrockUserName: onehub.bedrockUserName, bedrockKeySecretArns: onehub.bedrockKeySecretArns }
            : {}),
        ...(args.bedrockVpcEndpoint ? { bedrockVpcEndpointId: onehub.bedrockVpcEndpointId } : {}),
    };
    return {
        url: onehub.url,
        distributionId: onehub.distributionId,
        distributionDomainName: onehub.distributionDomainName,
        albArn: onehub.albArn,
        vpcId: onehub.vpcId,
        clusterName: onehub.clusterName,
        masterServiceName: onehub.masterServiceName,
        slaveServiceName: onehub.slaveServiceName,
        databaseEndpoint: onehub.databaseEndpoint,
        databaseCredentialsSecretArn: onehub.databaseCredentialsSecretArn,
        masterLogGroupName: onehub.masterLogGroupName,
        slaveLogGroupName: onehub.slaveLogGroupName,
        masterExecCommand: onehub.masterExecCommand,
        alarmTopicArn: onehub.alarmTopicArn,
        dashboardName: onehub.dashboardName,
        // Only with Bedrock on; secret ARNs, never values.
        ...bedrock,
        rootPasswordSecretArn: onehub.rootPasswordSecretArn,
        databaseAppCredentialsSecretArn: onehub.databaseAppCredentialsSecretArn,
        ecsExecLogGroupName: onehub.ecsExecLogGroupName,
    };
}
