import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { checkComponentName, checkOneOf, fail } from "../common/validation";
import { NatInstance } from "./natInstance";
import {
    awsxNatRouteUrn,
    checkAmiId,
    checkNatInstanceType,
    DEFAULT_NAT_INSTANCE_TYPE,
    NAT_INSTANCE_STRATEGIES,
    privateRouteTableIds,
    RouteTableInfo,
} from "./natInstanceSettings";
import { checkAzCount, subnetMasks } from "./subnetLayout";
import { checkZoneNames } from "./vpcChecks";

/**
 * NAT strategies a new VPC may use: its tasks need egress for the image, AWS APIs and upstream
 * LLMs. "Instance"/"InstancePerAz" run fck-nat instances (NatInstance), the others awsx's NAT gateways.
 */
export const NAT_STRATEGIES = [...NAT_INSTANCE_STRATEGIES, "Single", "OnePerAz"] as const;
export const DEFAULT_NAT_STRATEGY = "Instance";
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
     * Egress: "Instance" (one fck-nat NAT instance for every AZ, ~$7 a month with its Elastic IP;
     * a few minutes without egress while its group replaces a failed instance), "InstancePerAz" (one
     * per AZ), "Single" (one NAT gateway, ~$36.50 a month) or "OnePerAz" (a gateway per AZ, survives
     * an AZ loss). Default "Instance". A new VPC always needs NAT: the tasks pull the image, reach
     * Secrets Manager, CloudWatch Logs and the upstream LLM providers. Switching an existing VPC
     * from gateways to an instance takes awsx's default routes over in place.
     * See https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html and
     * https://fck-nat.dev
     */
    natStrategy?: string;
    /** With an instance strategy: a Graviton (arm64) instance type. Default "t4g.nano". */
    natInstanceType?: string;
    /**
     * With an instance strategy: an arm64 fck-nat AMI id. Default "": the newest fck-nat AMI at the
     * first deploy, kept afterwards (see NatInstanceArgs.amiId).
     */
    natInstanceAmiId?: string;
    /** IPv4 CIDR of the VPC, /16 up to /25 (2 AZs) or /24 (3–4 AZs) so every subnet is ≥ /28. Default "10.0.0.0/16". */
    cidrBlock?: string;
    /** Tags applied to the VPC and its subnets. */
    tags?: Record<string, string>;
}

/**
 * The VPC OneHub runs in: public subnets (the NAT instance or gateways and the internet gateway,
 * which a CloudFront VPC origin needs even though nothing else is public), private subnets for the
 * ALB and the tasks, isolated subnets for Aurora.
 */
export class OneHubNetwork extends pulumi.ComponentResource {
    /** The awsx VPC (its subnets, route tables, NAT gateways). */
    public readonly vpc: awsx.ec2.Vpc;
    /** The VPC's id. */
    public readonly vpcId: pulumi.Output<string>;
    /** Public subnets: NAT (instance or gateways) only; nothing of OneHub is placed here. */
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
    /** The public addresses the private subnets' traffic leaves from (NAT instances; [] with NAT gateways). */
    public readonly natEgressIps: pulumi.Output<string[]>;
    /** The NAT instances' Auto Scaling groups (one per instance; [] with NAT gateways), for their alarms. */
    public readonly natInstanceGroupNames: pulumi.Output<string[]>;

    constructor(name: string, args: OneHubNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentName("OneHubNetwork", name, "-vpc", 255);
        const k = (field: keyof OneHubNetworkArgs) => `OneHubNetwork args.${field}`;
        const azCount = checkAzCount(k("azCount"), args.azCount ?? 2);
        const natStrategy = checkOneOf(k("natStrategy"), args.natStrategy ?? DEFAULT_NAT_STRATEGY, NAT_STRATEGIES);
        const natInstance = (NAT_INSTANCE_STRATEGIES as readonly string[]).includes(natStrategy);
        checkNatInstanceType(k("natInstanceType"), args.natInstanceType ?? DEFAULT_NAT_INSTANCE_TYPE);
        checkAmiId(k("natInstanceAmiId"), args.natInstanceAmiId ?? "");
        if (natInstance) {
            // The NAT instance's role, "<name>-nat-role" plus Pulumi's suffix, must fit IAM's 64.
            checkComponentName("OneHubNetwork", name, "-nat-role", 64);
        }
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
                // With an instance, no NAT gateway: the NatInstance routes the private tables.
                natGateways: { strategy: (natInstance ? "None" : natStrategy) as awsx.types.enums.ec2.NatGatewayStrategy },
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

        // The NAT instance routes awsx's private route tables; each route aliases the one awsx made
        // for a NAT gateway, so a stack switching from gateways updates it in place.
        let nat: NatInstance | undefined;
        if (natInstance) {
            const vpcName = `${name}-vpc`;
            const tables = vpc.routeTables.apply((all) =>
                pulumi.all(
                    all.map((t) =>
                        pulumi
                            .all([t.urn, t.id, t.tags])
                            .apply(([urn, id, tags]): RouteTableInfo => ({ urn, id, tags: tags ?? undefined })),
                    ),
                ),
            );
            const privateTables = tables.apply((all) => privateRouteTableIds(k("natStrategy"), all, vpcName, azCount));
            nat = new NatInstance(
                `${name}-nat`,
                {
                    vpcId: vpc.vpcId,
                    vpcCidrBlock: cidrBlock,
                    publicSubnetIds: Array.from({ length: azCount }, (_, i) => vpc.publicSubnetIds.apply((ids) => ids[i])),
                    privateRouteTableIds: Array.from({ length: azCount }, (_, i) => privateTables.apply((ids) => ids[i])),
                    perAz: natStrategy === "InstancePerAz",
                    instanceType: args.natInstanceType,
                    amiId: args.natInstanceAmiId,
                    replacesRouteUrns: Array.from({ length: azCount }, (_, i) => vpc.urn.apply((urn) => awsxNatRouteUrn(urn, vpcName, i))),
                    tags: args.tags,
                },
                { parent: this },
            );
        }

        this.vpc = vpc;
        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        // Resolving once the zones are checked and, with a NAT instance, its routes are in place:
        // whatever runs in these subnets (the ALB, the tasks) waits for its egress.
        this.privateSubnetIds = pulumi.all([vpc.privateSubnetIds, zones, nat ? nat.routeIds : []]).apply(([ids]) => ids);
        this.isolatedSubnetIds = vpc.isolatedSubnetIds;
        this.availabilityZoneNames = zones;
        // awsx creates the gateways remotely and hands them back as resources.
        this.natGatewayIds = vpc.natGateways.apply((gateways) => pulumi.all((gateways ?? []).map((g) => g.id)));
        this.natEgressIps = nat ? nat.egressIps : pulumi.output([]);
        this.natInstanceGroupNames = nat ? pulumi.all(nat.autoScalingGroups.map((g) => g.name)) : pulumi.output([]);
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
            availabilityZoneNames: this.availabilityZoneNames,
            natGatewayIds: this.natGatewayIds,
            natEgressIps: this.natEgressIps,
            natInstanceGroupNames: this.natInstanceGroupNames,
        });
    }
}
