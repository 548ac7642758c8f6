import * as pulumi from "@pulumi/pulumi";
import { OneHub, OneHubArgs } from "../components/oneHub";
import { checkExistingVpc, vpcOriginZoneNames } from "../components/network/vpcChecks";
import { CONFIG_NAMESPACE, loadConfig } from "./config";

/**
 * The stack program: config → lookups → OneHub → stack outputs. Tests and `npm run plan` run it too.
 * Config is validated before anything else; the lookups (which zones support CloudFront VPC
 * origins, whether an existing VPC can host one) run during preview, before any resource is
 * registered, so their errors stop `pulumi up` before anything is created.
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
    const onehub = new OneHub(`onehub-${pulumi.getStack()}`, args);
    return {
        url: onehub.url,
        distributionId: onehub.distributionId,
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
        rootPasswordSecretArn: onehub.rootPasswordSecretArn,
        databaseAppCredentialsSecretArn: onehub.databaseAppCredentialsSecretArn,
        ecsExecLogGroupName: onehub.ecsExecLogGroupName,
    };
}
