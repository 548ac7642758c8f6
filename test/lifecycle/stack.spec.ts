// What a real `pulumi up` needs and mocks never show: the order of creation in a fresh account,
// and what an update of a long-running stack replaces, redeploys or leaves alone. Each rule is
// read from the recorded dependency graph and resource options.
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { OneHubMasterService } from "../../components/services/oneHubMasterService";
import { OneHubSlaveService } from "../../components/services/oneHubSlaveService";
import { MOCK_VPC_ID, MOCK_VPC_WITHOUT_IGW, MOCK_ZONES, RegisteredResource, StackRun } from "../../tools/offlineStack";
import { assertWaitsFor, dependsDirectlyOn, waitsFor } from "../graph";
import { container, envOf, expectConfigError, fixtureRun, ofType, one, serviceArgs, stackRun } from "../util";

const SERVICE = "aws:ecs/service:Service";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const WRITER = "aws:rds/clusterInstance:ClusterInstance";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const SECRET = "aws:secretsmanager/secret:Secret";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const INVOCATION = "aws:lambda/invocation:Invocation";
const FUNCTION = "aws:lambda/function:Function";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const NODES = ["-master-", "-slave-"];

const taskOf = (run: StackRun, node: string) => one(run, TASK, node);
const serviceOf = (run: StackRun, node: string) => one(run, SERVICE, node);
const gateOf = (run: StackRun) => one(run, INVOCATION, "-master-gate");
/** The SecretVersion whose secret a container's valueFrom names. */
function versionFor(run: StackRun, valueFrom: string): RegisteredResource {
    const secret = ofType(run, SECRET).find((s) => valueFrom.startsWith(`arn:aws:secretsmanager:us-east-1:123456789012:secret:${s.name}-`));
    assert.ok(secret, `no secret behind ${valueFrom}`);
    return one(run, VERSION, secret.name);
}

