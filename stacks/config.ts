// Reads every `onehub:` config key into the OneHub component's arguments (field = key) and
// validates them before anything is registered. Defaults and descriptions live only in
// Pulumi.yaml, which the CLI merges in, so a missing key means Pulumi.yaml lost it: that is an
// error too. Every error here is an InvalidArgumentError (a pulumi.RunError), so `pulumi up`
// prints its one line without a stack trace.
import * as pulumi from "@pulumi/pulumi";
import { OneHubArgs, validateOneHubArgs } from "../components/oneHub";
import { fail } from "../components/common/validation";
import { STACK_TAG } from "../components/monitoring/monitoringSettings";

export const CONFIG_NAMESPACE = "onehub";
const k = (key: string) => `${CONFIG_NAMESPACE}:${key}`;

/**
 * How the program reads a key's wire string. The CLI hands every value over as text, lists as
 * JSON, after its own type check against Pulumi.yaml (pulumi/pulumi pkg/workspace/config.go
 * validateStackConfigValue → sdk/go/common/workspace/project.go ValidateConfigValue; what it
 * accepts and the text it passes are listed in tools/offlineStack.ts, which imitates it). The
 * kinds read that text:
 * - `string`: as is;
 * - `integer`: a whole number, in the syntax the CLI's type check accepts (Go's strconv.Atoi:
 *   optional sign, decimal digits, e.g. "5", "+5", "05");
 * - `number`: a decimal number such as "0.5" or "4" (Pulumi.yaml declares it a string: project
 *   config has no decimal type);
 * - `boolean`: "true" or "false";
 * - `stringList`: a JSON list of strings;
 * - `secret`: an optional string that must have been set with `pulumi config set --secret`.
 */
export type ConfigKind = "string" | "integer" | "number" | "boolean" | "stringList" | "secret";

/**
 * Every `onehub:` key the program reads, with its kind: the one list of known keys. Pulumi.yaml
 * declares exactly these keys with the matching type (test/config.spec.ts checks it) and holds
 * their defaults and descriptions.
 */
export const CONFIG_KEYS = {
    // network
    azCount: "integer",
    natStrategy: "string",
    vpcCidr: "string",
    existingVpcId: "string",
    existingPrivateSubnetIds: "stringList",
    existingDatabaseSubnetIds: "stringList",
    // database
    dbEngineVersion: "string",
    dbMinCapacity: "number",
    dbMaxCapacity: "number",
    dbRebootedMaxCapacity: "number",
    dbSecondsUntilAutoPause: "integer",
    dbReaderCount: "integer",
    dbBackupRetentionDays: "integer",
    dbDeletionProtection: "boolean",
    dbFinalSnapshot: "boolean",
    dbEnableDataApi: "boolean",
    dbPassword: "secret",
    // edge
    albIdleTimeout: "integer",
    albAccessLogsBucket: "string",
    albCertificateArn: "string",
    albOriginDomainName: "string",
    originReadTimeout: "integer",
    originKeepaliveTimeout: "integer",
    priceClass: "string",
    customDomain: "string",
    certificateArn: "string",
    hostedZoneId: "string",
    wafEnabled: "boolean",
    wafRateLimit: "integer",
    wafLoginRateLimit: "integer",
    // services
    imageRepository: "string",
    imageTag: "string",
    masterCount: "integer",
    masterCpu: "integer",
    masterMemory: "integer",
    slaveCpu: "integer",
    slaveMemory: "integer",
    slaveMinCount: "integer",
    slaveMaxCount: "integer",
    slaveCpuTarget: "integer",
    slaveRequestsPerTarget: "integer",
    slaveFargateBase: "integer",
    slaveFargateWeight: "integer",
    slaveSpotWeight: "integer",
    syncFrequency: "integer",
    channelTestFrequency: "integer",
    logRetentionDays: "integer",
    deregistrationDelay: "integer",
    extraRelayPaths: "stringList",
    existingClusterName: "string",
    ensureEcsServiceLinkedRole: "boolean",
    createEcsServiceLinkedRole: "boolean",
    sessionSecret: "secret",
    userTokenSecret: "secret",
    hashidsSalt: "secret",
    // monitoring
    monitoringEnabled: "boolean",
    alarmEmails: "stringList",
    monthlyBudgetUsd: "integer",
    budgetScopedToStack: "boolean",
    costAnomalyMonitorArn: "string",
    cloudfrontAdditionalMetrics: "boolean",
    slaveRollbackAlarms: "boolean",
    // Amazon Bedrock
    bedrockAccess: "string",
    bedrockRegions: "stringList",
    bedrockModelArns: "stringList",
    bedrockAccessKeySlots: "stringList",
    bedrockVpcEndpoint: "boolean",
    // scale: shared Redis, health checks vs the shared limiter, Spot, notifications
    redisMode: "string",
    redisSecretArn: "string",
    redisSecurityGroupId: "string",
    redisMaxDataStorageGb: "integer",
    redisMaxEcpuPerSecond: "integer",
    globalApiRateLimit: "integer",
    slaveShutdownGraceSeconds: "integer",
    notifySettings: "stringList",
    notifySecrets: "secret",
    // cost (issue 14)
    natInstanceType: "string",
    natInstanceAmiId: "string",
    containerInsights: "string",
    cpuArchitecture: "string",
    sqlMaxIdleConns: "integer",
    sqlMaxLifetime: "integer",
    // security
    rootPasswordBootstrap: "boolean",
    ecsExec: "boolean",
    ecsExecKmsKeyArn: "string",
    imageDigest: "string",
    allowCustomImageRepository: "boolean",
    // edge security
    wafLogging: "boolean",
} as const satisfies { [F in keyof OneHubArgs]?: ConfigKind };

