// The checks behind `npm run preflight -- <stack>`: what only the target AWS account can answer
// (quotas, AZ IDs, engine versions, existing roles, zones and certificates, the image in its
// registry) before a `pulumi up` finds out 15 minutes in. Every function here takes its SDK
// clients and `fetch` as arguments, makes read-only calls only, and returns lines to print, so
// the tests stub the clients and nothing here needs an account.
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
    ServiceQuota,
    ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fail, InvalidArgumentError } from "../components/common/validation";
import { ORIGIN_READ_TIMEOUT } from "../components/edge/edgeSettings";
import { chooseVpcOriginZones, subnetsOutsideVpcOriginZones, ZONE_FILTER } from "../components/network/availabilityZones";

// ---------------------------------------------------------------------------------------------
// Config: the few stack values the checks read, parsed from the wire strings loadStackConfig
// returns. Defaults live in Pulumi.yaml; only keys that may not exist yet get one here.
// ---------------------------------------------------------------------------------------------

export const CPU_ARCHITECTURES = ["X86_64", "ARM64"] as const;
export type CpuArchitecture = (typeof CPU_ARCHITECTURES)[number];

export interface PreflightConfig {
    region: string;
    azCount: number;
    existingVpcId: string;
    existingPrivateSubnetIds: string[];
    dbEngineVersion: string;
    masterCpu: number;
    slaveCpu: number;
    slaveMaxCount: number;
    slaveFargateBase: number;
    slaveFargateWeight: number;
    slaveSpotWeight: number;
    originReadTimeout: number;
    originKeepaliveTimeout: number;
    customDomain: string;
    certificateArn: string;
    hostedZoneId: string;
    imageRepository: string;
    imageTag: string;
    /** "" when `onehub:imageDigest` is unset. */
    imageDigest: string;
    cpuArchitecture: CpuArchitecture;
    existingClusterName: string;
    /** Whether the stack creates AWSServiceRoleForECS when it is missing, and the key that says so. */
    /** onehub:ensureEcsServiceLinkedRole: the stack creates the role at deploy time if it is missing. */
    ensureServiceLinkedRole: boolean;
}

const REGION_KEY = "aws:region";
const ns = (key: string) => `onehub:${key}`;

/** Parses the config map of `loadStackConfig` into the values the checks use. */
export function parsePreflightConfig(wire: Record<string, string>): PreflightConfig {
    const required = (key: string): string => {
        const v = wire[key];
        if (v === undefined) {
            fail(key, v, "is required; its default belongs in Pulumi.yaml's config block");
        }
        return v;
    };
    const str = (key: string) => required(ns(key));
    const int = (key: string): number => {
        const v = str(key);
        if (!/^\d+$/.test(v)) {
            fail(ns(key), v, "must be a whole number ≥ 0");
        }
        return Number(v);
    };
    const bool = (fullKey: string, v: string): boolean => {
        if (v !== "true" && v !== "false") {
            fail(fullKey, v, "must be true or false");
        }
        return v === "true";
    };
    const list = (key: string): string[] => {
        const v = str(key);
        let parsed: unknown;
        try {
            parsed = JSON.parse(v);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((e) => typeof e === "string")) {
            fail(ns(key), v, "must be a list of strings");
        }
        return parsed as string[];
    };

    // cpuArchitecture is declared in Pulumi.yaml (default ARM64); imageDigest is being added while
    // this tool is written, so it is read whether or not it exists.
    const arch = str("cpuArchitecture");
    if (!(CPU_ARCHITECTURES as readonly string[]).includes(arch)) {
        fail(ns("cpuArchitecture"), arch, `must be one of ${CPU_ARCHITECTURES.join(", ")}`);
    }
    const imageDigest = wire[ns("imageDigest")] ?? "";
    if (imageDigest !== "" && !/^sha256:[0-9a-f]{64}$/.test(imageDigest)) {
        fail(ns("imageDigest"), imageDigest, 'must be "" or a digest such as sha256:<64 hex digits>');
    }

    return {
        region: required(REGION_KEY),
        azCount: int("azCount"),
        existingVpcId: str("existingVpcId"),
        existingPrivateSubnetIds: list("existingPrivateSubnetIds"),
        dbEngineVersion: str("dbEngineVersion"),
        masterCpu: int("masterCpu"),
        slaveCpu: int("slaveCpu"),
        slaveMaxCount: int("slaveMaxCount"),
        slaveFargateBase: int("slaveFargateBase"),
        slaveFargateWeight: int("slaveFargateWeight"),
        slaveSpotWeight: int("slaveSpotWeight"),
        originReadTimeout: int("originReadTimeout"),
        originKeepaliveTimeout: int("originKeepaliveTimeout"),
        customDomain: str("customDomain"),
        certificateArn: str("certificateArn"),
        hostedZoneId: str("hostedZoneId"),
        imageRepository: str("imageRepository"),
        imageTag: str("imageTag"),
        imageDigest,
        cpuArchitecture: arch as CpuArchitecture,
        existingClusterName: str("existingClusterName"),
        ensureServiceLinkedRole: bool(ns("ensureEcsServiceLinkedRole"), wire[ns("ensureEcsServiceLinkedRole")] ?? "true"),
    };
}

// ---------------------------------------------------------------------------------------------
// Results and the runner.
// ---------------------------------------------------------------------------------------------

export type Status = "ok" | "warn" | "BLOCKER" | "info";

export interface CheckResult {
    status: Status;
    name: string;
    /** What was found. */
    found: string;
    /** How to fix it; set for everything that is not ok. */
    fix?: string;
}

export interface PreflightClients {
    sts: STSClient;
    iam: IAMClient;
    ec2: EC2Client;
    rds: RDSClient;
    /** Service Quotas in the stack's region (Fargate). */
    quotas: ServiceQuotasClient;
    /** Service Quotas in us-east-1, where CloudFront's quotas live. */
    globalQuotas: ServiceQuotasClient;
    cloudfront: CloudFrontClient;
    route53: Route53Client;
    /** ACM in us-east-1: CloudFront only takes certificates from there. */
    acm: ACMClient;
}