describe("lifecycle: a first `pulumi up` in a fresh account", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });
    const both = () => Object.values(runs);

    it("every service waits for the Aurora writer instance (OneHub exits when it cannot reach the database)", () => {
        for (const run of both()) {
            const writer = one(run, WRITER, "-writer");
            for (const node of NODES) {
                assertWaitsFor(run, serviceOf(run, node), writer, "a master started before the writer exits and trips the circuit breaker");
            }
        }
    });

    it("every service waits for the version of every secret it injects, not just the secret", () => {
        for (const run of both()) {
            for (const node of NODES) {
                const secrets = container(taskOf(run, node)).secrets as { name: string; valueFrom: string }[];
                assert.ok(secrets.length >= 3);
                for (const { name, valueFrom } of secrets) {
                    assertWaitsFor(run, serviceOf(run, node), versionFor(run, valueFrom), `${name} has no value before its SecretVersion`);
                }
            }
        }
    });

    it("every service waits for its execution role's policy and for the security-group rules its tasks need", () => {
        for (const run of both()) {
            for (const node of NODES) {
                const service = serviceOf(run, node);
                const needed = [
                    one(run, ROLE_POLICY, `${node}execution`),
                    one(run, INGRESS, `${node}from-alb`),
                    one(run, INGRESS, `${node}to-db`),
                    one(run, EGRESS, `${node}alb-to-tasks`),
                    one(run, EGRESS, `${node}to-internet`),
                ];
                for (const r of needed) {
                    assert.ok(dependsDirectlyOn(service, r), `${service.name} must depend on ${r.name} itself`);
                }
            }
        }
    });

    it("the capacity providers wait for the ECS service-linked role step", () => {
        for (const run of both()) {
            const step = one(run, INVOCATION, "-ecs-role");
            const providers = one(run, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
            assert.ok(dependsDirectlyOn(providers, step), "its own dependency: a component's dependsOn is not always inherited");
            assert.ok(dependsDirectlyOn(one(run, "aws:ecs/cluster:Cluster"), step));
        }
    });

    it("the service-linked role is ensured, never owned: no resource would delete it, and the step may only read or create it", () => {
        const run = runs.dev;
        assert.strictEqual(ofType(run, "aws:iam/serviceLinkedRole:ServiceLinkedRole").length, 0);
        const policy = JSON.parse(one(run, ROLE_POLICY, "-ecs-role-policy").inputs.policy);
        const role = "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS";
        assert.deepStrictEqual(policy.Statement.slice(0, 2), [
            { Effect: "Allow", Action: ["iam:GetRole"], Resource: role },
            {
                Effect: "Allow",
                Action: ["iam:CreateServiceLinkedRole"],
                Resource: role,
                Condition: { StringEquals: { "iam:AWSServiceName": "ecs.amazonaws.com" } },
            },
        ]);
        assert.ok(!JSON.stringify(policy).includes("Delete"));
    });

    it("a stack that created the role with the retired key keeps it in AWS when the key goes", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:createEcsServiceLinkedRole": true } });
        const legacy = one(run, "aws:iam/serviceLinkedRole:ServiceLinkedRole");
        assert.strictEqual(legacy.name, "onehub-dev-ecs-ecs-role", "the URN earlier versions created: not replaced");
        assert.strictEqual(legacy.retainOnDelete, true, "removing the key later must not delete the role");
        assert.ok(dependsDirectlyOn(one(run, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"), legacy));
    });

    it("the role step can be turned off where the role is known to exist", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:ensureEcsServiceLinkedRole": false } });
        assert.strictEqual(ofType(run, INVOCATION).filter((i) => i.name.includes("-ecs-role")).length, 0);
    });

    it("every deploy-time function has its role's permissions before its first invocation", () => {
        for (const run of both()) {
            for (const fn of ofType(run, FUNCTION)) {
                const stepName = fn.name.replace(/-fn$/, "");
                assert.ok(dependsDirectlyOn(fn, one(run, ROLE_POLICY, `${stepName}-policy`)), fn.name);
                assert.strictEqual(fn.inputs.runtime, "nodejs24.x");
                assert.ok(fn.inputs.timeout <= 900, "Lambda's limit");
            }
        }
    });

    it("a created VPC uses only zones whose IDs support CloudFront VPC origins", () => {
        for (const run of both()) {
            const zones: string[] = one(run, "awsx:ec2:Vpc").inputs.availabilityZoneNames;
            for (const zone of zones) {
                assert.notStrictEqual(MOCK_ZONES.zoneIds[MOCK_ZONES.names.indexOf(zone)], "use1-az3", `${zone} has no VPC origins`);
            }
        }
        assert.deepStrictEqual(one(runs.prod, "awsx:ec2:Vpc").inputs.availabilityZoneNames, ["us-east-1a", "us-east-1b", "us-east-1d"]);
    });

    it("refuses more zones than the region has with VPC origins, before anything is registered", () =>
        expectConfigError(
            "prod",
            { "onehub:azCount": 6 },
            /onehub:azCount = 6 .*only 5 Availability Zones that support CloudFront VPC origins/,
        ));

    it("refuses an existing VPC whose private subnets lie in a zone without VPC origins", () =>
        expectConfigError(
            "dev",
            {
                "onehub:natStrategy": "None",
                "onehub:existingVpcId": MOCK_VPC_ID,
                "onehub:existingPrivateSubnetIds": ["subnet-01111111", "subnet-21111111"],
                "onehub:existingDatabaseSubnetIds": ["subnet-03333333", "subnet-14444444"],
            },
            /onehub:existingPrivateSubnetIds = .* subnet-21111111 \(use1-az3\)/,
        ));

    it("refuses an existing VPC without an internet gateway (a VPC origin needs one)", () =>
        expectConfigError(
            "dev",
            {
                "onehub:natStrategy": "None",
                "onehub:existingVpcId": MOCK_VPC_WITHOUT_IGW,
                "onehub:existingPrivateSubnetIds": ["subnet-01111111", "subnet-11111111"],
                "onehub:existingDatabaseSubnetIds": ["subnet-03333333", "subnet-14444444"],
            },
            /onehub:existingVpcId = "vpc-0000000000000dead" .*no internet gateway attached/,
        ));

    it("refuses natStrategy None for a new VPC (no egress: CannotPullContainer) but allows it with an existing VPC", async () => {
        await expectConfigError("dev", { "onehub:natStrategy": "None" }, /onehub:natStrategy = "None" .*needs onehub:existingVpcId/);
        const run = await fixtureRun("dev", {
            config: {
                "onehub:natStrategy": "None",
                "onehub:existingVpcId": MOCK_VPC_ID,
                "onehub:existingPrivateSubnetIds": ["subnet-01111111", "subnet-11111111"],
                "onehub:existingDatabaseSubnetIds": ["subnet-03333333", "subnet-14444444"],
            },
        });
        assert.strictEqual(ofType(run, "awsx:ec2:Vpc").length, 0);
    });
});

