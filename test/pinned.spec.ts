// What only the snapshot used to pin, stated as rules with literal values: the roles and who may
// assume them, health checks, scaling cooldowns, TLS between CloudFront and the ALB, the database's
// egress, the alphabets of generated secrets, and every bound of the configuration. A reviewer
// skims a snapshot diff; these fail with the rule that broke.
import * as assert from "assert";
import { checkFargateSize } from "../components/services/fargate";
import { OneHubMasterService } from "../components/services/oneHubMasterService";
import { OneHubSlaveService } from "../components/services/oneHubSlaveService";
import { OneHubArgs, validateOneHubArgs } from "../components/oneHub";
import { readConfig } from "../stacks/config";
import { loadStackConfig, StackRun } from "../tools/offlineStack";
import { container, expectConfigError, FIXTURES, fixtureRun, ofType, one, stackRun } from "./util";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const SERVICE = "aws:ecs/service:Service";
const TG = "aws:lb/targetGroup:TargetGroup";
const POLICY = "aws:appautoscaling/policy:Policy";
const NODES = ["master", "slave"] as const;

const ACCOUNT = "123456789012";
const trust = (service: string, condition?: Record<string, Record<string, string>>) => ({
    Version: "2012-10-17",
    Statement: [
        { Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) },
    ],
});
/** Task roles: only this account's ECS tasks; execution roles: the account whenever ECS names it. */
const ECS_TRUST = {
    task: trust("ecs-tasks.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": ACCOUNT },
        ArnLike: { "aws:SourceArn": `arn:aws:ecs:us-east-1:${ACCOUNT}:*` },
    }),
    execution: trust("ecs-tasks.amazonaws.com", { StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } }),
};
const roleArn = (name: string) => `arn:aws:iam:us-east-1:123456789012:role/${name}`;

describe("pinned: roles", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    it("give each node a task role and a separate execution role, both assumable only by this account's ecs-tasks.amazonaws.com", () => {
        for (const run of Object.values(runs)) {
            for (const node of NODES) {
                const prefix = `onehub-${run.stack}-${node}`;
                const task = one(run, TASK, `${prefix}-task`).inputs;
                assert.deepStrictEqual(
                    [task.taskRoleArn, task.executionRoleArn],
                    [roleArn(`${prefix}-task`), roleArn(`${prefix}-execution`)],
                );
                for (const kind of ["task", "execution"] as const) {
                    const role = `${prefix}-${kind}`;
                    assert.deepStrictEqual(JSON.parse(one(run, ROLE, role).inputs.assumeRolePolicy), ECS_TRUST[kind], role);
                }
            }
        }
    });

    it("let the task role open ECS Exec channels and write its session log where ECS Exec is on (dev), nothing where it is off (prod), and attach no managed policy to either role", () => {
        for (const run of Object.values(runs)) {
            for (const node of NODES) {
                const prefix = `onehub-${run.stack}-${node}`;
                const taskRolePolicies = ofType(run, ROLE_POLICY).filter((p) => p.inputs.role === `${prefix}-task-id`);
                const execPolicy = {
                    Version: "2012-10-17",
                    Statement: [
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
                        { Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*" },
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                            Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:onehub-${run.stack}-ecs-exec-logs:*`,
                        },
                    ],
                };
                assert.deepStrictEqual(
                    taskRolePolicies.map((p) => [p.name, JSON.parse(p.inputs.policy)]),
                    run.stack === "dev" ? [[`${prefix}-ecs-exec`, execPolicy]] : [],
                );
                assert.deepStrictEqual(
                    ofType(run, ROLE_POLICY)
                        .filter((p) => p.inputs.role === `${prefix}-execution-id`)
                        .map((p) => p.name),
                    [`${prefix}-execution`],
                );
            }
            assert.deepStrictEqual(ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"), []);
        }
    });

    it("let the execution role read exactly the injected secrets and write only its own log group", () => {
        for (const run of Object.values(runs)) {
            for (const node of NODES) {
                const prefix = `onehub-${run.stack}-${node}`;
                const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:onehub-${run.stack}-${name}-AbCdEf`;
                assert.deepStrictEqual(JSON.parse(one(run, ROLE_POLICY, `${prefix}-execution`).inputs.policy), {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["secretsmanager:GetSecretValue"],
                            // prod shares a Redis: its connection string is injected too.
                            Resource: [
                                ...(run.stack === "prod" ? [secret("cache-conn-string")] : []),
                                secret("secrets-session-secret"),
                                secret("db-sql-dsn"),
                                secret("secrets-user-token-secret"),
                            ],
                        },
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Resource: `arn:aws:logs:us-east-1:123456789012:log-group:${prefix}-logs:*`,
                        },
                    ],
                });
            }
        }
    });

    it("let deploy-time functions be assumed only by lambda.amazonaws.com, and write only their own logs", () => {
        for (const run of Object.values(runs)) {
            // The NAT instance's role (dev) trusts EC2: test/natInstance.spec.ts.
            const roles = ofType(run, ROLE).filter((r) => r.name.endsWith("-role") && !r.name.endsWith("-nat-role"));
            assert.deepStrictEqual(
                roles.map((r) => r.name),
                [
                    `onehub-${run.stack}-db-app-user-role`,
                    `onehub-${run.stack}-ecs-ecs-role-role`,
                    `onehub-${run.stack}-master-gate-role`,
                    `onehub-${run.stack}-slave-spot-drain-role`,
                    `onehub-${run.stack}-root-password-bootstrap-role`,
                ],
            );
            for (const role of roles) {
                assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy), trust("lambda.amazonaws.com"));
                const step = role.name.replace(/-role$/, "");
                const statements = JSON.parse(one(run, ROLE_POLICY, `${step}-policy`).inputs.policy).Statement;
                assert.deepStrictEqual(statements[statements.length - 1], {
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `arn:aws:logs:us-east-1:123456789012:log-group:${step}-logs:*`,
                });
            }
        }
    });
});

