// Secure by default: no known admin password after `pulumi up`, OneHub on a least-privilege
// database user, ECS Exec only where it is audited, trust policies bound to the account, and
// images pinned to releases or digests. Each rule is read from the recorded resources, their
// options and the dependency graph.
import * as assert from "assert";
import { APP_PRIVILEGES } from "../components/database/oneHubDatabase";
import { checkDataApiRegion, DATA_API_UNAVAILABLE_REGIONS } from "../components/database/aurora";
import { OneHubDatabase } from "../components/database/oneHubDatabase";
import { OneHubRootPassword } from "../components/secrets/oneHubRootPassword";
import { OneHubCluster } from "../components/cluster/oneHubCluster";
import { OneHubMasterService } from "../components/services/oneHubMasterService";
import { StackRun, versionIdOf } from "../tools/offlineStack";
import { summarize } from "../tools/plan";
import { assertWaitsFor, dependsDirectlyOn, waitsFor } from "./graph";
import { container, expectConfigError, fixtureRun, ofType, one, stackRun } from "./util";

const INVOCATION = "aws:lambda/invocation:Invocation";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const SERVICE = "aws:ecs/service:Service";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const CLUSTER = "aws:ecs/cluster:Cluster";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ACCOUNT = "123456789012";
const KMS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const secretArnOf = (run: StackRun, name: string) =>
    `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${one(run, SECRET, name).name}-AbCdEf`;
const inputOf = (invocation: { inputs: Record<string, any> }) => JSON.parse(invocation.inputs.input);
const policyOf = (run: StackRun, name: string) => JSON.parse(one(run, ROLE_POLICY, name).inputs.policy);

