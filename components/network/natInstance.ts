import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkComponentName, fail } from "../common/validation";
import {
    checkAmiId,
    checkNatInstanceType,
    DEFAULT_NAT_INSTANCE_TYPE,
    FCK_NAT_AMI_NAME,
    FCK_NAT_AMI_OWNER,
    FCK_NAT_ROOT_DEVICE,
} from "./natInstanceSettings";

/** The tag that marks what one NAT instance may attach and re-address (its role's condition key). */
export const NAT_INSTANCE_TAG = "onehub:nat-instance";

export interface NatInstanceArgs {
    /** The VPC. */
    vpcId: pulumi.Input<string>;
    /** The VPC's IPv4 CIDR: the only source the instance's security group admits (all protocols). */
    vpcCidrBlock: pulumi.Input<string>;
    /**
     * Public subnets (with a route to an internet gateway), one per zone in zone order. The single
     * instance runs in the first; with `perAz` instance n runs in the n-th.
     */
    publicSubnetIds: pulumi.Input<string>[];
    /**
     * The private route tables, one per zone in zone order: each gets a 0.0.0.0/0 route to a NAT
     * instance's fixed network interface (with `perAz`, the one in its zone).
     */
    privateRouteTableIds: pulumi.Input<string>[];
    /**
     * One instance per zone instead of one for all (an AZ loss then cuts only that AZ's egress).
     * Default false. Each instance costs its hours, its EBS volume and its Elastic IP.
     */
    perAz?: boolean;
    /**
     * Instance type, a Graviton (arm64) one: the fck-nat AMI is arm64. Default "t4g.nano" (up to
     * 5 Gbit/s burst, 32 Mbit/s baseline; fck-nat's docs/choosing_an_instance_size.md).
     */
    instanceType?: string;
    /**
     * An arm64 fck-nat AMI id (ami-…), checked at preview. Default "": the newest AMI of fck-nat's
     * publisher (account 568608671756, "fck-nat-al2023-hvm-*-arm64-ebs") at the first deploy. The
     * launch template then ignores newer releases (no instance replacement on a later `up`); set an
     * id to move to another one, which replaces the instance (a few minutes without egress).
     */
    amiId?: string;
    /**
     * URNs of existing 0.0.0.0/0 routes in `privateRouteTableIds` (same order) that the new routes
     * take over in place (Pulumi aliases), e.g. awsx's NAT gateway routes when a VPC switches from
     * gateways to an instance: EC2 refuses a second default route in a table. Default [].
     */
    replacesRouteUrns?: pulumi.Input<string>[];
    /** Tags for every resource. */
    tags?: Record<string, string>;
}

/**
 * NAT through fck-nat instances (github.com/AndrewGuenther/fck-nat) in high-availability mode: each
 * instance runs in an auto scaling group of one and, when it boots, attaches a fixed network
 * interface (source/destination check off) and associates a fixed Elastic IP. The private route
 * tables' default route points at that interface, so a replaced instance takes the route over
 * without any route changing, and egress keeps one public address. While the group replaces an
 * instance (a failed status check, a new launch template) the private subnets have no egress for a
 * few minutes.
 */
export class NatInstance extends pulumi.ComponentResource {
    /** The instances' security group: in from the VPC CIDR only, out to anywhere. */
    public readonly securityGroup: aws.ec2.SecurityGroup;
    /** The fixed network interfaces the routes point at, one per instance. */
    public readonly networkInterfaces: aws.ec2.NetworkInterface[];
    /** The auto scaling groups of one, one per instance. */
    public readonly autoScalingGroups: aws.autoscaling.Group[];
    /** The 0.0.0.0/0 routes, one per private route table. */
    public readonly routes: aws.ec2.Route[];
    /** The Elastic IPs traffic leaves through, one per instance. */
    public readonly elasticIps: aws.ec2.Eip[];
    /** The public addresses the private subnets' traffic leaves from (for upstream allow-lists). */
    public readonly egressIps: pulumi.Output<string[]>;
    /** The AMI the launch templates were created with (or last set to). */
    public readonly amiId: pulumi.Output<string>;
    /** The ids of the routes, resolving once every route points at its instance's interface. */
    public readonly routeIds: pulumi.Output<string[]>;