/** The part of the Fetch API the registry check uses (global `fetch` fits). */
export type Fetch = (
    url: string,
    init?: { headers?: Record<string, string>; signal?: AbortSignal },
) => Promise<{ status: number; ok: boolean; headers: { get(name: string): string | null }; json(): Promise<any> }>;

export interface PreflightContext {
    config: PreflightConfig;
    clients: PreflightClients;
    fetch: Fetch;
    /** The clock certificates are compared against. */
    now: Date;
    /** Milliseconds before a registry request is given up (a warn, not a blocker). */
    registryTimeoutMs?: number;
}

/** An SDK call that failed, with the IAM action it needed so the warning can name it. */
export class AwsCallError extends Error {
    constructor(
        readonly action: string,
        readonly cause: unknown,
    ) {
        super(`${errorName(cause)} on ${action}: ${errorMessage(cause)}`);
        this.name = "AwsCallError";
    }
}

function errorName(e: unknown): string {
    return e instanceof Error ? e.name : "Error";
}

function errorMessage(e: unknown): string {
    return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
}

/** Awaits an SDK call; a failure is rethrown as an AwsCallError naming `action`. */
async function aws<T>(action: string, call: Promise<T>): Promise<T> {
    try {
        return await call;
    } catch (e) {
        throw new AwsCallError(action, e);
    }
}

const ACCESS_DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized|Forbidden/i;

/** Whether `e` is a failed call whose SDK error is one of `names`: an answer (e.g. "no such role"), not a failure. */
function awsError(e: unknown, ...names: string[]): boolean {
    return e instanceof AwsCallError && names.includes(errorName(e.cause));
}

/**
 * Runs `check` so that its failure degrades only its own line: a call the credentials may not
 * make, a throttle or a network error becomes a warn that names the missing permission.
 */
export async function guard(name: string, check: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
    try {
        const r = await check();
        return Array.isArray(r) ? r : [r];
    } catch (e) {
        if (e instanceof AwsCallError) {
            const denied = ACCESS_DENIED.test(errorName(e.cause)) || ACCESS_DENIED.test(errorMessage(e.cause));
            const fix = denied
                ? `grant ${e.action} to these credentials (missing permission)`
                : errorName(e.cause) === "CredentialsProviderError"
                  ? "configure AWS credentials (see identity) and rerun"
                  : `rerun; the check needs ${e.action}`;
            return [{ status: "warn", name, found: `could not check: ${e.message}`, fix }];
        }
        return [{ status: "warn", name, found: `could not check: ${errorMessage(e)}`, fix: "see the message; rerun the preflight" }];
    }
}

export interface PreflightReport {
    results: CheckResult[];
    /** 1 when any line is a BLOCKER, else 0. */
    exitCode: number;
}

/** Every check, identity first; each runs independently of the others' failures. */
export async function runPreflight(ctx: PreflightContext): Promise<PreflightReport> {
    const checks: Promise<CheckResult[]>[] = [
        checkIdentity(ctx),
        guard("ECS service-linked role", () => checkServiceLinkedRole(ctx)),
        guard("VPC-origin AZs", () => checkAvailabilityZones(ctx)),
        guard("Aurora engine version", () => checkEngineVersion(ctx)),
        ...checkFargateQuotas(ctx),
        guard("CloudFront timeout quotas", () => checkTimeoutQuotas(ctx)),
        guard("image", () => checkImage(ctx)),
        ...checkCustomDomain(ctx),
        checkCloudFrontAccount(ctx),
    ];
    const results = (await Promise.all(checks)).flat();
    return { results, exitCode: results.some((r) => r.status === "BLOCKER") ? 1 : 0 };
}