describe("security: no known admin password after pulumi up", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });
    const both = () => Object.values(runs);
    const bootstrapOf = (run: StackRun) => one(run, INVOCATION, "-root-password-bootstrap");

    it("generates a 20-character password of letters and digits, which OneHub accepts (8–20), into a secret of its own", () => {
        for (const run of both()) {
            const password = one(run, PASSWORD, "-root-password").inputs;
            assert.deepStrictEqual(
                {
                    length: password.length,
                    special: password.special,
                    minUpper: password.minUpper,
                    minLower: password.minLower,
                    minNumeric: password.minNumeric,
                },
                { length: 20, special: false, minUpper: 2, minLower: 2, minNumeric: 2 },
            );
            const version = one(run, VERSION, "-root-password");
            assert.deepStrictEqual(Object.keys(JSON.parse(version.inputs.secretString)), ["username", "password"]);
            assert.strictEqual(JSON.parse(version.inputs.secretString).username, "root");
            assert.deepStrictEqual(version.secretPaths, ["secretString"]);
        }
    });

    it("publishes the secret's ARN as the stack output rootPasswordSecretArn, never the password", () => {
        for (const run of both()) {
            assert.strictEqual(run.outputs.rootPasswordSecretArn, secretArnOf(run, "-root-password"));
            const password = JSON.parse(one(run, VERSION, "-root-password").inputs.secretString).password;
            assert.ok(!JSON.stringify(run.outputs).includes(password));
        }
    });

    it("never overwrites the secret once written: a rotation (put-secret-value after changing it in OneHub) is the truth", () => {
        assert.deepStrictEqual(one(runs.dev, VERSION, "-root-password").ignoreChanges, ["secretString"]);
    });

    it("runs after the master's verified rollout (OneHub creates root on its first start) and after the distribution is deployed", () => {
        for (const run of both()) {
            const bootstrap = bootstrapOf(run);
            assertWaitsFor(run, bootstrap, one(run, INVOCATION, "-master-gate"), "root exists only once the new master has started");
            assertWaitsFor(run, bootstrap, one(run, "aws:cloudfront/distribution:Distribution"), "the step reaches OneHub through it");
            assertWaitsFor(run, bootstrap, one(run, VERSION, "-root-password"), "the step reads the password from the secret");
            assert.ok(!waitsFor(run, one(run, SERVICE, "-slave-"), bootstrap), "the slaves do not wait for it");
        }
    });

    it("reaches OneHub through the distribution's own *.cloudfront.net name, also with a custom domain", async () => {
        const run = await fixtureRun("prod", {
            config: {
                "onehub:customDomain": "api.example.com",
                "onehub:certificateArn": `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0123abcd`,
            },
        });
        assert.strictEqual(run.outputs.url, "https://api.example.com");
        assert.strictEqual(inputOf(bootstrapOf(run)).url, "https://d111111abcdef8.cloudfront.net");
    });

    it("may read exactly its own secret, and its input names the secret, never the password", () => {
        for (const run of both()) {
            assert.deepStrictEqual(policyOf(run, "-root-password-bootstrap-policy").Statement[0], {
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: secretArnOf(run, "-root-password"),
            });
            assert.strictEqual(policyOf(run, "-root-password-bootstrap-policy").Statement.length, 2, "and its own logs");
            const bootstrap = bootstrapOf(run);
            assert.deepStrictEqual(bootstrap.secretPaths, []);
            const password = JSON.parse(one(run, VERSION, "-root-password").inputs.secretString).password;
            assert.ok(!bootstrap.inputs.input.includes(password));
            assert.deepStrictEqual(inputOf(bootstrap), {
                url: "https://d111111abcdef8.cloudfront.net",
                secretArn: secretArnOf(run, "-root-password"),
                username: "root",
                masterService: `onehub-${run.stack}-master-service`,
                database: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster/onehub-${run.stack}-db-cluster`,
                timeoutSeconds: 300,
            });
            assert.ok(one(run, "aws:lambda/function:Function", "-root-password-bootstrap").inputs.timeout > 300);
        }
    });

    it("runs again for a new database (a new root / 123456), and not for a new image", async () => {
        const newImage = await fixtureRun("dev", { config: { "onehub:imageTag": "v0.14.28" } });
        assert.strictEqual(bootstrapOf(newImage).inputs.input, bootstrapOf(runs.dev).inputs.input);
        assert.ok(inputOf(bootstrapOf(runs.dev)).database.includes(":cluster/"), "the database's ARN is part of the input");
    });

    it("can be turned off: then nothing is generated and the output is empty", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:rootPasswordBootstrap": false } });
        assert.strictEqual(ofType(run, INVOCATION).filter((i) => i.name.includes("-root-password")).length, 0);
        assert.strictEqual(ofType(run, SECRET).filter((s) => s.name.includes("-root-password")).length, 0);
        assert.strictEqual(run.outputs.rootPasswordSecretArn, "");
    });

    it("refuses a URL that is not https and a host name, for programs that use the component directly", async () => {
        await fixtureRun("dev", {}, () => {
            assert.throws(
                () => new OneHubRootPassword("root", { url: "http://example.com", masterServiceName: "master" }),
                /OneHubRootPassword args\.url = "http:\/\/example\.com" is invalid: must be https:\/\/ and a host name/,
            );
        });
    });
});

describe("security: OneHub connects as a least-privilege database user", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });
    const both = () => Object.values(runs);
    const stepOf = (run: StackRun) => one(run, INVOCATION, "-db-app-user");

    it("grants onehub_app on the onehub schema exactly what GORM's migrations and OneHub's queries need", () => {
        assert.deepStrictEqual(APP_PRIVILEGES, ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "INDEX", "DROP", "REFERENCES"]);
        for (const run of both()) {
            const input = inputOf(stepOf(run));
            assert.strictEqual(input.username, "onehub_app");
            assert.strictEqual(input.database, "onehub");
            assert.deepStrictEqual(input.privileges, [
                "SELECT",
                "INSERT",
                "UPDATE",
                "DELETE",
                "CREATE",
                "ALTER",
                "INDEX",
                "DROP",
                "REFERENCES",
            ]);
        }
    });

    it("gives the application user a generated password of its own, kept as a secret in the RDS shape", () => {
        for (const run of both()) {
            const password = one(run, PASSWORD, "-db-app-password").inputs;
            assert.strictEqual(password.length, 40);
            assert.strictEqual(password.overrideSpecial, "-_.~!*+=^");
            const version = one(run, VERSION, "-db-app-credentials");
            const value = JSON.parse(version.inputs.secretString);
            assert.strictEqual(value.username, "onehub_app");
            assert.strictEqual(value.dbname, "onehub");
            assert.deepStrictEqual(version.secretPaths, ["secretString"]);
            assert.strictEqual(run.outputs.databaseAppCredentialsSecretArn, secretArnOf(run, "-db-app-credentials"));
        }
    });

    it("creates the user through the Data API with the master credentials, and may do nothing else", () => {
        for (const run of both()) {
            const cluster = `arn:aws:rds:us-east-1:${ACCOUNT}:cluster/onehub-${run.stack}-db-cluster`;
            assert.deepStrictEqual(policyOf(run, "-db-app-user-policy").Statement.slice(0, 2), [
                { Effect: "Allow", Action: ["rds-data:ExecuteStatement"], Resource: cluster },
                {
                    Effect: "Allow",
                    Action: ["secretsmanager:GetSecretValue"],
                    Resource: [secretArnOf(run, "-db-credentials"), secretArnOf(run, "-db-app-credentials")],
                },
            ]);
            const input = inputOf(stepOf(run));
            assert.strictEqual(input.resourceArn, cluster);
            assert.strictEqual(input.masterSecretArn, secretArnOf(run, "-db-credentials"));
            assert.strictEqual(input.appSecretArn, secretArnOf(run, "-db-app-credentials"));
            assert.strictEqual(one(run, "aws:rds/cluster:Cluster").inputs.enableHttpEndpoint, true);
        }
    });

    it("runs once the writer accepts statements and the master credentials have their value", () => {
        for (const run of both()) {
            const step = stepOf(run);
            assert.ok(dependsDirectlyOn(step, one(run, "aws:rds/clusterInstance:ClusterInstance", "-writer")), "its own dependency");
            assert.ok(dependsDirectlyOn(step, one(run, VERSION, "-db-credentials")));
            assertWaitsFor(run, step, one(run, VERSION, "-db-app-credentials"), "the step reads the app password");
        }
    });

    it("SQL_DSN names the application user, and no service starts before the user exists", () => {
        for (const run of both()) {
            const dsn = one(run, VERSION, "-sql-dsn");
            assert.match(dsn.inputs.secretString, /^onehub_app:/);
            assert.ok(dependsDirectlyOn(dsn, stepOf(run)), "the DSN's version waits for the step itself");
            for (const node of ["-master-", "-slave-"]) {
                assertWaitsFor(run, one(run, SERVICE, node), stepOf(run), "a task would fail to log in");
            }
        }
    });

    it("a new application password runs the step (ALTER USER) before the DSN changes: the input carries the password's version", () => {
        for (const run of both()) {
            const app = one(run, VERSION, "-db-app-credentials");
            assert.strictEqual(inputOf(stepOf(run)).appSecretVersionId, versionIdOf(app.inputs.secretString));
        }
    });

    it("never names a password in the step's input (Data API statements and invocation inputs are logged)", () => {
        for (const run of both()) {
            const step = stepOf(run);
            assert.deepStrictEqual(step.secretPaths, []);
            for (const version of ["-db-app-credentials", "-db-credentials"]) {
                assert.ok(!step.inputs.input.includes(JSON.parse(one(run, VERSION, version).inputs.secretString).password), version);
            }
        }
    });

    it("refuses to turn the Data API off, and engine versions without it, naming the key", async () => {
        await expectConfigError(
            "dev",
            { "onehub:dbEnableDataApi": false },
            /onehub:dbEnableDataApi = false is invalid: must stay true: OneHub's least-privilege database user is created through the RDS Data API/,
        );
        await expectConfigError(
            "dev",
            // An always-on database: 0 ACU (the dev default) has its own, later minimum version.
            { "onehub:dbEngineVersion": "8.0.mysql_aurora.3.06.1", "onehub:dbMinCapacity": "0.5", "onehub:dbSecondsUntilAutoPause": 0 },
            /onehub:dbEngineVersion = "8\.0\.mysql_aurora\.3\.06\.1" is invalid: must be Aurora MySQL 3\.07\.0 or later/,
        );
        const run = await fixtureRun("dev", {
            config: {
                "onehub:dbEngineVersion": "8.0.mysql_aurora.3.07.0",
                "onehub:dbMinCapacity": "0.5",
                "onehub:dbSecondsUntilAutoPause": 0,
            },
        });
        assert.strictEqual(one(run, "aws:rds/cluster:Cluster").inputs.engineVersion, "8.0.mysql_aurora.3.07.0");
    });

    it("refuses the regions where Aurora MySQL has no Data API", () => {
        assert.ok(DATA_API_UNAVAILABLE_REGIONS.includes("eu-central-2"));
        assert.throws(
            () => checkDataApiRegion("aws:region", "eu-central-2"),
            /aws:region = "eu-central-2" is invalid: has no RDS Data API for Aurora MySQL/,
        );
        assert.strictEqual(checkDataApiRegion("aws:region", "us-east-1"), "us-east-1");
        assert.strictEqual(inputOf(stepOf(runs.dev)).region, "us-east-1", "checked at preview, from the provider's region");
    });

    it("refuses enableDataApi false for programs that use OneHubDatabase directly", async () => {
        await fixtureRun("dev", {}, () => {
            assert.throws(
                () => new OneHubDatabase("db", { vpcId: "vpc-1", subnetIds: ["subnet-1"], enableDataApi: false }),
                /OneHubDatabase args\.enableDataApi = false is invalid: must stay true/,
            );
        });
    });
});

describe("security: shells into the tasks are a choice, and audited", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    it("dev: the cluster sends every session's output to a log group of its own, with the stack's retention", () => {
        const group = one(runs.dev, LOG_GROUP, "-ecs-exec-logs");
        assert.strictEqual(group.inputs.retentionInDays, 7);
        assert.strictEqual(group.retainOnDelete, true, "turning ECS Exec off or destroying the stack keeps the record of past sessions");
        assert.deepStrictEqual(one(runs.dev, CLUSTER).inputs.configuration, {
            executeCommandConfiguration: {
                logging: "OVERRIDE",
                logConfiguration: { cloudWatchLogGroupName: group.inputs.name ?? group.name, cloudWatchEncryptionEnabled: false },
            },
        });
        assert.strictEqual(runs.dev.outputs.ecsExecLogGroupName, group.name);
    });

    it("dev: the task role holds only ECS Exec's channels and the writes to that log group", () => {
        const arn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:onehub-dev-ecs-exec-logs`;
        for (const node of ["-master-", "-slave-"]) {
            assert.deepStrictEqual(policyOf(runs.dev, `${node}ecs-exec`).Statement, [
                {
                    Effect: "Allow",
                    Action: [
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ],
                    Resource: "*",
                },
                // DescribeLogGroups has no resource-level permissions; it lists names, not log data.
                { Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*" },
                { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], Resource: `${arn}:*` },
            ]);
            assert.strictEqual(
                ofType(runs.dev, ROLE_POLICY).filter((p) => p.name.startsWith(`onehub-dev${node}task`)).length,
                0,
                "no other policy on the task role",
            );
        }
    });

    it("prod: no shells — ECS Exec off on both services, no exec configuration, no session log group, nothing on the task role", () => {
        for (const s of ofType(runs.prod, SERVICE)) {
            assert.strictEqual(s.inputs.enableExecuteCommand, false);
        }
        assert.strictEqual(one(runs.prod, CLUSTER).inputs.configuration, undefined);
        assert.strictEqual(ofType(runs.prod, LOG_GROUP).filter((g) => g.name.includes("exec")).length, 0);
        assert.strictEqual(ofType(runs.prod, ROLE_POLICY).filter((p) => p.name.endsWith("-ecs-exec")).length, 0);
        assert.strictEqual(runs.prod.outputs.ecsExecLogGroupName, "");
    });

    it("toggling ECS Exec replaces the running tasks (ECS applies it to new tasks only): the task definition changes", async () => {
        const off = await fixtureRun("dev", { config: { "onehub:ecsExec": false } });
        for (const node of ["-master-", "-slave-"]) {
            assert.notStrictEqual(one(off, TASK, node).inputs.containerDefinitions, one(runs.dev, TASK, node).inputs.containerDefinitions);
            assert.deepStrictEqual(container(one(off, TASK, node)).dockerLabels, { "onehub.ecs-exec": "off" });
            assert.deepStrictEqual(container(one(runs.dev, TASK, node)).dockerLabels, { "onehub.ecs-exec": "on" });
            // The init process stays: the slaves' wrapper needs it to get SIGTERM.
            assert.strictEqual(container(one(off, TASK, node)).linuxParameters.initProcessEnabled, true);
        }
    });

    it("with a KMS key, the cluster encrypts sessions with it and the task roles may decrypt with exactly that key", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:ecsExecKmsKeyArn": KMS_KEY } });
        assert.strictEqual(one(run, CLUSTER).inputs.configuration.executeCommandConfiguration.kmsKeyId, KMS_KEY);
        for (const node of ["-master-", "-slave-"]) {
            assert.deepStrictEqual(policyOf(run, `${node}ecs-exec`).Statement.at(-1), {
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: KMS_KEY,
            });
        }
    });

    it("refuses a key that is not a KMS key ARN, and a key without ECS Exec", async () => {
        await expectConfigError(
            "dev",
            { "onehub:ecsExecKmsKeyArn": "alias/ecs-exec" },
            /onehub:ecsExecKmsKeyArn = "alias\/ecs-exec" is invalid: must be "" or a KMS key ARN/,
        );
        await expectConfigError(
            "dev",
            { "onehub:ecsExec": false, "onehub:ecsExecKmsKeyArn": KMS_KEY },
            /onehub:ecsExecKmsKeyArn = .* is invalid: only applies with onehub:ecsExec true/,
        );
    });

    it("the components refuse a KMS key without ECS Exec, naming their own argument", async () => {
        await fixtureRun("dev", {}, () => {
            assert.throws(
                () => new OneHubCluster("cluster", { ecsExec: false, ecsExecKmsKeyArn: KMS_KEY }),
                /OneHubCluster args\.ecsExecKmsKeyArn = .* is invalid: only applies with OneHubCluster args\.ecsExec true/,
            );
            const arn = (n: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${n}-AbCdEf`;
            assert.throws(
                () =>
                    new OneHubMasterService("master", {
                        clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/c`,
                        vpcId: "vpc-0123456789abcdef0",
                        subnetIds: ["subnet-01111111", "subnet-11111111"],
                        secrets: { SQL_DSN: arn("dsn"), SESSION_SECRET: arn("session"), USER_TOKEN_SECRET: arn("token") },
                        listenerArn: "arn:listener",
                        albSecurityGroupId: "sg-alb",
                        databaseSecurityGroupId: "sg-db",
                        enableExecuteCommand: false,
                        execKmsKeyArn: KMS_KEY,
                    }),
                /OneHubMasterService args\.execKmsKeyArn = .* is invalid: only applies with OneHubMasterService args\.enableExecuteCommand true/,
            );
        });
    });

    it("in an existing cluster, the task role gets only the channels: that cluster's own configuration decides where sessions go", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:existingClusterName": "shared" } });
        assert.deepStrictEqual(
            policyOf(run, "-master-ecs-exec").Statement.map((s: { Action: string[] }) => s.Action[0]),
            ["ssmmessages:CreateControlChannel"],
        );
        assert.strictEqual(run.outputs.ecsExecLogGroupName, "");
    });
});

