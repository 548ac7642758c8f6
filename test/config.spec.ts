import * as assert from "assert";
import { OneHubDatabase } from "../components/database/oneHubDatabase";
import { OneHubNetwork } from "../components/network/oneHubNetwork";
import { OneHubMasterService } from "../components/services/oneHubMasterService";
import { OneHubSlaveService } from "../components/services/oneHubSlaveService";
import { PrivateEdge } from "../components/edge/privateEdge";

const serviceArgs = {
    clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
    vpcId: "vpc-1",
    subnetIds: ["subnet-1"],
    secrets: {
        SQL_DSN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dsn-AbCdEf",
        SESSION_SECRET: "arn:aws:secretsmanager:us-east-1:123456789012:secret:session-AbCdEf",
        USER_TOKEN_SECRET: "arn:aws:secretsmanager:us-east-1:123456789012:secret:token-AbCdEf",
    },
    listenerArn: "arn:listener",
    albSecurityGroupId: "sg-alb",
    databaseSecurityGroupId: "sg-db",
};
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { closestConfigKey, CONFIG_KEYS, PULUMI_YAML_DECLARATION } from "../stacks/config";
import { lastRun, loadStackConfig, ROOT, runStack, RunOptions, StackProgram } from "../tools/offlineStack";
import { expectConfigError, one } from "./util";

/** A value every secret key would accept, were it a secret. */
const PLAIN_SECRET = "Existing-Pass_123";

describe("config loading (as the Pulumi CLI does it)", () => {
    it("starts from Pulumi.yaml's defaults", () => {
        const { config } = loadStackConfig("dev");
        assert.strictEqual(config["onehub:azCount"], "2");
        assert.strictEqual(config["onehub:dbMinCapacity"], "0.5");
        assert.strictEqual(config["aws:region"], "us-east-1");
        assert.strictEqual(config["onehub:existingPrivateSubnetIds"], "[]");
    });

    it("lets the stack file override a default", () => {
        assert.strictEqual(loadStackConfig("prod").config["onehub:azCount"], "3");
        assert.strictEqual(loadStackConfig("prod").config["onehub:dbMaxCapacity"], "64");
    });

    it("refuses an unknown stack", () => {
        assert.throws(() => loadStackConfig("staging"), /no stack file Pulumi\.staging\.yaml: known stacks are dev, prod/);
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
        await runStack("dev", { ...options, config }, require("../stacks/index") as StackProgram);
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
        const run = await runStack("dev", { config: { "aws:profile": "work", "aws:skipCredentialsValidation": "true" } });
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
            const run = await runStack("dev", { config: { "onehub:azCount": azCount } });
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

describe("component argument checks (for programs that use the components directly)", () => {
    it("rejects a component name AWS would refuse as an RDS identifier", async () => {
        await runStack("dev", {}, () => {
            assert.throws(
                () => new OneHubDatabase("OneHub_DB", { vpcId: "vpc-1", subnetIds: ["subnet-1"] }),
                /OneHubDatabase name = "OneHub_DB" .*lower-case/,
            );
        });
        assert.deepStrictEqual(lastRun, []);
    });

    it("rejects a name too long for the autonamed physical names", async () => {
        await runStack("dev", {}, () => {
            assert.throws(() => new OneHubDatabase("a".repeat(50), { vpcId: "vpc-1", subnetIds: ["subnet-1"] }), /at most 44 characters/);
        });
    });

    it("names its own argument in errors", async () => {
        await runStack("dev", {}, () => {
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
        await runStack("dev", {}, () => {
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs, environment: { NODE_TYPE: "slave" } }),
                /OneHubMasterService args\.environment\.NODE_TYPE .*set by the component/,
            );
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs, environment: { REDIS_CONN_STRING: "redis://u:p@h" } }),
                /environment\.REDIS_CONN_STRING = "\(hidden\)" .*Secrets Manager/,
            );
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs, environment: { METRICS_PASSWORD: "x" } }),
                /METRICS_PASSWORD .*credential/,
            );
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs, environment: { AWS_ACCESS_KEY_ID: "x" } }),
                /AWS_ACCESS_KEY_ID .*credential/,
            );
        });
        assert.deepStrictEqual(lastRun, []);
    });

    it("tells a credential from a name that merely contains TOKEN", async () => {
        await runStack("dev", {}, () => {
            assert.doesNotThrow(
                () => new OneHubMasterService("master", { ...serviceArgs, environment: { TIKTOKEN_CACHE_DIR: "/tmp/tiktoken" } }),
            );
        });
    });

    it("requires the ALB ARN suffix for request-count scaling", async () => {
        await runStack("dev", {}, () => {
            assert.throws(
                () => new OneHubSlaveService("slave", { ...serviceArgs, masterServiceName: "m", requestsPerTarget: 100 }),
                /OneHubSlaveService args\.albArnSuffix .*requestsPerTarget/,
            );
        });
    });
});