describe("pinned: health checks and scaling", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    it("give the container 120 s to start on the master (it migrates first) and 60 s on a slave, then check every 30 s", () => {
        for (const run of Object.values(runs)) {
            for (const [node, startPeriod] of [
                ["master", 120],
                ["slave", 60],
            ] as const) {
                assert.deepStrictEqual(container(one(run, TASK, `-${node}-task`)).healthCheck, {
                    command: ["CMD-SHELL", `wget -q -O - http://localhost:3000/api/status | grep -q '"success":true' || exit 1`],
                    interval: 30,
                    timeout: 10,
                    retries: 3,
                    startPeriod,
                });
            }
        }
    });

    it("let ECS ignore the load balancer for 180 s after a master starts and 60 s after a slave", () => {
        for (const run of Object.values(runs)) {
            assert.strictEqual(one(run, SERVICE, "-master-").inputs.healthCheckGracePeriodSeconds, 180);
            assert.strictEqual(one(run, SERVICE, "-slave-").inputs.healthCheckGracePeriodSeconds, 60);
        }
    });

    it("health-check targets on /api/status every 15 s: 2 successes make a target healthy, 3 failures unhealthy", () => {
        for (const run of Object.values(runs)) {
            for (const node of NODES) {
                assert.deepStrictEqual(one(run, TG, `-${node}-tg`).inputs.healthCheck, {
                    path: "/api/status",
                    matcher: "200",
                    interval: 15,
                    timeout: 5,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                });
            }
        }
    });

    it("scale slaves out after 60 s and in after 300 s, on CPU and on requests", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:slaveRequestsPerTarget": 600 } });
        for (const policy of [one(run, POLICY, "-slave-cpu"), one(run, POLICY, "-slave-requests")]) {
            const c = policy.inputs.targetTrackingScalingPolicyConfiguration;
            assert.deepStrictEqual([policy.inputs.policyType, c.scaleOutCooldown, c.scaleInCooldown], ["TargetTrackingScaling", 60, 300]);
        }
        for (const r of Object.values(runs)) {
            const c = one(r, POLICY, "-slave-cpu").inputs.targetTrackingScalingPolicyConfiguration;
            assert.deepStrictEqual([c.scaleOutCooldown, c.scaleInCooldown, c.disableScaleIn], [60, 300, undefined]);
        }
    });
});