describe("security: task and execution roles trust only this account's ECS tasks", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    it("task roles carry aws:SourceAccount and aws:SourceArn of the account's ECS ARNs, as the ECS developer guide recommends", () => {
        for (const run of Object.values(runs)) {
            for (const node of ["-master-", "-slave-"]) {
                assert.deepStrictEqual(JSON.parse(one(run, ROLE, `${node}task`).inputs.assumeRolePolicy), {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "ecs-tasks.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: {
                                StringEquals: { "aws:SourceAccount": ACCOUNT },
                                ArnLike: { "aws:SourceArn": `arn:aws:ecs:us-east-1:${ACCOUNT}:*` },
                            },
                        },
                    ],
                });
            }
        }
    });

    it("execution roles carry aws:SourceAccount as StringEqualsIfExists: enforced when ECS supplies it, never a task that cannot start", () => {
        for (const run of Object.values(runs)) {
            for (const node of ["-master-", "-slave-"]) {
                assert.deepStrictEqual(JSON.parse(one(run, ROLE, `${node}execution`).inputs.assumeRolePolicy).Statement[0].Condition, {
                    StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT },
                });
            }
        }
    });
});

describe("security: images are pinned to a release or a digest", () => {
    const imageOf = (run: StackRun) => {
        const images = ofType(run, TASK).map((t) => container(t).image);
        assert.strictEqual(new Set(images).size, 1, "master and slaves run the same image");
        return images[0];
    };

    it("a digest next to the tag: repo:tag@sha256:…, and the tag may then be a label such as dev", async () => {
        assert.strictEqual(
            imageOf(await fixtureRun("dev", { config: { "onehub:imageDigest": DIGEST } })),
            `ghcr.io/martialbe/one-api:v0.14.27@${DIGEST}`,
        );
        const dev = await fixtureRun("dev", { config: { "onehub:imageTag": "dev", "onehub:imageDigest": DIGEST } });
        assert.strictEqual(imageOf(dev), `ghcr.io/martialbe/one-api:dev@${DIGEST}`);
    });

    it("the digest alone: repo@sha256:…", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:imageTag": "", "onehub:imageDigest": DIGEST } });
        assert.strictEqual(imageOf(run), `ghcr.io/martialbe/one-api@${DIGEST}`);
    });

    it("refuses no tag without a digest, a malformed digest, and a tag that is not a release", async () => {
        await expectConfigError(
            "dev",
            { "onehub:imageTag": "" },
            /onehub:imageTag = "" is invalid: must be a release such as v0\.14\.27 unless onehub:imageDigest pins the image/,
        );
        await expectConfigError(
            "dev",
            { "onehub:imageDigest": "sha256:abc" },
            /onehub:imageDigest = "sha256:abc" is invalid: must be an image digest: sha256: followed by 64 lower-case hex digits/,
        );
        await expectConfigError(
            "dev",
            { "onehub:imageTag": "0.14.27" },
            /onehub:imageTag = "0\.14\.27" is invalid: must be a pinned release such as v0\.14\.27 \(vX\.Y\.Z, optionally -suffix\)/,
        );
    });

    it("runs OneHub's own registries; any other repository needs allowCustomImageRepository", async () => {
        for (const repository of ["docker.io/martialbe/one-api", "martialbe/one-api"]) {
            assert.strictEqual(
                imageOf(await fixtureRun("dev", { config: { "onehub:imageRepository": repository } })),
                `${repository}:v0.14.27`,
            );
        }
        await expectConfigError(
            "dev",
            { "onehub:imageRepository": "registry.example.com/onehub-with-script" },
            /onehub:imageRepository = "registry\.example\.com\/onehub-with-script" is invalid: is not OneHub's image .* needs onehub:allowCustomImageRepository = true/,
        );
        const custom = await fixtureRun("dev", {
            config: { "onehub:imageRepository": "registry.example.com/onehub-with-script", "onehub:allowCustomImageRepository": true },
        });
        assert.strictEqual(imageOf(custom), "registry.example.com/onehub-with-script:v0.14.27");
    });
});

