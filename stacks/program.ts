import * as pulumi from "@pulumi/pulumi";
import { OneHub } from "../components/oneHub";
import { loadConfig } from "./config";

/** The stack program: config → OneHub → stack outputs. Tests and `npm run plan` run it too. */
export function program(): Record<string, pulumi.Output<unknown>> {
    const args = loadConfig();
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
    };
}