describe("pinned: TLS between CloudFront and the ALB, and the database's egress", () => {
    it("offer the ALB only TLS 1.2 from CloudFront, over HTTP inside the VPC by default", async () => {
        const run = await stackRun("dev");
        const { name, arn, ...config } = one(run, "aws:cloudfront/vpcOrigin:VpcOrigin").inputs.vpcOriginEndpointConfig;
        assert.ok(name && arn);
        assert.deepStrictEqual(config, {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: "http-only",
            originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
        });
    });

    it("with an ALB certificate: https-only to the ALB, TLS 1.2 offered, and the listener's TLS 1.3/1.2 policy", async () => {
        const run = await fixtureRun("dev", {
            config: {
                "onehub:albCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                "onehub:albOriginDomainName": "origin.example.com",
            },
        });
        const origin = one(run, "aws:cloudfront/vpcOrigin:VpcOrigin").inputs.vpcOriginEndpointConfig;
        assert.deepStrictEqual(
            [origin.originProtocolPolicy, origin.originSslProtocols],
            ["https-only", { items: ["TLSv1.2"], quantity: 1 }],
        );
        const listener = one(run, "aws:lb/listener:Listener").inputs;
        assert.deepStrictEqual(
            [listener.protocol, listener.port, listener.sslPolicy, listener.certificateArn],
            ["HTTPS", 443, "ELBSecurityPolicy-TLS13-1-2-2021-06", "arn:aws:acm:us-east-1:123456789012:certificate/abc"],
        );
    });

    it("give the database's security group no egress at all: Aurora needs none", async () => {
        for (const run of [await stackRun("dev"), await stackRun("prod")]) {
            const sg = one(run, "aws:ec2/securityGroup:SecurityGroup", "-db-sg");
            assert.strictEqual(sg.inputs.egress, undefined);
            const egress = [
                ...ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
                ...ofType(run, "aws:ec2/securityGroupRule:SecurityGroupRule"),
            ].filter((r) => r.inputs.securityGroupId === `${sg.name}-id`);
            assert.deepStrictEqual(egress, []);
        }
    });
});