describe("security: what a reviewer sees in the offline plan", () => {
    it("each role's trust and conditions, each service's ECS Exec, each cluster's session logging, each policy's scope", async () => {
        const dev = await stackRun("dev");
        assert.strictEqual(
            summarize(one(dev, ROLE, "-master-task")),
            `trusts ecs-tasks.amazonaws.com if StringEquals aws:SourceAccount ${ACCOUNT} and ArnLike aws:SourceArn arn:aws:ecs:us-east-1:${ACCOUNT}:*`,
        );
        assert.strictEqual(summarize(one(dev, SERVICE, "-master-")), "desired 1, deploy 0–100 %, FARGATE base 1 w1, ECS Exec on");
        assert.strictEqual(
            summarize(one(dev, CLUSTER)),
            "Container Insights disabled, ECS Exec sessions logged (OVERRIDE) to onehub-dev-ecs-exec-logs",
        );
        assert.strictEqual(
            summarize(one(dev, ROLE_POLICY, "-root-password-bootstrap-policy")),
            "secretsmanager:GetSecretValue on secret:onehub-dev-root-password-AbCdEf; logs:CreateLogStream logs:PutLogEvents on log-group:onehub-dev-root-password-bootstrap-logs:*",
        );
        const prod = await stackRun("prod");
        assert.strictEqual(summarize(one(prod, CLUSTER)), "Container Insights enabled, ECS Exec sessions not configured");
    });
});
