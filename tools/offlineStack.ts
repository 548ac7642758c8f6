// Runs the stack program with no Pulumi CLI and no AWS account: loads config the way the CLI
// does (Pulumi.yaml defaults, then Pulumi.<stack>.yaml), installs mocks that return the
// provider-computed outputs our code reads, and records every registered resource. The tests,
// `npm run plan` and the policy run all use it.
import { createHash } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

export const ROOT = path.resolve(__dirname, "..");
const PROJECT = "onehub";
const REGION = "us-east-1";
const ACCOUNT = "123456789012";
/**
 * The mock region's zones. Like the real us-east-1, one of them (use1-az3) has no CloudFront VPC
 * origins, so the program's zone choice is exercised by every run.
 */
export const MOCK_ZONES = {
    names: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"],
    zoneIds: ["use1-az1", "use1-az2", "use1-az3", "use1-az4", "use1-az5", "use1-az6"],
};
/** The VPC every mock subnet belongs to, and one with no internet gateway attached. */
export const MOCK_VPC_ID = "vpc-0123456789abcdef0";
export const MOCK_VPC_WITHOUT_IGW = "vpc-0000000000000dead";
/** The marker Pulumi's wire format puts on secret values. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export interface RegisteredResource {
    urn: string;
    type: string;
    name: string;
    /** URN of the parent ("" for the stack's top-level resources). */
    parent: string;
    custom: boolean;
    /** The inputs as the provider would receive them (secrets unwrapped). */
    inputs: Record<string, any>;
    /** Dotted paths of the inputs that were marked secret, e.g. "secretString". */
    secretPaths: string[];
    /** URNs this resource waits for (dependsOn and inputs from other resources). */
    dependencies: string[];
    ignoreChanges: string[];
    /** Properties whose change replaces the resource (beyond the provider's own). */
    replaceOnChanges: string[];
    /** Replaced by deleting first: never two at once. */
    deleteBeforeReplace: boolean;
    /** Removed from the stack without being deleted in AWS. */
    retainOnDelete: boolean;
}

/** The resource options a resource registered without any has (for hand-built fixtures). */
export const NO_RESOURCE_OPTIONS = { ignoreChanges: [], replaceOnChanges: [], deleteBeforeReplace: false, retainOnDelete: false };

export interface StackRun {
    stack: string;
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
    /** Names of the stack outputs that are secret. */
    secretOutputs: string[];
}

export interface RunOptions {
    /** Config values (full keys, e.g. "onehub:azCount") that replace the stack file's. */
    config?: Record<string, unknown>;
    /** Keys of `config` to pass as secrets, as `pulumi config set --secret` would. */
    secretKeys?: string[];
}

interface ConfigDeclaration {
    type?: string;
    default?: unknown;
    value?: unknown;
    secret?: boolean;
}

function readYaml(file: string): any {
    return yaml.load(fs.readFileSync(path.join(ROOT, file), "utf8")) ?? {};
}

