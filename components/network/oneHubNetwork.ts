import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { checkComponentName, checkOneOf, fail } from "../common/validation";
import { checkAzCount, subnetMasks } from "./subnetLayout";
import { checkZoneNames } from "./vpcChecks";

/** NAT strategies a new VPC may use: its tasks need egress for the image, AWS APIs and upstream LLMs. */
export const NAT_STRATEGIES = ["Single", "OnePerAz"] as const;
/** Availability Zone names such as us-east-1a or ap-northeast-1c. */
const AZ_NAME_RE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;

export interface OneHubNetworkArgs {
    /**
     * Number of Availability Zones to spread subnets over, 2–6. Default 2.
     * Use 3 in production so losing one AZ still leaves two for tasks and the Aurora reader.
     */
    azCount?: number;
    /**
     * The zones to use, `azCount` of them, each one whose zone ID supports CloudFront VPC origins
     * (checked at preview). Default: the region's first `azCount` zones, which must then support VPC
     * origins too — pass names (e.g. from `vpcOriginZoneNames`) where they do not (us-east-1 has
     * use1-az3, which does not). Changing them later replaces every subnet.
     */
    availabilityZoneNames?: string[];
    /**
     * NAT gateways: "Single" (one, cheapest; an AZ loss cuts the other AZs' egress) or "OnePerAz"
     * (one per AZ, survives an AZ loss). Default "Single". A new VPC always needs NAT: the tasks
     * pull the image, reach Secrets Manager, CloudWatch Logs and the upstream LLM providers.
     * See https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html
     */
    natStrategy?: string;
    /** IPv4 CIDR of the VPC, /16 up to /25 (2 AZs) or /24 (3–4 AZs) so every subnet is ≥ /28. Default "10.0.0.0/16". */
    cidrBlock?: string;
    /** Tags applied to the VPC and its subnets. */
    tags?: Record<string, string>;
}

/**
 * The VPC OneHub runs in: public subnets (NAT gateways and the internet gateway, which a
 * CloudFront VPC origin needs even though nothing else is public), private subnets for the ALB
 * and the tasks, isolated subnets for Aurora.
 */
export class OneHubNetwork extends pulumi.ComponentResource {
    /** The awsx VPC (its subnets, route tables, NAT gateways). */
    public readonly vpc: awsx.ec2.Vpc;
    /** The VPC's id. */
    public readonly vpcId: pulumi.Output<string>;
    /** Public subnets: NAT gateways only; nothing of OneHub is placed here. */
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /**
     * Subnets for the internal ALB and the ECS tasks (routed through NAT); resolving only once their
     * zones are known to support CloudFront VPC origins.
     */
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Subnets for the database (no route to the internet). */
    public readonly isolatedSubnetIds: pulumi.Output<string[]>;
    /** The zones the subnets are in. */
    public readonly availabilityZoneNames: pulumi.Output<string[]>;
    /** The NAT gateways' ids (`NatGatewayId` of their metrics): one, or one per zone. */
    public readonly natGatewayIds: pulumi.Output<string[]>;

    constructor(name: string, args: OneHubNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentName("OneHubNetwork", name, "-vpc", 255);
        const k = (field: keyof OneHubNetworkArgs) => `OneHubNetwork args.${field}`;
        const azCount = checkAzCount(k("azCount"), args.azCount ?? 2);
        const natStrategy = checkOneOf(k("natStrategy"), args.natStrategy ?? "Single", NAT_STRATEGIES);
        const cidrBlock = args.cidrBlock ?? "10.0.0.0/16";
        const masks = subnetMasks(k("cidrBlock"), cidrBlock, azCount);
        const names = args.availabilityZoneNames;
        if (names !== undefined) {
            if (names.length !== azCount || new Set(names).size !== names.length || !names.every((n) => AZ_NAME_RE.test(n))) {
                fail(
                    k("availabilityZoneNames"),
                    names,
                    `must list ${azCount} (${k("azCount")}) different Availability Zone names such as us-east-1a`,
                );
            }
        }
        super("onehub:index:OneHubNetwork", name, {}, opts);

        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock,
                // awsx takes one or the other: named zones, or the region's first N.
                ...(names ? { availabilityZoneNames: names } : { numberOfAvailabilityZones: azCount }),
                // "Auto" now: switching strategy later re-lays out (replaces) every subnet.
                subnetStrategy: "Auto",
                subnetSpecs: [
                    { type: "Private", cidrMask: masks.private },
                    { type: "Public", cidrMask: masks.public },
                    { type: "Isolated", cidrMask: masks.isolated },
                ],
                natGateways: { strategy: natStrategy as awsx.types.enums.ec2.NatGatewayStrategy },
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags: args.tags,
            },
            { parent: this },
        );

        // The zones' IDs are only known to the account: checked at preview, before the ALB (which
        // takes the private subnets) can be created in a zone without VPC origins.
        const zones = aws.getAvailabilityZonesOutput({}, { parent: this }).apply((z) => {
            const used = names ?? z.names.slice(0, azCount);
            return checkZoneNames(k("availabilityZoneNames"), used, { names: z.names, zoneIds: z.zoneIds });
        });

        this.vpc = vpc;
        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = pulumi.all([vpc.privateSubnetIds, zones]).apply(([ids]) => ids);
        this.isolatedSubnetIds = vpc.isolatedSubnetIds;
        this.availabilityZoneNames = zones;
        // awsx creates the gateways remotely and hands them back as resources.
        this.natGatewayIds = vpc.natGateways.apply((gateways) => pulumi.all((gateways ?? []).map((g) => g.id)));
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
            availabilityZoneNames: this.availabilityZoneNames,
            natGatewayIds: this.natGatewayIds,
        });
    }
}
