import * as assert from "assert";
import { OneHubDatabase } from "../components/database/oneHubDatabase";
import { OneHubNetwork } from "../components/network/oneHubNetwork";
import { OneHubMasterService } from "../components/services/oneHubMasterService";
import { OneHubSlaveService } from "../components/services/oneHubSlaveService";
import { PrivateEdge } from "../components/edge/privateEdge";

import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { checkPassword } from "../components/database/aurora";
import { checkHashidsSalt, checkSuppliedSecret } from "../components/secrets/oneHubSecrets";
import { closestConfigKey, CONFIG_KEYS, PULUMI_YAML_DECLARATION } from "../stacks/config";
import { lastRun, loadStackConfig, PLACEHOLDER_SECRET, ROOT, RunOptions, StackProgram } from "../tools/offlineStack";
import { planReport } from "../tools/plan";
import { readStackConfig } from "../tools/preflight";
import { expectConfigError, fixtureRun, FIXTURES, ofType, one, projectCopy, serviceArgs } from "./util";

const PASSWORD = "random:index/randomPassword:RandomPassword";
/** A value every secret key would accept, were it a secret. */
const PLAIN_SECRET = "Existing-Pass_123";
const CLUSTER = "aws:rds/cluster:Cluster";

/** A temporary project whose dev stack file is `devConfig` (YAML lines under `config:`). */
function devStack(devConfig: string): string {
    return projectCopy({ "Pulumi.dev.yaml": `config:\n${devConfig}\n` });
}

