// Lookups only the account can answer, run at preview: whether the regions a Bedrock channel key
// names exist in the stack's partition, and whether a VPC can take a Bedrock runtime endpoint with
// private DNS. The stack program awaits them before it registers anything; the components also run
// them as outputs, so a library user who skips that step still fails at preview with the same message.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { fail, InvalidArgumentError } from "../common/validation";
import { bedrockRuntimeService, checkArnPartition } from "./bedrockSettings";

/** The tag that marks a Bedrock runtime endpoint as a component's own (and its value for a component). */
export const BEDROCK_ENDPOINT_TAG = "onehub:bedrock-endpoint";
export const bedrockEndpointTagValue = (componentName: string) => `${pulumi.getProject()}/${pulumi.getStack()}/${componentName}`;

/**
 * Fails unless every region is a region of the stack's partition (opt-in regions included: they
 * must be enabled in the account before a key can be used there) and every model ARN is in that
 * partition. Bedrock's own availability per region and model is not looked up.
 */
export async function checkBedrockAccount(
    keys: { regions: string; modelArns: string },
    regions: string[],
    modelArns: string[],
    opts?: pulumi.InvokeOptions,
): Promise<string[]> {
    const [known, partition] = await Promise.all([aws.getRegions({ allRegions: true }, opts), aws.getPartition({}, opts)]);
    const unknown = regions.filter((r) => !known.names.includes(r));
    if (unknown.length > 0) {
        fail(
            keys.regions,
            regions,
            `${unknown.join(", ")} is not a region of the ${partition.partition} partition (${[...known.names].sort().join(", ")})`,
        );
    }
    checkArnPartition(keys.modelArns, modelArns, partition.partition);
    return regions;
}

/** Endpoint states that hold the service's private DNS name in the VPC (or are about to). */
const LIVE_ENDPOINT_STATES = ["pendingAcceptance", "pending", "available"];

/**
 * Fails unless `vpcId` can take an interface endpoint for bedrock-runtime with private DNS: DNS
 * support and DNS hostnames on (private DNS needs both), no other endpoint of the service with
 * private DNS (its name would conflict), and at most one subnet per Availability Zone (an interface
 * endpoint takes one). The component's own endpoint, marked with BEDROCK_ENDPOINT_TAG = `ownTag`,
 * does not count. Returns the subnet ids.
 * See https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html (PrivateDnsEnabled)
 */
export async function checkBedrockEndpointVpc(
    keys: { vpcId: string; subnetIds: string },
    vpcId: string,
    subnetIds: string[],
    ownTag: string,
    opts?: pulumi.InvokeOptions,
): Promise<string[]> {
    const vpc = await aws.ec2.getVpc({ id: vpcId }, opts).catch((e: unknown) => {
        fail(keys.vpcId, vpcId, `cannot be read (${messageOf(e)})`);
    });
    const missing = [...(vpc.enableDnsSupport ? [] : ["DNS support"]), ...(vpc.enableDnsHostnames ? [] : ["DNS hostnames"])];
    if (missing.length > 0) {
        fail(
            keys.vpcId,
            vpcId,
            `has ${missing.join(" and ")} turned off; the Bedrock endpoint's private DNS needs both (aws ec2 modify-vpc-attribute --vpc-id ${vpcId} --enable-dns-support / --enable-dns-hostnames), or leave bedrockVpcEndpoint off`,
        );
    }

    const region = (await aws.getRegion({}, opts)).region;
    const service = bedrockRuntimeService(region);
    const find = (ownOnly: boolean) =>
        aws.ec2
            .getVpcEndpoint(
                {
                    vpcId,
                    serviceName: service,
                    filters: [
                        { name: "vpc-endpoint-state", values: LIVE_ENDPOINT_STATES },
                        ...(ownOnly ? [{ name: `tag:${BEDROCK_ENDPOINT_TAG}`, values: [ownTag] }] : []),
                    ],
                },
                opts,
            )
            .then(
                (endpoint) => ({ endpoint, count: 1 }),
                (e: unknown) => {
                    // The singular data source's own messages (terraform-provider-aws
                    // tfresource.SingularDataSourceFindError), after the engine's "invocation of … returned an error:" line.
                    const message = messageOf(e);
                    if (/no matching/i.test(message)) {
                        return { endpoint: undefined, count: 0 };
                    }
                    if (/multiple/i.test(message)) {
                        return { endpoint: undefined, count: 2 };
                    }
                    fail(keys.vpcId, vpcId, `its VPC endpoints cannot be read (${message})`);
                },
            );
    const found = await find(false);
    const foreignPrivateDns = found.endpoint?.privateDnsEnabled === true && found.endpoint.tags?.[BEDROCK_ENDPOINT_TAG] !== ownTag;
    if (foreignPrivateDns) {
        fail(
            keys.vpcId,
            vpcId,
            `already has a ${service} endpoint with private DNS (${found.endpoint!.id}); a second one cannot take the same name: leave bedrockVpcEndpoint off and admit the task security groups to that endpoint's group on 443`,
        );
    }
    if (found.count > 1) {
        // AWS lets one endpoint per VPC hold the private name: if ours does, no other can.
        const own = await find(true);
        if (own.endpoint?.privateDnsEnabled !== true) {
            fail(
                keys.vpcId,
                vpcId,
                `already has several ${service} endpoints and one of them may hold its private DNS name (aws ec2 describe-vpc-endpoints --filters Name=vpc-id,Values=${vpcId} Name=service-name,Values=${service}): leave bedrockVpcEndpoint off and use that one`,
            );
        }
    }

    const zones = await Promise.all(
        subnetIds.map(async (id) => {
            const subnet = await aws.ec2.getSubnet({ id }, opts).catch((e: unknown) => {
                fail(keys.subnetIds, subnetIds, `${id} cannot be read (${messageOf(e)})`);
            });
            return { id, zone: subnet.availabilityZoneId };
        }),
    );
    const shared = zones.filter((z, i) => zones.findIndex((o) => o.zone === z.zone) !== i);
    if (shared.length > 0) {
        fail(
            keys.subnetIds,
            subnetIds,
            `${shared.map((s) => `${s.id} (${s.zone})`).join(", ")} shares an Availability Zone with another subnet; an interface endpoint takes one subnet per zone`,
        );
    }
    return subnetIds;
}

/** An invoke's error on one line (the provider's reason is on a later line of the engine's message). */
function messageOf(e: unknown): string {
    if (e instanceof InvalidArgumentError) {
        throw e;
    }
    return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
}
