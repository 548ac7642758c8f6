import * as assert from "assert";
import {
    awsxNatRouteUrn,
    checkAmiId,
    checkNatInstanceType,
    privateRouteTableIds,
    RouteTableInfo,
} from "../components/network/natInstanceSettings";
import { NatInstance } from "../components/network/natInstance";
import { deriveVpcChildren } from "../tools/awsxVpcLayout";
import { MOCK_FCK_NAT_AMI, MOCK_VPC_ID, MOCK_X86_AMI, StackRun } from "../tools/offlineStack";
import { dependsDirectlyOn, waitsFor } from "./graph";
import { expectConfigError, fixtureRun, ofType, one, stackRun } from "./util";

const NAT = "onehub:index:NatInstance";
const ROUTE = "aws:ec2/route:Route";
const ENI = "aws:ec2/networkInterface:NetworkInterface";
const GROUP = "aws:autoscaling/group:Group";
const TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const EIP = "aws:ec2/eip:Eip";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

/** The resources of `type` inside the NAT instance component. */
const natOf = (run: StackRun, type: string) => {
    const nat = one(run, NAT);
    return ofType(run, type).filter((r) => r.parent === nat.urn);
};
const userData = (template: { inputs: Record<string, any> }) => Buffer.from(template.inputs.userData, "base64").toString();