export function renderReport(stack: string, report: PreflightReport): string {
    const width = Math.max(...report.results.map((r) => r.name.length));
    const lines = report.results.map(
        (r) => `${r.status.padEnd(7)}  ${r.name.padEnd(width)}  ${r.found}${r.status !== "ok" && r.fix ? ` — fix: ${r.fix}` : ""}`,
    );
    const count = (s: Status) => report.results.filter((r) => r.status === s).length;
    const blockers = count("BLOCKER");
    lines.push(
        `preflight ${stack}: ${count("ok")} ok, ${count("warn")} warn, ${count("info")} info, ${blockers} BLOCKER — ` +
            (blockers > 0 ? "fix the blockers before `pulumi up`" : "nothing blocks `pulumi up`"),
    );
    return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// 9. Identity.
// ---------------------------------------------------------------------------------------------

/**
 * sts:GetCallerIdentity needs no permission (an explicit deny does not stop it), so a failure
 * means no usable credentials or no route to AWS: nothing below was verified, hence a blocker.
 */
export async function checkIdentity(ctx: PreflightContext): Promise<CheckResult[]> {
    try {
        const id = await ctx.clients.sts.send(new GetCallerIdentityCommand({}));
        return [{ status: "info", name: "identity", found: `account ${id.Account} (${id.Arn}), region ${ctx.config.region}` }];
    } catch (e) {
        return [
            {
                status: "BLOCKER",
                name: "identity",
                found: `no usable AWS credentials for region ${ctx.config.region}: ${errorName(e)}: ${errorMessage(e)}`,
                fix: "configure credentials (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and rerun",
            },
        ];
    }
}

// ---------------------------------------------------------------------------------------------
// 1. ECS service-linked role.
// ---------------------------------------------------------------------------------------------

export const ECS_SERVICE_LINKED_ROLE = "AWSServiceRoleForECS";

export async function checkServiceLinkedRole(ctx: PreflightContext): Promise<CheckResult> {
    const name = "ECS service-linked role";
    const { existingClusterName, ensureServiceLinkedRole } = ctx.config;
    const key = ns("ensureEcsServiceLinkedRole");
    if (existingClusterName) {
        return { status: "info", name, found: `not checked: onehub:existingClusterName "${existingClusterName}" exists, so the role does` };
    }
    let arn: string | undefined;
    try {
        arn = (await aws("iam:GetRole", ctx.clients.iam.send(new GetRoleCommand({ RoleName: ECS_SERVICE_LINKED_ROLE })))).Role?.Arn;
    } catch (e) {
        if (!awsError(e, "NoSuchEntityException", "NoSuchEntity")) {
            throw e;
        }
        return ensureServiceLinkedRole
            ? { status: "info", name, found: `${ECS_SERVICE_LINKED_ROLE} is missing; the stack creates it at deploy time (${key} = true)` }
            : {
                  status: "BLOCKER",
                  name,
                  found: `${ECS_SERVICE_LINKED_ROLE} is missing and ${key} = false: creating the cluster's capacity providers fails with "Unable to assume the service linked role"`,
                  fix: `aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com (or pulumi config set ${key} true)`,
              };
    }
    return { status: "ok", name, found: `${ECS_SERVICE_LINKED_ROLE} exists (${arn})` };
}

// ---------------------------------------------------------------------------------------------
// 2. Availability Zones that support CloudFront VPC origins.
// ---------------------------------------------------------------------------------------------

export async function checkAvailabilityZones(ctx: PreflightContext): Promise<CheckResult[]> {
    return ctx.config.existingVpcId ? checkExistingVpc(ctx) : [await checkNewVpcZones(ctx)];
}

async function checkNewVpcZones(ctx: PreflightContext): Promise<CheckResult> {
    const name = "VPC-origin AZs";
    const { azCount, region } = ctx.config;
    // The same zones the stack program chooses from (components/network/vpcChecks.ts).
    const out = await aws(
        "ec2:DescribeAvailabilityZones",
        ctx.clients.ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: ZONE_FILTER.name, Values: ZONE_FILTER.values }] })),
    );
    // The provider's data source lists zones sorted by name; keep each ID with its name.
    const zones = (out.AvailabilityZones ?? [])
        .filter((z) => z.ZoneName && z.ZoneId)
        .sort((a, b) => a.ZoneName!.localeCompare(b.ZoneName!));
    const names = zones.map((z) => z.ZoneName!);
    const zoneIds = zones.map((z) => z.ZoneId!);
    const label = (n: string) => `${n} (${zoneIds[names.indexOf(n)]})`;
    try {
        const chosen = chooseVpcOriginZones("onehub:azCount", azCount, { names, zoneIds });
        const skipped = names.filter((n) => !chosen.includes(n) && names.indexOf(n) < names.indexOf(chosen[chosen.length - 1]));
        return {
            status: "ok",
            name,
            found:
                `azCount ${azCount} in ${region}: ${chosen.map(label).join(", ")}` +
                (skipped.length ? `; skipped (no VPC origins): ${skipped.map(label).join(", ")}` : ""),
        };
    } catch (e) {
        if (!(e instanceof InvalidArgumentError)) {
            throw e;
        }
        return {
            status: "BLOCKER",
            name,
            found: e.message,
            fix: "pulumi config set onehub:azCount to a lower value, or use another aws:region",
        };
    }
}

async function checkExistingVpc(ctx: PreflightContext): Promise<CheckResult[]> {
    const { existingVpcId: vpcId, existingPrivateSubnetIds: ids } = ctx.config;
    const [subnets, igw] = await Promise.all([
        guard("private subnets", () => checkPrivateSubnets(ctx, vpcId, ids)),
        guard("internet gateway", async (): Promise<CheckResult> => {
            const out = await aws(
                "ec2:DescribeInternetGateways",
                ctx.clients.ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] })),
            );
            const gateways = (out.InternetGateways ?? []).map((g) => g.InternetGatewayId);
            return gateways.length > 0
                ? { status: "ok", name: "internet gateway", found: `${gateways.join(", ")} attached to ${vpcId}` }
                : {
                      status: "BLOCKER",
                      name: "internet gateway",
                      found: `no internet gateway attached to ${vpcId}: CloudFront cannot create a VPC origin in a VPC without one`,
                      fix: `aws ec2 create-internet-gateway, then aws ec2 attach-internet-gateway --vpc-id ${vpcId} --internet-gateway-id <igw-id> (no route to it is needed)`,
                  };
        }),
    ]);
    return [...subnets, ...igw];
}

async function checkPrivateSubnets(ctx: PreflightContext, vpcId: string, ids: string[]): Promise<CheckResult> {
    const name = "private subnets";
    const key = "onehub:existingPrivateSubnetIds";
    let out;
    try {
        out = await aws("ec2:DescribeSubnets", ctx.clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids })));
    } catch (e) {
        if (!awsError(e, "InvalidSubnetID.NotFound", "InvalidSubnetID.Malformed")) {
            throw e;
        }
        return {
            status: "BLOCKER",
            name,
            found: `${key}: ${errorMessage((e as AwsCallError).cause)}`,
            fix: `list subnets of ${vpcId} in ${key}`,
        };
    }
    const subnets = (out.Subnets ?? []).map((s) => ({
        id: s.SubnetId ?? "?",
        vpcId: s.VpcId,
        availabilityZoneId: s.AvailabilityZoneId ?? "?",
    }));
    const foreign = subnets.filter((s) => s.vpcId !== vpcId).map((s) => `${s.id} (${s.vpcId})`);
    if (foreign.length > 0) {
        return {
            status: "BLOCKER",
            name,
            found: `${key} has subnets outside ${vpcId}: ${foreign.join(", ")}`,
            fix: `list only subnets of ${vpcId}`,
        };
    }
    const unsupported = subnetsOutsideVpcOriginZones(subnets);
    if (unsupported.length > 0) {
        return {
            status: "BLOCKER",
            name,
            found: `${key} has subnets in zones without CloudFront VPC origins: ${unsupported.join(", ")}`,
            fix: `replace them with private subnets of ${vpcId} in other zones`,
        };
    }
    const zones = [...new Set(subnets.map((s) => s.availabilityZoneId))];
    if (zones.length < 2) {
        return {
            status: "BLOCKER",
            name,
            found: `${key} spans ${zones.length} zone (${zones.join(", ")}): an ALB needs subnets in at least 2`,
            fix: `add a private subnet of ${vpcId} in another zone`,
        };
    }
    return {
        status: "ok",
        name,
        found: `${subnets.map((s) => `${s.id} (${s.availabilityZoneId})`).join(", ")}: all zones support VPC origins`,
    };
}

