// Runs the stack program with no Pulumi CLI and no AWS account: loads config the way the CLI
// does (Pulumi.yaml defaults, then Pulumi.<stack>.yaml, with the CLI's type checks), installs
// mocks that return the provider-computed outputs our code reads, and records every registered
// resource. The tests, `npm run plan` and the policy run all use it.
import { createHash } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { childUrn } from "../components/network/natInstanceSettings";
import { CONFIG_KEYS, CONFIG_NAMESPACE, ConfigKind } from "../stacks/config";
import { deriveVpcChildren } from "./awsxVpcLayout";

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
/** A VPC without DNS hostnames, and one that already has a bedrock-runtime endpoint with private DNS. */
export const MOCK_VPC_WITHOUT_DNS_HOSTNAMES = "vpc-00000000000000d75";
export const MOCK_VPC_WITH_BEDROCK_ENDPOINT = "vpc-000000000000bed70";
/**
 * A VPC with two bedrock-runtime endpoints: the dev stack's own (tagged as OneHubBedrockEndpoint
 * tags it, with private DNS) and another one without private DNS.
 */
export const MOCK_VPC_WITH_DEV_BEDROCK_ENDPOINT = "vpc-000000000000bed71";
const DEV_BEDROCK_ENDPOINT_TAG = "onehub/dev/onehub-dev-bedrock-vpce";
const BEDROCK_TEST_VPCS = [MOCK_VPC_WITHOUT_DNS_HOSTNAMES, MOCK_VPC_WITH_BEDROCK_ENDPOINT, MOCK_VPC_WITH_DEV_BEDROCK_ENDPOINT];
/** The partition's regions (ec2:DescribeRegions with all regions), as the mock account sees them. */
export const MOCK_REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-central-1", "eu-west-1", "ap-northeast-1", "ap-southeast-2"];
/** The marker Pulumi's wire format puts on secret values. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** The marker of a resource reference (a resource in another resource's outputs). */
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** The newest fck-nat arm64 AMI the mock region has, and an x86_64 image to look up by id. */
export const MOCK_FCK_NAT_AMI = "ami-0fc4a7a7a7a7a7a7a";
export const MOCK_X86_AMI = "ami-0123456789abcdef0";

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
    /** URNs of existing resources this one takes over in place (Pulumi aliases). */
    aliases: string[];
}

/** The resource options a resource registered without any has (for hand-built fixtures). */
export const NO_RESOURCE_OPTIONS = {
    ignoreChanges: [],
    replaceOnChanges: [],
    deleteBeforeReplace: false,
    retainOnDelete: false,
    aliases: [],
};

export interface StackRun {
    stack: string;
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
    /** Names of the stack outputs that are secret. */
    secretOutputs: string[];
    /**
     * Keys whose value is encrypted in the stack file and that the run gave PLACEHOLDER_SECRET
     * instead (no secrets provider offline); empty or absent when there is none.
     */
    placeholderSecrets?: string[];
}

export interface RunOptions {
    /**
     * Config values (full keys, e.g. "onehub:azCount") that replace the stack file's, as
     * `pulumi config set` would; undefined unsets a key. They skip the CLI's type check, so tests
     * can reach the program's own checks.
     */
    config?: Record<string, unknown>;
    /** Keys of `config` to pass as secrets, as `pulumi config set --secret` would. */
    secretKeys?: string[];
    /** The folder with Pulumi.yaml and the stack files (default: the repository root), e.g. a temporary copy. */
    projectDir?: string;
    /**
     * The folder with the stack file, when it is not `projectDir`: the tests' fixture stacks
     * (test/fixtures) run on the repository's own Pulumi.yaml, so a team that changes its
     * Pulumi.<stack>.yaml does not break the specification tests.
     */
    stacksDir?: string;
    /**
     * What the optional secrets (the `secret` keys of stacks/config.ts: dbPassword, sessionSecret,
     * userTokenSecret, hashidsSalt) that the stack file holds encrypted become offline, where
     * nothing can decrypt them:
     * - "unset" (the default): the stack as if it set none, so the tests and the snapshots of the
     *   committed stacks stay the same when an operator adds an installation's secrets;
     * - "placeholder": PLACEHOLDER_SECRET, passed as a secret — what `pulumi up` would build, as
     *   `npm run plan`, `cost` and `policy` show it.
     * Any other encrypted key always gets the placeholder (and the program refuses it).
     */
    encryptedSecrets?: "unset" | "placeholder";
}

