// Amazon Bedrock as an upstream: the channel's credentials (an invoke-only IAM user, access keys in
// two slots, OneHub's channel key per region in Secrets Manager), the runtime endpoint that keeps
// Bedrock traffic off the NAT, and what creating, updating and destroying them does.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { OneHubBedrockEndpoint } from "../components/bedrock/oneHubBedrockEndpoint";
import { OneHubBedrockAccess } from "../components/bedrock/oneHubBedrockAccess";
import { parseLoad, renderCost } from "../tools/cost";
import { bedrockEndpointBreakEvenGb, costNotes, DEFAULT_LOAD, estimate } from "../tools/costModel";
import {
    MOCK_VPC_ID,
    MOCK_VPC_WITH_BEDROCK_ENDPOINT,
    MOCK_VPC_WITH_DEV_BEDROCK_ENDPOINT,
    MOCK_VPC_WITHOUT_DNS_HOSTNAMES,
    RegisteredResource,
    ROOT,
    StackRun,
} from "../tools/offlineStack";
import { evaluatePolicies } from "../tools/policyEval";
import { assertWaitsFor, dependsDirectlyOn } from "./graph";
import { expectConfigError, fixtureRun, ofType, one, stackRun } from "./util";

const USER = "aws:iam/user:User";
const USER_POLICY = "aws:iam/userPolicy:UserPolicy";
const KEY = "aws:iam/accessKey:AccessKey";
const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SERVICE = "aws:ecs/service:Service";

const ON = { "onehub:bedrockAccess": "IamUser", "onehub:bedrockRegions": ["us-east-1"] };
const ENDPOINT_ON = { "onehub:bedrockVpcEndpoint": true };
const EXISTING_VPC = {
    "onehub:natStrategy": "None",
    "onehub:existingVpcId": MOCK_VPC_ID,
    "onehub:existingPrivateSubnetIds": ["subnet-01111111", "subnet-11111111"],
    "onehub:existingDatabaseSubnetIds": ["subnet-03333333", "subnet-14444444"],
};

/** An existing VPC (one of the mock's Bedrock test VPCs) with private subnets of its own in zones 0 and 1. */
const existingVpc = (vpcId: string) => ({
    ...EXISTING_VPC,
    "onehub:existingVpcId": vpcId,
    "onehub:existingPrivateSubnetIds": [`subnet-0111${vpcId.slice(-4)}`, `subnet-1111${vpcId.slice(-4)}`],
});

/** Runs of a fixture stack with extra config, shared by the specs below (the program is deterministic). */
const runs = new Map<string, Promise<StackRun>>();
function run(stack: "dev" | "prod", config: Record<string, unknown> = {}): Promise<StackRun> {
    const key = JSON.stringify([stack, config]);
    if (!runs.has(key)) {
        runs.set(key, fixtureRun(stack, { config }));
    }
    return runs.get(key)!;
}
/** The stacks most specs read (few runs keep the suite fast): */
const devA = () => run("dev", ON); // the user with its first key
const devAB = () => run("dev", { ...ON, "onehub:bedrockAccessKeySlots": ["a", "b"], ...ENDPOINT_ON }); // a second key, the endpoint
/** The same with a NAT gateway (the dev profile's NAT instance charges nothing per GB). */
const GATEWAY = { "onehub:natStrategy": "Single" };
const NARROW_ARNS = [
    "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "arn:aws:bedrock:us-*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
];
// The first key retired, and the policy narrowed (neither touches the other key).
const devB = () => run("dev", { ...ON, "onehub:bedrockAccessKeySlots": ["b"], "onehub:bedrockModelArns": NARROW_ARNS, ...ENDPOINT_ON });
// No key in Pulumi, in an existing VPC that holds this stack's endpoint and another one without private DNS.
const EXISTING_WITH_OWN_ENDPOINT = existingVpc(MOCK_VPC_WITH_DEV_BEDROCK_ENDPOINT);
const devNoKey = () => run("dev", { ...ON, "onehub:bedrockAccessKeySlots": [], ...EXISTING_WITH_OWN_ENDPOINT, ...ENDPOINT_ON });
const prodFull = () =>
    run("prod", {
        ...ON,
        "onehub:bedrockRegions": ["us-east-1", "eu-central-1"],
        "onehub:bedrockAccessKeySlots": ["a", "b"],
        ...ENDPOINT_ON,
    });

