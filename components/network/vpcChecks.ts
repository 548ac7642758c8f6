// Lookups that only the account can answer, run at preview (before anything is created): which
// zones a new VPC may use, and whether an existing VPC can host a CloudFront VPC origin. The stack
// program awaits them before it registers anything; the components also run them as outputs, so a
// library user who skips that step still fails at preview with the same message.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { fail } from "../common/validation";
import { chooseVpcOriginZones, RegionZones, subnetsOutsideVpcOriginZones, supportsVpcOrigins, ZONE_FILTER } from "./availabilityZones";

/**
 * Fails unless the AMI a NAT instance is to run exists in the region and is arm64 (fck-nat's
 * Graviton image). Returns the id.
 */
export async function checkNatInstanceAmi(key: string, amiId: string, opts?: pulumi.InvokeOptions): Promise<string> {
    const image = await aws.ec2
        .getAmi({ filters: [{ name: "image-id", values: [amiId] }], includeDeprecated: true }, opts)
        .catch((e: unknown) => {
            fail(
                key,
                amiId,
                `cannot be found in this region (${firstLine(e)}); use an arm64 fck-nat AMI id of the stack's region, or "" for the newest`,
            );
        });
    if (image.architecture !== "arm64") {
        fail(key, amiId, `is an ${image.architecture} image; the NAT instance runs fck-nat's arm64 AMI on a Graviton type`);
    }
    return amiId;
}

/** The region's Availability Zones, sorted by name with each zone's ID (see ZONE_FILTER). */
async function regionZones(opts?: pulumi.InvokeOptions): Promise<RegionZones> {
    const zones = await aws.getAvailabilityZones({ filters: [ZONE_FILTER] }, opts);
    return { names: zones.names, zoneIds: zones.zoneIds };
}

/** The zones a new VPC should use: the first `count` whose IDs support VPC origins. */
export async function vpcOriginZoneNames(key: string, count: number, opts?: pulumi.InvokeOptions): Promise<string[]> {
    return chooseVpcOriginZones(key, count, await regionZones(opts));
}

/** Fails unless every named zone exists in the region and supports VPC origins. */
export function checkZoneNames(key: string, names: string[], zones: RegionZones): string[] {
    for (const name of names) {
        const i = zones.names.indexOf(name);
        if (i < 0) {
            fail(key, names, `${name} is not an Availability Zone of this region (${zones.names.join(", ")})`);
        }
        if (!supportsVpcOrigins(zones.zoneIds[i])) {
            fail(key, names, `${name} is ${zones.zoneIds[i]}, where CloudFront VPC origins are not offered; pick other zones`);
        }
    }
    return names;
}

/**
 * Fails unless the existing VPC has an internet gateway attached (a VPC origin needs one) and its
 * private subnets lie in ≥ 2 zones that support VPC origins. Returns the subnet ids.
 */
export async function checkExistingVpc(
    keys: { vpcId: string; privateSubnetIds: string },
    vpcId: string,
    privateSubnetIds: string[],
    opts?: pulumi.InvokeOptions,
): Promise<string[]> {
    await aws.ec2.getInternetGateway({ filters: [{ name: "attachment.vpc-id", values: [vpcId] }] }, opts).catch(() => {
        fail(
            keys.vpcId,
            vpcId,
            "has no internet gateway attached; CloudFront VPC origins need one (nothing becomes public through it): attach one, or let the stack create the VPC",
        );
    });
    const subnets = await Promise.all(
        privateSubnetIds.map(async (id) => {
            const subnet = await aws.ec2.getSubnet({ id }, opts).catch((e: unknown) => {
                fail(keys.privateSubnetIds, privateSubnetIds, `${id} cannot be read (${firstLine(e)})`);
            });
            return { id, availabilityZoneId: subnet.availabilityZoneId, vpcId: subnet.vpcId };
        }),
    );
    const foreign = subnets.filter((s) => s.vpcId !== vpcId).map((s) => `${s.id} (in ${s.vpcId})`);
    if (foreign.length > 0) {
        fail(keys.privateSubnetIds, privateSubnetIds, `must all be in ${keys.vpcId} (${vpcId}), but ${foreign.join(", ")} is not`);
    }
    const outside = subnetsOutsideVpcOriginZones(subnets);
    if (outside.length > 0) {
        fail(
            keys.privateSubnetIds,
            privateSubnetIds,
            `the internal ALB cannot be a CloudFront VPC origin in ${outside.join(", ")}: use private subnets in other Availability Zones`,
        );
    }
    if (new Set(subnets.map((s) => s.availabilityZoneId)).size < 2) {
        fail(keys.privateSubnetIds, privateSubnetIds, "must lie in at least 2 Availability Zones (an ALB needs two)");
    }
    return privateSubnetIds;
}

function firstLine(e: unknown): string {
    return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