/** The config map the CLI hands the program, and which of its keys are secrets. */
export interface StackConfig {
    /** Full key → wire string (lists and objects as JSON). */
    config: Record<string, string>;
    secretKeys: string[];
    /** Keys encrypted in the stack file that got PLACEHOLDER_SECRET (see StackRun.placeholderSecrets). */
    placeholderSecrets: string[];
    /** Optional secrets encrypted in the stack file and left unset (RunOptions.encryptedSecrets "unset"). */
    unsetSecrets: string[];
}

/**
 * What an encrypted (`secure:`) stack-file value becomes offline, where there is no secrets
 * provider to decrypt it: 40 distinct letters, so it passes the check of every secret key
 * (dbPassword: 8–41 of [A-Za-z0-9-_.~!*+=^…]; sessionSecret, userTokenSecret: ≥ 8, no
 * whitespace; hashidsSalt: a sqids alphabet, ≥ 3 printable ASCII characters, none repeated).
 */
export const PLACEHOLDER_SECRET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQ";

/** One line per placeholder secret of `run`, for the tools that print a run. */
export function placeholderNotes(run: Pick<StackRun, "stack" | "placeholderSecrets">, tool = "run"): string[] {
    return (run.placeholderSecrets ?? []).map(
        (key) => `${key}: encrypted in Pulumi.${run.stack}.yaml — the offline ${tool} uses a placeholder secret`,
    );
}

// ---- config as the Pulumi CLI builds it ------------------------------------------------------
// What follows imitates the CLI (pulumi/pulumi, read at 1b59498):
// - sdk/go/common/workspace/loaders.go LoadProjectStackBytes: stack-file keys without a
//   namespace get the project's (stackConfigNamespacedWithProject); config/key.go ParseKey
//   accepts "ns:name" and the old "ns:config:name".
// - sdk/go/common/resource/config/object.go unmarshalObject + MarshalString: a YAML scalar becomes
//   its text: 5 → "5", true → "true", 0.5 → "0.5", 4.0 → "4"; a map with the single key "secure"
//   is an encrypted string; lists, maps and null are "objects" held as JSON.
// - pkg/workspace/config.go mergeConfig (called by ValidateStackConfigAndApplyProjectConfig): a
//   declared key the stack does not set gets its `value`/`default` (createConfigValue: strings,
//   ints and bools as text, everything else as JSON); a key of the project's namespace with
//   neither is an error ("Stack 'dev' is missing configuration value 'x'"); keys the project does
//   not declare pass through untouched (the program judges them).
// - validateStackConfigValue, same file: for every typed key, a `secret: true` key must be
//   encrypted ("… must be encrypted as it's secret"), then workspace.ValidateConfigValue checks
//   the decrypted text — or, for an object, its JSON — against the type ("Stack 'dev' with
//   configuration key 'x' must be of type 'integer'").
// - sdk/go/common/workspace/project.go ValidateConfigValue: string = a string (so 8 in YAML, held
//   as "8", is a string); integer = strconv.Atoi parses it ("5", "+5", "05"; not "5.5", " 5");
//   boolean = exactly "true" or "false" (YAML true/True/TRUE are booleans and become "true";
//   the string "True" is refused); array = a list whose items pass for `items`; object = a map.
//   Project.Validate checks each typed default the same way, on the YAML value itself.
// - pkg/resource/deploy/source_eval.go: the program gets config.Map.Decrypt (each value's text)
//   and SecureKeys (every key whose value is or holds an encrypted string).

interface ItemsType {
    type: string;
    items?: ItemsType;
}

interface ConfigDeclaration {
    type?: string;
    items?: ItemsType;
    default?: unknown;
    value?: unknown;
    secret?: boolean;
}

