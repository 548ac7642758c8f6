// Which Availability Zones can hold the internal ALB behind a CloudFront VPC origin. AZ *names*
// (us-east-1a) map to different physical zones per account; AZ *IDs* (use1-az3) do not, and
// CloudFront lists the unsupported zones by ID. So zones are chosen, and checked, by ID.
import { fail } from "../common/validation";

/**
 * AZ IDs where CloudFront VPC origins are not offered. Source: Amazon CloudFront Developer Guide,
 * "Restrict access with VPC origins" → "Supported AWS Regions for VPC origins"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html),
 * as of 2026-11; also seen in braintrustdata/terraform-aws-braintrust-data-plane #298.
 * An ALB with a subnet in one of these zones cannot become a VPC origin.
 */
const VPC_ORIGIN_UNSUPPORTED_AZ_IDS: readonly string[] = ["use1-az3", "usw1-az2", "apne1-az3", "apne2-az1", "cac1-az3"];

/**
 * The zones a new VPC chooses from: Availability Zones proper. Local and Wavelength Zones an
 * account opted into sort before them by name ("us-east-1-bos-1a" < "us-east-1a") and cannot hold
 * the ALB. No state filter: a zone that is briefly impaired must not shift the choice (and replace
 * every subnet) on the next update.
 */
export const ZONE_FILTER = { name: "zone-type", values: ["availability-zone"] };

export function supportsVpcOrigins(zoneId: string): boolean {
    return !VPC_ORIGIN_UNSUPPORTED_AZ_IDS.includes(zoneId);
}

/** The zones of a region as `aws.getAvailabilityZones` returns them (names and IDs in the same order). */
export interface RegionZones {
    names: string[];
    zoneIds: string[];
}

/**
 * The first `count` zone names whose IDs support VPC origins, in the region's order (awsx would
 * take the first `count` names whatever their IDs). `key` names the setting in the error.
 */
export function chooseVpcOriginZones(key: string, count: number, zones: RegionZones): string[] {
    const usable = zones.names.filter((_, i) => supportsVpcOrigins(zones.zoneIds[i]));
    if (usable.length < count) {
        const excluded = zones.names.map((n, i) => `${n} (${zones.zoneIds[i]})`).filter((_, i) => !supportsVpcOrigins(zones.zoneIds[i]));
        fail(
            key,
            count,
            `this region has only ${usable.length} Availability Zones that support CloudFront VPC origins (${usable.join(", ") || "none"}; ` +
                `not ${excluded.join(", ") || "none"}): lower it to ${usable.length} or use another region`,
        );
    }
    return usable.slice(0, count);
}

/** Subnets of an existing VPC that sit in zones without VPC-origin support, as "subnet (zone id)". */
export function subnetsOutsideVpcOriginZones(subnets: { id: string; availabilityZoneId: string }[]): string[] {
    return subnets.filter((s) => !supportsVpcOrigins(s.availabilityZoneId)).map((s) => `${s.id} (${s.availabilityZoneId})`);
}