// ---------------------------------------------------------------------------------------------
// 3. Aurora engine version.
// ---------------------------------------------------------------------------------------------

const AURORA_MYSQL_3 = /^8\.0\.mysql_aurora\.3\.(\d+)\.(\d+)$/;

function versionKey(v: string): number[] | undefined {
    const m = AURORA_MYSQL_3.exec(v);
    return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function compareVersions(a: number[], b: number[]): number {
    return a[0] - b[0] || a[1] - b[1];
}

/** Up to three versions on each side of `wanted`, in order (wanted itself is not offered). */
export function closestVersions(wanted: string, available: string[]): string[] {
    const sorted = [...new Set(available)].filter((v) => versionKey(v)).sort((a, b) => compareVersions(versionKey(a)!, versionKey(b)!));
    const w = versionKey(wanted);
    if (!w) {
        return sorted.slice(-6);
    }
    const after = sorted.findIndex((v) => compareVersions(versionKey(v)!, w) > 0);
    const at = after === -1 ? sorted.length : after;
    return sorted.slice(Math.max(0, at - 3), at + 3);
}

export async function checkEngineVersion(ctx: PreflightContext): Promise<CheckResult> {
    const name = "Aurora engine version";
    const { dbEngineVersion: version, region } = ctx.config;
    const action = "rds:DescribeDBEngineVersions";
    const exact = await aws(
        action,
        ctx.clients.rds.send(new DescribeDBEngineVersionsCommand({ Engine: "aurora-mysql", EngineVersion: version })),
    );
    const found = (exact.DBEngineVersions ?? []).find((v) => v.EngineVersion === version);
    if (found) {
        // Deprecated versions are listed only with IncludeAll, but a listed one can still be on its way out.
        return found.Status && found.Status !== "available"
            ? {
                  status: "warn",
                  name,
                  found: `${version} exists in ${region} with status ${found.Status}`,
                  fix: "pick an available 3.x version (aws rds describe-db-engine-versions --engine aurora-mysql)",
              }
            : { status: "ok", name, found: `${version} is available in ${region}` };
    }
    const all: string[] = [];
    let marker: string | undefined;
    do {
        const page = await aws(
            action,
            ctx.clients.rds.send(new DescribeDBEngineVersionsCommand({ Engine: "aurora-mysql", Marker: marker })),
        );
        all.push(...(page.DBEngineVersions ?? []).map((v) => v.EngineVersion ?? ""));
        marker = page.Marker;
    } while (marker);
    const closest = closestVersions(version, all);
    const suggestion =
        closest.find((v) => versionKey(version) && compareVersions(versionKey(v)!, versionKey(version)!) > 0) ??
        closest[closest.length - 1];
    return {
        status: "BLOCKER",
        name,
        found: `onehub:dbEngineVersion ${version} is not offered in ${region}; closest available: ${closest.join(", ") || "none"}`,
        fix: suggestion
            ? `pulumi config set onehub:dbEngineVersion ${suggestion}`
            : "pick a version from aws rds describe-db-engine-versions --engine aurora-mysql",
    };
}

// ---------------------------------------------------------------------------------------------
// 4. Fargate vCPU quotas.
// ---------------------------------------------------------------------------------------------

/** Service Quotas codes of the Fargate vCPU quotas (service code "fargate", regional). */
export const FARGATE_QUOTAS = {
    onDemand: { code: "L-3032A538", name: "Fargate On-Demand vCPU resource count" },
    spot: { code: "L-36FBB829", name: "Fargate Spot vCPU resource count" },
} as const;

/**
 * Slave tasks per capacity provider when `count` run: the base on FARGATE first, then the rest
 * by weight. ECS documents the ratio but not where the odd task of an uneven split goes, so each
 * provider's share is rounded up: the worst case for each quota, checked on its own (the two
 * may add up to one more than `count`).
 */
export function splitSlaves(
    count: number,
    s: { slaveFargateBase: number; slaveFargateWeight: number; slaveSpotWeight: number },
): { onDemand: number; spot: number } {
    const base = Math.min(s.slaveFargateBase, count);
    const rest = count - base;
    const total = s.slaveFargateWeight + s.slaveSpotWeight;
    if (total === 0) {
        // Validation refuses both weights 0; without weights ECS places nothing above the base.
        return { onDemand: base, spot: 0 };
    }
    return {
        onDemand: base + Math.ceil((rest * s.slaveFargateWeight) / total),
        spot: Math.ceil((rest * s.slaveSpotWeight) / total),
    };
}

export interface VcpuDemand {
    /** Slaves at slaveMaxCount on this provider. */
    slaves: number;
    /** vCPU with the master and slaveMaxCount slaves running. */
    steady: number;
    /** vCPU during a slave deploy at max: 200 % lets as many new slaves start as run. */
    deploy: number;
}

/**
 * The most vCPU the stack holds on each Fargate quota. The master is one on-demand task that
 * deploys at 100 %/0 % (stopped before its replacement starts), so it never doubles; the slaves
 * deploy at 200 %/100 %, so during a deploy twice the running slaves exist.
 */
export function fargateVcpuDemand(c: PreflightConfig): { onDemand: VcpuDemand; spot: VcpuDemand } {
    const split = splitSlaves(c.slaveMaxCount, c);
    const master = c.masterCpu / 1024;
    const slave = c.slaveCpu / 1024;
    return {
        onDemand: { slaves: split.onDemand, steady: master + split.onDemand * slave, deploy: master + 2 * split.onDemand * slave },
        spot: { slaves: split.spot, steady: split.spot * slave, deploy: 2 * split.spot * slave },
    };
}

/** The applied value of a quota, or AWS's default where none was ever applied. */
async function quotaValue(client: ServiceQuotasClient, serviceCode: string, quotaCode: string): Promise<{ value: number; source: string }> {
    try {
        const out = await aws(
            "servicequotas:GetServiceQuota",
            client.send(new GetServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: quotaCode })),
        );
        if (out.Quota?.Value !== undefined) {
            return { value: out.Quota.Value, source: "applied" };
        }
    } catch (e) {
        if (!awsError(e, "NoSuchResourceException")) {
            throw e;
        }
    }
    const out = await aws(
        "servicequotas:GetAWSDefaultServiceQuota",
        client.send(new GetAWSDefaultServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: quotaCode })),
    );
    if (out.Quota?.Value === undefined) {
        throw new Error(`Service Quotas returned no value for ${serviceCode} ${quotaCode}`);
    }
    return { value: out.Quota.Value, source: "AWS default" };
}