/** A value as the CLI holds it (config.Value): its text, and whether it is encrypted or an object. */
interface CliValue {
    wire: string;
    secure: boolean;
    object: boolean;
    /** The value as written, for messages. */
    raw: unknown;
}

/** A key the program takes only as a secret, and optionally (kind `secret` in stacks/config.ts). */
function isOptionalSecret(key: string): boolean {
    const [namespace, field] = key.split(":");
    return namespace === CONFIG_NAMESPACE && (CONFIG_KEYS as Record<string, ConfigKind>)[field] === "secret";
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** A map with the single key "secure" holding a string: an encrypted value. */
const isSecure = (v: unknown): boolean => isMap(v) && Object.keys(v).length === 1 && typeof v.secure === "string";

function readYaml(dir: string, file: string): Record<string, unknown> {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    let doc: unknown;
    try {
        // The core schema, as the CLI's YAML 1.2 parser: no timestamps or merge keys.
        doc = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
    } catch (e) {
        if (e instanceof yaml.YAMLException) {
            throw new Error(`${file}: ${e.reason} (line ${e.mark.line + 1}, column ${e.mark.column + 1})`);
        }
        throw e;
    }
    if (doc === undefined || doc === null) {
        return {};
    }
    if (!isMap(doc)) {
        throw new Error(`${file}: must be a mapping (name, runtime, config, …)`);
    }
    if (doc.config !== undefined && doc.config !== null && !isMap(doc.config)) {
        throw new Error(`${file}: config must be a mapping of keys to values`);
    }
    return doc;
}

/** A config key as config.ParseKey reads it; a key without a namespace gets the project's. */
function parseKey(raw: string, file: string): string {
    const parts = raw.split(":");
    if (parts.length === 1) {
        return `${PROJECT}:${raw}`;
    }
    if (parts.length === 2) {
        return raw;
    }
    if (parts.length === 3 && parts[1] === "config") {
        return `${parts[0]}:${parts[2]}`;
    }
    throw new Error(`${file}: could not parse ${raw} as a configuration key (configuration keys should be of the form <namespace>:<name>)`);
}

/** A number as Go's encoding/json writes a float64 (exponents with at least two digits). */
function goNumber(n: number): string {
    return String(n).replace(/e([+-])(\d)$/, "e$10$2");
}

/** A number as Go's strconv.Atoi reads it: optional sign, decimal digits, within int64. */
function atoi(text: string): boolean {
    return /^[+-]?\d+$/.test(text) && BigInt(text) >= -(2n ** 63n) && BigInt(text) < 2n ** 63n;
}

/** Encrypted values inside a list or map, replaced offline by the placeholder. */
function withPlaceholders(v: unknown): unknown {
    if (isSecure(v)) {
        return PLACEHOLDER_SECRET;
    }
    if (Array.isArray(v)) {
        return v.map(withPlaceholders);
    }
    if (isMap(v)) {
        return Object.fromEntries(Object.entries(v).map(([key, child]) => [key, withPlaceholders(child)]));
    }
    return v;
}

const holdsSecure = (v: unknown): boolean =>
    isSecure(v) || (Array.isArray(v) ? v.some(holdsSecure) : isMap(v) ? Object.values(v).some(holdsSecure) : false);

/** A stack-file value as the CLI holds it (unmarshalObject + MarshalString). */
function stackValue(raw: unknown): CliValue {
    if (isSecure(raw)) {
        return { wire: PLACEHOLDER_SECRET, secure: true, object: false, raw };
    }
    switch (typeof raw) {
        case "string":
            return { wire: raw, secure: false, object: false, raw };
        case "boolean":
            return { wire: String(raw), secure: false, object: false, raw };
        case "number":
            return { wire: goNumber(raw), secure: false, object: false, raw };
    }
    // Lists, maps and null (an empty value) are objects, held as JSON.
    return { wire: JSON.stringify(withPlaceholders(raw ?? null)), secure: holdsSecure(raw), object: true, raw };
}

/** A Pulumi.yaml `value`/`default` as the CLI merges it into the stack (createConfigValue). */
function defaultValue(raw: unknown): CliValue {
    if (typeof raw === "string" || typeof raw === "boolean" || (typeof raw === "number" && Number.isInteger(raw))) {
        return { wire: String(raw), secure: false, object: false, raw };
    }
    return { wire: typeof raw === "number" ? goNumber(raw) : JSON.stringify(raw), secure: false, object: true, raw };
}

/** workspace.ValidateConfigValue: whether `value` (text, or an object's JSON value) is of the type. */
function validateConfigValue(type: string, items: ItemsType | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && atoi(value));
        case "boolean":
            return value === "true" || value === "false" || typeof value === "boolean";
        case "object":
            return isMap(value);
    }
    return Array.isArray(value) && items !== undefined && value.every((item) => validateConfigValue(items.type, items.items, item));
}