describe("pinned: generated secrets", () => {
    it("draw every generated value from an alphabet its consumer accepts, at these lengths", async () => {
        const run = await stackRun("dev");
        const random = [
            ...ofType(run, "random:index/randomPassword:RandomPassword"),
            ...ofType(run, "random:index/randomString:RandomString"),
        ];
        assert.deepStrictEqual(Object.fromEntries(random.map((r) => [r.name, r.inputs])), {
            // SQL_DSN: no ? & / @ : # % quotes or spaces; at least two of each class.
            "onehub-dev-db-master-password": {
                length: 40,
                special: true,
                overrideSpecial: "-_.~!*+=^",
                minLower: 2,
                minUpper: 2,
                minNumeric: 2,
            },
            // onehub_app's, in SQL_DSN too: the same alphabet.
            "onehub-dev-db-app-password": {
                length: 40,
                special: true,
                overrideSpecial: "-_.~!*+=^",
                minLower: 2,
                minUpper: 2,
                minNumeric: 2,
            },
            // OneHub's admin password, typed into its login form: letters and digits, at least two of each.
            "onehub-dev-root-password": { length: 20, special: false, minLower: 2, minUpper: 2, minNumeric: 2 },
            // Part of RDS identifiers: lower case and digits only.
            "onehub-dev-db-id": { length: 6, special: false, upper: false },
            // SESSION_SECRET, USER_TOKEN_SECRET: 48 letters and digits.
            "onehub-dev-secrets-session-secret": { length: 48, special: false },
            "onehub-dev-secrets-user-token-secret": { length: 48, special: false },
        });
    });

    // Each breaks OneHub's SQL_DSN (user:pass@tcp(host)/db, then ?loc= appended) or Aurora.
    for (const [char, why] of [
        ["?", "starts the DSN's parameters"],
        ["&", "separates DSN parameters"],
        ["/", "separates the database name"],
        ["@", "ends the user:password part"],
        [":", "separates user and password"],
        ["#", "starts a fragment"],
        ["%", "starts an escape"],
        ['"', "Aurora refuses it"],
        ["'", "a quote"],
        [" ", "Aurora refuses spaces"],
    ]) {
        it(`refuses a supplied master password with ${JSON.stringify(char)} (${why}), without echoing it`, () =>
            expectConfigError(
                "dev",
                { "onehub:dbPassword": `Valid-Pass${char}123` },
                /^onehub:dbPassword = "\(secret\)" is invalid: must be 8–41 characters/,
                {
                    secretKeys: ["onehub:dbPassword"],
                },
            ));
    }

    it("accepts a supplied master password of 8 and 41 characters, and refuses 7 and 42", () => {
        const ok = (password: string) => validateOneHubArgs({ dbPassword: password }, "onehub:");
        ok("Abcd-123");
        ok("A".repeat(41));
        assert.throws(() => ok("Abc-123"), /onehub:dbPassword = "\(secret\)"/);
        assert.throws(() => ok("A".repeat(42)), /onehub:dbPassword = "\(secret\)"/);
    });
});

describe("pinned: Fargate sizes, row by row", () => {
    // CPU units: the first and last memory Fargate allows, and one it does not.
    const ROWS: Array<[number, number, number, number]> = [
        [256, 512, 2048, 3072],
        [512, 1024, 4096, 512],
        [1024, 2048, 8192, 9216],
        [2048, 4096, 16384, 3072],
        [4096, 8192, 30720, 31744],
        [8192, 16384, 61440, 18432],
        [16384, 32768, 122880, 36864],
    ];
    for (const [cpu, first, last, invalid] of ROWS) {
        it(`${cpu} CPU units run with ${first}–${last} MiB and refuse ${invalid}`, () => {
            for (const memory of [first, last]) {
                validateOneHubArgs(
                    { masterCpu: cpu, masterMemory: memory, slaveCpu: cpu, slaveMemory: memory, slaveMaxCount: 1 },
                    "onehub:",
                );
            }
            assert.throws(
                () => validateOneHubArgs({ slaveCpu: cpu, slaveMemory: invalid }, "onehub:"),
                new RegExp(
                    `onehub:slaveMemory = ${invalid} is invalid: must be one Fargate allows with ${cpu} CPU units: ${first}–${last} MiB`,
                ),
            );
            assert.throws(() => checkFargateSize("c", "m", cpu, first - (cpu === 256 ? 256 : 1024)), /m = /);
        });
    }

    it("refuses a CPU size Fargate does not have", () => {
        assert.throws(
            () => checkFargateSize("c", "m", 128, 512),
            /c = 128 is invalid: must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192, 16384$/,
        );
    });
});

/** The arguments `config` (over the dev fixture) gives, validated as `pulumi up` would; throws when refused. */
function accepts(config: Record<string, unknown>): OneHubArgs {
    const wire = loadStackConfig("dev", { stacksDir: FIXTURES, config });
    const args = readConfig(wire.config, (key) => wire.secretKeys.includes(key));
    validateOneHubArgs(args, "onehub:");
    return args;
}