describe("lifecycle: the master's rollout gates the slaves", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });
    const both = () => Object.values(runs);

    it("a failed master rollout stops the update before any slave changes: the slave service waits for the gate", () => {
        for (const run of both()) {
            const gate = gateOf(run);
            assertWaitsFor(run, gate, serviceOf(run, "-master-"), "the gate checks the deployment the service update started");
            assertWaitsFor(run, serviceOf(run, "-slave-"), gate, "only the master migrates the schema");
            assert.ok(!waitsFor(run, serviceOf(run, "-master-"), gate), "no cycle");
        }
    });

    it("the gate checks the task definition this update registered, so `pulumi up --refresh` re-runs it after a rollback", () => {
        for (const run of both()) {
            const input = JSON.parse(gateOf(run).inputs.input);
            const master = serviceOf(run, "-master-");
            assert.strictEqual(input.taskDefinition, master.inputs.taskDefinition);
            assert.strictEqual(input.service, master.name);
            assert.strictEqual(input.cluster, master.inputs.cluster);
            assert.ok(input.timeoutSeconds > 0 && input.timeoutSeconds < one(run, FUNCTION, "-master-gate").inputs.timeout);
            const policy = JSON.parse(one(run, ROLE_POLICY, "-master-gate-policy").inputs.policy);
            assert.deepStrictEqual(policy.Statement[0], {
                Effect: "Allow",
                Action: ["ecs:DescribeServices"],
                Resource: `${master.name}-id`,
            });
        }
    });

    it("a new image gives the gate a new input (an invocation runs only when its input changes)", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:imageTag": "v0.14.28" } });
        assert.notStrictEqual(gateOf(run).inputs.input, gateOf(runs.dev).inputs.input);
    });

    it("the master is deleted before it is replaced: never two masters, even on replacement", () => {
        for (const run of both()) {
            assert.strictEqual(serviceOf(run, "-master-").deleteBeforeReplace, true);
            assert.strictEqual(serviceOf(run, "-slave-").deleteBeforeReplace, false, "slaves may overlap");
        }
    });
});