const vcpu = (n: number) => `${Number(n.toFixed(2))} vCPU`;

function checkFargateQuotas(ctx: PreflightContext): Promise<CheckResult[]>[] {
    const demand = fargateVcpuDemand(ctx.config);
    const c = ctx.config;
    return (["onDemand", "spot"] as const).map((pool) => {
        const name = pool === "onDemand" ? "Fargate On-Demand vCPU" : "Fargate Spot vCPU";
        return guard(name, async (): Promise<CheckResult> => {
            const d = demand[pool];
            const quota = FARGATE_QUOTAS[pool];
            if (d.deploy === 0) {
                return { status: "ok", name, found: "not used: no slave runs on Fargate Spot (slaveSpotWeight 0)" };
            }
            const q = await quotaValue(ctx.clients.quotas, "fargate", quota.code);
            const parts =
                pool === "onDemand"
                    ? `master ${vcpu(c.masterCpu / 1024)} + ${d.slaves} of ${c.slaveMaxCount} slaves × ${vcpu(c.slaveCpu / 1024)}`
                    : `${d.slaves} of ${c.slaveMaxCount} slaves × ${vcpu(c.slaveCpu / 1024)}`;
            const found =
                `needs ${vcpu(d.steady)} at slaveMaxCount (${parts}), ${vcpu(d.deploy)} during a slave deploy; ` +
                `quota ${quota.code} = ${vcpu(q.value)} (${q.source})`;
            const fix =
                `request "${quota.name}" (${quota.code}) ≥ ${Math.ceil(d.deploy)}: aws service-quotas request-service-quota-increase ` +
                `--region ${c.region} --service-code fargate --quota-code ${quota.code} --desired-value ${Math.ceil(d.deploy)}`;
            if (d.steady > q.value) {
                return { status: "BLOCKER", name, found: `${found}: scale-out stalls below slaveMaxCount`, fix };
            }
            if (d.deploy > q.value) {
                return { status: "warn", name, found: `${found}: a deploy while scaled out stalls`, fix };
            }
            return { status: "ok", name, found };
        });
    });
}

// ---------------------------------------------------------------------------------------------
// 5. CloudFront timeout quotas (only for values above the quota-free 60 s).
// ---------------------------------------------------------------------------------------------

/** CloudFront quotas: global, read through Service Quotas in us-east-1, service code "cloudfront". */
export const CLOUDFRONT_QUOTAS = {
    responseTimeout: { code: "L-AECE9FA7", name: "Response timeout per origin", match: /^response timeout per origin/i },
    // Its code is not documented anywhere we could verify, and the console names it differently
    // ("Keep-alive timeout for a custom origin…"), so it is found by name.
    keepaliveTimeout: { code: undefined, name: "Keep-alive timeout per origin", match: /keep-?alive timeout/i },
    distributions: { code: "L-24B04930", name: "Distributions per AWS account" },
} as const;

/** Above this many seconds either origin timeout needs a quota increase. */
export const QUOTA_FREE_TIMEOUT = ORIGIN_READ_TIMEOUT.quotaFree;

/** Every CloudFront quota with its applied value, or AWS's default where none was ever applied. */
async function cloudFrontQuotas(client: ServiceQuotasClient): Promise<{ quota: ServiceQuota; source: string }[]> {
    const applied: ServiceQuota[] = [];
    let token: string | undefined;
    do {
        const page = await aws(
            "servicequotas:ListServiceQuotas",
            client.send(new ListServiceQuotasCommand({ ServiceCode: "cloudfront", NextToken: token })),
        );
        applied.push(...(page.Quotas ?? []));
        token = page.NextToken;
    } while (token);
    const defaults: ServiceQuota[] = [];
    do {
        const page = await aws(
            "servicequotas:ListAWSDefaultServiceQuotas",
            client.send(new ListAWSDefaultServiceQuotasCommand({ ServiceCode: "cloudfront", NextToken: token })),
        );
        defaults.push(...(page.Quotas ?? []));
        token = page.NextToken;
    } while (token);
    const appliedCodes = new Set(applied.map((q) => q.QuotaCode));
    return [
        ...applied.map((quota) => ({ quota, source: "applied" })),
        ...defaults.filter((q) => !appliedCodes.has(q.QuotaCode)).map((quota) => ({ quota, source: "AWS default" })),
    ];
}