/** workspace.InferFullTypeName, e.g. array<string>. */
function typeName(type: string, items: ItemsType | undefined): string {
    return items ? `array<${typeName(items.type, items.items)}>` : type;
}

const show = (raw: unknown) => (isSecure(raw) ? "(encrypted)" : JSON.stringify(raw ?? null));

/** Pulumi.yaml's declarations (Project.Validate), by full key; shorthand values become `default`/`value` as the CLI rewrites them. */
function readDeclarations(project: Record<string, unknown>): Map<string, ConfigDeclaration> {
    const declarations = new Map<string, ConfigDeclaration>();
    for (const [rawKey, decl] of Object.entries((project.config ?? {}) as Record<string, unknown>)) {
        const key = parseKey(rawKey, "Pulumi.yaml");
        const ours = key.startsWith(`${PROJECT}:`);
        const d: ConfigDeclaration =
            isMap(decl) && !isSecure(decl) ? (decl as ConfigDeclaration) : ours ? { default: decl } : { value: decl };
        if (d.default !== undefined && d.value !== undefined) {
            throw new Error(`Pulumi.yaml: project config '${rawKey}' cannot have both a 'default' and 'value' attribute`);
        }
        if (ours && d.type === "array" && !d.items) {
            throw new Error(`Pulumi.yaml: ${key} declares an array but does not specify the underlying type via the 'items' attribute`);
        }
        if (ours && d.type && d.default !== undefined && !validateConfigValue(d.type, d.items, d.default)) {
            throw new Error(
                `Pulumi.yaml: the default of ${key} = ${show(d.default)} is not of its declared type '${typeName(d.type, d.items)}'`,
            );
        }
        if (!ours && (d.type || d.default !== undefined || d.value === undefined)) {
            throw new Error(`Pulumi.yaml: ${key} is not namespaced by the project: it may only have a 'value'`);
        }
        declarations.set(key, d);
    }
    return declarations;
}