describe("lifecycle: updates of a stack that has run for a year", () => {
    let dev: StackRun;
    before(async () => {
        dev = await stackRun("dev");
    });

    it("AWS applying an Aurora minor version causes no downgrade diff: no automatic minor upgrades, no engine version on instances", async () => {
        for (const run of [dev, await stackRun("prod")]) {
            for (const instance of ofType(run, WRITER)) {
                assert.strictEqual(instance.inputs.autoMinorVersionUpgrade, false, instance.name);
                assert.strictEqual(instance.inputs.engineVersion, undefined, `${instance.name} follows the cluster's version`);
            }
        }
    });

    it("a new master password reaches Aurora now and redeploys nothing: the tasks connect as the application user", async () => {
        assert.strictEqual(one(dev, "aws:rds/cluster:Cluster").inputs.applyImmediately, true);
        const secretKeys = ["onehub:dbPassword"];
        const before = await fixtureRun("dev", { config: { "onehub:dbPassword": "Old-Password-0123456789" }, secretKeys });
        const after = await fixtureRun("dev", { config: { "onehub:dbPassword": "New-Password-0123456789" }, secretKeys });
        assert.notStrictEqual(
            one(before, "aws:rds/cluster:Cluster").inputs.masterPassword,
            one(after, "aws:rds/cluster:Cluster").inputs.masterPassword,
        );
        for (const node of NODES) {
            assert.strictEqual(taskOf(before, node).inputs.containerDefinitions, taskOf(after, node).inputs.containerDefinitions, node);
        }
        assert.strictEqual(gateOf(before).inputs.input, gateOf(after).inputs.input, "no master rollout either");
        const appUser = (run: StackRun) => one(run, INVOCATION, "-db-app-user").inputs.input;
        assert.strictEqual(appUser(before), appUser(after), "the Data API reads the master credentials from their secret when it runs");
    });

    it("a new value of any injected secret redeploys both node types (ECS reads secrets only at task start)", async () => {
        const secretKeys = ["onehub:sessionSecret"];
        const a = await fixtureRun("dev", { config: { "onehub:sessionSecret": "first-session-secret" }, secretKeys });
        const b = await fixtureRun("dev", { config: { "onehub:sessionSecret": "second-session-secret" }, secretKeys });
        for (const node of NODES) {
            const ref = (run: StackRun) => container(taskOf(run, node)).secrets.find((s: any) => s.name === "SESSION_SECRET").valueFrom;
            assert.match(ref(a), /:::v-[0-9a-f]+$/, "pinned to a version");
            assert.notStrictEqual(ref(a), ref(b));
        }
    });

    it("a change of the slaves' Spot split redeploys instead of failing", () => {
        assert.strictEqual(serviceOf(dev, "-slave-").inputs.forceNewDeployment, true);
    });

    it("raising dbMaxCapacity alone never hands tasks pools the database cannot accept yet", async () => {
        const pool = (run: StackRun) => Number(envOf(taskOf(run, "-slave-")).SQL_MAX_OPEN_CONNS);
        const raised = await fixtureRun("dev", { config: { "onehub:dbMaxCapacity": "16" } });
        assert.strictEqual(pool(raised), pool(dev), "max_connections follows the new maximum only after each instance reboots");
        const rebooted = await fixtureRun("dev", { config: { "onehub:dbMaxCapacity": "16", "onehub:dbRebootedMaxCapacity": "16" } });
        assert.ok(pool(rebooted) > pool(dev), "after the reboot the operator raises dbRebootedMaxCapacity and the pools grow");
    });

    it("lowering dbMaxCapacity shrinks the pools at once (the smaller of the two capacities counts)", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:dbMaxCapacity": "1", "onehub:dbRebootedMaxCapacity": "4" } });
        assert.ok(Number(envOf(taskOf(run, "-slave-")).SQL_MAX_OPEN_CONNS) < Number(envOf(taskOf(dev, "-slave-")).SQL_MAX_OPEN_CONNS));
    });
});

describe("lifecycle: the checks above can fail", () => {
    it("services given bare secret ARNs would not wait for the database or the secret values", async () => {
        const args = serviceArgs();
        const run = await fixtureRun("dev", {}, () => {
            const writer = new aws.rds.ClusterInstance("bare-writer", {
                clusterIdentifier: "c",
                instanceClass: "db.serverless",
                engine: "aurora-mysql",
            });
            const master = new OneHubMasterService("bare-master", args);
            new OneHubSlaveService("bare-slave", { ...args, masterServiceName: "bare-master-service" });
            return { writer: pulumi.output(writer.urn), master: master.serviceName };
        });
        const writer = one(run, WRITER, "bare-writer");
        assert.strictEqual(waitsFor(run, one(run, SERVICE, "bare-master"), writer), false);
        assert.strictEqual(waitsFor(run, one(run, SERVICE, "bare-slave"), gateOf(run)), false, "a plain name carries no gate");
    });
});