export type ConfigField = keyof typeof CONFIG_KEYS;

/**
 * The declaration Pulumi.yaml gives each kind. A `secret` key is an optional string with the
 * default "" and without `secret: true`: the CLI demands a value in every stack for any project
 * key that has no default ("Stack 'dev' is missing configuration value …") and refuses a plain
 * default of a `secret: true` key ("… must be encrypted as it's secret"), so Pulumi.yaml cannot
 * declare an optional secret; the program refuses it in plain text instead.
 */
export const PULUMI_YAML_DECLARATION: Record<ConfigKind, { type: string; items?: { type: string }; default?: unknown }> = {
    string: { type: "string" },
    integer: { type: "integer" },
    number: { type: "string" },
    boolean: { type: "boolean" },
    stringList: { type: "array", items: { type: "string" } },
    secret: { type: "string", default: "" },
};

type ValueOf<K extends ConfigKind> = K extends "integer" | "number"
    ? number
    : K extends "boolean"
      ? boolean
      : K extends "stringList"
        ? string[]
        : K extends "secret"
          ? string | undefined
          : string;

/** The config as read, before validation: one field per key, typed by its kind. */
export type ConfigArgs = { -readonly [F in ConfigField]: ValueOf<(typeof CONFIG_KEYS)[F]> };

// Compile-time check that what the table reads fits OneHub's arguments field by field.
const fitsOneHubArgs = (args: ConfigArgs): OneHubArgs => args;
void fitsOneHubArgs;

const READERS: { [K in Exclude<ConfigKind, "secret">]: (key: string, v: string) => ValueOf<K> } = {
    string: (_key, v) => v,
    integer: (key, v) => {
        const n = Number(v);
        if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(n)) {
            fail(key, v, "must be a whole number");
        }
        return n;
    },
    number: (key, v) => {
        const n = Number(v);
        if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v) || !Number.isFinite(n)) {
            fail(key, v, "must be a number such as 0.5 or 4");
        }
        return n;
    },
    boolean: (key, v) => {
        if (v !== "true" && v !== "false") {
            fail(key, v, "must be true or false");
        }
        return v === "true";
    },
    stringList: (key, v) => {
        let parsed: unknown;
        try {
            parsed = JSON.parse(v);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((e) => typeof e === "string")) {
            fail(key, v, "must be a list of strings");
        }
        return parsed as string[];
    },
};

/** Damerau–Levenshtein distance (optimal string alignment), ignoring case. */
function editDistance(a: string, b: string): number {
    a = a.toLowerCase();
    b = b.toLowerCase();
    const d = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
    );
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.length][b.length];
}

/**
 * The known key closest to `name` (without namespace), or undefined when none is close enough to
 * be a likely typo: at most one edit per four characters of `name`, and at most 3.
 */
export function closestConfigKey(name: string): ConfigField | undefined {
    const limit = Math.min(3, Math.max(1, Math.ceil(name.length / 4)));
    let best: { field: ConfigField; distance: number } | undefined;
    for (const field of Object.keys(CONFIG_KEYS) as ConfigField[]) {
        const distance = editDistance(name, field);
        if (distance <= limit && (best === undefined || distance < best.distance)) {
            best = { field, distance };
        }
    }
    return best?.field;
}

