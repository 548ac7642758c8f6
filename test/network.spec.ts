import * as assert from "assert";
import { subnetMasks } from "../components/network/subnetLayout";
import { MOCK_VPC_ID, StackRun } from "../tools/offlineStack";
import { expectConfigError, fixtureRun, ofType, one, stackRun } from "./util";

const VPC = "awsx:ec2:Vpc";

describe("network", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    it("spreads dev over 2 AZs with a NAT instance and no NAT gateway", () => {
        const vpc = one(runs.dev, VPC).inputs;
        assert.strictEqual(vpc.availabilityZoneNames.length, 2);
        assert.deepStrictEqual(vpc.natGateways, { strategy: "None" });
        assert.strictEqual(ofType(runs.dev, "onehub:index:NatInstance").length, 1);
    });

    it("keeps awsx's NAT gateways, and no NAT instance, with Single or OnePerAz", async () => {
        assert.strictEqual(ofType(runs.prod, "onehub:index:NatInstance").length, 0);
        const single = await fixtureRun("dev", { config: { "onehub:natStrategy": "Single" } });
        assert.deepStrictEqual(one(single, VPC).inputs.natGateways, { strategy: "Single" });
        assert.strictEqual(ofType(single, "onehub:index:NatInstance").length, 0);
    });

    it("spreads prod over 3 AZs with a NAT gateway per AZ", () => {
        const vpc = one(runs.prod, VPC).inputs;
        assert.strictEqual(vpc.availabilityZoneNames.length, 3);
        assert.deepStrictEqual(vpc.natGateways, { strategy: "OnePerAz" });
    });

    it("lays out public, private and isolated subnets with the Auto strategy", () => {
        const vpc = one(runs.prod, VPC).inputs;
        assert.strictEqual(vpc.subnetStrategy, "Auto");
        assert.deepStrictEqual(
            vpc.subnetSpecs.map((s: any) => s.type),
            ["Private", "Public", "Isolated"],
        );
        assert.strictEqual(vpc.cidrBlock, "10.0.0.0/16");
    });

    it("creates no VPC when an existing one is given, and places the database in its subnets", async () => {
        const run = await fixtureRun("dev", {
            config: {
                "onehub:natStrategy": "None",
                "onehub:existingVpcId": MOCK_VPC_ID,
                "onehub:existingPrivateSubnetIds": ["subnet-01111111", "subnet-11111111"],
                "onehub:existingDatabaseSubnetIds": ["subnet-03333333", "subnet-04444444"],
            },
        });
        assert.strictEqual(ofType(run, VPC).length, 0);
        assert.strictEqual(ofType(run, "onehub:index:OneHubNetwork").length, 0);
        assert.deepStrictEqual(one(run, "aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds, ["subnet-03333333", "subnet-04444444"]);
        assert.strictEqual(one(run, "aws:ec2/securityGroup:SecurityGroup", "-db-sg").inputs.vpcId, MOCK_VPC_ID);
    });
});

describe("subnet layout", () => {
    it("gives each AZ half private, a quarter public, a quarter isolated", () => {
        assert.deepStrictEqual(subnetMasks("k", "10.0.0.0/16", 2), { private: 18, public: 19, isolated: 19 });
        assert.deepStrictEqual(subnetMasks("k", "10.0.0.0/16", 3), { private: 19, public: 20, isolated: 20 });
        assert.deepStrictEqual(subnetMasks("k", "10.0.0.0/16", 6), { private: 20, public: 21, isolated: 21 });
    });

    it("refuses a CIDR whose subnets would be smaller than /28", () => {
        assert.throws(() => subnetMasks("k", "10.0.0.0/25", 3), /k = "10\.0\.0\.0\/25" .*\/16 to \/24/);
        assert.deepStrictEqual(subnetMasks("k", "10.0.0.0/24", 3), { private: 27, public: 28, isolated: 28 });
    });
});

describe("network config errors", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        [
            "an unknown NAT strategy",
            { "onehub:natStrategy": "Double" },
            /onehub:natStrategy = "Double" .*"None", "Instance", "InstancePerAz", "Single", "OnePerAz"/,
        ],
        ["0 AZs", { "onehub:azCount": 0 }, /onehub:azCount = 0 .*2 to 6/],
        ["7 AZs", { "onehub:azCount": 7 }, /onehub:azCount = 7 .*2 to 6/],
        ["1 AZ (an ALB needs two)", { "onehub:azCount": 1 }, /onehub:azCount = 1 .*2 to 6/],
        ["a CIDR that is not one", { "onehub:vpcCidr": "10.0.0.0" }, /onehub:vpcCidr = "10\.0\.0\.0" .*IPv4 CIDR/],
        ["a /8 VPC", { "onehub:vpcCidr": "10.0.0.0/8" }, /onehub:vpcCidr .*\/16/],
        [
            "subnets without a VPC id",
            { "onehub:existingPrivateSubnetIds": ["subnet-01111111", "subnet-11111111"] },
            /onehub:existingPrivateSubnetIds .*needs onehub:existingVpcId/,
        ],
        [
            "a VPC id without subnets",
            { "onehub:existingVpcId": MOCK_VPC_ID },
            /onehub:existingPrivateSubnetIds = \[\] .*at least 2 subnet ids/,
        ],
        ["a malformed VPC id", { "onehub:existingVpcId": "my-vpc" }, /onehub:existingVpcId = "my-vpc" .*vpc-/],
        ["an AZ count that is not a number", { "onehub:azCount": "two" }, /onehub:azCount = "two" .*whole number/],
    ];
    for (const [what, config, message] of cases) {
        it(`rejects ${what}`, () => expectConfigError("dev", config, message));
    }
});