export async function checkTimeoutQuotas(ctx: PreflightContext): Promise<CheckResult[]> {
    const name = "CloudFront timeout quotas";
    const c = ctx.config;
    const wanted = [
        { key: "originReadTimeout", value: c.originReadTimeout, quota: CLOUDFRONT_QUOTAS.responseTimeout },
        { key: "originKeepaliveTimeout", value: c.originKeepaliveTimeout, quota: CLOUDFRONT_QUOTAS.keepaliveTimeout },
    ].filter((w) => w.value > QUOTA_FREE_TIMEOUT);
    if (wanted.length === 0) {
        return [
            {
                status: "ok",
                name,
                found: `originReadTimeout ${c.originReadTimeout} s and originKeepaliveTimeout ${c.originKeepaliveTimeout} s need no quota (≤ ${QUOTA_FREE_TIMEOUT} s)`,
            },
        ];
    }
    const quotas = await cloudFrontQuotas(ctx.clients.globalQuotas);
    const find = (q: (typeof wanted)[number]["quota"]) =>
        quotas.find(({ quota: s }) => (q.code !== undefined && s.QuotaCode === q.code) || q.match.test(s.QuotaName ?? ""));
    return wanted.map((w): CheckResult => {
        const lineName = `${name} (${w.key})`;
        const hit = find(w.quota);
        if (!hit || hit.quota.Value === undefined) {
            return {
                status: "warn",
                name: lineName,
                found: `onehub:${w.key} = ${w.value} s needs "${w.quota.name}", which Service Quotas does not list`,
                fix: `open an AWS Support quota case for CloudFront "${w.quota.name}" ≥ ${w.value}, or lower onehub:${w.key} to ${QUOTA_FREE_TIMEOUT}`,
            };
        }
        const code = hit.quota.QuotaCode ?? "?";
        const found = `onehub:${w.key} = ${w.value} s; "${hit.quota.QuotaName}" (${code}) = ${hit.quota.Value} s (${hit.source})`;
        return hit.quota.Value >= w.value
            ? { status: "ok", name: lineName, found }
            : {
                  status: "BLOCKER",
                  name: lineName,
                  found: `${found}: CloudFront rejects the distribution`,
                  fix:
                      `request "${hit.quota.QuotaName}" ≥ ${w.value}: aws service-quotas request-service-quota-increase --region us-east-1 ` +
                      `--service-code cloudfront --quota-code ${code} --desired-value ${w.value} (or lower onehub:${w.key} to ${QUOTA_FREE_TIMEOUT})`,
              };
    });
}

// ---------------------------------------------------------------------------------------------
// 6. The image, for the tasks' CPU architecture, in its registry (OCI distribution API).
// ---------------------------------------------------------------------------------------------

export interface ImageLocation {
    /** Host the /v2/ API is served from. */
    host: string;
    /** Repository path on that host, e.g. martialbe/one-api or library/nginx. */
    repository: string;
    /** Anonymous pull-token endpoint, when the registry is one we know. */
    tokenUrl?: string;
}

/** Where `imageRepository` lives: ghcr.io, Docker Hub (also bare names), public ECR, or another host. */
export function locateImage(imageRepository: string): ImageLocation {
    const parts = imageRepository.split("/");
    // Docker's rule: the first component is a host if it has a dot or a port, or is localhost.
    const hasHost = parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === "localhost");
    const host = hasHost ? parts[0] : "docker.io";
    const path = hasHost ? parts.slice(1).join("/") : imageRepository;
    if (["docker.io", "index.docker.io", "registry-1.docker.io"].includes(host)) {
        const repository = path.includes("/") ? path : `library/${path}`;
        return {
            host: "registry-1.docker.io",
            repository,
            tokenUrl: `https://auth.docker.io/token?service=registry.docker.io&scope=repository:${repository}:pull`,
        };
    }
    if (host === "ghcr.io") {
        return { host, repository: path, tokenUrl: `https://ghcr.io/token?scope=repository:${path}:pull` };
    }
    if (host === "public.ecr.aws") {
        return { host, repository: path, tokenUrl: "https://public.ecr.aws/token/" };
    }
    return { host, repository: path };
}

export const MANIFEST_ACCEPT = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** Docker/OCI platform names of the ECS runtimePlatform.cpuArchitecture values. */
export const OCI_ARCHITECTURE: Record<CpuArchitecture, string> = { X86_64: "amd64", ARM64: "arm64" };

class RegistryUnreachable extends Error {}

async function registryFetch(ctx: PreflightContext, url: string, headers: Record<string, string>) {
    try {
        return await ctx.fetch(url, { headers, signal: AbortSignal.timeout(ctx.registryTimeoutMs ?? 15_000) });
    } catch (e) {
        throw new RegistryUnreachable(`${new URL(url).host}: ${errorMessage(e)}`);
    }
}

/** An anonymous bearer token for pulling, or undefined where the registry gives none. */
async function pullToken(ctx: PreflightContext, loc: ImageLocation, challenge?: string): Promise<string | undefined> {
    let url = loc.tokenUrl;
    if (!url && challenge) {
        // WWW-Authenticate: Bearer realm="…",service="…" — the distribution spec's token flow.
        const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (/^bearer/i.test(challenge) && params.realm) {
            const q = new URLSearchParams({
                ...(params.service ? { service: params.service } : {}),
                scope: `repository:${loc.repository}:pull`,
            });
            url = `${params.realm}?${q}`;
        }
    }
    if (!url) {
        return undefined;
    }
    const res = await registryFetch(ctx, url, {});
    if (!res.ok) {
        return undefined;
    }
    const body = await res.json();
    return body.token ?? body.access_token;
}

export async function checkImage(ctx: PreflightContext): Promise<CheckResult[]> {
    const c = ctx.config;
    // imageTag "" with a digest: the digest alone pins the image (repo@sha256:…).
    const refs: { ref: string; label: string; key: string; what: "tag" | "digest" }[] = [];
    if (c.imageTag) {
        refs.push({ ref: c.imageTag, label: `${c.imageRepository}:${c.imageTag}`, key: "onehub:imageTag", what: "tag" });
    }
    if (c.imageDigest) {
        refs.push({ ref: c.imageDigest, label: `${c.imageRepository}@${c.imageDigest}`, key: "onehub:imageDigest", what: "digest" });
    }
    return Promise.all(refs.map((r) => checkImageRef(ctx, r.ref, r.label, r.key, r.what)));
}