describe("lifecycle: slave deployments roll back on the alarms of a bad release", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });
    const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
    const rollbackAlarms = (run: StackRun) => ofType(run, ALARM).filter((a) => a.name.includes("-slave-rollback-"));

    it("the slave service names its two rollback alarms with rollback on, and is created after them (no cycle)", () => {
        for (const run of Object.values(runs)) {
            const service = serviceOf(run, "-slave-");
            const alarms = rollbackAlarms(run);
            assert.deepStrictEqual(service.inputs.alarms, { alarmNames: alarms.map((a) => a.name), enable: true, rollback: true });
            for (const a of alarms) {
                assert.ok(dependsDirectlyOn(service, a), `${service.name} names ${a.name}`);
                assert.ok(!waitsFor(run, a, service), "the alarms read the target group, never the service");
            }
            assert.strictEqual(serviceOf(run, "-master-").inputs.alarms, undefined, "the master's gate handles its rollbacks");
        }
    });

    it("they watch the slaves' unhealthy targets and the ALB's own 502/503 — not OneHub's 5xx nor 504s, which an upstream outage causes", () => {
        const run = runs.dev;
        const [elb, unhealthy] = rollbackAlarms(run).sort((a, b) => a.name.localeCompare(b.name));
        const tg = one(run, "aws:lb/targetGroup:TargetGroup", "-slave-");
        const alb = one(run, "aws:lb/loadBalancer:LoadBalancer");
        assert.deepStrictEqual(
            [unhealthy.inputs.metricName, unhealthy.inputs.dimensions, unhealthy.inputs.threshold, unhealthy.inputs.datapointsToAlarm],
            [
                "UnHealthyHostCount",
                { TargetGroup: `targetgroup/${tg.name}/0123456789abcdef`, LoadBalancer: `app/${alb.name}/0123456789abcdef` },
                1,
                2,
            ],
        );
        const metrics = elb.inputs.metricQueries.filter((q: any) => q.metric).map((q: any) => q.metric.metricName);
        assert.deepStrictEqual(metrics, ["RequestCount", "HTTPCode_ELB_502_Count", "HTTPCode_ELB_503_Count"]);
        assert.ok(!JSON.stringify(elb.inputs).includes("Target_5XX") && !JSON.stringify(elb.inputs).includes("504"));
        for (const a of [elb, unhealthy]) {
            assert.strictEqual(a.inputs.alarmActions, undefined, "read by ECS; the monitoring component notifies");
            assert.strictEqual(a.inputs.treatMissingData, "notBreaching", "no traffic is no reason to roll back");
        }
    });

    it("can be turned off (then the service has no deployment alarms), and the guard fires for a listener that is not an ALB's", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:slaveRollbackAlarms": false } });
        assert.strictEqual(serviceOf(run, "-slave-").inputs.alarms, undefined);
        assert.strictEqual(ofType(run, ALARM).filter((a) => a.name.includes("-rollback-")).length, 0);
        const args = {
            clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
            vpcId: MOCK_VPC_ID,
            subnetIds: ["subnet-01111111", "subnet-11111111"],
            secrets: Object.fromEntries(
                ["SQL_DSN", "SESSION_SECRET", "USER_TOKEN_SECRET"].map((n) => [
                    n,
                    `arn:aws:secretsmanager:us-east-1:123456789012:secret:${n}-AbCdEf`,
                ]),
            ),
            listenerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/nlb/1/2",
            albSecurityGroupId: "sg-alb",
            databaseSecurityGroupId: "sg-db",
            masterServiceName: "m",
        };
        assert.throws(
            () => new OneHubSlaveService("slave", args),
            /OneHubSlaveService args\.albArnSuffix = \(unset\) is invalid: is required for the rollback alarms/,
        );
    });
});