describe("pinned: configuration bounds (the last accepted value, and the first refused)", () => {
    const BIG_DB = { "onehub:dbMaxCapacity": "256", "onehub:dbRebootedMaxCapacity": "256" };
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, RegExp]> = [
        [
            "slaveMaxCount",
            { ...BIG_DB, "onehub:slaveMaxCount": 500 },
            { ...BIG_DB, "onehub:slaveMaxCount": 501 },
            /slaveMaxCount = 501 .*to 500/,
        ],
        ["channelTestFrequency (high)", { "onehub:channelTestFrequency": 10080 }, { "onehub:channelTestFrequency": 10081 }, /0 to 10080/],
        ["channelTestFrequency (low)", { "onehub:channelTestFrequency": 0 }, { "onehub:channelTestFrequency": -1 }, /0 to 10080/],
        ["azCount (low)", { "onehub:azCount": 2 }, { "onehub:azCount": 1 }, /azCount = 1 .*2 to 6/],
        ["azCount (high)", { "onehub:azCount": 6, "onehub:vpcCidr": "10.0.0.0/16" }, { "onehub:azCount": 7 }, /azCount = 7 .*2 to 6/],
        ["albIdleTimeout (low)", { "onehub:albIdleTimeout": 60 }, { "onehub:albIdleTimeout": 59 }, /60 to 4000/],
        ["albIdleTimeout (high)", { "onehub:albIdleTimeout": 4000 }, { "onehub:albIdleTimeout": 4001 }, /60 to 4000/],
        ["originReadTimeout (low)", { "onehub:originReadTimeout": 1 }, { "onehub:originReadTimeout": 0 }, /1 to 120/],
        ["originReadTimeout (high)", { "onehub:originReadTimeout": 120 }, { "onehub:originReadTimeout": 121 }, /1 to 120/],
        ["originKeepaliveTimeout (low)", { "onehub:originKeepaliveTimeout": 1 }, { "onehub:originKeepaliveTimeout": 0 }, /1 to 120/],
        ["originKeepaliveTimeout (high)", { "onehub:originKeepaliveTimeout": 120 }, { "onehub:originKeepaliveTimeout": 121 }, /1 to 120/],
        [
            "wafRateLimit (low)",
            { "onehub:wafRateLimit": 10, "onehub:wafLoginRateLimit": 10 },
            { "onehub:wafRateLimit": 9 },
            /wafRateLimit = 9 .*10 to 2000000000/,
        ],
        ["wafRateLimit (high)", { "onehub:wafRateLimit": 2_000_000_000 }, { "onehub:wafRateLimit": 2_000_000_001 }, /10 to 2000000000/],
        ["wafLoginRateLimit (low)", { "onehub:wafLoginRateLimit": 10 }, { "onehub:wafLoginRateLimit": 9 }, /wafLoginRateLimit = 9 .*10 to/],
        [
            "wafLoginRateLimit (≤ wafRateLimit)",
            { "onehub:wafLoginRateLimit": 2000 },
            { "onehub:wafLoginRateLimit": 2001 },
            /must not exceed onehub:wafRateLimit \(2000\)/,
        ],
        [
            "dbMinCapacity (low)",
            { "onehub:dbMinCapacity": "0", "onehub:dbSecondsUntilAutoPause": 300 },
            { "onehub:dbMinCapacity": "-0.5" },
            /dbMinCapacity = -0\.5 .*0 to 256 in steps of 0\.5/,
        ],
        [
            "dbMinCapacity",
            { "onehub:dbMinCapacity": "4", "onehub:dbSecondsUntilAutoPause": 0 },
            { "onehub:dbMinCapacity": "4.5", "onehub:dbSecondsUntilAutoPause": 0 },
            /dbMinCapacity = 4\.5 .*must not exceed onehub:dbMaxCapacity \(4\)/,
        ],
        [
            "dbMaxCapacity (low)",
            { "onehub:dbMaxCapacity": "1", "onehub:dbRebootedMaxCapacity": "1", "onehub:slaveMaxCount": 1 },
            { "onehub:dbMaxCapacity": "0.5" },
            /dbMaxCapacity = 0\.5 .*1 to 256/,
        ],
        ["dbMaxCapacity (high)", BIG_DB, { "onehub:dbMaxCapacity": "256.5" }, /dbMaxCapacity = 256\.5 .*1 to 256/],
        [
            "dbRebootedMaxCapacity",
            { "onehub:dbRebootedMaxCapacity": "1", "onehub:slaveMaxCount": 1 },
            { "onehub:dbRebootedMaxCapacity": "0.5" },
            /dbRebootedMaxCapacity = 0\.5 .*1 to 256/,
        ],
        [
            "dbSecondsUntilAutoPause (low)",
            { "onehub:dbMinCapacity": "0", "onehub:dbSecondsUntilAutoPause": 300 },
            { "onehub:dbMinCapacity": "0", "onehub:dbSecondsUntilAutoPause": 299 },
            /300 to 86400/,
        ],
        [
            "dbSecondsUntilAutoPause (high)",
            { "onehub:dbMinCapacity": "0", "onehub:dbSecondsUntilAutoPause": 86400 },
            { "onehub:dbMinCapacity": "0", "onehub:dbSecondsUntilAutoPause": 86401 },
            /300 to 86400/,
        ],
        ["dbReaderCount (low)", { "onehub:dbReaderCount": 0 }, { "onehub:dbReaderCount": -1 }, /0 to 15/],
        ["dbReaderCount (high)", { "onehub:dbReaderCount": 15 }, { "onehub:dbReaderCount": 16 }, /0 to 15/],
        ["dbBackupRetentionDays (low)", { "onehub:dbBackupRetentionDays": 1 }, { "onehub:dbBackupRetentionDays": 0 }, /1 to 35/],
        ["dbBackupRetentionDays (high)", { "onehub:dbBackupRetentionDays": 35 }, { "onehub:dbBackupRetentionDays": 36 }, /1 to 35/],
        ["masterCount", { "onehub:masterCount": 1 }, { "onehub:masterCount": 0 }, /masterCount = 0 .*must be 1/],
        ["slaveMinCount (low)", { "onehub:slaveMinCount": 1 }, { "onehub:slaveMinCount": 0 }, /1 to 100/],
        [
            "slaveMinCount (high)",
            { ...BIG_DB, "onehub:slaveMinCount": 100, "onehub:slaveMaxCount": 100 },
            { "onehub:slaveMinCount": 101 },
            /1 to 100/,
        ],
        ["slaveCpuTarget (low)", { "onehub:slaveCpuTarget": 10 }, { "onehub:slaveCpuTarget": 9 }, /10 to 90/],
        ["slaveCpuTarget (high)", { "onehub:slaveCpuTarget": 90 }, { "onehub:slaveCpuTarget": 91 }, /10 to 90/],
        ["slaveRequestsPerTarget (low)", { "onehub:slaveRequestsPerTarget": 0 }, { "onehub:slaveRequestsPerTarget": -1 }, /0 to 1000000/],
        [
            "slaveRequestsPerTarget (high)",
            { "onehub:slaveRequestsPerTarget": 1_000_000 },
            { "onehub:slaveRequestsPerTarget": 1_000_001 },
            /0 to 1000000/,
        ],
        [
            "slaveFargateBase (low)",
            { "onehub:slaveFargateBase": 0 },
            { "onehub:slaveFargateBase": -1 },
            /slaveFargateBase = -1 .*0 to onehub:slaveMaxCount \(3\)/,
        ],
        ["slaveFargateBase (high)", { "onehub:slaveFargateBase": 3 }, { "onehub:slaveFargateBase": 4 }, /0 to onehub:slaveMaxCount \(3\)/],
        ["slaveFargateWeight", { "onehub:slaveFargateWeight": 1000 }, { "onehub:slaveFargateWeight": 1001 }, /0 to 1000/],
        ["slaveSpotWeight (high)", { "onehub:slaveSpotWeight": 1000 }, { "onehub:slaveSpotWeight": 1001 }, /0 to 1000/],
        [
            "slaveSpotWeight (low)",
            { "onehub:slaveSpotWeight": 0, "onehub:slaveFargateWeight": 1 },
            { "onehub:slaveSpotWeight": -1 },
            /0 to 1000/,
        ],
        ["syncFrequency (low)", { "onehub:syncFrequency": 1 }, { "onehub:syncFrequency": 0 }, /1 to 86400/],
        ["syncFrequency (high)", { "onehub:syncFrequency": 86400 }, { "onehub:syncFrequency": 86401 }, /1 to 86400/],
        ["deregistrationDelay (low)", { "onehub:deregistrationDelay": 0 }, { "onehub:deregistrationDelay": -1 }, /0 to 3600/],
        ["deregistrationDelay (high)", { "onehub:deregistrationDelay": 3600 }, { "onehub:deregistrationDelay": 3601 }, /0 to 3600/],
        [
            "logRetentionDays (low)",
            { "onehub:logRetentionDays": 1 },
            { "onehub:logRetentionDays": 2 },
            /logRetentionDays = 2 .*one of 1, 3, 5/,
        ],
        ["logRetentionDays (high)", { "onehub:logRetentionDays": 3653 }, { "onehub:logRetentionDays": 3654 }, /logRetentionDays = 3654/],
    ];
    for (const [key, ok, refused, message] of cases) {
        it(`${key}: accepts ${JSON.stringify(ok)}, refuses ${JSON.stringify(refused)}`, async () => {
            accepts(ok);
            // Refused by the config check itself, before any component is built…
            assert.throws(() => accepts(refused), message);
            // …and so by `pulumi up`, before anything is registered.
            await expectConfigError("dev", refused, message);
        });
    }

    it("a slaveMaxCount of 500 leaves each of 501 tasks 11 connections of a 256-ACU database", () => {
        assert.strictEqual(accepts({ ...BIG_DB, "onehub:slaveMaxCount": 500 }).slaveMaxCount, 500);
    });
});

