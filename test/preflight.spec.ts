// The preflight's checks against stubbed AWS clients and a stubbed registry: no network, no account.
import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import { ACMClient, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import { CloudFrontClient, ListDistributionsCommand } from "@aws-sdk/client-cloudfront";
import { DescribeAvailabilityZonesCommand, DescribeInternetGatewaysCommand, DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { DescribeDBEngineVersionsCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import {
    GetAWSDefaultServiceQuotaCommand,
    GetServiceQuotaCommand,
    ListAWSDefaultServiceQuotasCommand,
    ListServiceQuotasCommand,
    ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { loadStackConfig } from "../tools/offlineStack";
import { parseArgs, runCli } from "../tools/preflight";
import { FIXTURES } from "./util";
import {
    certificateCovers,
    CheckResult,
    closestVersions,
    Fetch,
    fargateVcpuDemand,
    locateImage,
    MANIFEST_ACCEPT,
    parsePreflightConfig,
    PreflightClients,
    PreflightConfig,
    PreflightReport,
    renderReport,
    runPreflight,
    splitSlaves,
} from "../tools/preflightChecks";

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const quotas = mockClient(ServiceQuotasClient);
const cloudfront = mockClient(CloudFrontClient);
const route53 = mockClient(Route53Client);
const acm = mockClient(ACMClient);
const ALL = [sts, iam, ec2, rds, quotas, cloudfront, route53, acm];

function clients(): PreflightClients {
    // send() is stubbed on every instance; the credentials only keep the SDK from looking for real ones.
    const opts = { region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
    const q = new ServiceQuotasClient(opts);
    return {
        sts: new STSClient(opts),
        iam: new IAMClient(opts),
        ec2: new EC2Client(opts),
        rds: new RDSClient(opts),
        quotas: q,
        globalQuotas: q,
        cloudfront: new CloudFrontClient(opts),
        route53: new Route53Client(opts),
        acm: new ACMClient(opts),
    };
}

function awsError(name: string, message = name): Error {
    return Object.assign(new Error(message), { name });
}

const ZONE_ID = "Z0123456789ABCDEFGHIJ";
const CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
const NOW = new Date("2026-06-01T00:00:00Z");

/** The committed config of `stack` with `overrides` (full keys), parsed as the CLI does. */
function stackConfig(stack: string, overrides: Record<string, unknown> = {}): PreflightConfig {
    return parsePreflightConfig(loadStackConfig(stack, { config: overrides, stacksDir: FIXTURES }).config);
}

interface Route {
    status?: number;
    body?: unknown;
    headers?: Record<string, string>;
}

/** A registry stub: exact URLs to responses; records every request. */
function registry(routes: Record<string, Route | Error>, calls: { url: string; headers: Record<string, string> }[] = []): Fetch {
    return async (url, init) => {
        calls.push({ url, headers: init?.headers ?? {} });
        const r = routes[url];
        if (r instanceof Error) {
            throw r;
        }
        const route = r ?? { status: 404, body: { errors: [{ code: "MANIFEST_UNKNOWN" }] } };
        const status = route.status ?? 200;
        return {
            status,
            ok: status >= 200 && status < 300,
            headers: { get: (n: string) => route.headers?.[n.toLowerCase()] ?? null },
            json: async () => route.body,
        };
    };
}

const GHCR_TOKEN = "https://ghcr.io/token?scope=repository:martialbe/one-api:pull";
const manifestUrl = (ref: string) => `https://ghcr.io/v2/martialbe/one-api/manifests/${ref}`;
const index = (...archs: string[]) => ({
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
        ...archs.map((a) => ({ digest: `sha256:${a}`, platform: { os: "linux", architecture: a } })),
        { digest: "sha256:att", platform: { os: "unknown", architecture: "unknown" } },
    ],
});

function happyRegistry(config: PreflightConfig): Fetch {
    return registry({
        [GHCR_TOKEN]: { body: { token: "t" } },
        [manifestUrl(config.imageTag)]: { body: index("amd64", "arm64") },
    });
}

/** An account where every check passes for `config`. */
function happyAccount(config: PreflightConfig): void {
    sts.on(GetCallerIdentityCommand).resolves({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/ci" });
    iam.on(GetRoleCommand).resolves({
        Role: { Arn: "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS" } as any,
    });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({
        AvailabilityZones: ["a", "b", "c", "d", "e", "f"].map((l, i) => ({ ZoneName: `us-east-1${l}`, ZoneId: `use1-az${i + 1}` })),
    });
    rds.on(DescribeDBEngineVersionsCommand).resolves({
        DBEngineVersions: [{ EngineVersion: config.dbEngineVersion, Status: "available" }],
    });
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 1000 } });
    quotas.on(ListServiceQuotasCommand).resolves({ Quotas: [] });
    quotas.on(ListAWSDefaultServiceQuotasCommand).resolves({
        Quotas: [
            { QuotaCode: "L-AECE9FA7", QuotaName: "Response timeout per origin", Value: 120 },
            { QuotaCode: "L-KEEPALIVE", QuotaName: "Keep-alive timeout for a custom origin associated with distribution", Value: 120 },
        ],
    });
    cloudfront
        .on(ListDistributionsCommand)
        .resolves({ DistributionList: { Quantity: 1, Items: [{ Id: "E1" } as any], IsTruncated: false } as any });
    route53.on(GetHostedZoneCommand).resolves({ HostedZone: { Id: ZONE_ID, Name: "example.com.", Config: { PrivateZone: false } } as any });
    acm.on(DescribeCertificateCommand).resolves({
        Certificate: {
            Status: "ISSUED",
            DomainName: "example.com",
            SubjectAlternativeNames: ["*.example.com"],
            NotAfter: new Date("2027-01-01T00:00:00Z"),
        },
    });
}

async function preflight(config: PreflightConfig, fetch: Fetch = happyRegistry(config)): Promise<PreflightReport> {
    return runPreflight({ config, clients: clients(), fetch, now: NOW });
}

function line(report: PreflightReport, name: string): CheckResult {
    const found = report.results.filter((r) => r.name === name);
    assert.strictEqual(found.length, 1, `expected one line "${name}", got: ${report.results.map((r) => r.name).join(", ")}`);
    return found[0];
}

function assertLine(r: CheckResult, status: string, found: RegExp, fix?: RegExp): void {
    assert.strictEqual(r.status, status, `${r.name}: ${r.found}`);
    assert.match(r.found, found);
    if (fix) {
        assert.match(r.fix ?? "", fix);
    }
}

describe("preflight", () => {
    const dev = stackConfig("dev");
    beforeEach(() => ALL.forEach((m) => m.reset()));
    after(() => ALL.forEach((m) => m.restore()));

    it("reports nothing blocking, identity first, for the dev stack in a ready account", async () => {
        happyAccount(dev);
        const report = await preflight(dev);
        assert.deepStrictEqual(
            report.results.filter((r) => r.status !== "ok" && r.status !== "info"),
            [],
        );
        assert.strictEqual(report.exitCode, 0);
        assertLine(report.results[0], "info", /account 123456789012 .*region us-east-1/);
        assert.strictEqual(report.results[0].name, "identity");
        assert.match(renderReport("dev", report), /preflight dev: \d+ ok, 0 warn, \d+ info, 0 BLOCKER/);
    });

    it("any BLOCKER makes the exit code 1", async () => {
        happyAccount(dev);
        iam.on(GetRoleCommand).rejects(awsError("NoSuchEntityException"));
        const report = await preflight(
            stackConfig("dev", { "onehub:createEcsServiceLinkedRole": undefined, "onehub:ensureEcsServiceLinkedRole": false }),
        );
        assert.strictEqual(report.exitCode, 1);
        assert.match(renderReport("dev", report), /1 BLOCKER — fix the blockers/);
    });

    it("a failing call degrades only its own check, to a warn that names the missing permission", async () => {
        happyAccount(dev);
        iam.on(GetRoleCommand).rejects(awsError("AccessDenied", "User is not authorized to perform: iam:GetRole"));
        quotas.on(GetServiceQuotaCommand).rejects(awsError("AccessDeniedException"));
        const report = await preflight(dev);
        assertLine(
            line(report, "ECS service-linked role"),
            "warn",
            /AccessDenied on iam:GetRole/,
            /grant iam:GetRole .*missing permission/,
        );
        assertLine(line(report, "Fargate On-Demand vCPU"), "warn", /servicequotas:GetServiceQuota/, /grant servicequotas:GetServiceQuota/);
        assert.deepStrictEqual(
            report.results.filter((r) => r.status === "warn").map((r) => r.name),
            ["ECS service-linked role", "Fargate On-Demand vCPU", "Fargate Spot vCPU", "CloudFront distributions"],
        );
        assert.strictEqual(line(report, "VPC-origin AZs").status, "ok");
        assert.strictEqual(line(report, "image").status, "ok");
        assert.strictEqual(report.exitCode, 0);
    });

    it("missing credentials are a BLOCKER on the identity line, and the other checks still run", async () => {
        happyAccount(dev);
        sts.on(GetCallerIdentityCommand).rejects(awsError("CredentialsProviderError", "Could not load credentials from any providers"));
        const report = await preflight(dev);
        assertLine(report.results[0], "BLOCKER", /no usable AWS credentials/, /configure credentials/);
        assert.strictEqual(line(report, "Aurora engine version").status, "ok");
    });

    describe("1. ECS service-linked role", () => {
        it("passes when AWSServiceRoleForECS exists", async () => {
            happyAccount(dev);
            assertLine(line(await preflight(dev), "ECS service-linked role"), "ok", /AWSServiceRoleForECS exists/);
            assert.deepStrictEqual(iam.commandCalls(GetRoleCommand)[0].args[0].input, { RoleName: "AWSServiceRoleForECS" });
        });

        it("a missing role is info when ensureEcsServiceLinkedRole (default true) creates it", async () => {
            happyAccount(dev);
            iam.on(GetRoleCommand).rejects(awsError("NoSuchEntityException"));
            const config = stackConfig("dev", { "onehub:createEcsServiceLinkedRole": undefined });
            assertLine(
                line(await preflight(config), "ECS service-linked role"),
                "info",
                /the stack creates it at deploy time \(onehub:ensureEcsServiceLinkedRole = true\)/,
            );
        });

        it("a missing role is a BLOCKER with the create-service-linked-role fix when the stack does not create it", async () => {
            happyAccount(dev);
            iam.on(GetRoleCommand).rejects(awsError("NoSuchEntityException"));
            const config = stackConfig("dev", { "onehub:ensureEcsServiceLinkedRole": false });
            assertLine(
                line(await preflight(config), "ECS service-linked role"),
                "BLOCKER",
                /missing/,
                /^aws iam create-service-linked-role --aws-service-name ecs\.amazonaws\.com/,
            );
        });

        it("is skipped, without an IAM call, when existingClusterName is set", async () => {
            happyAccount(dev);
            const report = await preflight(stackConfig("dev", { "onehub:existingClusterName": "shared" }));
            assertLine(line(report, "ECS service-linked role"), "info", /not checked: onehub:existingClusterName "shared"/);
            assert.strictEqual(iam.commandCalls(GetRoleCommand).length, 0);
        });
    });

    describe("2. Availability Zones for CloudFront VPC origins", () => {
        it("names the zones and IDs a new VPC gets, skipping zone IDs without VPC origins", async () => {
            happyAccount(dev);
            ec2.on(DescribeAvailabilityZonesCommand).resolves({
                AvailabilityZones: [
                    { ZoneName: "us-east-1b", ZoneId: "use1-az3" },
                    { ZoneName: "us-east-1a", ZoneId: "use1-az6" },
                    { ZoneName: "us-east-1c", ZoneId: "use1-az1" },
                ],
            });
            const r = line(await preflight(dev), "VPC-origin AZs");
            assertLine(r, "ok", /us-east-1a \(use1-az6\), us-east-1c \(use1-az1\); skipped \(no VPC origins\): us-east-1b \(use1-az3\)/);
            assert.deepStrictEqual(ec2.commandCalls(DescribeAvailabilityZonesCommand)[0].args[0].input.Filters, [
                { Name: "zone-type", Values: ["availability-zone"] },
            ]);
        });

        it("is a BLOCKER when the region has fewer supported zones than azCount", async () => {
            happyAccount(dev);
            ec2.on(DescribeAvailabilityZonesCommand).resolves({
                AvailabilityZones: [
                    { ZoneName: "us-east-1a", ZoneId: "use1-az1" },
                    { ZoneName: "us-east-1b", ZoneId: "use1-az3" },
                ],
            });
            assertLine(line(await preflight(dev), "VPC-origin AZs"), "BLOCKER", /onehub:azCount = 2 .*only 1/, /onehub:azCount/);
        });

        describe("with an existing VPC", () => {
            const vpcId = "vpc-0123456789abcdef0";
            const existing = stackConfig("dev", {
                "onehub:existingVpcId": vpcId,
                "onehub:existingPrivateSubnetIds": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
                "onehub:existingDatabaseSubnetIds": ["subnet-0cccccccccccccccc", "subnet-0dddddddddddddddd"],
            });
            const subnets = (...zoneIds: string[]) => ({
                Subnets: zoneIds.map((z, i) => ({ SubnetId: existing.existingPrivateSubnetIds[i], VpcId: vpcId, AvailabilityZoneId: z })),
            });

            it("passes with private subnets in two supported zones and an attached internet gateway", async () => {
                happyAccount(existing);
                ec2.on(DescribeSubnetsCommand).resolves(subnets("use1-az1", "use1-az2"));
                ec2.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [{ InternetGatewayId: "igw-1" }] });
                const report = await preflight(existing);
                assertLine(line(report, "private subnets"), "ok", /use1-az1.*use1-az2/);
                assertLine(line(report, "internet gateway"), "ok", /igw-1 attached/);
                assert.deepStrictEqual(ec2.commandCalls(DescribeSubnetsCommand)[0].args[0].input, {
                    SubnetIds: existing.existingPrivateSubnetIds,
                });
                assert.deepStrictEqual(ec2.commandCalls(DescribeInternetGatewaysCommand)[0].args[0].input.Filters, [
                    { Name: "attachment.vpc-id", Values: [vpcId] },
                ]);
                assert.strictEqual(ec2.commandCalls(DescribeAvailabilityZonesCommand).length, 0);
            });

            it("a subnet in a zone without VPC origins, or a single zone, is a BLOCKER", async () => {
                happyAccount(existing);
                ec2.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [{ InternetGatewayId: "igw-1" }] });
                ec2.on(DescribeSubnetsCommand).resolves(subnets("use1-az1", "use1-az3"));
                assertLine(
                    line(await preflight(existing), "private subnets"),
                    "BLOCKER",
                    /subnet-0bbbbbbbbbbbbbbbb \(use1-az3\)/,
                    /other zones/,
                );
                ec2.on(DescribeSubnetsCommand).resolves(subnets("use1-az1", "use1-az1"));
                assertLine(line(await preflight(existing), "private subnets"), "BLOCKER", /spans 1 zone/, /another zone/);
            });

            it("a VPC without an internet gateway is a BLOCKER with the attach fix", async () => {
                happyAccount(existing);
                ec2.on(DescribeSubnetsCommand).resolves(subnets("use1-az1", "use1-az2"));
                ec2.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [] });
                assertLine(
                    line(await preflight(existing), "internet gateway"),
                    "BLOCKER",
                    /no internet gateway attached to vpc-0123456789abcdef0/,
                    /aws ec2 attach-internet-gateway --vpc-id vpc-0123456789abcdef0/,
                );
            });
        });
    });

    describe("3. Aurora engine version", () => {
        it("passes when dbEngineVersion is offered in the region", async () => {
            happyAccount(dev);
            assertLine(
                line(await preflight(dev), "Aurora engine version"),
                "ok",
                new RegExp(`${dev.dbEngineVersion.replace(/\./g, "\\.")} is available`),
            );
            assert.deepStrictEqual(rds.commandCalls(DescribeDBEngineVersionsCommand)[0].args[0].input, {
                Engine: "aurora-mysql",
                EngineVersion: dev.dbEngineVersion,
            });
        });

        it("is a BLOCKER listing the closest 3.x versions when it is not offered", async () => {
            happyAccount(dev);
            const config = { ...dev, dbEngineVersion: "8.0.mysql_aurora.3.10.5" };
            const available = ["3.08.2", "3.09.0", "3.10.0", "3.10.1", "3.11.0", "3.12.0"].map((v) => `8.0.mysql_aurora.${v}`);
            rds.on(DescribeDBEngineVersionsCommand, { EngineVersion: config.dbEngineVersion }).resolves({ DBEngineVersions: [] });
            rds.on(DescribeDBEngineVersionsCommand, { Marker: undefined }).resolves({
                DBEngineVersions: available.slice(0, 3).map((EngineVersion) => ({ EngineVersion })),
                Marker: "next",
            });
            rds.on(DescribeDBEngineVersionsCommand, { Marker: "next" }).resolves({
                DBEngineVersions: available.slice(3).map((EngineVersion) => ({ EngineVersion })),
            });
            assertLine(
                line(await preflight(config), "Aurora engine version"),
                "BLOCKER",
                /3\.10\.5 is not offered in us-east-1; closest available: .*3\.09\.0, .*3\.10\.0, .*3\.10\.1, .*3\.11\.0, .*3\.12\.0$/,
                /pulumi config set onehub:dbEngineVersion 8\.0\.mysql_aurora\.3\.11\.0/,
            );
        });

        it("orders versions numerically, so 3.10 comes after 3.9", () => {
            const v = (s: string) => `8.0.mysql_aurora.${s}`;
            assert.deepStrictEqual(closestVersions(v("3.09.5"), [v("3.10.0"), v("3.09.0"), v("3.02.1"), "5.7.mysql_aurora.2.11.2"]), [
                v("3.02.1"),
                v("3.09.0"),
                v("3.10.0"),
            ]);
        });
    });

    describe("4. Fargate vCPU quotas", () => {
        it("splits slaves like ECS: the base on FARGATE, the rest by weight, each provider's share rounded up", () => {
            const s = (base: number, fw: number, sw: number) => ({ slaveFargateBase: base, slaveFargateWeight: fw, slaveSpotWeight: sw });
            assert.deepStrictEqual(splitSlaves(20, s(2, 1, 3)), { onDemand: 2 + 5, spot: 14 }); // 18 × 1/4 = 4.5, × 3/4 = 13.5
            assert.deepStrictEqual(splitSlaves(6, s(2, 1, 3)), { onDemand: 3, spot: 3 });
            assert.deepStrictEqual(splitSlaves(3, s(0, 0, 1)), { onDemand: 0, spot: 3 });
            assert.deepStrictEqual(splitSlaves(3, s(5, 1, 1)), { onDemand: 3, spot: 0 });
        });

        for (const stack of ["dev", "prod"]) {
            it(`computes ${stack}'s peak vCPU from its config: master plus slaves at max, doubled slaves during a deploy`, () => {
                const c = stackConfig(stack);
                const base = Math.min(c.slaveFargateBase, c.slaveMaxCount);
                const rest = c.slaveMaxCount - base;
                const weights = c.slaveFargateWeight + c.slaveSpotWeight;
                const onDemandSlaves = base + Math.ceil((rest * c.slaveFargateWeight) / weights);
                const spotSlaves = Math.ceil((rest * c.slaveSpotWeight) / weights);
                const master = c.masterCpu / 1024;
                const slave = c.slaveCpu / 1024;
                assert.deepStrictEqual(fargateVcpuDemand(c), {
                    onDemand: {
                        slaves: onDemandSlaves,
                        steady: master + onDemandSlaves * slave,
                        deploy: master + 2 * onDemandSlaves * slave,
                    },
                    spot: { slaves: spotSlaves, steady: spotSlaves * slave, deploy: 2 * spotSlaves * slave },
                });
            });
        }

        const prod = stackConfig("prod");
        const demand = fargateVcpuDemand(prod);
        const quotaOf = (code: string, value: number) =>
            quotas
                .on(GetServiceQuotaCommand, { ServiceCode: "fargate", QuotaCode: code })
                .resolves({ Quota: { QuotaCode: code, Value: value } });

        it("passes when each quota holds the deploy peak, and reads the quotas by their codes", async () => {
            happyAccount(prod);
            quotaOf("L-3032A538", demand.onDemand.deploy);
            quotaOf("L-36FBB829", demand.spot.deploy);
            const report = await preflight(prod);
            assertLine(
                line(report, "Fargate On-Demand vCPU"),
                "ok",
                new RegExp(`needs ${demand.onDemand.steady} vCPU .*quota L-3032A538 = ${demand.onDemand.deploy} vCPU \\(applied\\)`),
            );
            assertLine(line(report, "Fargate Spot vCPU"), "ok", /quota L-36FBB829/);
        });

        it("warns when the steady state fits but a slave deploy's surge does not", async () => {
            happyAccount(prod);
            quotaOf("L-3032A538", demand.onDemand.steady);
            assertLine(line(await preflight(prod), "Fargate On-Demand vCPU"), "warn", /a deploy while scaled out stalls/, /L-3032A538/);
        });

        it("is a BLOCKER, naming the quota and the increase request, when slaveMaxCount does not fit", async () => {
            happyAccount(prod);
            quotaOf("L-36FBB829", demand.spot.steady - 0.25);
            assertLine(
                line(await preflight(prod), "Fargate Spot vCPU"),
                "BLOCKER",
                /scale-out stalls below slaveMaxCount/,
                new RegExp(
                    `"Fargate Spot vCPU resource count" \\(L-36FBB829\\) ≥ ${Math.ceil(demand.spot.deploy)}: aws service-quotas request-service-quota-increase --region us-east-1 --service-code fargate --quota-code L-36FBB829`,
                ),
            );
        });

        it("falls back to the AWS default where no value was ever applied", async () => {
            happyAccount(prod);
            quotas.on(GetServiceQuotaCommand).rejects(awsError("NoSuchResourceException"));
            quotas.on(GetAWSDefaultServiceQuotaCommand).resolves({ Quota: { Value: 4000 } });
            assertLine(line(await preflight(prod), "Fargate Spot vCPU"), "ok", /= 4000 vCPU \(AWS default\)/);
        });
    });

    describe("5. CloudFront timeout quotas", () => {
        it("need no Service Quotas call at 60 s or less", async () => {
            happyAccount(dev);
            assertLine(line(await preflight(dev), "CloudFront timeout quotas"), "ok", /need no quota/);
            assert.strictEqual(quotas.commandCalls(ListServiceQuotasCommand).length, 0);
        });

        it("pass when the response-timeout quota (L-AECE9FA7, us-east-1) covers originReadTimeout", async () => {
            happyAccount(dev);
            const r = line(await preflight({ ...dev, originReadTimeout: 120 }), "CloudFront timeout quotas (originReadTimeout)");
            assertLine(r, "ok", /"Response timeout per origin" \(L-AECE9FA7\) = 120 s \(AWS default\)/);
            assert.strictEqual(quotas.commandCalls(ListServiceQuotasCommand)[0].args[0].input.ServiceCode, "cloudfront");
        });

        it("are a BLOCKER naming the quota when the applied value is below the configured timeout", async () => {
            happyAccount(dev);
            quotas
                .on(ListServiceQuotasCommand)
                .resolves({ Quotas: [{ QuotaCode: "L-AECE9FA7", QuotaName: "Response timeout per origin", Value: 90 }] });
            assertLine(
                line(await preflight({ ...dev, originReadTimeout: 120 }), "CloudFront timeout quotas (originReadTimeout)"),
                "BLOCKER",
                /= 90 s \(applied\)/,
                /"Response timeout per origin" ≥ 120: .*--region us-east-1 --service-code cloudfront --quota-code L-AECE9FA7 --desired-value 120/,
            );
        });

        it("find the keep-alive quota by its name", async () => {
            happyAccount(dev);
            const r = line(await preflight({ ...dev, originKeepaliveTimeout: 90 }), "CloudFront timeout quotas (originKeepaliveTimeout)");
            assertLine(r, "ok", /Keep-alive timeout for a custom origin .* \(L-KEEPALIVE\) = 120 s/);
        });
    });

    describe("6. image", () => {
        it("locates ghcr.io, Docker Hub (also bare names) and public ECR repositories", () => {
            assert.deepStrictEqual(locateImage("ghcr.io/martialbe/one-api"), {
                host: "ghcr.io",
                repository: "martialbe/one-api",
                tokenUrl: GHCR_TOKEN,
            });
            const hub = {
                host: "registry-1.docker.io",
                repository: "martialbe/one-api",
                tokenUrl: "https://auth.docker.io/token?service=registry.docker.io&scope=repository:martialbe/one-api:pull",
            };
            assert.deepStrictEqual(locateImage("martialbe/one-api"), hub);
            assert.deepStrictEqual(locateImage("docker.io/martialbe/one-api"), hub);
            assert.strictEqual(locateImage("nginx").repository, "library/nginx");
            assert.deepStrictEqual(locateImage("public.ecr.aws/ns/repo"), {
                host: "public.ecr.aws",
                repository: "ns/repo",
                tokenUrl: "https://public.ecr.aws/token/",
            });
        });

        it("passes when the tag's index has the tasks' architecture (linux/arm64 by default), asking for every index and manifest type with the pull token", async () => {
            happyAccount(dev);
            const calls: { url: string; headers: Record<string, string> }[] = [];
            const fetch = registry(
                { [GHCR_TOKEN]: { body: { token: "tok" } }, [manifestUrl(dev.imageTag)]: { body: index("arm64") } },
                calls,
            );
            assertLine(line(await preflight(dev, fetch), "image"), "ok", /has linux\/arm64 \(index: linux\/arm64\)/);
            const manifest = calls.find((c) => c.url === manifestUrl(dev.imageTag))!;
            assert.strictEqual(manifest.headers.Authorization, "Bearer tok");
            assert.strictEqual(manifest.headers.Accept, MANIFEST_ACCEPT);
            for (const type of [
                "oci.image.index.v1",
                "docker.distribution.manifest.list.v2",
                "oci.image.manifest.v1",
                "docker.distribution.manifest.v2",
            ]) {
                assert.ok(manifest.headers.Accept.includes(`application/vnd.${type}+json`), type);
            }
        });

        it("is a BLOCKER when the index lacks the tasks' architecture (ARM64 → linux/arm64)", async () => {
            happyAccount(dev);
            const arm = stackConfig("dev", { "onehub:cpuArchitecture": "ARM64" });
            const fetch = registry({ [GHCR_TOKEN]: { body: { token: "t" } }, [manifestUrl(arm.imageTag)]: { body: index("amd64") } });
            assertLine(
                line(await preflight(arm, fetch), "image"),
                "BLOCKER",
                /no linux\/arm64 image \(has linux\/amd64\)/,
                /built for linux\/arm64/,
            );
        });

        it("reads a single-platform manifest's architecture from its config blob", async () => {
            happyAccount(dev);
            const fetch = registry({
                [GHCR_TOKEN]: { body: { token: "t" } },
                [manifestUrl(dev.imageTag)]: {
                    body: { mediaType: "application/vnd.oci.image.manifest.v1+json", config: { digest: "sha256:cfg" } },
                },
                "https://ghcr.io/v2/martialbe/one-api/blobs/sha256:cfg": { body: { os: "linux", architecture: "amd64" } },
            });
            assertLine(line(await preflight(dev, fetch), "image"), "BLOCKER", /no linux\/arm64 image \(has linux\/amd64\)/);
            const x86 = stackConfig("dev", { "onehub:cpuArchitecture": "X86_64" });
            assertLine(line(await preflight(x86, fetch), "image"), "ok", /linux\/amd64 \(single-platform image\)/);
        });

        it("a tag the registry does not know is a BLOCKER: tag not found", async () => {
            happyAccount(dev);
            const fetch = registry({ [GHCR_TOKEN]: { body: { token: "t" } } });
            assertLine(line(await preflight(dev, fetch), "image"), "BLOCKER", /tag not found \(404 from ghcr\.io\)/, /onehub:imageTag/);
        });

        it("an unreachable registry is a warn, not a blocker", async () => {
            happyAccount(dev);
            const fetch = registry({ [GHCR_TOKEN]: new TypeError("fetch failed") });
            assertLine(line(await preflight(dev, fetch), "image"), "warn", /cannot verify, registry unreachable/);
        });

        it("with imageDigest set, checks the digest as well as the tag", async () => {
            happyAccount(dev);
            const digest = `sha256:${"a".repeat(64)}`;
            const config = stackConfig("dev", { "onehub:imageDigest": digest });
            const fetch = registry({ [GHCR_TOKEN]: { body: { token: "t" } }, [manifestUrl(config.imageTag)]: { body: index("arm64") } });
            const images = (await preflight(config, fetch)).results.filter((r) => r.name === "image");
            assert.deepStrictEqual(
                images.map((r) => r.status),
                ["ok", "BLOCKER"],
            );
            assert.match(images[1].found, new RegExp(`@${digest}: digest not found`));
        });

        it('with the digest alone (imageTag ""), checks only the digest, for the tasks\' architecture', async () => {
            happyAccount(dev);
            const digest = `sha256:${"b".repeat(64)}`;
            const config = stackConfig("dev", { "onehub:imageTag": "", "onehub:imageDigest": digest });
            const calls: { url: string }[] = [];
            const fetch = registry(
                { [GHCR_TOKEN]: { body: { token: "t" } }, [manifestUrl(digest)]: { body: index("amd64") } },
                calls as any,
            );
            const images = (await preflight(config, fetch)).results.filter((r) => r.name === "image");
            assert.strictEqual(images.length, 1);
            assertLine(
                images[0],
                "BLOCKER",
                new RegExp(`one-api@${digest} has no linux/arm64 image \\(has linux/amd64\\)`),
                /use a tag built for linux\/arm64/,
            );
            assert.ok(!calls.some((c) => c.url.endsWith("/manifests/")), "no request for an empty tag");
        });

        it("refuses a malformed imageDigest or cpuArchitecture, naming key, value and what is allowed", () => {
            assert.throws(
                () => stackConfig("dev", { "onehub:imageDigest": "latest" }),
                /onehub:imageDigest = "latest" is invalid: must be "" or a digest/,
            );
            assert.throws(
                () => stackConfig("dev", { "onehub:cpuArchitecture": "arm" }),
                /onehub:cpuArchitecture = "arm" is invalid: must be one of X86_64, ARM64/,
            );
        });
    });

    describe("7. custom domain", () => {
        const domain = stackConfig("dev", {
            "onehub:customDomain": "api.example.com",
            "onehub:hostedZoneId": ZONE_ID,
            "onehub:certificateArn": CERT_ARN,
        });

        it("passes with a public zone holding the domain and an issued us-east-1 certificate covering it", async () => {
            happyAccount(domain);
            const report = await preflight(domain);
            assertLine(line(report, "hosted zone"), "ok", /public zone example\.com, which holds api\.example\.com/);
            assertLine(line(report, "certificate"), "ok", /ISSUED for example\.com, \*\.example\.com, valid until 2027-01-01/);
        });

        it("is only info when unset", async () => {
            happyAccount(dev);
            assertLine(line(await preflight(dev), "custom domain"), "info", /not set/);
            assert.strictEqual(route53.commandCalls(GetHostedZoneCommand).length, 0);
        });

        it("a private zone, or one that does not hold the domain, is a BLOCKER", async () => {
            happyAccount(domain);
            route53
                .on(GetHostedZoneCommand)
                .resolves({ HostedZone: { Id: ZONE_ID, Name: "example.com.", Config: { PrivateZone: true } } as any });
            assertLine(line(await preflight(domain), "hosted zone"), "BLOCKER", /private zone/, /public zone/);
            route53
                .on(GetHostedZoneCommand)
                .resolves({ HostedZone: { Id: ZONE_ID, Name: "example.org.", Config: { PrivateZone: false } } as any });
            assertLine(line(await preflight(domain), "hosted zone"), "BLOCKER", /not inside/);
            route53.on(GetHostedZoneCommand).rejects(awsError("NoSuchHostedZone"));
            assertLine(line(await preflight(domain), "hosted zone"), "BLOCKER", /no such hosted zone/);
        });

        it("a certificate not issued, not covering the domain, expired or outside us-east-1 is a BLOCKER", async () => {
            happyAccount(domain);
            const cert = (c: object) =>
                acm.on(DescribeCertificateCommand).resolves({ Certificate: { Status: "ISSUED", DomainName: "api.example.com", ...c } });
            cert({ Status: "PENDING_VALIDATION" });
            assertLine(line(await preflight(domain), "certificate"), "BLOCKER", /PENDING_VALIDATION, not ISSUED/, /validation/);
            cert({ DomainName: "www.example.com", SubjectAlternativeNames: ["*.api.example.com"] });
            assertLine(line(await preflight(domain), "certificate"), "BLOCKER", /not api\.example\.com/);
            cert({ NotAfter: new Date("2026-01-01T00:00:00Z") });
            assertLine(line(await preflight(domain), "certificate"), "BLOCKER", /expired on 2026-01-01/);
            const calls = acm.commandCalls(DescribeCertificateCommand).length;
            const elsewhere = { ...domain, certificateArn: CERT_ARN.replace("us-east-1", "eu-west-1") };
            assertLine(
                line(await preflight(elsewhere), "certificate"),
                "BLOCKER",
                /in eu-west-1: CloudFront only uses ACM certificates from us-east-1/,
            );
            assert.strictEqual(acm.commandCalls(DescribeCertificateCommand).length, calls);
        });

        it("a wildcard covers exactly one label", () => {
            assert.ok(certificateCovers(["*.example.com"], "api.example.com"));
            assert.ok(!certificateCovers(["*.example.com"], "example.com"));
            assert.ok(!certificateCovers(["*.example.com"], "a.b.example.com"));
            assert.ok(certificateCovers(["example.com", "API.example.com."], "api.example.com"));
        });
    });

    describe("8. CloudFront account readiness", () => {
        it("counts distributions against L-24B04930, and an existing one shows the account is verified", async () => {
            happyAccount(dev);
            const report = await preflight(dev);
            assertLine(
                line(report, "CloudFront distributions"),
                "ok",
                /1 exist, the stack adds 1; "Distributions per AWS account" \(L-24B04930\) = 1000/,
            );
            assertLine(line(report, "CloudFront verification"), "ok", /already has 1 distribution/);
            assert.ok(
                quotas
                    .commandCalls(GetServiceQuotaCommand)
                    .some((c) => c.args[0].input.QuotaCode === "L-24B04930" && c.args[0].input.ServiceCode === "cloudfront"),
            );
        });

        it("is a BLOCKER when the account is at its distribution quota", async () => {
            happyAccount(dev);
            quotas.on(GetServiceQuotaCommand, { ServiceCode: "cloudfront" }).resolves({ Quota: { Value: 1 } });
            assertLine(
                line(await preflight(dev), "CloudFront distributions"),
                "BLOCKER",
                /above "Distributions per AWS account"/,
                /--quota-code L-24B04930 --desired-value 2/,
            );
        });

        it("without distributions, or when they cannot be listed, prints the verification note", async () => {
            happyAccount(dev);
            cloudfront.on(ListDistributionsCommand).resolves({ DistributionList: { Quantity: 0, IsTruncated: false } as any });
            assertLine(
                line(await preflight(dev), "CloudFront verification"),
                "info",
                /Your account must be verified before you can add new CloudFront resources.*AWS Support/,
            );
            cloudfront.on(ListDistributionsCommand).rejects(awsError("AccessDenied"));
            const report = await preflight(dev);
            assertLine(
                line(report, "CloudFront distributions"),
                "warn",
                /cloudfront:ListDistributions/,
                /grant cloudfront:ListDistributions/,
            );
            assert.strictEqual(line(report, "CloudFront verification").status, "info");
        });
    });

    describe("CLI", () => {
        const run = async (argv: string[], fetch?: Fetch) => {
            const out: string[] = [];
            const err: string[] = [];
            const code = await runCli(argv, { clients, fetch, now: NOW, out: (l) => out.push(l), err: (l) => err.push(l) });
            return { code, out: out.join("\n"), err };
        };

        it("rejects an unknown flag with the usage line, as one line and exit code 1", async () => {
            const r = await run(["dev", "--region"]);
            assert.strictEqual(r.code, 1);
            assert.strictEqual(r.err.length, 1);
            assert.match(r.err[0], /^unknown option --region: .*usage: npm run preflight -- <stack>; stacks: dev, prod$/);
            assert.ok(!r.err[0].includes("\n") && !r.err[0].includes("    at "));
        });

        it("rejects an unknown stack, naming the known ones", async () => {
            const r = await run(["staging"]);
            assert.strictEqual(r.code, 1);
            assert.match(r.err[0], /^unknown stack "staging": known stacks are dev, prod/);
            assert.throws(() => parseArgs([]), /a stack is required/);
            assert.throws(() => parseArgs(["dev", "prod"]), /one stack only/);
        });

        it("prints one line per check and the summary, and exits 1 with a blocker", async () => {
            happyAccount(dev);
            const ok = await run(["dev"], happyRegistry(dev));
            assert.strictEqual(ok.code, 0, ok.out + ok.err.join("\n"));
            assert.match(ok.out.split("\n")[0], /^info\s+identity\s+account 123456789012/);
            assert.match(ok.out.split("\n").pop()!, /^preflight dev: .*nothing blocks/);
            const blocked = await run(["dev"], registry({ [GHCR_TOKEN]: { body: { token: "t" } } }));
            assert.strictEqual(blocked.code, 1);
            assert.match(blocked.out, /^BLOCKER\s+image\s+.*tag not found .* — fix: /m);
        });
    });
});