describe("NAT instance (natStrategy Instance, the dev profile)", () => {
    let dev: StackRun;
    before(async () => {
        dev = await stackRun("dev");
    });

    it("routes 0.0.0.0/0 of every private route table to the instance's fixed network interface", () => {
        const eni = one(dev, ENI);
        const routes = natOf(dev, ROUTE);
        assert.deepStrictEqual(
            routes.map((r) => [r.inputs.routeTableId, r.inputs.destinationCidrBlock, r.inputs.networkInterfaceId]),
            [
                ["rtb-onehub-dev-net-vpc-private-1", "0.0.0.0/0", `${eni.name}-id`],
                ["rtb-onehub-dev-net-vpc-private-2", "0.0.0.0/0", `${eni.name}-id`],
            ],
        );
        assert.deepStrictEqual(one(dev, "awsx:ec2:Vpc").inputs.natGateways, { strategy: "None" }, "no NAT gateway");
    });

    it("puts the interface in the first public subnet with the source/destination check off", () => {
        const eni = one(dev, ENI).inputs;
        assert.strictEqual(eni.subnetId, "subnet-a0000000");
        assert.strictEqual(eni.sourceDestCheck, false);
        assert.deepStrictEqual(eni.securityGroups, ["onehub-dev-net-nat-sg-id"]);
    });

    it("admits only the VPC CIDR into its security group, and sends anywhere", () => {
        const ingress = ofType(dev, INGRESS).filter((r) => r.inputs.securityGroupId === "onehub-dev-net-nat-sg-id");
        assert.deepStrictEqual(
            ingress.map((r) => [r.inputs.ipProtocol, r.inputs.cidrIpv4]),
            [["-1", "10.0.0.0/16"]],
        );
        const egress = ofType(dev, EGRESS).filter((r) => r.inputs.securityGroupId === "onehub-dev-net-nat-sg-id");
        assert.deepStrictEqual(
            egress.map((r) => [r.inputs.ipProtocol, r.inputs.cidrIpv4]),
            [["-1", "0.0.0.0/0"]],
        );
    });

    it("runs the instance in an auto scaling group of one, in the interface's subnet, refreshed when its template changes", () => {
        const group = one(dev, GROUP).inputs;
        assert.deepStrictEqual([group.minSize, group.maxSize, group.desiredCapacity], [1, 1, 1]);
        assert.deepStrictEqual(group.vpcZoneIdentifiers, ["subnet-a0000000"]);
        assert.deepStrictEqual(group.launchTemplate, { id: "onehub-dev-net-nat-1-template-id", version: "1" }, "a version, not $Latest");
        assert.deepStrictEqual(group.instanceRefresh, { strategy: "Rolling", preferences: { minHealthyPercentage: 0 } });
        assert.strictEqual(group.healthCheckType, "EC2");
    });

    it("launches fck-nat's arm64 AMI on a t4g.nano with IMDSv2, an encrypted gp3 root volume and a public address for its boot", () => {
        const t = one(dev, TEMPLATE).inputs;
        assert.strictEqual(t.imageId, MOCK_FCK_NAT_AMI);
        assert.strictEqual(t.instanceType, "t4g.nano");
        assert.deepStrictEqual(t.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
        assert.deepStrictEqual(t.blockDeviceMappings, [
            { deviceName: "/dev/xvda", ebs: { volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
        ]);
        assert.strictEqual(t.networkInterfaces[0].associatePublicIpAddress, "true");
        assert.deepStrictEqual(t.networkInterfaces[0].securityGroups, ["onehub-dev-net-nat-sg-id"]);
    });

    it("tells fck-nat (HA mode) to attach the fixed interface and associate the Elastic IP at every boot", () => {
        const script = userData(one(dev, TEMPLATE));
        assert.match(script, /^#!\/bin\/sh\n/);
        assert.match(script, /echo "eni_id=onehub-dev-net-nat-1-eni-id" >> \/etc\/fck-nat\.conf/);
        assert.match(script, /echo "eip_id=eipalloc-onehub-dev-net-nat-1-eip" >> \/etc\/fck-nat\.conf/);
        assert.match(script, /service fck-nat restart/);
        assert.strictEqual(one(dev, EIP).inputs.domain, "vpc");
    });

    it("lets the instance's role do only what fck-nat's HA mode needs (its own interface and address) plus Session Manager", () => {
        const role = one(dev, "aws:iam/role:Role", "-nat-role").inputs;
        assert.deepStrictEqual(JSON.parse(role.assumeRolePolicy).Statement[0].Principal, { Service: "ec2.amazonaws.com" });
        const policy = JSON.parse(one(dev, "aws:iam/rolePolicy:RolePolicy", "-nat-role").inputs.policy);
        const bySid = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s]));
        const own = { StringLike: { "ec2:ResourceTag/onehub:nat-instance": "onehub-dev-net-nat-*" } };
        assert.deepStrictEqual(bySid.AttachOwnInterface.Action, ["ec2:AttachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute"]);
        assert.deepStrictEqual(bySid.AttachOwnInterface.Condition, own);
        assert.deepStrictEqual(bySid.AssociateOwnAddress.Resource, [
            "arn:aws:ec2:us-east-1:123456789012:elastic-ip/eipalloc-onehub-dev-net-nat-1-eip",
        ]);
        assert.deepStrictEqual(bySid.AssociateAddressWithOwnInterface.Condition, own);
        assert.deepStrictEqual(policy.Statement.flatMap((s: any) => s.Action).sort(), [
            "ec2:AssociateAddress",
            "ec2:AssociateAddress",
            "ec2:AttachNetworkInterface",
            "ec2:DisassociateAddress",
            "ec2:DisassociateAddress",
            "ec2:ModifyNetworkInterfaceAttribute",
            "ssm:UpdateInstanceInformation",
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        ]);
        // The condition works only if the interfaces and the instance carry the tag.
        assert.strictEqual(one(dev, ENI).inputs.tags["onehub:nat-instance"], "onehub-dev-net-nat-1");
        const specs = one(dev, TEMPLATE).inputs.tagSpecifications;
        assert.deepStrictEqual(
            specs.map((s: any) => [s.resourceType, s.tags["onehub:nat-instance"]]),
            [
                ["instance", "onehub-dev-net-nat-1"],
                ["volume", "onehub-dev-net-nat-1"],
                ["network-interface", "onehub-dev-net-nat-1"],
            ],
        );
    });

    it("keeps the tasks without public IPs, behind the NAT", () => {
        for (const service of ofType(dev, "aws:ecs/service:Service")) {
            assert.strictEqual(service.inputs.networkConfiguration.assignPublicIp, false);
        }
    });

    describe("lifecycle", () => {
        it("switches a route to the interface only once the group has an instance in service, whose role may attach it", () => {
            const group = one(dev, GROUP);
            for (const route of natOf(dev, ROUTE)) {
                assert.ok(dependsDirectlyOn(route, group), `${route.name} waits for the group`);
            }
            assert.ok(dependsDirectlyOn(group, one(dev, "aws:iam/rolePolicy:RolePolicy", "-nat-role")));
        });

        it("starts the ALB and the tasks, which need egress, only after the routes are in place", () => {
            const routes = natOf(dev, ROUTE);
            const waiters = [one(dev, "aws:lb/loadBalancer:LoadBalancer"), ...ofType(dev, "aws:ecs/service:Service")];
            for (const waiter of waiters) {
                for (const route of routes) {
                    assert.ok(waitsFor(dev, waiter, route), `${waiter.name} must wait for ${route.name}`);
                }
            }
        });

        it("takes awsx's NAT gateway routes over in place when a stack switches from gateways (no second default route)", () => {
            const routes = natOf(dev, ROUTE);
            assert.deepStrictEqual(
                routes.map((r) => r.aliases),
                [1, 2].map((n) => [
                    `urn:pulumi:dev::onehub::onehub:index:OneHubNetwork$awsx:ec2:Vpc$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet$aws:ec2/routeTable:RouteTable$aws:ec2/route:Route::onehub-dev-net-vpc-private-${n}`,
                ]),
            );
            assert.deepStrictEqual(routes[0].replaceOnChanges, [], "a changed target is an in-place ReplaceRoute");
            assert.strictEqual(routes[0].deleteBeforeReplace, false);
        });

        it("never deletes a default route it stops managing: EC2 deletes routes by table and destination, whoever's they are by then", () => {
            for (const route of natOf(dev, ROUTE)) {
                assert.strictEqual(route.retainOnDelete, true, route.name);
            }
        });

        it("takes over every default route awsx holds with a NAT gateway (Single → Instance), and no other", async () => {
            const single = await fixtureRun("dev", { config: { "onehub:natStrategy": "Single" } });
            const vpc = one(single, "awsx:ec2:Vpc");
            const gatewayRoutes = deriveVpcChildren(vpc)
                .filter((c) => c.type === ROUTE && c.inputs.natGateway !== undefined)
                .map((c) => awsxNatRouteUrn(vpc.urn, vpc.name, Number(/-(\d+)$/.exec(c.name)![1]) - 1));
            assert.strictEqual(gatewayRoutes.length, 2);
            assert.deepStrictEqual(
                natOf(dev, ROUTE)
                    .flatMap((r) => r.aliases)
                    .sort(),
                gatewayRoutes.sort(),
            );
        });

        it("names awsx's route the way awsx nests it: Vpc → aws Vpc → subnet → route table → route", () => {
            assert.strictEqual(
                awsxNatRouteUrn(
                    "urn:pulumi:dev::onehub::onehub:index:OneHub$onehub:index:OneHubNetwork$awsx:ec2:Vpc::onehub-dev-net-vpc",
                    "onehub-dev-net-vpc",
                    1,
                ),
                "urn:pulumi:dev::onehub::onehub:index:OneHub$onehub:index:OneHubNetwork$awsx:ec2:Vpc$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet$aws:ec2/routeTable:RouteTable$aws:ec2/route:Route::onehub-dev-net-vpc-private-2",
            );
        });

        it("does not replace the instance when fck-nat publishes a new AMI: the template ignores its image unless one is set", async () => {
            assert.deepStrictEqual(one(dev, TEMPLATE).ignoreChanges, ["imageId"]);
            const pinned = await fixtureRun("dev", { config: { "onehub:natInstanceAmiId": "ami-0123456789abcdef1" } });
            assert.deepStrictEqual(one(pinned, TEMPLATE).ignoreChanges, [], "a set AMI is applied (and rolls the instance)");
            assert.strictEqual(one(pinned, TEMPLATE).inputs.imageId, "ami-0123456789abcdef1");
        });
    });

    it("with InstancePerAz runs one instance per AZ and routes each private table to the interface in its own AZ", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:natStrategy": "InstancePerAz" } });
        const enis = ofType(run, ENI);
        assert.deepStrictEqual(
            enis.map((e) => e.inputs.subnetId),
            ["subnet-a0000000", "subnet-a1000000"],
        );
        assert.deepStrictEqual(
            natOf(run, ROUTE).map((r) => r.inputs.networkInterfaceId),
            enis.map((e) => `${e.name}-id`),
        );
        assert.strictEqual(ofType(run, GROUP).length, 2);
        assert.strictEqual(ofType(run, EIP).length, 2);
    });

    describe("bad input", () => {
        const cases: Array<[string, Record<string, unknown>, RegExp]> = [
            ["an x86 instance type", { "onehub:natInstanceType": "t3.nano" }, /onehub:natInstanceType = "t3\.nano" .*Graviton \(arm64\)/],
            ["an AMI id that is not ami-…", { "onehub:natInstanceAmiId": "fck-nat" }, /onehub:natInstanceAmiId = "fck-nat" .*ami-/],
            [
                "a NAT instance in an existing VPC",
                {
                    "onehub:existingVpcId": MOCK_VPC_ID,
                    "onehub:existingPrivateSubnetIds": ["subnet-01111111", "subnet-11111111"],
                    "onehub:existingDatabaseSubnetIds": ["subnet-03333333", "subnet-14444444"],
                },
                /onehub:natStrategy = "Instance" .*only in a new VPC.*use "None"/,
            ],
        ];
        for (const [what, config, message] of cases) {
            it(`refuses ${what}`, () => expectConfigError("dev", config, message));
        }

        it("refuses an x86_64 AMI at preview, before anything is registered", () =>
            expectConfigError(
                "dev",
                { "onehub:natInstanceAmiId": MOCK_X86_AMI },
                /onehub:natInstanceAmiId = "ami-0123456789abcdef0" is invalid: is an x86_64 image/,
            ));

        it("a NatInstance used alone refuses an x86_64 AMI too, when its lookup resolves", async () => {
            await assert.rejects(
                fixtureRun("dev", {}, () => {
                    new NatInstance("nat", {
                        vpcId: MOCK_VPC_ID,
                        vpcCidrBlock: "10.0.0.0/16",
                        publicSubnetIds: ["subnet-a0000000"],
                        privateRouteTableIds: ["rtb-1"],
                        amiId: MOCK_X86_AMI,
                    });
                }),
                /NatInstance args\.amiId = "ami-0123456789abcdef0" is invalid: is an x86_64 image/,
            );
        });

        it("accepts Graviton types and AMI ids, refuses the rest", () => {
            for (const type of ["t4g.nano", "t4g.micro", "c7gn.medium", "m6gd.large", "x2gd.medium", "im4gn.large", "a1.medium"]) {
                assert.strictEqual(checkNatInstanceType("k", type), type);
            }
            for (const type of ["t3.nano", "c6i.large", "m7a.medium", "g4dn.xlarge", "t4g", "T4G.NANO"]) {
                assert.throws(() => checkNatInstanceType("k", type), /Graviton/);
            }
            assert.strictEqual(checkAmiId("k", ""), "");
            assert.strictEqual(checkAmiId("k", "ami-12345678"), "ami-12345678");
            assert.throws(() => checkAmiId("k", "ami-123"), /ami-/);
        });

        it("a NatInstance used alone validates its arguments before registering anything", () => {
            assert.throws(
                () =>
                    new NatInstance("nat", {
                        vpcId: "vpc-1",
                        vpcCidrBlock: "10.0.0.0/16",
                        publicSubnetIds: ["subnet-1"],
                        privateRouteTableIds: [],
                    }),
                /NatInstance args\.privateRouteTableIds = \[\] .*at least one/,
            );
            assert.throws(
                () =>
                    new NatInstance("nat", {
                        vpcId: "vpc-1",
                        vpcCidrBlock: "10.0.0.0/16",
                        publicSubnetIds: ["subnet-1"],
                        privateRouteTableIds: ["rtb-1", "rtb-2"],
                        perAz: true,
                    }),
                /one public subnet per route table \(2\) with perAz/,
            );
        });
    });

    it("finds awsx's private route tables by their SubnetType tag and name, one per zone in zone order", () => {
        const table = (n: string, type: string): RouteTableInfo => ({ urn: `urn:x::v-${n}`, id: `rtb-${n}`, tags: { SubnetType: type } });
        const tables = [
            table("public-1", "Public"),
            table("private-2", "Private"),
            table("private-1", "Private"),
            table("isolated-1", "Isolated"),
        ];
        assert.deepStrictEqual(privateRouteTableIds("k", tables, "v", 2), ["rtb-private-1", "rtb-private-2"]);
        assert.throws(() => privateRouteTableIds("k", tables, "v", 3), /one private route table per zone \(3\)/);
    });
});