    constructor(name: string, args: NatInstanceArgs, opts?: pulumi.ComponentResourceOptions) {
        // The role is the strictest name: IAM role names are at most 64 characters.
        checkComponentName("NatInstance", name, "-role", 64);
        const k = (field: keyof NatInstanceArgs) => `NatInstance args.${field}`;
        const instanceType = checkNatInstanceType(k("instanceType"), args.instanceType ?? DEFAULT_NAT_INSTANCE_TYPE);
        const amiId = checkAmiId(k("amiId"), args.amiId ?? "");
        const zones = args.privateRouteTableIds.length;
        if (zones < 1) {
            fail(k("privateRouteTableIds"), [], "must list at least one route table");
        }
        const perAz = args.perAz ?? false;
        if (args.publicSubnetIds.length < (perAz ? zones : 1)) {
            fail(
                k("publicSubnetIds"),
                `${args.publicSubnetIds.length} subnet(s)`,
                perAz ? `must list one public subnet per route table (${zones}) with perAz` : "must list at least one public subnet",
            );
        }
        const replaces = args.replacesRouteUrns ?? [];
        if (replaces.length !== 0 && replaces.length !== zones) {
            fail(k("replacesRouteUrns"), `${replaces.length} URN(s)`, `must be empty or list one route per route table (${zones})`);
        }
        super("onehub:index:NatInstance", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags;

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            { vpcId: args.vpcId, description: `OneHub ${name}: NAT for the VPC only`, tags },
            parent,
        );
        // Connection tracking applies (fck-nat docs/limitations.md); the VPC's own traffic only.
        const fromVpc = new aws.vpc.SecurityGroupIngressRule(
            `${name}-from-vpc`,
            {
                securityGroupId: securityGroup.id,
                ipProtocol: "-1",
                cidrIpv4: args.vpcCidrBlock,
                description: "The VPC's egress traffic",
                tags,
            },
            parent,
        );
        const toInternet = new aws.vpc.SecurityGroupEgressRule(
            `${name}-to-internet`,
            { securityGroupId: securityGroup.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "NATed egress", tags },
            parent,
        );

        const count = perAz ? zones : 1;
        const ids = Array.from({ length: count }, (_, i) => `${name}-${i + 1}`);
        const tagged = (id: string) => ({ ...tags, Name: id, [NAT_INSTANCE_TAG]: id });
        const networkInterfaces = ids.map(
            (id, i) =>
                new aws.ec2.NetworkInterface(
                    `${id}-eni`,
                    {
                        subnetId: args.publicSubnetIds[i],
                        securityGroups: [securityGroup.id],
                        // It forwards other hosts' packets.
                        sourceDestCheck: false,
                        description: `OneHub ${id}: the private route tables' default route`,
                        tags: tagged(id),
                    },
                    parent,
                ),
        );
        const elasticIps = ids.map((id) => new aws.ec2.Eip(`${id}-eip`, { domain: "vpc", tags: tagged(id) }, parent));

        // fck-nat's HA mode (docs/configuration.md, "IAM Requirements"): attach and modify the
        // interface, associate and disassociate the address; plus Session Manager for a shell.
        const partition = aws.getPartitionOutput({}, parent).partition;
        const region = aws.getRegionOutput({}, parent).region;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const ownTag = { StringLike: { [`ec2:ResourceTag/${NAT_INSTANCE_TAG}`]: `${name}-*` } };
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
                tags,
            },
            parent,
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-role`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "AttachOwnInterface",
                            Effect: "Allow",
                            Action: ["ec2:AttachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute"],
                            Resource: "*",
                            Condition: ownTag,
                        },
                        {
                            Sid: "AssociateOwnAddress",
                            Effect: "Allow",
                            Action: ["ec2:AssociateAddress", "ec2:DisassociateAddress"],
                            Resource: elasticIps.map(
                                (eip) => pulumi.interpolate`arn:${partition}:ec2:${region}:${account}:elastic-ip/${eip.allocationId}`,
                            ),
                        },
                        {
                            Sid: "AssociateAddressWithOwnInterface",
                            Effect: "Allow",
                            Action: ["ec2:AssociateAddress", "ec2:DisassociateAddress"],
                            Resource: pulumi.interpolate`arn:${partition}:ec2:${region}:${account}:network-interface/*`,
                            Condition: ownTag,
                        },
                        {
                            Sid: "SessionManager",
                            Effect: "Allow",
                            Action: [
                                "ssm:UpdateInstanceInformation",
                                "ssmmessages:CreateControlChannel",
                                "ssmmessages:CreateDataChannel",
                                "ssmmessages:OpenControlChannel",
                                "ssmmessages:OpenDataChannel",
                            ],
                            Resource: "*",
                        },
                    ],
                }),
            },
            parent,
        );
        const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name, tags }, parent);

        // Looked up at preview. Without an id, the newest release at the first deploy; the launch
        // templates ignore the image afterwards, so a new fck-nat release replaces nothing.
        const ami = amiId
            ? aws.ec2.getAmiOutput({ filters: [{ name: "image-id", values: [amiId] }], includeDeprecated: true }, parent)
            : aws.ec2.getAmiOutput(
                  {
                      owners: [FCK_NAT_AMI_OWNER],
                      mostRecent: true,
                      filters: [
                          { name: "name", values: [FCK_NAT_AMI_NAME] },
                          { name: "architecture", values: ["arm64"] },
                      ],
                  },
                  parent,
              );
        const imageId = ami.apply((image) => {
            if (image.architecture !== "arm64") {
                fail(k("amiId"), amiId, `is an ${image.architecture} image; the NAT instance runs an arm64 fck-nat AMI on ${instanceType}`);
            }
            return image.id;
        });

        const autoScalingGroups = ids.map((id, i) => {
            // fck-nat reads /etc/fck-nat.conf at boot (docs/configuration.md): eni_id = HA mode, eip_id = static IP.
            const userData = pulumi.interpolate`#!/bin/sh
: > /etc/fck-nat.conf
echo "eni_id=${networkInterfaces[i].id}" >> /etc/fck-nat.conf
echo "eip_id=${elasticIps[i].allocationId}" >> /etc/fck-nat.conf
service fck-nat restart
`.apply((script) => Buffer.from(script).toString("base64"));
            const template = new aws.ec2.LaunchTemplate(
                `${id}-template`,
                {
                    imageId,
                    instanceType,
                    iamInstanceProfile: { arn: profile.arn },
                    // A public address to reach the EC2 API at boot; the Elastic IP then replaces it.
                    networkInterfaces: [
                        {
                            deviceIndex: 0,
                            associatePublicIpAddress: "true",
                            deleteOnTermination: "true",
                            securityGroups: [securityGroup.id],
                        },
                    ],
                    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                    blockDeviceMappings: [
                        { deviceName: FCK_NAT_ROOT_DEVICE, ebs: { volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
                    ],
                    userData,
                    tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                        resourceType,
                        tags: tagged(id),
                    })),
                    updateDefaultVersion: true,
                    tags,
                },
                // A newer fck-nat release must not replace the instance on the next `up`.
                { parent: this, ignoreChanges: amiId ? [] : ["imageId"] },
            );
            return new aws.autoscaling.Group(
                `${id}-group`,
                {
                    minSize: 1,
                    maxSize: 1,
                    desiredCapacity: 1,
                    vpcZoneIdentifiers: [args.publicSubnetIds[i]],
                    // The version number, not "$Latest": a new template version starts an instance refresh.
                    launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
                    healthCheckType: "EC2",
                    // Monitoring alarms on "no instance in service" (free group metrics, 1-minute granularity).
                    metricsGranularity: "1Minute",
                    enabledMetrics: ["GroupInServiceInstances"],
                    instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 0 } },
                    // The launch template tags the instance, its volume and its interface itself.
                    tags: Object.entries({ ...tags, Name: id }).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
                },
                // The instance attaches its interface at boot: its role must allow that first.
                { parent: this, dependsOn: [rolePolicy] },
            );
        });

        const routes = args.privateRouteTableIds.map(
            (routeTableId, zone) =>
                new aws.ec2.Route(
                    `${name}-route-${zone + 1}`,
                    {
                        routeTableId,
                        destinationCidrBlock: "0.0.0.0/0",
                        networkInterfaceId: networkInterfaces[perAz ? zone : 0].id,
                    },
                    {
                        parent: this,
                        // Switched to the interface only once its group has an instance in service.
                        dependsOn: [autoScalingGroups[perAz ? zone : 0], fromVpc, toInternet],
                        aliases: replaces.length > 0 ? [replaces[zone]] : [],
                        // EC2 deletes a route by table and destination, whoever's it is by then: a
                        // route this component stops managing (a switch back to NAT gateways) must
                        // never take the gateway's new default route with it. The table's deletion
                        // removes it on destroy.
                        retainOnDelete: true,
                    },
                ),
        );

        this.securityGroup = securityGroup;
        this.networkInterfaces = networkInterfaces;
        this.autoScalingGroups = autoScalingGroups;
        this.routes = routes;
        this.elasticIps = elasticIps;
        this.egressIps = pulumi.all(elasticIps.map((eip) => eip.publicIp));
        this.amiId = imageId;
        this.routeIds = pulumi.all(routes.map((r) => r.id));
        this.registerOutputs({ egressIps: this.egressIps, amiId: this.amiId, routeIds: this.routeIds });
    }
}