async function checkImageRef(ctx: PreflightContext, ref: string, label: string, key: string, what: "tag" | "digest"): Promise<CheckResult> {
    const name = "image";
    const arch = OCI_ARCHITECTURE[ctx.config.cpuArchitecture];
    const want = `linux/${arch}`;
    const loc = locateImage(ctx.config.imageRepository);
    const base = `https://${loc.host}/v2/${loc.repository}`;
    try {
        let token = await pullToken(ctx, loc);
        const get = (url: string, accept?: string) =>
            registryFetch(ctx, url, { ...(accept ? { Accept: accept } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) });
        let res = await get(`${base}/manifests/${ref}`, MANIFEST_ACCEPT);
        if (res.status === 401 && !token) {
            token = await pullToken(ctx, loc, res.headers.get("www-authenticate") ?? undefined);
            if (token) {
                res = await get(`${base}/manifests/${ref}`, MANIFEST_ACCEPT);
            }
        }
        if (res.status === 404) {
            return {
                status: "BLOCKER",
                name,
                found: `${label}: ${what} not found (404 from ${loc.host})`,
                fix: `set ${key} to a published release of ${ctx.config.imageRepository}`,
            };
        }
        if (res.status === 401 || res.status === 403) {
            return {
                status: "warn",
                name,
                found: `${label}: cannot verify, ${loc.host} refused anonymous access (${res.status}); private, or no such repository`,
                fix: "check the repository name; a private image needs pull credentials the tasks do not have",
            };
        }
        if (!res.ok) {
            return { status: "warn", name, found: `${label}: cannot verify, ${loc.host} answered ${res.status}`, fix: "rerun later" };
        }
        const manifest = await res.json();
        if (Array.isArray(manifest.manifests)) {
            // Attestation manifests carry platform unknown/unknown; they are not images.
            const platforms = manifest.manifests
                .map((m: any) => m.platform)
                .filter((p: any) => p && p.os !== "unknown")
                .map((p: any) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`);
            return platforms.some((p: string) => p === want || p.startsWith(`${want}/`))
                ? { status: "ok", name, found: `${label} has ${want} (index: ${platforms.join(", ")})` }
                : archBlocker(label, want, platforms.join(", ") || "none", ctx.config.cpuArchitecture);
        }
        // A single-platform manifest names its platform only in the config blob.
        const digest = manifest.config?.digest;
        if (!digest) {
            return { status: "warn", name, found: `${label}: cannot verify, the manifest has no config`, fix: "inspect the image by hand" };
        }
        const blob = await get(`${base}/blobs/${digest}`);
        if (!blob.ok) {
            return { status: "warn", name, found: `${label}: cannot verify, config blob answered ${blob.status}`, fix: "rerun later" };
        }
        const config = await blob.json();
        const platform = `${config.os}/${config.architecture}`;
        return platform === want
            ? { status: "ok", name, found: `${label} is ${platform} (single-platform image)` }
            : archBlocker(label, want, platform, ctx.config.cpuArchitecture);
    } catch (e) {
        if (e instanceof RegistryUnreachable) {
            return {
                status: "warn",
                name,
                found: `${label}: cannot verify, registry unreachable (${e.message})`,
                fix: "rerun with network access",
            };
        }
        throw e;
    }
}

function archBlocker(label: string, want: string, has: string, arch: CpuArchitecture): CheckResult {
    const other = CPU_ARCHITECTURES.find((a) => a !== arch)!;
    return {
        status: "BLOCKER",
        name: "image",
        found: `${label} has no ${want} image (has ${has}): tasks with cpuArchitecture ${arch} cannot start`,
        fix: `use a tag built for ${want}, or run on ${other} (onehub:cpuArchitecture ${other}) if the image has linux/${OCI_ARCHITECTURE[other]}`,
    };
}

// ---------------------------------------------------------------------------------------------
// 7. Custom domain: the hosted zone and the certificate.
// ---------------------------------------------------------------------------------------------

const stripDot = (s: string) => s.replace(/\.$/, "").toLowerCase();

/** Whether `domain` is `zone` or below it. */
export function inZone(domain: string, zone: string): boolean {
    const d = stripDot(domain);
    const z = stripDot(zone);
    return d === z || d.endsWith(`.${z}`);
}

/** Whether a certificate name covers `domain`; a wildcard covers exactly one label. */
export function certificateCovers(names: string[], domain: string): boolean {
    const d = stripDot(domain);
    return names.some((raw) => {
        const n = stripDot(raw);
        if (n.startsWith("*.")) {
            const rest = n.slice(2);
            return d.endsWith(`.${rest}`) && !d.slice(0, -rest.length - 1).includes(".");
        }
        return n === d;
    });
}

function checkCustomDomain(ctx: PreflightContext): Promise<CheckResult[]>[] {
    const c = ctx.config;
    if (!c.customDomain) {
        return [Promise.resolve([{ status: "info", name: "custom domain", found: "not set: viewers use the cloudfront.net name" }])];
    }
    const checks: Promise<CheckResult[]>[] = [];
    if (c.hostedZoneId) {
        checks.push(guard("hosted zone", () => checkHostedZone(ctx)));
    }
    if (c.certificateArn) {
        checks.push(guard("certificate", () => checkCertificate(ctx)));
    } else if (c.hostedZoneId) {
        checks.push(
            Promise.resolve([
                {
                    status: "info",
                    name: "certificate",
                    found: `none set: the stack requests one for ${c.customDomain} and validates it in the zone`,
                },
            ]),
        );
    }
    if (checks.length === 0) {
        checks.push(
            Promise.resolve([
                {
                    status: "BLOCKER",
                    name: "custom domain",
                    found: `onehub:customDomain ${c.customDomain} has neither onehub:certificateArn nor onehub:hostedZoneId`,
                    fix: "pulumi config set onehub:hostedZoneId <zone id> (a certificate is then created), or set onehub:certificateArn",
                } as CheckResult,
            ]),
        );
    }
    return checks;
}

async function checkHostedZone(ctx: PreflightContext): Promise<CheckResult> {
    const name = "hosted zone";
    const { hostedZoneId: id, customDomain: domain } = ctx.config;
    let zone;
    try {
        zone = (await aws("route53:GetHostedZone", ctx.clients.route53.send(new GetHostedZoneCommand({ Id: id })))).HostedZone;
    } catch (e) {
        if (!awsError(e, "NoSuchHostedZone", "InvalidInput")) {
            throw e;
        }
        return {
            status: "BLOCKER",
            name,
            found: `onehub:hostedZoneId ${id}: no such hosted zone in this account`,
            fix: "set the id of the public zone that holds customDomain",
        };
    }
    const zoneName = stripDot(zone?.Name ?? "");
    if (zone?.Config?.PrivateZone) {
        return {
            status: "BLOCKER",
            name,
            found: `${id} (${zoneName}) is a private zone: viewers cannot resolve it`,
            fix: "use the public zone of the domain",
        };
    }
    if (!inZone(domain, zoneName)) {
        return {
            status: "BLOCKER",
            name,
            found: `onehub:customDomain ${domain} is not inside ${id} (${zoneName})`,
            fix: `use the zone of ${domain}, or a customDomain under ${zoneName}`,
        };
    }
    return { status: "ok", name, found: `${id} is the public zone ${zoneName}, which holds ${domain}` };
}

async function checkCertificate(ctx: PreflightContext): Promise<CheckResult> {
    const name = "certificate";
    const { certificateArn: arn, customDomain: domain } = ctx.config;
    const region = arn.split(":")[3];
    if (region !== "us-east-1") {
        return {
            status: "BLOCKER",
            name,
            found: `onehub:certificateArn is in ${region || "no region"}: CloudFront only uses ACM certificates from us-east-1`,
            fix: `request or import a certificate for ${domain} in us-east-1`,
        };
    }
    let cert;
    try {
        cert = (await aws("acm:DescribeCertificate", ctx.clients.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))))
            .Certificate;
    } catch (e) {
        if (!awsError(e, "ResourceNotFoundException", "InvalidArnException")) {
            throw e;
        }
        return {
            status: "BLOCKER",
            name,
            found: `onehub:certificateArn ${arn}: no such certificate in this account`,
            fix: "set the ARN of an ACM certificate in us-east-1",
        };
    }
    const names = [...new Set([cert?.DomainName ?? "", ...(cert?.SubjectAlternativeNames ?? [])])].filter(Boolean);
    if (cert?.Status !== "ISSUED") {
        return {
            status: "BLOCKER",
            name,
            found: `${arn} is ${cert?.Status ?? "in an unknown state"}, not ISSUED`,
            fix: "complete its validation (DNS record) or use an issued certificate",
        };
    }
    if (!certificateCovers(names, domain)) {
        return {
            status: "BLOCKER",
            name,
            found: `${arn} covers ${names.join(", ")}, not ${domain}`,
            fix: `use a certificate whose names include ${domain}`,
        };
    }
    if (cert.NotAfter && cert.NotAfter.getTime() <= ctx.now.getTime()) {
        return {
            status: "BLOCKER",
            name,
            found: `${arn} expired on ${cert.NotAfter.toISOString().slice(0, 10)}`,
            fix: "renew or replace it",
        };
    }
    return {
        status: "ok",
        name,
        found: `${arn} is ISSUED for ${names.join(", ")}${cert.NotAfter ? `, valid until ${cert.NotAfter.toISOString().slice(0, 10)}` : ""}`,
    };
}

// ---------------------------------------------------------------------------------------------
// 8. CloudFront account readiness.
// ---------------------------------------------------------------------------------------------

export const CLOUDFRONT_VERIFICATION_NOTE =
    'no API tells whether a new account is verified for CloudFront; if the first `pulumi up` fails with "Your account must be verified before you can add new CloudFront resources", open an AWS Support case and rerun';

async function countDistributions(ctx: PreflightContext): Promise<number> {
    let count = 0;
    let marker: string | undefined;
    do {
        const page = await aws(
            "cloudfront:ListDistributions",
            ctx.clients.cloudfront.send(new ListDistributionsCommand({ Marker: marker })),
        );
        count += page.DistributionList?.Items?.length ?? 0;
        marker = page.DistributionList?.IsTruncated ? page.DistributionList.NextMarker : undefined;
    } while (marker);
    return count;
}

/** The distribution count against its quota, then the verification line, which prints even when the count failed. */
export async function checkCloudFrontAccount(ctx: PreflightContext): Promise<CheckResult[]> {
    const name = "CloudFront distributions";
    const { code, name: quotaName } = CLOUDFRONT_QUOTAS.distributions;
    let count: number | undefined;
    const distributions = await guard(name, async (): Promise<CheckResult> => {
        count = await countDistributions(ctx);
        const quota = await quotaValue(ctx.clients.globalQuotas, "cloudfront", code);
        // The stack adds one distribution.
        return count + 1 <= quota.value
            ? { status: "ok", name, found: `${count} exist, the stack adds 1; "${quotaName}" (${code}) = ${quota.value} (${quota.source})` }
            : {
                  status: "BLOCKER",
                  name,
                  found: `${count} exist and the stack adds 1, above "${quotaName}" (${code}) = ${quota.value} (${quota.source})`,
                  fix:
                      `delete an unused distribution, or aws service-quotas request-service-quota-increase --region us-east-1 ` +
                      `--service-code cloudfront --quota-code ${code} --desired-value ${count + 1}`,
              };
    });
    // A distribution that exists proves the account could create one; nothing else can tell.
    const verification: CheckResult =
        count !== undefined && count > 0
            ? {
                  status: "ok",
                  name: "CloudFront verification",
                  found: `the account already has ${count} distribution(s), so it may create them`,
              }
            : { status: "info", name: "CloudFront verification", found: CLOUDFRONT_VERIFICATION_NOTE };
    return [...distributions, verification];
}