function qualify(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/** Config values travel to the program as strings; lists and objects as JSON. */
function toWire(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function checkType(key: string, decl: ConfigDeclaration | undefined, value: unknown, file: string): void {
    if (!decl?.type) {
        return;
    }
    const ok =
        (decl.type === "string" && typeof value === "string") ||
        (decl.type === "integer" && Number.isInteger(value)) ||
        (decl.type === "boolean" && typeof value === "boolean") ||
        (decl.type === "array" && Array.isArray(value));
    if (!ok) {
        throw new Error(`${file}: ${key} = ${JSON.stringify(value)} is not of the type ${decl.type} that Pulumi.yaml declares`);
    }
}

/** The config map the CLI would hand the program for `stack`: project defaults, then the stack file. */
export function loadStackConfig(stack: string, options: RunOptions = {}): { config: Record<string, string>; secretKeys: string[] } {
    const project = readYaml("Pulumi.yaml");
    const declarations: Record<string, ConfigDeclaration> = {};
    const config: Record<string, string> = {};
    for (const [rawKey, decl] of Object.entries<any>(project.config ?? {})) {
        const key = qualify(rawKey);
        const d: ConfigDeclaration = decl !== null && typeof decl === "object" && !Array.isArray(decl) ? decl : { value: decl };
        declarations[key] = d;
        const value = d.value ?? d.default;
        if (value !== undefined) {
            checkType(key, d, value, "Pulumi.yaml");
            config[key] = toWire(value);
        }
    }
    const stackFile = `Pulumi.${stack}.yaml`;
    if (!fs.existsSync(path.join(ROOT, stackFile))) {
        throw new Error(`no stack file ${stackFile}: known stacks are ${knownStacks().join(", ")}`);
    }
    const secretKeys: string[] = [];
    for (const [rawKey, value] of Object.entries<any>(readYaml(stackFile).config ?? {})) {
        const key = qualify(rawKey);
        if (value !== null && typeof value === "object" && "secure" in value) {
            // Encrypted values need the stack's secrets provider; tests pass them in `config`.
            if (!(options.config && key in options.config)) {
                throw new Error(`${stackFile}: ${key} is encrypted; pass a test value with RunOptions.config`);
            }
            continue;
        }
        checkType(key, declarations[key], value, stackFile);
        config[key] = toWire(value);
    }
    for (const [rawKey, value] of Object.entries(options.config ?? {})) {
        const key = qualify(rawKey);
        if (value === undefined) {
            delete config[key];
        } else {
            config[key] = toWire(value);
        }
    }
    for (const key of options.secretKeys ?? []) {
        secretKeys.push(qualify(key));
    }
    return { config, secretKeys };
}

export function knownStacks(): string[] {
    return fs
        .readdirSync(ROOT)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** Provider-computed outputs our code reads; everything else echoes the inputs. */
function mockOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    const service = type.split(":")[1]?.split("/")[0] ?? "mock";
    const arn = `arn:aws:${service}:${REGION}:${ACCOUNT}:${type.split(":").pop()!.toLowerCase()}/${name}`;
    // Autonamed resources get their logical name as physical name (AWS would add a suffix).
    const base = { ...inputs, arn, name: inputs.name ?? name, tagsAll: inputs.tags };
    switch (type) {
        case "awsx:ec2:Vpc": {
            // Like awsx: the named zones, or the region's first N. A subnet id carries its zone's index.
            const azs: string[] = inputs.availabilityZoneNames ?? MOCK_ZONES.names.slice(0, inputs.numberOfAvailabilityZones ?? 3);
            const ids = (kind: string) => azs.map((az) => `subnet-${kind}${MOCK_ZONES.names.indexOf(az)}${"0".repeat(8)}`.slice(0, 15));
            return {
                ...inputs,
                vpcId: MOCK_VPC_ID,
                publicSubnetIds: ids("a"),
                privateSubnetIds: ids("b"),
                isolatedSubnetIds: ids("c"),
            };
        }
        case "random:index/randomPassword:RandomPassword":
            return { ...inputs, result: mockPassword(inputs.length, inputs.overrideSpecial ?? "") };
        case "random:index/randomString:RandomString":
            return { ...inputs, result: "abc123".padEnd(inputs.length, "x").slice(0, inputs.length) };
        case "aws:rds/cluster:Cluster":
            return {
                ...base,
                endpoint: `${inputs.clusterIdentifier}.cluster-abc.${REGION}.rds.amazonaws.com`,
                readerEndpoint: `${inputs.clusterIdentifier}.cluster-ro-abc.${REGION}.rds.amazonaws.com`,
            };
        case "aws:lb/loadBalancer:LoadBalancer":
            return {
                ...base,
                arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/${name}/0123456789abcdef`,
                dnsName: `internal-${name}-123.${REGION}.elb.amazonaws.com`,
                arnSuffix: `app/${name}/0123456789abcdef`,
                zoneId: "Z35SXDOTRQ7X7K",
            };
        case "aws:lb/targetGroup:TargetGroup":
            return {
                ...base,
                arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}/0123456789abcdef`,
                arnSuffix: `targetgroup/${name}/0123456789abcdef`,
            };
        case "aws:cloudfront/distribution:Distribution":
            return { ...base, domainName: "d111111abcdef8.cloudfront.net", hostedZoneId: "Z2FDTNDATAQYW2" };
        case "aws:ecs/cluster:Cluster":
            return { ...base, arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`, name: inputs.name ?? name };
        case "aws:secretsmanager/secret:Secret":
            // Secrets Manager appends "-" and 6 random characters to the name in the ARN.
            return { ...base, arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf` };
        case "aws:ecs/taskDefinition:TaskDefinition": {
            // Every different task definition is a new revision, as ECS numbers them.
            const revision = parseInt(
                createHash("sha256")
                    .update(JSON.stringify(unwrapSecrets(inputs)))
                    .digest("hex")
                    .slice(0, 6),
                16,
            );
            return { ...base, arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${inputs.family}:${revision}`, revision };
        }
        case "aws:secretsmanager/secretVersion:SecretVersion":
            // A new value is a new version, as in Secrets Manager.
            return { ...base, versionId: versionIdOf(inputs.secretString) };
        case "aws:lambda/invocation:Invocation":
            return { ...base, result: JSON.stringify({ status: "COMPLETED" }) };
        case "aws:ecs/service:Service":
            return { ...base, name: inputs.name ?? name };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { ...base, arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${inputs.name ?? name}`, name: inputs.name ?? name };
        case "aws:route53/record:Record":
            return { ...base, fqdn: inputs.name };
        case "aws:wafv2/webAcl:WebAcl":
            return { ...base, arn: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/${name}/0123` };
        case "aws:acm/certificate:Certificate":
            return {
                ...base,
                domainValidationOptions: [
                    {
                        domainName: inputs.domainName,
                        resourceRecordName: `_x.${inputs.domainName}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: "_y.acm-validations.aws.",
                    },
                ],
            };
        default:
            return base;
    }
}

/** The mock's version id of a secret value: a new value is a new version, as in Secrets Manager. */
export function versionIdOf(secretString: unknown): string {
    return `v-${createHash("sha256")
        .update(JSON.stringify(unwrapSecrets(secretString)))
        .digest("hex")
        .slice(0, 12)}`;
}

/** A deterministic password drawn only from the alphabet the resource allows. */
function mockPassword(length: number, specials: string): string {
    const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789" + specials;
    return Array.from({ length }, (_, i) => alphabet[(i * 7) % alphabet.length]).join("");
}

function mockCall(token: string, inputs: Record<string, any>): Record<string, any> {
    switch (token) {
        case "aws:ec2/getSubnet:getSubnet": {
            // The first digit of a mock subnet id is its zone's index; 9 marks a subnet of another VPC.
            const digit = Number(/\d/.exec(inputs.id ?? "")?.[0] ?? 0);
            const zone = digit % MOCK_ZONES.names.length;
            return {
                ...inputs,
                availabilityZone: MOCK_ZONES.names[zone],
                availabilityZoneId: MOCK_ZONES.zoneIds[zone],
                vpcId: digit === 9 ? "vpc-0999999999999999f" : MOCK_VPC_ID,
            };
        }
        case "aws:ec2/getInternetGateway:getInternetGateway": {
            const vpc = inputs.filters?.[0]?.values?.[0];
            if (vpc === MOCK_VPC_WITHOUT_IGW) {
                throw new Error("no matching EC2 Internet Gateway found");
            }
            return { ...inputs, id: "igw-0123456789abcdef0", internetGatewayId: "igw-0123456789abcdef0" };
        }
        case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
            return { ...inputs, id: "pl-3b927c52" };
        case "aws:index/getRegion:getRegion":
            return { region: REGION, name: REGION, id: REGION };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "TEST", id: ACCOUNT };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:ecs/getCluster:getCluster":
            return { ...inputs, arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${inputs.clusterName}`, id: inputs.clusterName };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { ...MOCK_ZONES, id: REGION };
        default:
            return inputs;
    }
}

/** Paths of the values wrapped as secrets in a serialized property map. */
function findSecrets(value: unknown, at: string, out: string[]): void {
    if (value === null || typeof value !== "object") {
        return;
    }
    if (!Array.isArray(value) && (value as any)[SECRET_SIG] === pulumi.runtime.specialSecretSig) {
        out.push(at);
        return;
    }
    for (const [key, child] of Object.entries(value)) {
        findSecrets(child, at === "" ? key : `${at}.${key}`, out);
    }
}

/**
 * Runs `program` (the stack program by default) for `stack` under mocks and returns every
 * registered resource with its inputs, and the resolved stack outputs. Errors thrown by the
 * program (bad config) propagate; `resources` of the last run stay readable via `lastRun`.
 */
export async function runStack(stack: string, options: RunOptions = {}, program?: StackProgram): Promise<StackRun> {
    // The SDK captures a stack trace for every promise and resource; under ts-node's source maps
    // that is ~90 % of a run. Errors raised meanwhile keep their messages.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return await run(stack, options, program);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}

/** A stack program: what it returns (or resolves to) become the stack outputs. */
export type StackProgram = () => Promise<Record<string, pulumi.Output<unknown>> | void> | Record<string, pulumi.Output<unknown>> | void;

async function run(stack: string, options: RunOptions, program?: StackProgram): Promise<StackRun> {
    const { config, secretKeys } = loadStackConfig(stack, options);
    const resources: RegisteredResource[] = [];
    lastRun = resources;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: mockOutputs(args.type, args.name, args.inputs) }),
            call: (args) => mockCall(args.token, args.inputs),
        },
        PROJECT,
        stack,
        false,
    );
    pulumi.runtime.setAllConfig(config, secretKeys);
    recordRegistrations(resources);

    // The Pulumi CLI fails a program on its first unhandled rejection, e.g. an error thrown while
    // an input is resolved (a check that needs another resource's output); so does this run,
    // instead of waiting forever for the registration that can no longer complete.
    let onRejection: (e: unknown) => void = () => undefined;
    const rejected = new Promise<never>((_, reject) => (onRejection = reject));
    process.on("unhandledRejection", onRejection);
    try {
        return await Promise.race([rejected, execute(stack, resources, program)]);
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}

async function execute(stack: string, resources: RegisteredResource[], program?: StackProgram): Promise<StackRun> {
    const stackProgram = program ?? (require("../stacks/program") as typeof import("../stacks/program")).program;
    const exported = (await stackProgram()) ?? {};
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [key, value] of Object.entries(exported)) {
        const o = pulumi.output(value);
        outputs[key] = await promiseOf(o);
        if (await pulumi.isSecret(o)) {
            secretOutputs.push(key);
        }
    }
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return { stack, resources, outputs, secretOutputs };
}

/** The resources the most recent `runStack` registered, even if the program then threw. */
export let lastRun: RegisteredResource[] = [];

function recordRegistrations(into: RegisteredResource[]): void {
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
        const raw = req.getObject()?.toJavaScript() ?? {};
        const secretPaths: string[] = [];
        findSecrets(raw, "", secretPaths);
        register(req, (err: unknown, resp: any) => {
            if (!err) {
                into.push({
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    inputs: unwrapSecrets(raw),
                    secretPaths,
                    dependencies: req.getDependenciesList(),
                    ignoreChanges: req.getIgnorechangesList(),
                    replaceOnChanges: req.getReplaceonchangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    retainOnDelete: req.getRetainondelete() ?? false,
                });
            }
            callback(err, resp);
        });
    };
}

function unwrapSecrets(value: any): any {
    if (value === null || typeof value !== "object") {
        return value;
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value[SECRET_SIG] === pulumi.runtime.specialSecretSig) {
        return unwrapSecrets(value.value);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
}

export function promiseOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply(resolve));
}