/** The entries in Go's sort.Strings order, as the CLI visits the declared keys. */
const sortedByKey = <T>(m: Map<string, T>): [string, T][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The config map the CLI would hand the program for `stack`: the stack file over Pulumi.yaml's
 * defaults, with the CLI's checks (see above); what the CLI refuses is refused here with the file,
 * key, value and declared type. Encrypted values get PLACEHOLDER_SECRET and count as secrets;
 * `options.config` then replaces values (and unsets keys given undefined).
 */
export function loadStackConfig(stack: string, options: RunOptions = {}): StackConfig {
    const dir = options.projectDir ?? ROOT;
    const declarations = readDeclarations(readYaml(dir, "Pulumi.yaml"));
    const stacksDir = options.stacksDir ?? dir;
    const stackFile = `Pulumi.${stack}.yaml`;
    if (!fs.existsSync(path.join(stacksDir, stackFile))) {
        throw new Error(`no stack file ${stackFile}: known stacks are ${knownStacks(stacksDir).join(", ")}`);
    }
    const values = new Map<string, CliValue>();
    const unsetSecrets: string[] = [];
    for (const [rawKey, raw] of Object.entries((readYaml(stacksDir, stackFile).config ?? {}) as Record<string, unknown>)) {
        const key = parseKey(rawKey, stackFile);
        if (isSecure(raw) && isOptionalSecret(key) && (options.encryptedSecrets ?? "unset") === "unset") {
            unsetSecrets.push(key);
            continue;
        }
        values.set(key, stackValue(raw));
    }
    const fromStack = new Set(values.keys());

    const missing: string[] = [];
    for (const [key, d] of sortedByKey(declarations)) {
        if (values.has(key) || unsetSecrets.includes(key)) {
            continue;
        }
        const raw = d.default ?? d.value;
        if (raw === undefined) {
            if (key.startsWith(`${PROJECT}:`)) {
                missing.push(key);
            }
            continue;
        }
        values.set(key, defaultValue(raw));
    }
    if (missing.length > 0) {
        throw new Error(
            `${stackFile}: no value for ${missing.join(", ")}, which Pulumi.yaml declares without a default; the Pulumi CLI refuses such a stack ("Stack '${stack}' is missing configuration ${missing.length > 1 ? "values" : "value"}")`,
        );
    }

    for (const [key, d] of sortedByKey(declarations)) {
        const v = values.get(key)!;
        const where = fromStack.has(key) ? stackFile : "Pulumi.yaml";
        if (!d.type || v === undefined) {
            continue;
        }
        if (d.secret && !v.secure) {
            throw new Error(
                `${where}: ${key} must be encrypted, as Pulumi.yaml declares it secret: pulumi config set --secret ${key.slice(PROJECT.length + 1)} <value>`,
            );
        }
        if (v.secure && !v.object) {
            continue; // the CLI checks the decrypted value; offline there is none
        }
        const content = v.object ? JSON.parse(v.wire) : v.wire;
        if (!validateConfigValue(d.type, d.items, content)) {
            throw new Error(
                `${where}: ${key} = ${show(v.raw)} is not of the type '${typeName(d.type, d.items)}' that Pulumi.yaml declares (the Pulumi CLI refuses it)`,
            );
        }
    }

    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [key, v] of values) {
        config[key] = v.wire;
        if (v.secure) {
            secretKeys.add(key);
        }
    }
    const overridden = new Set<string>();
    for (const [rawKey, value] of Object.entries(options.config ?? {})) {
        const key = parseKey(rawKey, "RunOptions.config");
        overridden.add(key);
        secretKeys.delete(key);
        if (value === undefined) {
            delete config[key];
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    for (const key of options.secretKeys ?? []) {
        secretKeys.add(parseKey(key, "RunOptions.secretKeys"));
    }
    const placeholderSecrets = [...values]
        .filter(([key, v]) => v.secure && !overridden.has(key))
        .map(([key]) => key)
        .sort();
    return {
        config,
        secretKeys: [...secretKeys].sort(),
        placeholderSecrets,
        unsetSecrets: unsetSecrets.filter((k) => !overridden.has(k)).sort(),
    };
}

export function knownStacks(dir = ROOT): string[] {
    return fs
        .readdirSync(dir)
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
            // awsx hands its NAT gateways back as resources; offline, objects with their id.
            const strategy = inputs.natGateways?.strategy ?? "OnePerAz";
            const nats = strategy === "None" ? 0 : strategy === "Single" ? 1 : azs.length;
            return {
                ...inputs,
                vpcId: MOCK_VPC_ID,
                publicSubnetIds: ids("a"),
                privateSubnetIds: ids("b"),
                isolatedSubnetIds: ids("c"),
                natGateways: Array.from({ length: nats }, (_, i) => ({ id: `nat-0${i}${"0".repeat(15)}` })),
                routeTables: awsxRouteTables(name, inputs),
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
        case "aws:lb/listener:Listener":
            return {
                ...base,
                arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/${name}/0123456789abcdef/fedcba9876543210`,
            };
        case "aws:rds/clusterInstance:ClusterInstance":
            // Autonamed: the logical name (AWS would add a suffix).
            return { ...base, identifier: inputs.identifier ?? name };
        case "aws:sns/topic:Topic":
            return { ...base, arn: `arn:aws:sns:${inputs.region ?? REGION}:${ACCOUNT}:${inputs.name ?? name}` };
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
        case "aws:cloudwatch/logGroup:LogGroup": {
            // With namePrefix, the provider appends a 26-character unique suffix (Terraform's PrefixedUniqueId).
            const groupName = inputs.name ?? (inputs.namePrefix ? `${inputs.namePrefix}20250101000000000000000001` : name);
            const region = inputs.region ?? REGION;
            return { ...base, arn: `arn:aws:logs:${region}:${ACCOUNT}:log-group:${groupName}`, name: groupName };
        }
        case "aws:route53/record:Record":
            return { ...base, fqdn: inputs.name };
        case "aws:elasticache/serverlessCache:ServerlessCache":
            // One read-write endpoint on 6379 and the reader endpoint on 6380, on the same host name.
            return {
                ...base,
                arn: `arn:aws:elasticache:${REGION}:${ACCOUNT}:serverlesscache:${inputs.name}`,
                endpoints: [{ address: `${inputs.name}-abc123.serverless.use1.cache.amazonaws.com`, port: 6379 }],
                readerEndpoints: [{ address: `${inputs.name}-abc123.serverless.use1.cache.amazonaws.com`, port: 6380 }],
            };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...base, latestVersion: 1 };
        case "aws:ec2/eip:Eip":
            return { ...base, allocationId: `eipalloc-${name}`, publicIp: "203.0.113.10" };
        case "aws:wafv2/webAcl:WebAcl":
            return { ...base, arn: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/${name}/0123` };
        case "aws:iam/accessKey:AccessKey":
            // Its id is the access key id (see mockId); the secret exists only at creation, in state.
            return { ...base, secret: `mock-secret-access-key-of-${name}`, status: inputs.status ?? "Active" };
        case "aws:iam/user:User":
            return { ...base, arn: `arn:aws:iam::${ACCOUNT}:user${inputs.path ?? "/"}${name}` };
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

/** A resource's id: `<name>-id`, or what AWS's ids look like where the program reads them. */
function mockId(type: string, name: string): string {
    if (type === "aws:iam/accessKey:AccessKey") {
        return `AKIA${createHash("sha256").update(name).digest("hex").slice(0, 16).toUpperCase()}`;
    }
    return `${name}-id`;
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
            // The first digit of a mock subnet id is its zone's index; 9 marks a subnet of another VPC,
            // and an id ending in the last four characters of one of the Bedrock test VPCs is in that VPC.
            const digit = Number(/\d/.exec(inputs.id ?? "")?.[0] ?? 0);
            const zone = digit % MOCK_ZONES.names.length;
            const bedrockVpc = BEDROCK_TEST_VPCS.find((vpc) => String(inputs.id ?? "").endsWith(vpc.slice(-4)));
            return {
                ...inputs,
                availabilityZone: MOCK_ZONES.names[zone],
                availabilityZoneId: MOCK_ZONES.zoneIds[zone],
                vpcId: bedrockVpc ?? (digit === 9 ? "vpc-0999999999999999f" : MOCK_VPC_ID),
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
        case "aws:index/getRegions:getRegions":
            return { names: MOCK_REGIONS, id: "aws" };
        case "aws:ec2/getVpc:getVpc":
            return {
                ...inputs,
                enableDnsSupport: true,
                enableDnsHostnames: inputs.id !== MOCK_VPC_WITHOUT_DNS_HOSTNAMES,
                cidrBlock: "10.0.0.0/16",
            };
        case "aws:ec2/getVpcEndpoint:getVpcEndpoint": {
            // Like terraform-provider-aws's singular data source: an error unless exactly one matches.
            const tagFilter = (inputs.filters ?? []).find((f: any) => String(f.name).startsWith("tag:"));
            if (inputs.vpcId === MOCK_VPC_WITH_BEDROCK_ENDPOINT && !tagFilter) {
                return { ...inputs, id: "vpce-0123456789abcdef0", privateDnsEnabled: true, tags: {} };
            }
            if (inputs.vpcId === MOCK_VPC_WITH_DEV_BEDROCK_ENDPOINT) {
                if (!tagFilter) {
                    throw invokeError(
                        token,
                        "multiple EC2 VPC Endpoints matched; use additional constraints to reduce matches to a single EC2 VPC Endpoint",
                    );
                }
                if (tagFilter.values?.[0] === DEV_BEDROCK_ENDPOINT_TAG) {
                    return {
                        ...inputs,
                        id: "vpce-0000000000000d0e0",
                        privateDnsEnabled: true,
                        tags: { "onehub:bedrock-endpoint": DEV_BEDROCK_ENDPOINT_TAG },
                    };
                }
            }
            throw invokeError(token, "no matching EC2 VPC Endpoint found");
        }
        case "aws:ec2/getAmi:getAmi": {
            // By id (MOCK_X86_AMI is x86_64, any other id arm64), or the newest fck-nat release.
            const byId = inputs.filters?.find((f: any) => f.name === "image-id")?.values?.[0];
            const id = byId ?? MOCK_FCK_NAT_AMI;
            const architecture = id === MOCK_X86_AMI ? "x86_64" : "arm64";
            return { ...inputs, id, imageId: id, architecture, name: byId ? `image ${id}` : "fck-nat-al2023-hvm-1.4.0-20260801-arm64-ebs" };
        }
        default:
            return inputs;
    }
}

/**
 * A failed invoke as the engine reports it: the SDK rejects with `err.details`, which holds the
 * provider's reason on a line after the engine's own.
 */
function invokeError(token: string, reason: string): Error {
    const details = `invocation of ${token} returned an error: invoking ${token}: 1 error occurred:\n\t* ${reason}\n\n`;
    return Object.assign(new Error(details), { details });
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
    const { config, secretKeys, placeholderSecrets } = loadStackConfig(stack, options);
    const resources: RegisteredResource[] = [];
    lastRun = resources;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: mockId(args.type, args.name), state: mockOutputs(args.type, args.name, args.inputs) }),
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
        return { ...(await Promise.race([rejected, execute(stack, resources, program)])), placeholderSecrets };
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
        if (req.getType() === "awsx:ec2:Vpc") {
            awsxVpcUrns.set(req.getName(), monitor.newUrn(req.getParent(), req.getType(), req.getName()));
        }
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
                    // Aliases the program gave as URNs (the SDK's own type aliases are specs, left out).
                    aliases: req
                        .getAliasesList()
                        .map((a: any) => a.getUrn())
                        .filter((a: string) => a !== ""),
                });
            }
            callback(err, resp);
        });
    };
}

