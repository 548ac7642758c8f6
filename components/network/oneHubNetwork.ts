import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { checkAzCount, subnetMasks } from "./subnetLayout";
import { checkComponentName, checkOneOf } from "../common/validation";

export const NAT_STRATEGIES = ["None", "Single", "OnePerAz"] as const;

export interface OneHubNetworkArgs {
    /**
     * Number of Availability Zones to spread subnets over, 2–6. Default 2.
     * Use 3 in production so losing one AZ still leaves two for tasks and the Aurora reader.
     */
    azCount?: number;
    /**
     * NAT gateways: "Single" (one, cheapest; an AZ loss cuts the other AZs' egress),
     * "OnePerAz" (one per AZ, survives an AZ loss) or "None" (tasks then cannot reach upstream
     * LLM providers nor pull the image — only for VPCs with their own egress). Default "Single".
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
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Subnets for the internal ALB and the ECS tasks (routed through NAT). */
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Subnets for the database (no route to the internet). */
    public readonly isolatedSubnetIds: pulumi.Output<string[]>;

    constructor(name: string, args: OneHubNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentName("OneHubNetwork", name, "-vpc", 255);
        const azCount = checkAzCount("OneHubNetwork args.azCount", args.azCount ?? 2);
        const natStrategy = checkOneOf("OneHubNetwork args.natStrategy", args.natStrategy ?? "Single", NAT_STRATEGIES);
        const cidrBlock = args.cidrBlock ?? "10.0.0.0/16";
        const masks = subnetMasks("OneHubNetwork args.cidrBlock", cidrBlock, azCount);
        super("onehub:index:OneHubNetwork", name, {}, opts);

        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock,
                numberOfAvailabilityZones: azCount,
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

        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = vpc.privateSubnetIds;
        this.isolatedSubnetIds = vpc.isolatedSubnetIds;
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
        });
    }
}