const isKnown = (field: string): field is ConfigField => Object.prototype.hasOwnProperty.call(CONFIG_KEYS, field);

/**
 * Refuses what the CLI passes but the program must not take, before any value is read: an
 * `onehub:` key the program does not know (with the closest known key, if one is close), and a
 * key that is not a secret given as one (never silently unwrapped). Keys of other namespaces
 * (`aws:region`, …) are not ours to judge. `config` is the full map the CLI passed
 * (`pulumi.runtime.allConfig()`), `isSecret` tells which keys it passed as secrets.
 */
export function checkConfigKeys(config: Record<string, string>, isSecret: (fullKey: string) => boolean): void {
    for (const [fullKey, value] of Object.entries(config)) {
        if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) {
            continue;
        }
        const field = fullKey.slice(CONFIG_NAMESPACE.length + 1);
        const shown = isSecret(fullKey) ? "(secret)" : value;
        if (!isKnown(field)) {
            const closest = closestConfigKey(field);
            fail(
                fullKey,
                shown,
                closest
                    ? `unknown key; did you mean ${k(closest)}?`
                    : "unknown key; the known keys are declared in Pulumi.yaml's config block",
            );
        }
        if (CONFIG_KEYS[field] !== "secret" && isSecret(fullKey)) {
            fail(
                fullKey,
                shown,
                `is not a secret, so it is never read from a secret: set it in plain text with \`pulumi config set ${field} <value>\` (or drop "secure:" from the stack file)`,
            );
        }
    }
}

/**
 * Reads every known key from `config` (the CLI's wire strings) by its kind, after
 * `checkConfigKeys`. A missing key, a value of the wrong shape and a secret-only key in plain
 * text are refused; an unset or "" secret is undefined.
 */
export function readConfig(config: Record<string, string>, isSecret: (fullKey: string) => boolean): ConfigArgs {
    checkConfigKeys(config, isSecret);
    const args: Partial<Record<ConfigField, unknown>> = {};
    for (const [field, kind] of Object.entries(CONFIG_KEYS) as [ConfigField, ConfigKind][]) {
        const key = k(field);
        const v = config[key];
        if (kind === "secret") {
            if (v !== undefined && v !== "" && !isSecret(key)) {
                fail(key, "(plain text)", `must be stored encrypted: pulumi config set --secret ${field} <value>`);
            }
            args[field] = v === "" ? undefined : v;
            continue;
        }
        if (v === undefined) {
            fail(key, v, "is required; its default belongs in Pulumi.yaml's config block");
        }
        args[field] = READERS[kind](key, v);
    }
    return args as ConfigArgs;
}

// The SDK knows which keys the CLI passed as secrets but does not export the check in its typings.
function isConfigSecret(fullKey: string): boolean {
    return (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret(fullKey);
}

/** The tags every resource of a stack carries: `onehub:stack = <project>-<stack>`, what a budget can be scoped by. */
export function stackTags(project: string, stack: string): Record<string, string> {
    return { [STACK_TAG]: `${project}-${stack}` };
}

/**
 * The stack's config as OneHub's arguments, validated, with the stack's tags. Secrets come back as
 * secret Outputs.
/**
 * The stack's config as OneHub's arguments, validated. Secrets come back as secret Outputs, except
 * notifySecrets: its NOTIFY_* names become task-definition entries, so OneHub needs the text; the
 * value itself only goes into a Secrets Manager secret version, which OneHubSecrets marks secret.
 */
export function loadConfig(): OneHubArgs {
    const args: OneHubArgs = {
        ...readConfig(pulumi.runtime.allConfig(), isConfigSecret),
        tags: stackTags(pulumi.getProject(), pulumi.getStack()),
    };
    // Plain values are validated here, so errors name the config key; secrets are wrapped after.
    validateOneHubArgs(args, `${CONFIG_NAMESPACE}:`);
    const secret = (v: pulumi.Input<string> | undefined) => (v === undefined ? undefined : pulumi.secret(v));
    return {
        ...args,
        dbPassword: secret(args.dbPassword),
        sessionSecret: secret(args.sessionSecret),
        userTokenSecret: secret(args.userTokenSecret),
        hashidsSalt: secret(args.hashidsSalt),
    };
}
