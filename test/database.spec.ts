import * as assert from "assert";
import { PASSWORD_SPECIALS } from "../components/database/aurora";
import { OneHubDatabase } from "../components/database/oneHubDatabase";
import { OneHub } from "../components/oneHub";
import { MOCK_ZONES, StackRun } from "../tools/offlineStack";
import { expectConfigError, fixtureRun, ofType, one, stackRun } from "./util";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

describe("OneHubDatabase", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    it("is Aurora MySQL 3 on Serverless v2, encrypted, exporting error and slow-query logs", () => {
        for (const run of Object.values(runs)) {
            const c = one(run, CLUSTER).inputs;
            assert.strictEqual(c.engine, "aurora-mysql");
            assert.strictEqual(c.engineMode, "provisioned");
            assert.match(c.engineVersion, /^8\.0\.mysql_aurora\.3\./);
            assert.strictEqual(c.storageEncrypted, true);
            assert.strictEqual(c.databaseName, "onehub");
            assert.deepStrictEqual(c.enabledCloudwatchLogsExports, ["error", "slowquery"]);
            assert.strictEqual(c.enableHttpEndpoint, true, "Data API for the Query Editor");
        }
    });

    it("scales 0–4 ACU in dev, pausing after 300 s without a connection, and 0.5–64 ACU in prod", () => {
        assert.deepStrictEqual(one(runs.dev, CLUSTER).inputs.serverlessv2ScalingConfiguration, {
            minCapacity: 0,
            maxCapacity: 4,
            secondsUntilAutoPause: 300,
        });
        assert.deepStrictEqual(one(runs.prod, CLUSTER).inputs.serverlessv2ScalingConfiguration, { minCapacity: 0.5, maxCapacity: 64 });
    });

    it("keeps 1 day of backups and no final snapshot in dev", () => {
        const c = one(runs.dev, CLUSTER).inputs;
        assert.strictEqual(c.backupRetentionPeriod, 1);
        assert.strictEqual(c.deletionProtection, false);
        assert.strictEqual(c.skipFinalSnapshot, true);
        assert.strictEqual(c.finalSnapshotIdentifier, undefined);
    });

    it("keeps 14 days of backups, deletion protection and a final snapshot in prod", () => {
        const c = one(runs.prod, CLUSTER).inputs;
        assert.strictEqual(c.backupRetentionPeriod, 14);
        assert.strictEqual(c.deletionProtection, true);
        assert.strictEqual(c.skipFinalSnapshot, false);
        assert.match(c.finalSnapshotIdentifier, /^onehub-prod-db-.+-final$/);
    });

    it("runs one db.serverless writer in dev and a writer plus a reader in another AZ in prod", () => {
        assert.deepStrictEqual(
            ofType(runs.dev, INSTANCE).map((i) => i.inputs.instanceClass),
            ["db.serverless"],
        );
        const prod = ofType(runs.prod, INSTANCE);
        assert.deepStrictEqual(
            prod.map((i) => i.inputs.instanceClass),
            ["db.serverless", "db.serverless"],
        );
        const [writer, reader] = prod.map((i) => i.inputs);
        assert.notStrictEqual(reader.availabilityZone, writer.availabilityZone);
        assert.strictEqual(reader.promotionTier, 1, "readers in tier 0–1 scale with the writer, ready for failover");
    });

    it("is never publicly accessible and lives in the isolated subnets", () => {
        for (const run of Object.values(runs)) {
            for (const i of ofType(run, INSTANCE)) {
                assert.strictEqual(i.inputs.publiclyAccessible, false);
            }
            const subnets = one(run, "aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds as string[];
            assert.ok(
                subnets.every((s) => s.startsWith("subnet-c")),
                `isolated subnets expected, got ${subnets}`,
            );
        }
    });

    it("uses UTC and utf8mb4 in its cluster parameter group", () => {
        const params = one(runs.dev, "aws:rds/clusterParameterGroup:ClusterParameterGroup").inputs;
        assert.strictEqual(params.family, "aurora-mysql8.0");
        const byName = Object.fromEntries(params.parameters.map((p: any) => [p.name, p.value]));
        assert.strictEqual(byName.time_zone, "UTC");
        assert.strictEqual(byName.character_set_server, "utf8mb4");
        assert.match(byName.collation_server, /^utf8mb4_/);
    });

    it("creates the exported log groups itself, with a retention", () => {
        const cluster = one(runs.dev, CLUSTER).inputs;
        const groups = ofType(runs.dev, "aws:cloudwatch/logGroup:LogGroup").filter((g) => /^onehub-dev-db-\w+-log$/.test(g.name));
        assert.deepStrictEqual(groups.map((g) => g.inputs.name).sort(), [
            `/aws/rds/cluster/${cluster.clusterIdentifier}/error`,
            `/aws/rds/cluster/${cluster.clusterIdentifier}/slowquery`,
        ]);
        assert.ok(groups.every((g) => g.inputs.retentionInDays > 0));
    });

    it("has a security group with no ingress until a client attaches", () => {
        const sg = one(runs.dev, "aws:ec2/securityGroup:SecurityGroup", "-db-sg").inputs;
        assert.strictEqual(sg.ingress, undefined);
        const sgName = "onehub-dev-db-sg";
        const rules = ofType(runs.dev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
            (r) => r.inputs.securityGroupId === `${sgName}-id`,
        );
        for (const rule of rules) {
            assert.strictEqual(rule.inputs.fromPort, 3306);
            assert.ok(rule.inputs.referencedSecurityGroupId, "only security-group sources, never CIDRs");
            assert.strictEqual(rule.inputs.cidrIpv4, undefined);
        }
    });

    it("admits nobody on its own: ingress exists only once a service attaches itself", async () => {
        const alone = await fixtureRun("dev", {}, () => {
            new OneHubDatabase("solo-db", { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0aaaaaaa", "subnet-0bbbbbbb"] });
        });
        assert.ok(alone.resources.some((r) => r.name === "solo-db-sg"));
        assert.deepStrictEqual(ofType(alone, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), []);
        assert.strictEqual(one(alone, "aws:ec2/securityGroup:SecurityGroup").inputs.ingress, undefined);
    });

    it("generates a 40-character master password whose alphabet keeps SQL_DSN valid", () => {
        const pw = one(runs.dev, "random:index/randomPassword:RandomPassword", "-db-master-password").inputs;
        assert.ok(pw.length >= 32);
        assert.strictEqual(pw.overrideSpecial, PASSWORD_SPECIALS);
        assert.doesNotMatch(PASSWORD_SPECIALS, /[?&/@:#%"'\s]/);
    });

    it("publishes SQL_DSN as user:pass@tcp(host:3306)/onehub with no parseTime, as a secret, for the application user", () => {
        const dsn = ofType(runs.dev, SECRET_VERSION).find((s) => s.name.endsWith("-sql-dsn"))!;
        const cluster = one(runs.dev, CLUSTER).inputs;
        const app = JSON.parse(one(runs.dev, SECRET_VERSION, "-db-app-credentials").inputs.secretString);
        const m = /^onehub_app:([^@]+)@tcp\(([^:]+):3306\)\/onehub$/.exec(dsn.inputs.secretString);
        assert.ok(m, `unexpected DSN shape: ${dsn.inputs.secretString.replace(/:[^@]+@/, ":***@")}`);
        assert.strictEqual(m[1], app.password);
        assert.strictEqual(app.username, "onehub_app");
        assert.match(m[2], /\.rds\.amazonaws\.com$/);
        assert.deepStrictEqual(dsn.secretPaths, ["secretString"]);
    });

    it("publishes credentials in the RDS secret shape the Query Editor reads", () => {
        const creds = ofType(runs.dev, SECRET_VERSION).find((s) => s.name.endsWith("-db-credentials"))!;
        const value = JSON.parse(creds.inputs.secretString);
        assert.deepStrictEqual(Object.keys(value).sort(), [
            "dbClusterIdentifier",
            "dbname",
            "engine",
            "host",
            "password",
            "port",
            "username",
        ]);
        assert.strictEqual(value.engine, "mysql");
        assert.strictEqual(value.port, 3306);
        assert.deepStrictEqual(creds.secretPaths, ["secretString"]);
    });

    it("keeps the master password secret in state and out of the stack outputs", () => {
        for (const run of Object.values(runs)) {
            assert.deepStrictEqual(one(run, CLUSTER).secretPaths, ["masterPassword"]);
            const password = one(run, CLUSTER).inputs.masterPassword;
            for (const [key, value] of Object.entries(run.outputs)) {
                assert.ok(!JSON.stringify(value).includes(password) || run.secretOutputs.includes(key), `output ${key} leaks the password`);
            }
        }
    });

    it("uses a password supplied as secret config instead of generating one", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:dbPassword": "Existing-Pass_123" }, secretKeys: ["onehub:dbPassword"] });
        assert.deepStrictEqual(
            ofType(run, "random:index/randomPassword:RandomPassword").filter((p) => p.name.includes("-db-master-password")),
            [],
        );
        assert.strictEqual(one(run, CLUSTER).inputs.masterPassword, "Existing-Pass_123");
        assert.deepStrictEqual(one(run, CLUSTER).secretPaths, ["masterPassword"]);
    });

    it("auto-pauses only at 0 ACU with a pause delay", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:dbMinCapacity": "0", "onehub:dbSecondsUntilAutoPause": 600 } });
        assert.deepStrictEqual(one(run, CLUSTER).inputs.serverlessv2ScalingConfiguration, {
            minCapacity: 0,
            maxCapacity: 4,
            secondsUntilAutoPause: 600,
        });
    });

    it("gives a program that raises the minimum above 0 no pause delay (a stack sets dbSecondsUntilAutoPause 0 itself)", async () => {
        const run = await fixtureRun("dev", {}, () => {
            new OneHub("onehub-dev", { availabilityZoneNames: MOCK_ZONES.names.slice(0, 2), dbMinCapacity: 0.5 });
        });
        assert.deepStrictEqual(one(run, CLUSTER).inputs.serverlessv2ScalingConfiguration, { minCapacity: 0.5, maxCapacity: 4 });
        await expectConfigError(
            "dev",
            { "onehub:dbMinCapacity": "0.5" },
            /onehub:dbSecondsUntilAutoPause = 300 .*use 0 to disable auto-pause/,
        );
    });
});

describe("database config errors", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        [
            "min above max",
            { "onehub:dbMinCapacity": "8", "onehub:dbMaxCapacity": "4" },
            /onehub:dbMinCapacity = 8 .*must not exceed onehub:dbMaxCapacity/,
        ],
        ["0.3 ACU (not a 0.5 step)", { "onehub:dbMinCapacity": "0.3" }, /onehub:dbMinCapacity = 0\.3 .*steps of 0\.5/],
        ["300 ACU (above 256)", { "onehub:dbMaxCapacity": "300" }, /onehub:dbMaxCapacity = 300 .*from 1 to 256/],
        [
            "max below 1 ACU",
            { "onehub:dbMinCapacity": "0.5", "onehub:dbMaxCapacity": "0.5" },
            /onehub:dbMaxCapacity = 0\.5 .*from 1 to 256/,
        ],
        [
            "auto-pause without min 0",
            { "onehub:dbMinCapacity": "0.5", "onehub:dbSecondsUntilAutoPause": 600 },
            /onehub:dbSecondsUntilAutoPause = 600 .*needs onehub:dbMinCapacity = 0/,
        ],
        [
            "min 0 without auto-pause",
            { "onehub:dbMinCapacity": "0", "onehub:dbSecondsUntilAutoPause": 0 },
            /onehub:dbMinCapacity = 0 .*onehub:dbSecondsUntilAutoPause/,
        ],
        [
            "auto-pause delay too short",
            { "onehub:dbMinCapacity": "0", "onehub:dbSecondsUntilAutoPause": 60 },
            /onehub:dbSecondsUntilAutoPause = 60 .*300 to 86400/,
        ],
        [
            "auto-pause on an engine older than 3.08",
            { "onehub:dbMinCapacity": "0", "onehub:dbSecondsUntilAutoPause": 600, "onehub:dbEngineVersion": "8.0.mysql_aurora.3.05.2" },
            /onehub:dbEngineVersion .*3\.08\.0/,
        ],
        [
            "an engine that is not Aurora MySQL 3",
            { "onehub:dbEngineVersion": "5.7.mysql_aurora.2.11.2" },
            /onehub:dbEngineVersion = "5\.7\.mysql_aurora\.2\.11\.2" .*Aurora MySQL 3/,
        ],
        ["a capacity that is not a number", { "onehub:dbMaxCapacity": "lots" }, /onehub:dbMaxCapacity = "lots" .*number/],
        ["16 readers", { "onehub:dbReaderCount": 16 }, /onehub:dbReaderCount = 16 .*0 to 15/],
        ["backups of 0 days", { "onehub:dbBackupRetentionDays": 0 }, /onehub:dbBackupRetentionDays = 0 .*1 to 35/],
        [
            "a non-boolean deletion protection",
            { "onehub:dbDeletionProtection": "yes" },
            /onehub:dbDeletionProtection = "yes" .*true or false/,
        ],
    ];
    for (const [what, config, message] of cases) {
        it(`rejects ${what}`, () => expectConfigError("dev", config, message));
    }

    it("rejects a password that would break SQL_DSN, without echoing it", async () => {
        await expectConfigError("dev", { "onehub:dbPassword": "p@ss/word?123" }, /onehub:dbPassword = "\(secret\)" .*no \? & \/ @/, {
            secretKeys: ["onehub:dbPassword"],
        });
    });

    it("rejects a password stored in plain text", async () => {
        await expectConfigError(
            "dev",
            { "onehub:dbPassword": "Plain-Text_123" },
            /onehub:dbPassword .*pulumi config set --secret dbPassword/,
        );
    });

    it("rejects a key that Pulumi.yaml no longer declares a default for", async () => {
        await expectConfigError("dev", { "onehub:dbMaxCapacity": undefined }, /onehub:dbMaxCapacity = \(unset\) .*Pulumi\.yaml/);
    });
});
