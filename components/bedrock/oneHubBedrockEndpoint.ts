import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkComponentName, checkNonEmpty } from "../common/validation";
import { BEDROCK_ENDPOINT_TAG, bedrockEndpointTagValue, checkBedrockEndpointVpc } from "./bedrockChecks";
import { bedrockRuntimeService } from "./bedrockSettings";

export interface OneHubBedrockEndpointArgs {
    /**
     * The VPC of the tasks. It must have DNS support and DNS hostnames on (private DNS needs both)
     * and no other bedrock-runtime endpoint with private DNS; both are looked up at preview.
     */
    vpcId: pulumi.Input<string>;
    /**
     * The tasks' private subnets, at most one per Availability Zone (an interface endpoint takes one
     * subnet per zone): the endpoint gets a network interface in each, billed per zone-hour.
     */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Tags for the endpoint and its security group. */
    tags?: Record<string, string>;
}

/**
 * An interface VPC endpoint for Amazon Bedrock's runtime API (com.amazonaws.<region>.bedrock-runtime)
 * with private DNS, so the tasks' calls to bedrock-runtime.<region>.amazonaws.com — OneHub's URL
 * for the stack's region — stay in the VPC instead of paying NAT processing. Its security group
 * admits nobody until a service attaches itself (an ingress rule from its own group on 443), like
 * the database's. Calls to other regions still leave through NAT.
 * See https://docs.aws.amazon.com/bedrock/latest/userguide/vpc-interface-endpoints.html
 */
export class OneHubBedrockEndpoint extends pulumi.ComponentResource {
    /** The interface endpoint. */
    public readonly endpoint: aws.ec2.VpcEndpoint;
    /** The endpoint's security group: no ingress until a service attaches itself. */
    public readonly securityGroup: aws.ec2.SecurityGroup;
    /** The endpoint's id (vpce-…). */
    public readonly endpointId: pulumi.Output<string>;
    /** Services add an ingress rule on this group from their own group, on 443. */
    public readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: OneHubBedrockEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentName("OneHubBedrockEndpoint", name, "-sg", 255);
        if (Array.isArray(args.subnetIds)) {
            checkNonEmpty("OneHubBedrockEndpoint args.subnetIds", args.subnetIds, "subnet");
        }
        super("onehub:index:OneHubBedrockEndpoint", name, {}, opts);
        const parent = { parent: this };
        const ownTag = bedrockEndpointTagValue(name);

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            // No inline rules: services attach their own ingress; the endpoint starts no connection.
            {
                vpcId: args.vpcId,
                description: "OneHub Bedrock runtime endpoint: HTTPS only from OneHub task security groups",
                tags: args.tags,
            },
            parent,
        );
        // Checked at preview: DNS attributes, no other private-DNS endpoint, one subnet per zone.
        const subnetIds = pulumi
            .all([args.vpcId, args.subnetIds])
            .apply(([vpcId, ids]) =>
                checkBedrockEndpointVpc(
                    { vpcId: "OneHubBedrockEndpoint args.vpcId", subnetIds: "OneHubBedrockEndpoint args.subnetIds" },
                    vpcId,
                    ids,
                    ownTag,
                    parent,
                ),
            );
        const region = aws.getRegionOutput({}, parent).region;
        const endpoint = new aws.ec2.VpcEndpoint(
            `${name}-endpoint`,
            {
                vpcId: args.vpcId,
                serviceName: region.apply(bedrockRuntimeService),
                vpcEndpointType: "Interface",
                // bedrock-runtime.<region>.amazonaws.com resolves to the endpoint inside the VPC.
                privateDnsEnabled: true,
                subnetIds,
                securityGroupIds: [securityGroup.id],
                tags: { ...args.tags, [BEDROCK_ENDPOINT_TAG]: ownTag },
            },
            {
                parent: this,
                // A replacement (another VPC or region) created first would claim the private DNS name
                // the old endpoint still holds, which AWS refuses: delete the old one first.
                deleteBeforeReplace: true,
            },
        );

        this.endpoint = endpoint;
        this.securityGroup = securityGroup;
        this.endpointId = endpoint.id;
        this.securityGroupId = securityGroup.id;
        this.registerOutputs({ endpointId: this.endpointId, securityGroupId: this.securityGroupId });
    }
}