/** The URN of each awsx Vpc registered in the current run, by name (its children's URNs hang off it). */
const awsxVpcUrns = new Map<string, string>();

/**
 * The route tables awsx creates inside a Vpc, as the remote component returns them: resource
 * references, each known to the mock monitor (so the program can read its id and tags) under the
 * URN awsx gives it (awsx:ec2:Vpc → aws:ec2/vpc:Vpc → aws:ec2/subnet:Subnet → aws:ec2/routeTable:RouteTable).
 */
function awsxRouteTables(vpcName: string, inputs: Record<string, any>): unknown[] {
    const monitor = pulumi.runtime.getMonitor() as unknown as { resources: Map<string, unknown> };
    const vpcUrn = awsxVpcUrns.get(vpcName) ?? `urn:pulumi:${pulumi.getStack()}::${PROJECT}::awsx:ec2:Vpc::${vpcName}`;
    const innerVpc = childUrn(vpcUrn, "aws:ec2/vpc:Vpc", vpcName);
    return deriveVpcChildren({ name: vpcName, inputs })
        .filter((child) => child.type === "aws:ec2/routeTable:RouteTable")
        .map((table) => {
            const subnetType = /-(public|private|isolated)-\d+$/.exec(table.name)![1];
            const urn = childUrn(childUrn(innerVpc, "aws:ec2/subnet:Subnet", table.name), table.type, table.name);
            const id = `rtb-${table.name}`;
            const tags = { Name: table.name, SubnetType: subnetType[0].toUpperCase() + subnetType.slice(1) };
            monitor.resources.set(urn, { urn, id, state: { id, vpcId: MOCK_VPC_ID, tags } });
            return { [SECRET_SIG]: RESOURCE_SIG, urn, id };
        });
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