describe("pinned: component argument bounds (for programs that use the services directly)", () => {
    const args = {
        clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-01111111", "subnet-11111111"],
        secrets: {
            SQL_DSN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dsn-AbCdEf",
            SESSION_SECRET: "arn:aws:secretsmanager:us-east-1:123456789012:secret:session-AbCdEf",
            USER_TOKEN_SECRET: "arn:aws:secretsmanager:us-east-1:123456789012:secret:token-AbCdEf",
        },
        listenerArn: "arn:listener",
        albSecurityGroupId: "sg-alb",
        databaseSecurityGroupId: "sg-db",
    };
    const refuses = async (build: () => void, message: RegExp) => {
        let error: unknown;
        try {
            await fixtureRun("dev", {}, build);
        } catch (e) {
            error = e;
        }
        assert.ok(error instanceof Error && message.test(error.message), `expected ${message}, got ${error}`);
    };

    for (const [field, value, message] of [
        ["channelTestFrequency", -1, /OneHubMasterService args\.channelTestFrequency = -1 .*0 to 10080/],
        ["channelTestFrequency", 10081, /OneHubMasterService args\.channelTestFrequency = 10081 .*0 to 10080/],
        ["healthCheckGracePeriod", 1801, /OneHubMasterService args\.healthCheckGracePeriod = 1801 .*0 to 1800/],
        ["deregistrationDelay", 3601, /OneHubMasterService args\.deregistrationDelay = 3601 .*0 to 3600/],
    ] as const) {
        it(`the master refuses ${field} ${value}`, () =>
            refuses(() => new OneHubMasterService("mst", { ...args, [field]: value }), message));
    }

    for (const [field, value, message] of [
        ["maxCount", 501, /OneHubSlaveService args\.maxCount = 501 .*to 500/],
        ["deregistrationDelay", 3601, /OneHubSlaveService args\.deregistrationDelay = 3601 .*0 to 3600/],
        ["cpuTarget", 91, /OneHubSlaveService args\.cpuTarget = 91 .*10 to 90/],
    ] as const) {
        it(`the slaves refuse ${field} ${value}`, () =>
            refuses(() => new OneHubSlaveService("slv", { ...args, masterServiceName: "mst-service", [field]: value }), message));
    }
});
