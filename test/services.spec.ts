import * as assert from "assert";
import { maxConnections } from "../components/database/aurora";
import { RESERVED_CONNECTIONS } from "../components/database/connectionBudget";
import { checkFargateSize, FARGATE_SIZES } from "../components/services/fargate";
import { RegisteredResource, StackRun, versionIdOf } from "../tools/offlineStack";
import { container, envOf, expectConfigError, fixtureRun, ofType, one, stackRun } from "./util";

const SERVICE = "aws:ecs/service:Service";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const TG = "aws:lb/targetGroup:TargetGroup";
const TARGET = "aws:appautoscaling/target:Target";
const POLICY = "aws:appautoscaling/policy:Policy";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const SECRET = "aws:secretsmanager/secret:Secret";

const master = (run: StackRun, type: string) => one(run, type, "-master-");
const slave = (run: StackRun, type: string) => one(run, type, "-slave-");
/** The version id Secrets Manager (here: the mock) gave the value of the secret named *suffix. */
const versionOf = (run: StackRun, suffix: string) => {
    const v = one(run, "aws:secretsmanager/secretVersion:SecretVersion", suffix);
    return versionIdOf(v.inputs.secretString);
};
const secretArn = (run: StackRun, suffix: string) =>
    `arn:aws:secretsmanager:us-east-1:123456789012:secret:${one(run, SECRET, suffix).name}-AbCdEf`;