/** Runs `fn` with a temporary project, then removes it. */
function withProject<T>(dir: string, fn: (dir: string) => T): T {
    try {
        return fn(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function withProjectAsync<T>(dir: string, fn: (dir: string) => Promise<T>): Promise<T> {
    try {
        return await fn(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The wire string the CLI would pass for `onehub:<key>` set to the YAML `value` in Pulumi.dev.yaml. */
function wireOf(key: string, value: string): string | undefined {
    return withProject(devStack(`  onehub:${key}: ${value}`), (dir) => loadStackConfig("dev", { projectDir: dir }).config[`onehub:${key}`]);
}

/** The error loadStackConfig gives for `onehub:<key>: <value>` in Pulumi.dev.yaml. */
function loadError(devConfig: string): string {
    return withProject(devStack(devConfig), (dir) => {
        try {
            loadStackConfig("dev", { projectDir: dir });
        } catch (e) {
            return (e as Error).message;
        }
        assert.fail(`expected ${devConfig} to be refused`);
    });
}

describe("config loading (as the Pulumi CLI does it)", () => {
    it("starts from Pulumi.yaml's defaults", () => {
        const { config } = loadStackConfig("dev", { stacksDir: FIXTURES });
        assert.strictEqual(config["onehub:azCount"], "2");
        assert.strictEqual(config["onehub:dbMinCapacity"], "0");
        assert.strictEqual(config["aws:region"], "us-east-1");
        assert.strictEqual(config["onehub:existingPrivateSubnetIds"], "[]");
    });

    it("lets the stack file override a default", () => {
        assert.strictEqual(loadStackConfig("prod", { stacksDir: FIXTURES }).config["onehub:azCount"], "3");
        assert.strictEqual(loadStackConfig("prod", { stacksDir: FIXTURES }).config["onehub:dbMaxCapacity"], "64");
    });

    it("refuses an unknown stack", () => {
        assert.throws(
            () => loadStackConfig("staging", { stacksDir: FIXTURES }),
            /no stack file Pulumi\.staging\.yaml: known stacks are dev, prod/,
        );
    });

    it("passes a YAML value as the text the CLI hands the program", () => {
        assert.strictEqual(wireOf("azCount", "3"), "3");
        assert.strictEqual(wireOf("wafEnabled", "TRUE"), "true");
        assert.strictEqual(wireOf("dbMaxCapacity", "0.5"), "0.5");
        assert.strictEqual(wireOf("dbMaxCapacity", "8.0"), "8");
        assert.strictEqual(wireOf("extraRelayPaths", "[/x/*, /y/*]"), '["/x/*","/y/*"]');
    });

    it('accepts what the CLI\'s type check accepts: digits in a string for an integer, "true" for a boolean, a number for a string', () => {
        assert.strictEqual(wireOf("azCount", '"3"'), "3");
        assert.strictEqual(wireOf("azCount", '"+3"'), "+3");
        assert.strictEqual(wireOf("wafEnabled", '"true"'), "true");
        assert.strictEqual(wireOf("vpcCidr", "8"), "8");
        assert.strictEqual(wireOf("imageTag", "true"), "true");
    });

    const refused: [string, string, RegExp][] = [
        ["a word for an integer", "onehub:azCount: five", /onehub:azCount = "five" is not of the type 'integer'/],
        ["a fraction for an integer", "onehub:azCount: 2.5", /onehub:azCount = 2\.5 is not of the type 'integer'/],
        ["a padded integer", 'onehub:azCount: " 2"', /onehub:azCount = " 2" is not of the type 'integer'/],
        [
            '"True" for a boolean (YAML\'s True is fine, the string is not)',
            'onehub:wafEnabled: "True"',
            /onehub:wafEnabled = "True" is not of the type 'boolean'/,
        ],
        ["yes for a boolean", "onehub:wafEnabled: yes", /onehub:wafEnabled = "yes" is not of the type 'boolean'/],
        ["a list for a string", "onehub:imageTag: [v1]", /onehub:imageTag = \["v1"\] is not of the type 'string'/],
        ["a string for a list", "onehub:extraRelayPaths: /x/*", /onehub:extraRelayPaths = "\/x\/\*" is not of the type 'array<string>'/],
        [
            "numbers in a list of strings",
            "onehub:extraRelayPaths: [1, 2]",
            /onehub:extraRelayPaths = \[1,2\] is not of the type 'array<string>'/,
        ],
        ["an empty value", "onehub:azCount:", /onehub:azCount = null is not of the type 'integer'/],
    ];
    for (const [what, line, message] of refused) {
        it(`refuses ${what}, naming the file, key, value and declared type, as the CLI does`, () => {
            const error = loadError(`  ${line}`);
            assert.match(error, /^Pulumi\.dev\.yaml: /);
            assert.match(error, message);
            assert.match(error, /that Pulumi\.yaml declares/);
        });
    }

    it("gives a stack-file key without a namespace the project's, and reads the old ns:config:name form", () => {
        assert.strictEqual(wireOf("azCount", "4"), "4");
        withProject(devStack("  azCount: 4\n  onehub:config:slaveMaxCount: 7"), (dir) => {
            const { config } = loadStackConfig("dev", { projectDir: dir });
            assert.strictEqual(config["onehub:azCount"], "4");
            assert.strictEqual(config["onehub:slaveMaxCount"], "7");
        });
    });

    it("passes keys Pulumi.yaml does not declare on to the program, which judges them", () => {
        withProject(devStack("  onehub:slaveMaxCnt: 5\n  aws:profile: work"), (dir) => {
            const { config } = loadStackConfig("dev", { projectDir: dir });
            assert.strictEqual(config["onehub:slaveMaxCnt"], "5");
            assert.strictEqual(config["aws:profile"], "work");
        });
    });

    it("refuses a stack that does not set a key Pulumi.yaml declares without a default, as the CLI does", () => {
        const dir = projectCopy({ "Pulumi.yaml": (text) => text.replace(/(  onehub:vpcCidr:\n(?:    .*\n)*?)    default: .*\n/, "$1") });
        withProject(dir, () => {
            assert.throws(
                () => loadStackConfig("dev", { projectDir: dir }),
                /Pulumi\.dev\.yaml: no value for onehub:vpcCidr, which Pulumi\.yaml declares without a default.*Stack 'dev' is missing configuration value/,
            );
        });
    });

    it("refuses a plain value for a key Pulumi.yaml declares secret, as the CLI does", () => {
        const secretCidr = (text: string) =>
            text.replace("  onehub:vpcCidr:\n    type: string\n", "  onehub:vpcCidr:\n    type: string\n    secret: true\n");
        withProject(projectCopy({ "Pulumi.yaml": secretCidr, "Pulumi.dev.yaml": "config:\n  onehub:vpcCidr: 10.1.0.0/16\n" }), (dir) => {
            assert.throws(() => loadStackConfig("dev", { projectDir: dir }), /Pulumi\.dev\.yaml: onehub:vpcCidr must be encrypted/);
        });
    });

    it("refuses a Pulumi.yaml default that is not of its declared type", () => {
        const badDefault = (text: string) => text.replace(/(  onehub:azCount:\n(?:    .*\n)*?    default: )2/, "$1two");
        withProject(projectCopy({ "Pulumi.yaml": badDefault }), (dir) => {
            assert.throws(
                () => loadStackConfig("dev", { projectDir: dir }),
                /Pulumi\.yaml: the default of onehub:azCount = "two" is not of its declared type 'integer'/,
            );
        });
    });

    it("names the file of a YAML error, with its line", () => {
        assert.match(
            loadError("  onehub:azCount: 3\n   onehub:slaveMaxCount: 4"),
            /^Pulumi\.dev\.yaml: bad indentation of a mapping entry \(line 3, column/,
        );
    });
});

describe("the config keys (stacks/config.ts, the one list the program knows)", () => {
    const declared = (yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, any> }).config;
    const ours = Object.entries(declared).filter(([key]) => key.startsWith("onehub:"));

    it("are exactly the keys Pulumi.yaml declares, each with the type its kind needs", () => {
        assert.deepStrictEqual(
            ours.map(([key]) => key).sort(),
            Object.keys(CONFIG_KEYS)
                .map((field) => `onehub:${field}`)
                .sort(),
        );
        for (const [key, decl] of ours) {
            const kind = CONFIG_KEYS[key.slice("onehub:".length) as keyof typeof CONFIG_KEYS];
            const { type, items } = PULUMI_YAML_DECLARATION[kind];
            assert.deepStrictEqual({ type: decl.type, items: decl.items }, { type, items }, `${key} (${kind})`);
        }
    });

    it('each have a default in Pulumi.yaml, which the CLI demands of a key without one in every stack; a secret\'s is "" and without secret: true', () => {
        for (const [key, decl] of ours) {
            const kind = CONFIG_KEYS[key.slice("onehub:".length) as keyof typeof CONFIG_KEYS];
            assert.ok(decl.default !== undefined, `${key} has no default: the CLI refuses every stack that does not set it`);
            assert.ok(!decl.secret, `${key}: secret: true makes the CLI demand an encrypted value in every stack`);
            if (kind === "secret") {
                assert.strictEqual(decl.default, "", key);
            }
        }
    });
});

/** Runs the stack program of `dev` with `config`, through stacks/index.ts as `pulumi up` does, and returns its error. */
async function programError(config: Record<string, unknown>, options: RunOptions = {}): Promise<unknown> {
    try {
        await fixtureRun("dev", { ...options, config }, require("../stacks/index") as StackProgram);
    } catch (e) {
        return e;
    }
    assert.fail(`expected ${JSON.stringify(config)} to be refused`);
}

describe("the program's config reader", () => {
    it("refuses an unknown onehub: key, naming the closest known key", () =>
        expectConfigError(
            "dev",
            { "onehub:slaveMaxCnt": 5 },
            /^onehub:slaveMaxCnt = "5" is invalid: unknown key; did you mean onehub:slaveMaxCount\?$/,
        ));

    it("suggests a key only when it is close, else points at Pulumi.yaml", async () => {
        assert.strictEqual(closestConfigKey("dbPasword"), "dbPassword");
        assert.strictEqual(closestConfigKey("AZCount"), "azCount");
        assert.strictEqual(closestConfigKey("region"), undefined);
        await expectConfigError(
            "dev",
            { "onehub:region": "eu-west-1" },
            /^onehub:region = "eu-west-1" is invalid: unknown key; the known keys are declared in Pulumi\.yaml/,
        );
    });

    it("does not judge the keys of other namespaces", async () => {
        const run = await fixtureRun("dev", { config: { "aws:profile": "work", "aws:skipCredentialsValidation": "true" } });
        assert.ok(run.resources.length > 0);
    });

    it("refuses a key that is not a secret given as one (pulumi config set --secret azCount 3), never unwrapping it", () =>
        expectConfigError(
            "dev",
            { "onehub:azCount": "3" },
            /^onehub:azCount = "\(secret\)" is invalid: is not a secret.*pulumi config set azCount <value>/,
            {
                secretKeys: ["onehub:azCount"],
            },
        ));

    it("refuses every secret-only key given in plain text", async () => {
        for (const [field, kind] of Object.entries(CONFIG_KEYS)) {
            if (kind === "secret") {
                await expectConfigError(
                    "dev",
                    { [`onehub:${field}`]: PLAIN_SECRET },
                    new RegExp(`^onehub:${field} = "\\(plain text\\)" .*pulumi config set --secret ${field}`),
                );
            }
        }
    });

    it('reads the integers the CLI lets through ("+3", "03") and refuses what is not one', async () => {
        for (const azCount of ["+3", "03"]) {
            const run = await fixtureRun("dev", { config: { "onehub:azCount": azCount } });
            assert.strictEqual(one(run, "awsx:ec2:Vpc").inputs.availabilityZoneNames.length, 3);
        }
        await expectConfigError("dev", { "onehub:azCount": "3.0" }, /onehub:azCount = "3\.0" is invalid: must be a whole number/);
    });

    it("reports every config error as a pulumi.RunError through stacks/index.ts, so pulumi up prints one line and no stack trace", async () => {
        const errors = [
            await programError({ "onehub:slaveMaxCnt": 5 }),
            await programError({ "onehub:azCount": "two" }),
            await programError({ "onehub:azCount": undefined }),
            await programError({ "onehub:dbPassword": PLAIN_SECRET }),
            await programError({ "onehub:azCount": "3" }, { secretKeys: ["onehub:azCount"] }),
            await programError({ "onehub:azCount": 9 }),
        ];
        for (const error of errors) {
            assert.ok(pulumi.RunError.isInstance(error), `not a RunError: ${error}`);
            assert.doesNotMatch((error as Error).message, /\n/);
        }
    });
});

describe("encrypted stack-file values offline (no secrets provider)", () => {
    const ALL_SECRETS = Object.entries(CONFIG_KEYS)
        .filter(([, kind]) => kind === "secret")
        .map(([field]) => field);
    const encrypted = (fields: string[]) => fields.map((f) => `  onehub:${f}:\n    secure: v1:AAABAMaybeCiphertext==`).join("\n");

    it("use a placeholder that every secret key's check accepts", () => {
        checkPassword("onehub:dbPassword", PLACEHOLDER_SECRET);
        checkSuppliedSecret("onehub:sessionSecret", PLACEHOLDER_SECRET);
        checkHashidsSalt("onehub:hashidsSalt", PLACEHOLDER_SECRET);
    });

    it("leave the optional secrets unset by default, so the tests and snapshots of a stack do not change when an operator adds them", async () => {
        await withProjectAsync(devStack(encrypted(ALL_SECRETS)), async (dir) => {
            const loaded = loadStackConfig("dev", { projectDir: dir });
            assert.deepStrictEqual(loaded.unsetSecrets, ALL_SECRETS.map((f) => `onehub:${f}`).sort());
            assert.deepStrictEqual(loaded.placeholderSecrets, []);
            const run = await fixtureRun("dev", { projectDir: dir });
            assert.deepStrictEqual(run.placeholderSecrets, []);
            assert.ok(one(run, PASSWORD, "-db-master-password"));
        });
    });

    it("become placeholders passed as secrets for the plan, which works and says so", async () => {
        await withProjectAsync(devStack(encrypted(["dbPassword"])), async (dir) => {
            const loaded = loadStackConfig("dev", { projectDir: dir, encryptedSecrets: "placeholder" });
            assert.strictEqual(loaded.config["onehub:dbPassword"], PLACEHOLDER_SECRET);
            assert.ok(loaded.secretKeys.includes("onehub:dbPassword"));
            const run = await fixtureRun("dev", { projectDir: dir, encryptedSecrets: "placeholder" });
            assert.deepStrictEqual(run.placeholderSecrets, ["onehub:dbPassword"]);
            assert.deepStrictEqual(
                ofType(run, PASSWORD).filter((p) => p.name.includes("-db-master-password")),
                [],
                "a supplied password replaces the generated one",
            );
            assert.deepStrictEqual(one(run, CLUSTER).secretPaths, ["masterPassword"]);
            assert.ok(
                planReport(run).includes("onehub:dbPassword: encrypted in Pulumi.dev.yaml — the offline plan uses a placeholder secret"),
            );
        });
    });

    it("give way to a test value passed with RunOptions.config", async () => {
        await withProjectAsync(devStack(encrypted(["dbPassword"])), async (dir) => {
            const run = await fixtureRun("dev", {
                projectDir: dir,
                encryptedSecrets: "placeholder",
                config: { "onehub:dbPassword": "Existing-Pass_123" },
                secretKeys: ["onehub:dbPassword"],
            });
            assert.deepStrictEqual(run.placeholderSecrets, []);
            assert.strictEqual(one(run, CLUSTER).inputs.masterPassword, "Existing-Pass_123");
        });
    });

    it("let the preflight read the stack, and are refused there too for a key that is not a secret", () => {
        withProject(devStack(encrypted(ALL_SECRETS)), (dir) => assert.strictEqual(readStackConfig("dev", { projectDir: dir }).azCount, 2));
        withProject(devStack(encrypted(["azCount"])), (dir) =>
            assert.throws(() => readStackConfig("dev", { projectDir: dir }), /onehub:azCount = "\(secret\)" is invalid: is not a secret/),
        );
        withProject(devStack("  onehub:slaveMaxCnt: 5"), (dir) =>
            assert.throws(() => readStackConfig("dev", { projectDir: dir }), /did you mean onehub:slaveMaxCount\?/),
        );
    });

    it("are refused for a key that is not a secret, which must be set in plain text", async () => {
        await withProjectAsync(devStack(encrypted(["azCount"])), async (dir) => {
            const error = await programError({}, { projectDir: dir });
            assert.ok(pulumi.RunError.isInstance(error));
            assert.match((error as Error).message, /^onehub:azCount = "\(secret\)" is invalid: is not a secret.*plain text/);
            assert.deepStrictEqual(lastRun, []);
        });
    });
});

describe("component argument checks (for programs that use the components directly)", () => {
    it("rejects a component name AWS would refuse as an RDS identifier", async () => {
        await fixtureRun("dev", {}, () => {
            assert.throws(
                () => new OneHubDatabase("OneHub_DB", { vpcId: "vpc-1", subnetIds: ["subnet-1"] }),
                /OneHubDatabase name = "OneHub_DB" .*lower-case/,
            );
        });
        assert.deepStrictEqual(lastRun, []);
    });

    it("rejects a name too long for the autonamed physical names", async () => {
        await fixtureRun("dev", {}, () => {
            assert.throws(() => new OneHubDatabase("a".repeat(50), { vpcId: "vpc-1", subnetIds: ["subnet-1"] }), /at most 42 characters/);
        });
    });

    it("names its own argument in errors", async () => {
        await fixtureRun("dev", {}, () => {
            assert.throws(
                () => new OneHubDatabase("db", { vpcId: "vpc-1", subnetIds: ["subnet-1"], maxCapacity: 300 }),
                /OneHubDatabase args\.maxCapacity = 300/,
            );
            assert.throws(
                () => new OneHubDatabase("db", { vpcId: "vpc-1", subnetIds: [] }),
                /OneHubDatabase args\.subnetIds = \[\] .*at least one subnet/,
            );
            assert.throws(() => new OneHubNetwork("net", { natStrategy: "Two" }), /OneHubNetwork args\.natStrategy = "Two"/);
            assert.throws(
                () => new PrivateEdge("edge", { vpcId: "vpc-1", subnetIds: ["subnet-1"], albIdleTimeout: 30 }),
                /PrivateEdge args\.albIdleTimeout = 30/,
            );
            assert.throws(
                () => new PrivateEdge("a-much-too-long-edge-name", { vpcId: "vpc-1", subnetIds: ["subnet-1"] }),
                /PrivateEdge name .*at most 20 characters/,
            );
        });
        assert.deepStrictEqual(lastRun, []);
    });

    it("keeps secrets and the components' own variables out of extra environment", async () => {
        await fixtureRun("dev", {}, () => {
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs(), environment: { NODE_TYPE: "slave" } }),
                /OneHubMasterService args\.environment\.NODE_TYPE .*set by the component/,
            );
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs(), environment: { REDIS_CONN_STRING: "redis://u:p@h" } }),
                /environment\.REDIS_CONN_STRING = "\(hidden\)" .*Secrets Manager/,
            );
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs(), environment: { METRICS_PASSWORD: "x" } }),
                /METRICS_PASSWORD .*credential/,
            );
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs(), environment: { AWS_ACCESS_KEY_ID: "x" } }),
                /AWS_ACCESS_KEY_ID .*credential/,
            );
        });
        assert.deepStrictEqual(lastRun, []);
    });

    it("tells a credential from a name that merely contains TOKEN", async () => {
        await fixtureRun("dev", {}, () => {
            assert.doesNotThrow(
                () => new OneHubMasterService("master", { ...serviceArgs(), environment: { TIKTOKEN_CACHE_DIR: "/tmp/tiktoken" } }),
            );
        });
    });

    it("requires the ALB ARN suffix for request-count scaling", async () => {
        await fixtureRun("dev", {}, () => {
            assert.throws(
                () => new OneHubSlaveService("slave", { ...serviceArgs(), masterServiceName: "m", requestsPerTarget: 100 }),
                /OneHubSlaveService args\.albArnSuffix .*requestsPerTarget/,
            );
        });
    });
});