const policyOf = (r: StackRun) => JSON.parse(one(r, USER_POLICY).inputs.policy);
const secretsOf = (r: StackRun) => ofType(r, VERSION).filter((v) => v.name.includes("-bedrock-"));
/** The resource of `r` with the URN of `other` (the same resource in another run), if any. */
const same = (r: StackRun, other: RegisteredResource) => r.resources.find((x) => x.urn === other.urn);

describe("Amazon Bedrock: off unless asked for", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack} builds no Bedrock user, key, secret or endpoint by default, and exports nothing about Bedrock`, async () => {
            const r = await stackRun(stack);
            for (const type of [USER, USER_POLICY, KEY, ENDPOINT]) {
                assert.deepStrictEqual(ofType(r, type), [], type);
            }
            assert.deepStrictEqual(
                Object.keys(r.outputs).filter((k) => k.startsWith("bedrock")),
                [],
            );
        });
    }
});

describe("Amazon Bedrock: the channel's IAM user (bedrockAccess IamUser)", () => {
    it("may call exactly bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream on Anthropic's models and the account's inference profiles", async () => {
        for (const r of [await devA(), await prodFull()]) {
            assert.deepStrictEqual(policyOf(r), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "InvokeModels",
                        Effect: "Allow",
                        Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                        Resource: [
                            "arn:aws:bedrock:*::foundation-model/anthropic.*",
                            "arn:aws:bedrock:::foundation-model/anthropic.*",
                            "arn:aws:bedrock:*:123456789012:inference-profile/*",
                        ],
                    },
                ],
            });
        }
    });

    it("invokes only the ARNs bedrockModelArns lists, when it lists any", async () => {
        assert.deepStrictEqual(policyOf(await devB()).Statement[0].Resource, NARROW_ARNS);
    });

    it("is a user of its own path with that inline policy and nothing else: no console login, no attached policy, no group", async () => {
        const r = await devA();
        const { tags, ...user } = one(r, USER).inputs;
        assert.deepStrictEqual(user, { path: "/onehub/", forceDestroy: true });
        assert.deepStrictEqual(Object.keys(tags ?? {}), ["onehub:stack"], "only the stack's own tags");
        assert.strictEqual(one(r, USER_POLICY).inputs.user, one(r, USER).name);
        for (const type of [
            "aws:iam/userLoginProfile:UserLoginProfile",
            "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            "aws:iam/userGroupMembership:UserGroupMembership",
        ]) {
            assert.deepStrictEqual(ofType(r, type), [], type);
        }
    });

    it("stores each key once per region in OneHub's channel format region|AccessKeyId|SecretAccessKey, as a secret", async () => {
        const r = await prodFull();
        const versions = secretsOf(r);
        assert.deepStrictEqual(versions.map((v) => v.name).sort(), [
            "onehub-prod-bedrock-a-eu-central-1",
            "onehub-prod-bedrock-a-us-east-1",
            "onehub-prod-bedrock-b-eu-central-1",
            "onehub-prod-bedrock-b-us-east-1",
        ]);
        for (const v of versions) {
            const region = v.name.endsWith("us-east-1") ? "us-east-1" : "eu-central-1";
            const secretKey = `mock-secret-access-key-of-${one(r, KEY, `-key-${v.name.split("-bedrock-")[1][0]}`).name}`;
            const fields = v.inputs.secretString.split("|");
            assert.strictEqual(fields.length, 3, "three fields: OneHub reads a fourth as a session token and two as region|ApiKey");
            assert.deepStrictEqual(fields, [region, fields[1], secretKey]);
            assert.match(fields[1], /^AKIA[0-9A-Z]{16}$/, "the access key id");
            assert.deepStrictEqual(v.secretPaths, ["secretString"], "the value is a secret in state");
        }
    });

    it("keeps the secret access key in state only as a secret (the provider marks the key's secret output so)", () => {
        const sdk = fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "aws", "iam", "accessKey.js"), "utf8");
        assert.match(sdk, /additionalSecretOutputs: \["secret", "sesSmtpPasswordV4"\]/);
    });

    it("exports the user and the secrets' ARNs, never a key: no output holds the secret access key", async () => {
        const r = await devAB();
        assert.strictEqual(r.outputs.bedrockUserName, "onehub-dev-bedrock-user");
        assert.deepStrictEqual(r.outputs.bedrockKeySecretArns, {
            "a/us-east-1": "arn:aws:secretsmanager:us-east-1:123456789012:secret:onehub-dev-bedrock-a-us-east-1-AbCdEf",
            "b/us-east-1": "arn:aws:secretsmanager:us-east-1:123456789012:secret:onehub-dev-bedrock-b-us-east-1-AbCdEf",
        });
        const exported = JSON.stringify(r.outputs);
        for (const key of ofType(r, KEY)) {
            assert.ok(!exported.includes(`mock-secret-access-key-of-${key.name}`), "no secret access key in any output");
        }
        assert.deepStrictEqual(r.secretOutputs, [], "nothing secret is exported, so nothing needed masking");
    });

    it("publishes a key only after the user may invoke models: each secret version waits for the policy and its key", async () => {
        const r = await devA();
        const [version] = secretsOf(r);
        assert.ok(dependsDirectlyOn(version, one(r, USER_POLICY)), "its own dependency: a component's dependsOn is not always inherited");
        assertWaitsFor(r, version, one(r, KEY), "the value is the key");
        assertWaitsFor(r, one(r, KEY), one(r, USER), "a key belongs to a user");
    });

    it("with accessKeySlots [] holds no key in Pulumi: the user and its policy only, for a key created outside", async () => {
        const r = await devNoKey();
        assert.strictEqual(ofType(r, USER).length, 1);
        assert.deepStrictEqual(ofType(r, KEY), []);
        assert.deepStrictEqual(secretsOf(r), []);
        assert.deepStrictEqual(r.outputs.bedrockKeySecretArns, {});
    });
});

describe("Amazon Bedrock: rotating the key without an outage", () => {
    it('adding slot "b" creates a second key and its secrets and leaves the first key and its secrets exactly as they were', async () => {
        const before = await devA();
        const during = await devAB();
        for (const r of [
            one(before, KEY, "-key-a"),
            ...ofType(before, SECRET).filter((s) => s.name.includes("-bedrock-a-")),
            ...secretsOf(before),
        ]) {
            const after = same(during, r);
            assert.ok(after, `${r.name} keeps its URN`);
            assert.deepStrictEqual(after.inputs, r.inputs, `${r.name}: no diff, so no update and no replacement`);
        }
        assert.deepStrictEqual(
            ofType(during, KEY).map((k) => k.name),
            ["onehub-dev-bedrock-key-a", "onehub-dev-bedrock-key-b"],
        );
    });

    it('removing slot "a" deletes only its key and secrets; the key OneHub now uses stays as it was', async () => {
        const during = await devAB();
        const after = await devB();
        assert.deepStrictEqual(
            after.resources.filter((r) => r.name.includes("-bedrock-a-") || r.name.endsWith("-key-a")),
            [],
        );
        for (const r of [one(during, KEY, "-key-b"), ...secretsOf(during).filter((v) => v.name.includes("-bedrock-b-"))]) {
            assert.deepStrictEqual(same(after, r)?.inputs, r.inputs, r.name);
        }
    });

    it("a key is replaced only with its user, created before the old one is deleted, and never ignores a change", async () => {
        for (const key of ofType(await devAB(), KEY)) {
            assert.deepStrictEqual(Object.keys(key.inputs).sort(), ["status", "user"], "user is the only input that replaces a key");
            assert.strictEqual(key.deleteBeforeReplace, false);
            assert.deepStrictEqual(key.replaceOnChanges, []);
            assert.deepStrictEqual(key.ignoreChanges, []);
            assert.strictEqual(key.retainOnDelete, false, "a retired slot's key must really be deleted");
        }
    });
});

describe("Amazon Bedrock: the runtime endpoint (bedrockVpcEndpoint)", () => {
    for (const [stack, zones, runOf] of [
        ["dev", 2, devAB],
        ["prod", 3, prodFull],
    ] as const) {
        it(`${stack}: an interface endpoint for bedrock-runtime with private DNS in the ${zones} private subnets, behind its own security group`, async () => {
            const r = await runOf();
            const endpoint = one(r, ENDPOINT).inputs;
            const vpc = one(r, "awsx:ec2:Vpc");
            assert.strictEqual(endpoint.serviceName, "com.amazonaws.us-east-1.bedrock-runtime");
            assert.strictEqual(endpoint.vpcEndpointType, "Interface");
            assert.strictEqual(endpoint.privateDnsEnabled, true, "bedrock-runtime.us-east-1.amazonaws.com, OneHub's URL, resolves to it");
            assert.strictEqual(endpoint.vpcId, MOCK_VPC_ID);
            assert.strictEqual(endpoint.subnetIds.length, zones);
            assert.ok(
                endpoint.subnetIds.every((s: string) => s.startsWith("subnet-b")),
                "the private subnets (the tasks'), one per zone",
            );
            assert.strictEqual(
                vpc.inputs.enableDnsSupport && vpc.inputs.enableDnsHostnames,
                true,
                "the created VPC has what private DNS needs",
            );
            assert.deepStrictEqual(endpoint.securityGroupIds, ["onehub-" + stack + "-bedrock-vpce-sg-id"]);
        });
    }

    it("its security group admits only the master's and the slaves' task groups, on 443, and nothing else", async () => {
        const r = await prodFull();
        assert.strictEqual(one(r, SG, "-bedrock-vpce-sg").inputs.ingress, undefined, "no inline rules");
        const rules = ofType(r, INGRESS).filter((i) => i.inputs.securityGroupId === "onehub-prod-bedrock-vpce-sg-id");
        assert.deepStrictEqual(
            rules
                .map((i) => [
                    i.inputs.referencedSecurityGroupId,
                    i.inputs.ipProtocol,
                    i.inputs.fromPort,
                    i.inputs.toPort,
                    i.inputs.cidrIpv4,
                ])
                .sort(),
            [
                ["onehub-prod-master-sg-id", "tcp", 443, 443, undefined],
                ["onehub-prod-slave-sg-id", "tcp", 443, 443, undefined],
            ],
        );
    });

    it("admits nobody on its own: a service attaches itself, the endpoint never names a service", async () => {
        const alone = await fixtureRun("dev", {}, () => {
            new OneHubBedrockEndpoint("solo-vpce", { vpcId: MOCK_VPC_ID, subnetIds: ["subnet-01111111", "subnet-11111111"] });
        });
        assert.deepStrictEqual(ofType(alone, INGRESS), []);
        assert.strictEqual(one(alone, ENDPOINT).inputs.subnetIds.length, 2);
    });

    it("every service waits for its own rule into the endpoint's group, so no task calls Bedrock through a closed door", async () => {
        const r = await devAB();
        for (const node of ["-master-", "-slave-"]) {
            assert.ok(dependsDirectlyOn(one(r, SERVICE, node), one(r, INGRESS, `${node}to-bedrock`)), node);
        }
        assertWaitsFor(r, one(r, ENDPOINT), one(r, SG, "-bedrock-vpce-sg"), "the endpoint's interfaces get its group");
    });

    it("is deleted before it is replaced: a new endpoint cannot take the private DNS name the old one holds", async () => {
        const endpoint = one(await devAB(), ENDPOINT);
        assert.strictEqual(endpoint.deleteBeforeReplace, true);
        assert.deepStrictEqual(endpoint.ignoreChanges, []);
    });

    it("goes into an existing VPC's private subnets, and on the next update finds its own endpoint there (by its tag) and passes", async () => {
        // The VPC holds this stack's endpoint (private DNS) and another one without private DNS.
        const endpoint = one(await devNoKey(), ENDPOINT).inputs;
        assert.deepStrictEqual(endpoint.subnetIds, EXISTING_WITH_OWN_ENDPOINT["onehub:existingPrivateSubnetIds"]);
        assert.strictEqual(endpoint.tags["onehub:bedrock-endpoint"], "onehub/dev/onehub-dev-bedrock-vpce");
    });
});

describe("Amazon Bedrock: bad input is refused before anything is registered", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        ["an unknown access mode", { "onehub:bedrockAccess": "AccessKey" }, /onehub:bedrockAccess = "AccessKey" .*"None", "IamUser"/],
        [
            "a user without regions",
            { "onehub:bedrockAccess": "IamUser" },
            /onehub:bedrockRegions = \[\] is invalid: must list the regions OneHub calls Bedrock in/,
        ],
        [
            "a region that is no region name",
            { ...ON, "onehub:bedrockRegions": ["us-east"] },
            /onehub:bedrockRegions .*"us-east" is not an AWS region name/,
        ],
        ["a region in capitals", { ...ON, "onehub:bedrockRegions": ["US-EAST-1"] }, /"US-EAST-1" is not an AWS region name/],
        ["a region twice", { ...ON, "onehub:bedrockRegions": ["us-east-1", "us-east-1"] }, /must name each region once/],
        [
            "a region name the partition does not have (looked up at preview)",
            { ...ON, "onehub:bedrockRegions": ["us-east-1", "us-east-3"] },
            /onehub:bedrockRegions .* us-east-3 is not a region of the aws partition/,
        ],
        [
            "an ARN of another service",
            { ...ON, "onehub:bedrockModelArns": ["arn:aws:s3:::models"] },
            /onehub:bedrockModelArns .*"arn:aws:s3:::models" is not a Bedrock foundation-model ARN/,
        ],
        ["a bare wildcard", { ...ON, "onehub:bedrockModelArns": ["*"] }, /"\*" is not a Bedrock foundation-model ARN/],
        [
            'an application inference profile (its id has no "anthropic", which OneHub relays)',
            { ...ON, "onehub:bedrockModelArns": ["arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"] },
            /application-inference-profile\/abc123" is not a Bedrock foundation-model ARN/,
        ],
        [
            "a foundation model with an account (they have none)",
            { ...ON, "onehub:bedrockModelArns": ["arn:aws:bedrock:us-east-1:123456789012:foundation-model/anthropic.claude-v2"] },
            /is not a Bedrock foundation-model ARN/,
        ],
        [
            "an ARN of another partition (looked up at preview)",
            { ...ON, "onehub:bedrockModelArns": ["arn:aws-cn:bedrock:*::foundation-model/anthropic.*"] },
            /onehub:bedrockModelArns .* is not in the stack's partition aws/,
        ],
        [
            "an unknown key slot",
            { ...ON, "onehub:bedrockAccessKeySlots": ["c"] },
            /onehub:bedrockAccessKeySlots = \["c"\] .*from "a" and "b"/,
        ],
        [
            "a key slot twice",
            { ...ON, "onehub:bedrockAccessKeySlots": ["a", "a"] },
            /onehub:bedrockAccessKeySlots = \["a","a"\] .*each once/,
        ],
        [
            "regions without the user",
            { "onehub:bedrockRegions": ["us-east-1"] },
            /onehub:bedrockRegions = \["us-east-1"\] .*needs onehub:bedrockAccess "IamUser"/,
        ],
        [
            "model ARNs without the user",
            { "onehub:bedrockModelArns": ["arn:aws:bedrock:*::foundation-model/anthropic.*"] },
            /onehub:bedrockModelArns .*needs onehub:bedrockAccess "IamUser"/,
        ],
        [
            "key slots without the user",
            { "onehub:bedrockAccessKeySlots": ["b"] },
            /onehub:bedrockAccessKeySlots = \["b"\] .*needs onehub:bedrockAccess "IamUser"/,
        ],
        [
            "the endpoint in an existing VPC without DNS hostnames (private DNS needs them)",
            { ...existingVpc(MOCK_VPC_WITHOUT_DNS_HOSTNAMES), ...ENDPOINT_ON },
            /onehub:existingVpcId = "vpc-00000000000000d75" is invalid: has DNS hostnames turned off; the Bedrock endpoint's private DNS needs both/,
        ],
        [
            "the endpoint in an existing VPC that has a bedrock-runtime endpoint with private DNS",
            { ...existingVpc(MOCK_VPC_WITH_BEDROCK_ENDPOINT), ...ENDPOINT_ON },
            /onehub:existingVpcId .*already has a com\.amazonaws\.us-east-1\.bedrock-runtime endpoint with private DNS \(vpce-0123456789abcdef0\)/,
        ],
        [
            "the endpoint in an existing VPC whose private subnets share a zone (an endpoint takes one per zone)",
            {
                ...EXISTING_VPC,
                "onehub:existingPrivateSubnetIds": ["subnet-01111111", "subnet-11111111", "subnet-12222222"],
                ...ENDPOINT_ON,
            },
            /onehub:existingPrivateSubnetIds .*subnet-12222222 \(use1-az2\) shares an Availability Zone/,
        ],
    ];
    for (const [what, config, message] of cases) {
        it(`rejects ${what}`, () => expectConfigError("dev", config, message));
    }

    it("refuses, in another stack, a VPC whose several endpoints are not its own (one of them may hold the private name)", () =>
        expectConfigError(
            "prod",
            { ...existingVpc(MOCK_VPC_WITH_DEV_BEDROCK_ENDPOINT), ...ENDPOINT_ON },
            /already has several com\.amazonaws\.us-east-1\.bedrock-runtime endpoints/,
        ));

    it("names the component's argument when the component is used alone", async () => {
        await assert.rejects(
            fixtureRun("dev", {}, () => {
                new OneHubBedrockAccess("solo-bedrock", { regions: ["moon-base-1"] });
            }),
            /OneHubBedrockAccess args\.regions = \["moon-base-1"\] is invalid: "moon-base-1" is not an AWS region name/,
        );
    });
});

describe("Amazon Bedrock: what the endpoint costs, and when it pays", () => {
    it("prices the endpoint per AZ-hour and per GB, and takes the Bedrock share of the traffic off the NAT", async () => {
        const off = await run("dev", { ...ON, ...GATEWAY });
        const on = await run("dev", { ...ON, "onehub:bedrockAccessKeySlots": ["a", "b"], ...ENDPOINT_ON, ...GATEWAY });
        const load = { ...DEFAULT_LOAD, requestsPerMonth: 10_000_000, bedrockShare: 0.5 };
        const line = (r: StackRun, item: string) => estimate(r, load).find((l) => l.item === item);
        const gb = (10_000_000 * 12) / (1024 * 1024);
        assert.ok(Math.abs(line(on, "Bedrock VPC endpoint")!.idle - 2 * 730 * 0.01) < 1e-9, "2 AZs × 730 h × $0.01");
        assert.ok(Math.abs(line(on, "Bedrock VPC endpoint")!.load - (2 * 730 * 0.01 + gb * 0.5 * 0.01)) < 1e-9);
        assert.ok(Math.abs(line(off, "NAT gateways")!.load - line(on, "NAT gateways")!.load - gb * 0.5 * 0.045) < 1e-9);
        assert.strictEqual(line(off, "Bedrock VPC endpoint"), undefined);
    });

    it("pays for itself above (AZs × 730 h × $0.01) ÷ ($0.045 − $0.01) per GB: 417 GB a month in 2 AZs, 626 in 3", () => {
        assert.strictEqual(Math.round(bedrockEndpointBreakEvenGb(2)), 417);
        assert.strictEqual(Math.round(bedrockEndpointBreakEvenGb(3)), 626);
    });

    it("prints the break-even for a stack with the endpoint, or with Bedrock credentials and no endpoint yet, and nothing otherwise", async () => {
        assert.match(costNotes(await prodFull())[0], /^Bedrock VPC endpoint \(on\): \$21\.90\/month for 3 AZ\(s\).* above 626 GB\/month/);
        assert.match(
            costNotes(await run("dev", { ...ON, ...GATEWAY }))[0],
            /^Bedrock VPC endpoint \(bedrockVpcEndpoint, off\): .* above 417 GB\/month .*~36\.5 M requests of 12 KB/,
        );
        assert.match(
            costNotes(await devA())[0],
            /^Bedrock VPC endpoint \(bedrockVpcEndpoint, off\): \$14\.60\/month .* NAT instances charge nothing per GB/,
        );
        assert.deepStrictEqual(costNotes(await stackRun("dev")), []);
        const prod = await prodFull();
        assert.match(
            renderCost("prod", estimate(prod), DEFAULT_LOAD, costNotes(prod)),
            /\n\nBedrock VPC endpoint \(on\): .*\n\n(Free tiers.*\n\n)?Assumptions:/,
        );
    });

    it("takes --bedrock-share as a share from 0 to 1", () => {
        assert.strictEqual(parseLoad(["--bedrock-share", "0.25"]).bedrockShare, 0.25);
        assert.throws(() => parseLoad(["--bedrock-share", "2"]), /--bedrock-share = "2" is invalid: must be a share from 0 to 1/);
    });
});

describe("Amazon Bedrock: the guardrails pass what the components build", () => {
    it("the prod profile with Bedrock access, two key slots and the endpoint violates no mandatory policy", async () => {
        const results = await evaluatePolicies(await prodFull());
        assert.deepStrictEqual(
            results.filter((p) => p.enforcementLevel === "mandatory").flatMap((p) => p.violations.map((v) => `${p.name}: ${v.message}`)),
            [],
        );
        assert.ok(results.find((p) => p.name === "bedrock-invoke-only")!.checked > 0);
    });
});