describe("OneHub services", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });
    const both = () => Object.values(runs);

    describe("ECS cluster", () => {
        it("has both Fargate capacity providers, and Container Insights only in prod (dev pays for no metrics)", () => {
            for (const [run, insights] of [
                [runs.dev, "disabled"],
                [runs.prod, "enabled"],
            ] as const) {
                assert.deepStrictEqual(one(run, "aws:ecs/cluster:Cluster").inputs.settings, [
                    { name: "containerInsights", value: insights },
                ]);
                assert.deepStrictEqual(one(run, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs.capacityProviders, [
                    "FARGATE",
                    "FARGATE_SPOT",
                ]);
                assert.strictEqual(ofType(run, "aws:iam/serviceLinkedRole:ServiceLinkedRole").length, 0, "off by default");
            }
        });

        it("creates the ECS service-linked role only when asked", async () => {
            const run = await fixtureRun("dev", { config: { "onehub:createEcsServiceLinkedRole": true } });
            assert.strictEqual(one(run, "aws:iam/serviceLinkedRole:ServiceLinkedRole").inputs.awsServiceName, "ecs.amazonaws.com");
        });

        it("uses an existing cluster instead of creating one", async () => {
            const run = await fixtureRun("dev", { config: { "onehub:existingClusterName": "shared" } });
            assert.strictEqual(ofType(run, "aws:ecs/cluster:Cluster").length, 0);
            for (const s of ofType(run, SERVICE)) {
                assert.strictEqual(s.inputs.cluster, "arn:aws:ecs:us-east-1:123456789012:cluster/shared");
            }
            assert.strictEqual(run.outputs.clusterName, "shared");
        });
    });

    describe("OneHubMasterService", () => {
        it("never runs two masters during a deployment", () => {
            for (const run of both()) {
                const s = master(run, SERVICE).inputs;
                assert.strictEqual(s.desiredCount, 1);
                assert.strictEqual(s.deploymentMaximumPercent, 100);
                assert.strictEqual(s.deploymentMinimumHealthyPercent, 0);
                assert.strictEqual(s.availabilityZoneRebalancing, "DISABLED", "rebalancing would start a second master");
            }
        });

        it("is never autoscaled and runs on on-demand Fargate only", () => {
            for (const run of both()) {
                const s = master(run, SERVICE);
                assert.deepStrictEqual(s.inputs.capacityProviderStrategies, [{ capacityProvider: "FARGATE", weight: 1, base: 1 }]);
                assert.ok(ofType(run, TARGET).every((t) => !t.name.includes("-master-")));
                assert.deepStrictEqual(s.ignoreChanges, []);
            }
        });

        it("rolls back a failed deployment and waits until it is steady", () => {
            for (const run of both()) {
                const s = master(run, SERVICE).inputs;
                assert.deepStrictEqual(s.deploymentCircuitBreaker, { enable: true, rollback: true });
                assert.strictEqual(s.waitForSteadyState, true);
                assert.ok(s.healthCheckGracePeriodSeconds >= 120, "time to migrate the schema");
            }
        });

        it("runs as the master and is the only node that tests channels", async () => {
            assert.strictEqual(envOf(master(runs.dev, TASK)).NODE_TYPE, "master");
            assert.strictEqual(envOf(master(runs.dev, TASK)).CHANNEL_TEST_FREQUENCY, undefined);
            const run = await fixtureRun("dev", { config: { "onehub:channelTestFrequency": 30 } });
            assert.strictEqual(envOf(master(run, TASK)).CHANNEL_TEST_FREQUENCY, "30");
            assert.strictEqual(envOf(slave(run, TASK)).CHANNEL_TEST_FREQUENCY, undefined);
        });
    });

    describe("OneHubSlaveService", () => {
        it("runs as a slave with the memory cache and a periodic sync", () => {
            for (const run of both()) {
                const env = envOf(slave(run, TASK));
                assert.strictEqual(env.NODE_TYPE, "slave", "exactly lower-case slave; anything else is a master");
                assert.strictEqual(env.MEMORY_CACHE_ENABLED, "true");
            }
            assert.strictEqual(envOf(slave(runs.dev, TASK)).SYNC_FREQUENCY, "1800", "dev: every 30 minutes, so the database can pause");
            assert.strictEqual(envOf(slave(runs.prod, TASK)).SYNC_FREQUENCY, "60");
        });

        it("scales on the free AWS/ECS and ALB metrics only, so scaling works with Container Insights off (dev)", async () => {
            const run = await fixtureRun("dev", { config: { "onehub:slaveRequestsPerTarget": 500 } });
            const specs = ofType(run, POLICY).map((p) => p.inputs.targetTrackingScalingPolicyConfiguration);
            assert.deepStrictEqual(
                specs.map((s) => s.predefinedMetricSpecification.predefinedMetricType),
                ["ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"],
            );
            assert.ok(specs.every((s) => s.customizedMetricSpecification === undefined));
        });

        it("scales 1–3 tasks in dev and 2–20 in prod on average CPU", () => {
            for (const [run, min, max] of [
                [runs.dev, 1, 3],
                [runs.prod, 2, 20],
            ] as const) {
                const t = slave(run, TARGET).inputs;
                assert.deepStrictEqual([t.minCapacity, t.maxCapacity], [min, max]);
                assert.strictEqual(t.resourceId, `service/${run.outputs.clusterName}/${run.outputs.slaveServiceName}`);
                assert.strictEqual(slave(run, SERVICE).inputs.desiredCount, min);
                const cpu = one(run, POLICY, "-slave-cpu").inputs.targetTrackingScalingPolicyConfiguration;
                assert.strictEqual(cpu.predefinedMetricSpecification.predefinedMetricType, "ECSServiceAverageCPUUtilization");
                assert.strictEqual(cpu.targetValue, 70);
                assert.strictEqual(ofType(run, POLICY).length, 1, "request-count scaling is opt-in");
            }
        });

        it("lets autoscaling own the desired count", () => {
            for (const run of both()) {
                assert.deepStrictEqual(slave(run, SERVICE).ignoreChanges, ["desiredCount"]);
            }
        });

        it("can also scale on ALB requests per task", async () => {
            const run = await fixtureRun("dev", { config: { "onehub:slaveRequestsPerTarget": 600 } });
            const p = one(run, POLICY, "-slave-requests").inputs.targetTrackingScalingPolicyConfiguration;
            assert.strictEqual(p.targetValue, 600);
            assert.strictEqual(p.predefinedMetricSpecification.predefinedMetricType, "ALBRequestCountPerTarget");
            assert.strictEqual(
                p.predefinedMetricSpecification.resourceLabel,
                "app/onehub-dev-edge-alb/0123456789abcdef/targetgroup/onehub-dev-slave-tg/0123456789abcdef",
            );
        });

        it("runs all on Spot in dev and on an on-demand base with Spot above it in prod", () => {
            assert.deepStrictEqual(slave(runs.dev, SERVICE).inputs.capacityProviderStrategies, [
                { capacityProvider: "FARGATE_SPOT", weight: 1 },
            ]);
            assert.deepStrictEqual(slave(runs.prod, SERVICE).inputs.capacityProviderStrategies, [
                { capacityProvider: "FARGATE", base: 2, weight: 1 },
                { capacityProvider: "FARGATE_SPOT", weight: 3 },
            ]);
        });

        it("rolls out with AZ rebalancing and a circuit breaker", () => {
            for (const run of both()) {
                const s = slave(run, SERVICE).inputs;
                assert.strictEqual(s.availabilityZoneRebalancing, "ENABLED");
                assert.deepStrictEqual(s.deploymentCircuitBreaker, { enable: true, rollback: true });
                assert.deepStrictEqual([s.deploymentMinimumHealthyPercent, s.deploymentMaximumPercent], [100, 200]);
            }
        });

        it("deploys only after the master service", () => {
            for (const run of both()) {
                const s = slave(run, SERVICE);
                assert.ok(s.dependencies.includes(master(run, SERVICE).urn), "the slave service waits for the master service");
                assert.strictEqual(s.inputs.tags["onehub:master"], run.outputs.masterServiceName);
            }
        });
    });

    describe("both node types", () => {
        it("run the same pinned image", () => {
            for (const run of both()) {
                const images = ofType(run, TASK).map((t) => container(t).image);
                assert.deepStrictEqual(images, ["ghcr.io/martialbe/one-api:v0.14.27", "ghcr.io/martialbe/one-api:v0.14.27"]);
            }
        });

        it("receive SQL_DSN, SESSION_SECRET, USER_TOKEN_SECRET (and prod's REDIS_CONN_STRING) only as ECS secrets pinned to their versions, the same on every task", () => {
            for (const run of both()) {
                const pinned = (secret: string, version: string) => `${secretArn(run, secret)}:::${versionOf(run, version)}`;
                const redis =
                    run === runs.prod ? [{ name: "REDIS_CONN_STRING", valueFrom: pinned("-cache-conn-string", "-cache-conn-string") }] : [];
                const expected = [
                    ...redis,
                    { name: "SESSION_SECRET", valueFrom: pinned("-session-secret", "-session-secret") },
                    { name: "SQL_DSN", valueFrom: pinned("-db-sql-dsn", "-db-sql-dsn") },
                    { name: "USER_TOKEN_SECRET", valueFrom: pinned("-user-token-secret", "-user-token-secret") },
                ];
                for (const task of ofType(run, TASK)) {
                    assert.deepStrictEqual(container(task).secrets, expected);
                    const env = envOf(task);
                    for (const name of ["SQL_DSN", "SESSION_SECRET", "USER_TOKEN_SECRET"]) {
                        assert.strictEqual(env[name], undefined, `${name} must not be plain environment`);
                    }
                }
            }
        });

        it("never put a secret value into a task definition", () => {
            for (const run of both()) {
                const secretValues = ofType(run, "aws:secretsmanager/secretVersion:SecretVersion").map((v) => v.inputs.secretString);
                for (const task of ofType(run, TASK)) {
                    for (const value of secretValues) {
                        assert.ok(!task.inputs.containerDefinitions.includes(value), `${task.name} contains a secret value`);
                    }
                }
            }
        });

        it("generate SESSION_SECRET and USER_TOKEN_SECRET with 48 characters, or take them from secret config", async () => {
            for (const suffix of ["-session-secret", "-user-token-secret"]) {
                assert.strictEqual(one(runs.dev, "random:index/randomPassword:RandomPassword", suffix).inputs.length, 48);
            }
            const run = await fixtureRun("dev", {
                config: { "onehub:sessionSecret": "existing-session-secret", "onehub:userTokenSecret": "existing-user-token-secret" },
                secretKeys: ["onehub:sessionSecret", "onehub:userTokenSecret"],
            });
            assert.deepStrictEqual(
                ofType(run, "random:index/randomPassword:RandomPassword")
                    .map((p) => p.name)
                    .filter((n) => n.includes("secret")),
                [],
            );
            const version = one(run, "aws:secretsmanager/secretVersion:SecretVersion", "-user-token-secret");
            assert.strictEqual(version.inputs.secretString, "existing-user-token-secret");
            assert.deepStrictEqual(version.secretPaths, ["secretString"]);
        });

        it("share HASHIDS_SALT as an ECS secret when one is configured, and leave OneHub's default otherwise", async () => {
            const saltOf = (t: RegisteredResource) => container(t).secrets.find((s: any) => s.name === "HASHIDS_SALT")?.valueFrom;
            assert.ok(ofType(runs.dev, TASK).every((t) => envOf(t).HASHIDS_SALT === undefined && saltOf(t) === undefined));
            const salt = "abcdefghijklmnopqrstuvwxyz0123456789";
            const run = await fixtureRun("dev", { config: { "onehub:hashidsSalt": salt }, secretKeys: ["onehub:hashidsSalt"] });
            const version = one(run, "aws:secretsmanager/secretVersion:SecretVersion", "-hashids-salt");
            assert.strictEqual(version.inputs.secretString, salt);
            assert.deepStrictEqual(version.secretPaths, ["secretString"]);
            for (const task of ofType(run, TASK)) {
                assert.strictEqual(envOf(task).HASHIDS_SALT, undefined, "never plain environment");
                assert.match(saltOf(task), new RegExp(`^${secretArn(run, "-hashids-salt")}:::v-`));
                assert.ok(!task.inputs.containerDefinitions.includes(salt));
            }
        });

        it("use UTC, port 3000 and a wget health check on /api/status", () => {
            for (const task of ofType(runs.dev, TASK)) {
                const c = container(task);
                assert.strictEqual(envOf(task).TZ, "UTC");
                assert.deepStrictEqual(c.portMappings, [{ containerPort: 3000, protocol: "tcp", name: "http" }]);
                assert.match(c.healthCheck.command[1], /^wget -q -O - http:\/\/localhost:3000\/api\/status /);
                assert.doesNotMatch(c.healthCheck.command[1], /curl/);
            }
        });

        it("log to CloudWatch with a retention of 7 days in dev and 30 in prod", () => {
            for (const [run, days] of [
                [runs.dev, 7],
                [runs.prod, 30],
            ] as const) {
                for (const task of ofType(run, TASK)) {
                    const options = container(task).logConfiguration.options;
                    const group = ofType(run, "aws:cloudwatch/logGroup:LogGroup").find(
                        (g) => g.inputs.name === options["awslogs-group"] || `${g.name}` === options["awslogs-group"],
                    );
                    assert.ok(group, `log group ${options["awslogs-group"]} exists`);
                    assert.strictEqual(group.inputs.retentionInDays, days);
                }
                assert.ok(
                    ofType(run, "aws:cloudwatch/logGroup:LogGroup").every((g) => g.inputs.retentionInDays === days),
                    "every log group has the retention",
                );
            }
        });

        it("are 256 CPU / 512 MiB in dev and 1024 / 2048 in prod, pairs Fargate allows", () => {
            for (const [run, cpu, memory] of [
                [runs.dev, "256", "512"],
                [runs.prod, "1024", "2048"],
            ] as const) {
                for (const task of ofType(run, TASK)) {
                    assert.deepStrictEqual([task.inputs.cpu, task.inputs.memory], [cpu, memory]);
                    assert.deepStrictEqual(task.inputs.requiresCompatibilities, ["FARGATE"]);
                    assert.strictEqual(task.inputs.networkMode, "awsvpc");
                }
            }
        });

        it("size their database pools so every task at maximum scale fits max_connections", () => {
            for (const [run, maxAcu, maxSlaves] of [
                [runs.dev, 4, 3],
                [runs.prod, 64, 20],
            ] as const) {
                const tasks = 1 + maxSlaves;
                for (const task of ofType(run, TASK)) {
                    const env = envOf(task);
                    const open = Number(env.SQL_MAX_OPEN_CONNS);
                    assert.ok(open >= 5, "enough for concurrent billing writes");
                    assert.ok(
                        open * tasks + RESERVED_CONNECTIONS <= maxConnections(maxAcu),
                        `${open} × ${tasks} tasks must fit ${maxConnections(maxAcu)}`,
                    );
                    assert.ok(Number(env.SQL_MAX_IDLE_CONNS) <= open);
                }
            }
            assert.strictEqual(envOf(master(runs.dev, TASK)).SQL_MAX_OPEN_CONNS, "31", "(135 − 10) / 4 tasks");
            assert.strictEqual(envOf(master(runs.prod, TASK)).SQL_MAX_OPEN_CONNS, "100", "capped at 100");
        });

        it("keep no idle connection in dev (a pausing database) and 10 for 300 s in prod", () => {
            for (const [run, idle, lifetime] of [
                [runs.dev, "0", "60"],
                [runs.prod, "10", "300"],
            ] as const) {
                for (const task of ofType(run, TASK)) {
                    assert.strictEqual(envOf(task).SQL_MAX_IDLE_CONNS, idle);
                    assert.strictEqual(envOf(task).SQL_MAX_LIFETIME, lifetime);
                }
            }
        });

        it("never keep more idle connections than the pool may open", async () => {
            const run = await fixtureRun("dev", { config: { "onehub:sqlMaxIdleConns": 100 } });
            for (const task of ofType(run, TASK)) {
                assert.strictEqual(envOf(task).SQL_MAX_IDLE_CONNS, "31", "capped at SQL_MAX_OPEN_CONNS");
            }
        });

        it("run on Graviton (ARM64) by default, or X86_64 when asked", async () => {
            for (const run of both()) {
                for (const task of ofType(run, TASK)) {
                    assert.deepStrictEqual(task.inputs.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
                }
            }
            const x86 = await fixtureRun("dev", { config: { "onehub:cpuArchitecture": "X86_64" } });
            for (const task of ofType(x86, TASK)) {
                assert.strictEqual(task.inputs.runtimePlatform.cpuArchitecture, "X86_64");
            }
        });

        it("may read exactly the OneHub secrets they inject (prod: and the Redis connection string) and write their own logs", () => {
            for (const run of both()) {
                const redis = run === runs.prod ? [secretArn(run, "-cache-conn-string")] : [];
                const expected = [
                    ...redis,
                    secretArn(run, "-session-secret"),
                    secretArn(run, "-db-sql-dsn"),
                    secretArn(run, "-user-token-secret"),
                ];
                for (const node of ["-master-", "-slave-"]) {
                    const policy = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", `${node}execution`).inputs.policy);
                    assert.deepStrictEqual(policy.Statement[0], {
                        Effect: "Allow",
                        Action: ["secretsmanager:GetSecretValue"],
                        Resource: expected,
                    });
                    assert.deepStrictEqual(policy.Statement[1].Action, ["logs:CreateLogStream", "logs:PutLogEvents"]);
                    assert.strictEqual(policy.Statement.length, 2);
                    const role = one(run, "aws:ecs/taskDefinition:TaskDefinition", node).inputs.executionRoleArn;
                    assert.match(role, new RegExp(`role/onehub-${run.stack}${node}execution$`));
                }
            }
        });

        it("allow ECS Exec through the task role in dev, and not at all in prod", () => {
            for (const [run, on] of [
                [runs.dev, true],
                [runs.prod, false],
            ] as const) {
                for (const s of ofType(run, SERVICE)) {
                    assert.strictEqual(s.inputs.enableExecuteCommand, on);
                }
                for (const task of ofType(run, TASK)) {
                    assert.strictEqual(container(task).dockerLabels["onehub.ecs-exec"], on ? "on" : "off");
                }
                const policies = ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.endsWith("-ecs-exec"));
                assert.strictEqual(policies.length, on ? 2 : 0);
            }
            const exec = JSON.parse(one(runs.dev, "aws:iam/rolePolicy:RolePolicy", "-master-ecs-exec").inputs.policy).Statement[0].Action;
            assert.deepStrictEqual(exec, [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ]);
        });

        it("run in private subnets without public IPs, reachable on 3000 only from the ALB", () => {
            for (const run of both()) {
                const albSg = `${one(run, "aws:ec2/securityGroup:SecurityGroup", "-edge-alb-sg").name}-id`;
                for (const node of ["-master-", "-slave-"]) {
                    const net = one(run, SERVICE, node).inputs.networkConfiguration;
                    assert.strictEqual(net.assignPublicIp, false);
                    assert.ok(net.subnets.every((s: string) => s.startsWith("subnet-b")));
                    const taskSg = net.securityGroups[0];
                    const ingress = ofType(run, INGRESS).filter((r) => r.inputs.securityGroupId === taskSg);
                    assert.deepStrictEqual(
                        ingress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort]),
                        [[albSg, 3000, 3000]],
                    );
                    const albEgress = ofType(run, EGRESS).filter(
                        (r) => r.inputs.securityGroupId === albSg && r.inputs.referencedSecurityGroupId === taskSg,
                    );
                    assert.strictEqual(albEgress.length, 1, "the ALB may reach the tasks on 3000");
                }
            }
        });

        it("attach themselves to the database's security group, which lists nothing else", () => {
            for (const run of both()) {
                const dbSg = `${one(run, "aws:ec2/securityGroup:SecurityGroup", "-db-sg").name}-id`;
                const taskSgs = ofType(run, SERVICE)
                    .map((s) => s.inputs.networkConfiguration.securityGroups[0])
                    .sort();
                const rules = ofType(run, INGRESS).filter((r) => r.inputs.securityGroupId === dbSg);
                assert.deepStrictEqual(rules.map((r) => r.inputs.referencedSecurityGroupId).sort(), taskSgs);
                assert.ok(rules.every((r) => r.inputs.fromPort === 3306 && r.inputs.toPort === 3306));
                assert.ok(
                    rules.every((r) => !r.parent.includes("OneHubDatabase")),
                    "owned by the services, not the database",
                );
            }
        });

        it("have their own ip target group, health-checked on /api/status; slaves drain streams, the master drains in seconds", () => {
            for (const run of both()) {
                assert.strictEqual(master(run, TG).inputs.deregistrationDelay, 5, "every second of drain is admin-UI outage");
                assert.strictEqual(slave(run, TG).inputs.deregistrationDelay, 300, "onehub:deregistrationDelay");
                for (const node of ["-master-", "-slave-"]) {
                    const tg = one(run, TG, node).inputs;
                    assert.strictEqual(tg.targetType, "ip");
                    assert.strictEqual(tg.port, 3000);
                    assert.strictEqual(tg.healthCheck.path, "/api/status");
                    assert.strictEqual(tg.loadBalancingAlgorithmType, "least_outstanding_requests");
                    assert.strictEqual(
                        one(run, SERVICE, node).inputs.loadBalancers[0].targetGroupArn,
                        `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${one(run, TG, node).name}/0123456789abcdef`,
                    );
                }
            }
        });

        it("start only once their listener rules attach the target group", () => {
            for (const run of both()) {
                for (const node of ["-master-", "-slave-"]) {
                    const rules = ofType(run, "aws:lb/listenerRule:ListenerRule").filter((r) => r.name.includes(node));
                    const deps = one(run, SERVICE, node).dependencies;
                    assert.ok(rules.length > 0 && rules.every((r) => deps.includes(r.urn)));
                }
            }
        });
    });

    it("exports what operators need, including a ready ECS Exec command where ECS Exec is on", () => {
        assert.strictEqual(
            runs.prod.outputs.masterExecCommand,
            "echo 'ECS Exec is off for this stack (onehub:ecsExec false): set it true and run pulumi up first' >&2; false",
        );
        for (const run of [runs.dev]) {
            for (const key of [
                "url",
                "albArn",
                "distributionId",
                "clusterName",
                "masterServiceName",
                "slaveServiceName",
                "databaseEndpoint",
                "masterLogGroupName",
                "slaveLogGroupName",
                "masterExecCommand",
            ]) {
                assert.ok(run.outputs[key], `output ${key}`);
            }
            assert.match(
                run.outputs.masterExecCommand as string,
                new RegExp(
                    `^aws ecs execute-command --region us-east-1 --cluster ${run.outputs.clusterName} --container onehub --interactive --command /bin/sh --task "\\$\\(aws ecs list-tasks .*--service-name ${run.outputs.masterServiceName} `,
                ),
            );
            assert.deepStrictEqual(run.secretOutputs, []);
        }
    });
});

