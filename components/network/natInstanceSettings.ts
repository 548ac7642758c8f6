// What a NAT instance needs to know besides its resources: the fck-nat AMI (owner, name pattern),
// which instance types can run it, and how to find the awsx VPC's private route tables and the
// default routes awsx created in them (to take those over in place when a stack switches from NAT
// gateways to an instance). Pure: no resource is registered here.
import { checkMatches, fail } from "../common/validation";

/** Strategies that run a NAT instance instead of NAT gateways. */
export const NAT_INSTANCE_STRATEGIES = ["Instance", "InstancePerAz"] as const;

/**
 * The AWS account that publishes fck-nat's AMIs, and the name pattern of its Amazon Linux 2023
 * arm64 images (e.g. "fck-nat-al2023-hvm-1.4.0-20260801-arm64-ebs"; the "fck-nat-nat64-…"
 * flavour does not match). Source: github.com/AndrewGuenther/fck-nat, docs/deploying.md and
 * packer/fck-nat.pkr.hcl (ami_name = "${prefix}-${flavor}-${virtualization_type}-${version}-${date}-${architecture}-${suffix}").
 */
export const FCK_NAT_AMI_OWNER = "568608671756";
export const FCK_NAT_AMI_NAME = "fck-nat-al2023-hvm-*-arm64-ebs";

/** The root device of fck-nat's AMIs (packer/fck-nat.pkr.hcl launch_block_device_mappings). */
export const FCK_NAT_ROOT_DEVICE = "/dev/xvda";

export const DEFAULT_NAT_INSTANCE_TYPE = "t4g.nano";

/**
 * Graviton (arm64) instance types: a family with "g" right after its generation number (t4g,
 * c7gn, m6gd, x2gd, im4gn, is4gen, g5g, r8g…), or a1. x86 families (t3, c6i, m7a, g4dn) never
 * have it there.
 */
const GRAVITON_TYPE_RE = /^(a1|[a-z]+\d+g[a-z]*)\.[a-z0-9]+$/;

/** An instance type the arm64 fck-nat AMI runs on. */
export function checkNatInstanceType(key: string, type: string): string {
    if (!GRAVITON_TYPE_RE.test(type)) {
        fail(
            key,
            type,
            "must be a Graviton (arm64) instance type such as t4g.nano, t4g.micro or c7gn.medium: the NAT instance runs fck-nat's arm64 AMI",
        );
    }
    return type;
}

/** "" (look the AMI up) or an AMI id. */
export function checkAmiId(key: string, amiId: string): string {
    if (amiId === "") {
        return amiId;
    }
    return checkMatches(
        key,
        amiId,
        /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/,
        'must be "" (the newest fck-nat AMI) or an AMI id such as ami-0123456789abcdef0',
    );
}

/** A route table as the awsx VPC's `routeTables` output resolves. */
export interface RouteTableInfo {
    urn: string;
    id: string;
    tags?: Record<string, string>;
}

/** The resource name awsx gives the private subnet of the `azIndex`-th zone (and its route table and route). */
export const awsxPrivateSubnetName = (vpcName: string, azIndex: number) => `${vpcName}-private-${azIndex + 1}`;

/**
 * The ids of the awsx VPC's private route tables, one per zone in zone order: the tables awsx
 * tags SubnetType=Private, named "<vpc>-private-<n>". Fails unless there is exactly one per zone.
 */
export function privateRouteTableIds(key: string, tables: RouteTableInfo[], vpcName: string, azCount: number): string[] {
    const byName = new Map(tables.filter((t) => t.tags?.SubnetType === "Private").map((t) => [t.urn.split("::").pop()!, t.id]));
    const ids = Array.from({ length: azCount }, (_, i) => byName.get(awsxPrivateSubnetName(vpcName, i)));
    if (byName.size !== azCount || ids.some((id) => id === undefined)) {
        fail(
            key,
            [...byName.keys()],
            `the VPC ${vpcName} must have one private route table per zone (${azCount}) for the NAT instance's routes`,
        );
    }
    return ids as string[];
}

/** The URN of a resource named `name` of `type` whose parent has `parentUrn` (as pulumi.createUrn builds it). */
export function childUrn(parentUrn: string, type: string, name: string): string {
    return `${parentUrn.substring(0, parentUrn.lastIndexOf("::"))}$${type}::${name}`;
}

/**
 * The URN of the 0.0.0.0/0 route awsx creates in the private route table of the `azIndex`-th zone
 * when it has NAT gateways: awsx:ec2:Vpc → aws:ec2/vpc:Vpc → aws:ec2/subnet:Subnet →
 * aws:ec2/routeTable:RouteTable → aws:ec2/route:Route, all but the inner VPC named after the subnet
 * (pulumi-awsx awsx/ec2/vpc.ts, 3.x). The NAT instance's route in that table aliases it, so a
 * switch from gateways updates the route in place (EC2 ReplaceRoute) instead of creating a second
 * default route, which EC2 refuses while awsx still holds the old one.
 */
export function awsxNatRouteUrn(awsxVpcUrn: string, vpcName: string, azIndex: number): string {
    const subnet = awsxPrivateSubnetName(vpcName, azIndex);
    const innerVpc = childUrn(awsxVpcUrn, "aws:ec2/vpc:Vpc", vpcName);
    const subnetUrn = childUrn(innerVpc, "aws:ec2/subnet:Subnet", subnet);
    const table = childUrn(subnetUrn, "aws:ec2/routeTable:RouteTable", subnet);
    return childUrn(table, "aws:ec2/route:Route", subnet);
}