describe("Fargate sizes", () => {
    it("accepts every documented CPU/memory pair and nothing else", () => {
        assert.doesNotThrow(() => checkFargateSize("c", "m", 256, 512));
        assert.doesNotThrow(() => checkFargateSize("c", "m", 4096, 30720));
        assert.doesNotThrow(() => checkFargateSize("c", "m", 16384, 122880));
        assert.throws(() => checkFargateSize("c", "m", 256, 4096), /m = 4096 .*256 CPU units: 512–2048/);
        assert.throws(() => checkFargateSize("c", "m", 8192, 20000), /m = 20000 .*steps of 4096/);
        assert.throws(() => checkFargateSize("c", "m", 300, 512), /c = 300 .*Fargate CPU size/);
        assert.deepStrictEqual(FARGATE_SIZES[1024], [2048, 3072, 4096, 5120, 6144, 7168, 8192]);
    });
});

describe("service config errors", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        ["two masters", { "onehub:masterCount": 2 }, /onehub:masterCount = 2 .*must be 1/],
        [
            "more minimum than maximum slaves",
            { "onehub:slaveMinCount": 5, "onehub:slaveMaxCount": 3 },
            /onehub:slaveMaxCount = 3 .*from onehub:slaveMinCount \(5\)/,
        ],
        ["300 CPU with 512 MiB", { "onehub:slaveCpu": 300 }, /onehub:slaveCpu = 300 .*Fargate CPU size/],
        [
            "a memory Fargate does not pair with the CPU",
            { "onehub:masterCpu": 1024, "onehub:masterMemory": 512 },
            /onehub:masterMemory = 512 .*2048–8192/,
        ],
        ["SYNC_FREQUENCY 0", { "onehub:syncFrequency": 0 }, /onehub:syncFrequency = 0 .*1 to 86400/],
        [
            "a relay pattern that captures /api/*",
            { "onehub:extraRelayPaths": ["/a*"] },
            /onehub:extraRelayPaths = "\/a\*" .*capture \/api\/\*/,
        ],
        [
            "a relay pattern that captures everything",
            { "onehub:extraRelayPaths": ["/*"] },
            /onehub:extraRelayPaths = "\/\*" .*capture \/api\/\*/,
        ],
        [
            "a relay pattern that captures the web UI",
            { "onehub:extraRelayPaths": ["/pan*"] },
            /onehub:extraRelayPaths = "\/pan\*" .*web UI path \/panel/,
        ],
        ["a relay pattern listed twice", { "onehub:extraRelayPaths": ["/v1/*"] }, /onehub:extraRelayPaths = "\/v1\/\*" .*listed twice/],
        [
            "a relay pattern without a leading slash",
            { "onehub:extraRelayPaths": ["v2/*"] },
            /onehub:extraRelayPaths = "v2\/\*" .*starts with "\/"/,
        ],
        [
            "a relay pattern with 6 wildcards",
            { "onehub:extraRelayPaths": ["/x*/*/*/*/*/*"] },
            /onehub:extraRelayPaths = .*at most 5 wildcards/,
        ],
        ["the image tag latest", { "onehub:imageTag": "latest" }, /onehub:imageTag = "latest" .*pinned release/],
        ["the image tag dev", { "onehub:imageTag": "dev" }, /onehub:imageTag = "dev" .*pinned release .*or pin onehub:imageDigest/],
        [
            "more slaves than the database has connections for",
            { "onehub:dbMaxCapacity": "1", "onehub:slaveMaxCount": 20 },
            /onehub:slaveMaxCount = 20 .*onehub:dbMaxCapacity = 1 \(max_connections 90\)/,
        ],
        ["no capacity above the base", { "onehub:slaveSpotWeight": 0 }, /onehub:slaveSpotWeight = 0 .*cannot both be 0/],
        [
            "an on-demand base above the maximum",
            { "onehub:slaveFargateBase": 4 },
            /onehub:slaveFargateBase = 4 .*onehub:slaveMaxCount \(3\)/,
        ],
        ["a CPU target of 95 %", { "onehub:slaveCpuTarget": 95 }, /onehub:slaveCpuTarget = 95 .*10 to 90/],
        [
            "a log retention CloudWatch does not offer",
            { "onehub:logRetentionDays": 8 },
            /onehub:logRetentionDays = 8 .*one of 1, 3, 5, 7, 14/,
        ],
        ["a deregistration delay over an hour", { "onehub:deregistrationDelay": 4000 }, /onehub:deregistrationDelay = 4000 .*0 to 3600/],
        ["zero slaves", { "onehub:slaveMinCount": 0 }, /onehub:slaveMinCount = 0 .*1 to 100/],
        ["an unknown CPU architecture", { "onehub:cpuArchitecture": "arm64" }, /onehub:cpuArchitecture = "arm64" .*"ARM64", "X86_64"/],
        [
            "an unknown Container Insights mode",
            { "onehub:containerInsights": "on" },
            /onehub:containerInsights = "on" .*"disabled", "enabled", "enhanced"/,
        ],
        ["more than 100 idle connections", { "onehub:sqlMaxIdleConns": 101 }, /onehub:sqlMaxIdleConns = 101 .*0 to 100/],
        ["a connection lifetime of 0 s", { "onehub:sqlMaxLifetime": 0 }, /onehub:sqlMaxLifetime = 0 .*1 to 86400/],
    ];
    for (const [what, config, message] of cases) {
        it(`rejects ${what}`, () => expectConfigError("dev", config, message));
    }

    it("rejects a HASHIDS_SALT with a repeated character, without echoing it", async () => {
        await expectConfigError("dev", { "onehub:hashidsSalt": "abca" }, /onehub:hashidsSalt = "\(secret\)" .*none repeated/, {
            secretKeys: ["onehub:hashidsSalt"],
        });
    });

    it("rejects a supplied USER_TOKEN_SECRET that is too short, without echoing it", async () => {
        await expectConfigError("dev", { "onehub:userTokenSecret": "short" }, /onehub:userTokenSecret = "\(secret\)" .*at least 8/, {
            secretKeys: ["onehub:userTokenSecret"],
        });
    });
});
