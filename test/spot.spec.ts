// Streams that survive Spot: the slaves' wrapper in the task definition, and the EventBridge rule and
// function that take an interrupted task out of the target group at its notice.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, StackRun } from "../tools/offlineStack";
import { dependsDirectlyOn } from "./graph";
import { container, expectConfigError, fixtureRun, ofType, one, stackRun } from "./util";

const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const PERMISSION = "aws:lambda/permission:Permission";
const FUNCTION = "aws:lambda/function:Function";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TG = "aws:lb/targetGroup:TargetGroup";
const WRAPPER = fs.readFileSync(path.join(ROOT, "components", "services", "slaveWrapper.sh"), "utf8");

describe("streams that survive Spot", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });
    const both = () => Object.values(runs);

    describe("the slaves' wrapper", () => {
        it("starts OneHub through the wrapper with a 110 s grace period, within the 120 s stopTimeout, and the init process that forwards signals", () => {
            for (const run of both()) {
                const c = container(one(run, TASK, "-slave-"));
                assert.deepStrictEqual(c.entryPoint, ["/bin/sh", "-c", WRAPPER, "onehub-slave", "110"]);
                assert.strictEqual(c.command, undefined, "the wrapper starts /one-api itself");
                assert.strictEqual(c.stopTimeout, 120);
                assert.deepStrictEqual(c.linuxParameters, { initProcessEnabled: true });
            }
        });

        it("leaves the master alone: a grace period would lengthen every master deploy's outage", () => {
            for (const run of both()) {
                assert.strictEqual(container(one(run, TASK, "-master-")).entryPoint, undefined);
            }
        });

        it("takes the grace period from config, and 0 runs the image's own entry point", async () => {
            const short = await fixtureRun("dev", { config: { "onehub:slaveShutdownGraceSeconds": 30 } });
            assert.strictEqual(container(one(short, TASK, "-slave-")).entryPoint.at(-1), "30");
            const none = await fixtureRun("dev", { config: { "onehub:slaveShutdownGraceSeconds": 0 } });
            assert.strictEqual(container(one(none, TASK, "-slave-")).entryPoint, undefined);
        });

        it("refuses a grace period ECS would cut short (above stopTimeout minus OneHub's exit)", () =>
            expectConfigError(
                "dev",
                { "onehub:slaveShutdownGraceSeconds": 120 },
                /onehub:slaveShutdownGraceSeconds = 120 is invalid: must be a whole number from 0 to 110: ECS kills the container 120 s \(stopTimeout, Fargate's maximum\) after SIGTERM/,
            ));
    });

    describe("the drain at the interruption notice", () => {
        it("matches only this service's SpotInterruption task state changes in its cluster", () => {
            for (const run of both()) {
                const pattern = JSON.parse(one(run, RULE, "-slave-spot-drain").inputs.eventPattern);
                assert.deepStrictEqual(pattern, {
                    source: ["aws.ecs"],
                    "detail-type": ["ECS Task State Change"],
                    detail: {
                        clusterArn: [one(run, "aws:ecs/service:Service", "-slave-").inputs.cluster],
                        group: [`service:${run.outputs.slaveServiceName}`],
                        stopCode: ["SpotInterruption"],
                        desiredStatus: ["STOPPED"],
                    },
                });
            }
        });

        it("invokes a function that may only deregister targets of the slaves' target group, configured with exactly that group", () => {
            for (const run of both()) {
                const tgArn = `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${one(run, TG, "-slave-").name}/0123456789abcdef`;
                const policy = JSON.parse(one(run, ROLE_POLICY, "-slave-spot-drain-policy").inputs.policy);
                assert.deepStrictEqual(policy.Statement[0], {
                    Effect: "Allow",
                    Action: ["elasticloadbalancing:DeregisterTargets"],
                    Resource: tgArn,
                });
                assert.strictEqual(policy.Statement.length, 2, "and its own log stream");
                const fn = one(run, FUNCTION, "-slave-spot-drain").inputs;
                assert.deepStrictEqual(fn.environment.variables, {
                    TARGET_GROUP_ARN: tgArn,
                    TARGET_PORT: "3000",
                    CLUSTER_ARN: one(run, "aws:ecs/service:Service", "-slave-").inputs.cluster,
                    SERVICE_NAME: run.outputs.slaveServiceName,
                });
                assert.strictEqual(fn.runtime, "nodejs24.x");
                assert.ok(fn.code, "the handler file as index.js");
            }
        });

        it("lets only this rule invoke the function, and gives the rule its target only after that permission exists", () => {
            for (const run of both()) {
                const rule = one(run, RULE, "-slave-spot-drain");
                const permission = one(run, PERMISSION, "-slave-spot-drain");
                const fnArn = `arn:aws:lambda:us-east-1:123456789012:function/${one(run, FUNCTION, "-slave-spot-drain").name}`;
                assert.deepStrictEqual(permission.inputs, {
                    action: "lambda:InvokeFunction",
                    function: one(run, FUNCTION, "-slave-spot-drain").name,
                    principal: "events.amazonaws.com",
                    sourceArn: `arn:aws:cloudwatch:us-east-1:123456789012:eventrule/${rule.name}`,
                });
                const target = one(run, TARGET, "-slave-spot-drain");
                assert.strictEqual(target.inputs.arn, fnArn);
                assert.ok(dependsDirectlyOn(target, permission), "no notice may fail for lack of permission");
                assert.ok(target.inputs.retryPolicy.maximumEventAgeInSeconds <= 120, "a notice older than the warning is useless");
            }
        });

        it("exists only where slaves run on Spot", async () => {
            const onDemand = await fixtureRun("dev", { config: { "onehub:slaveSpotWeight": 0, "onehub:slaveFargateWeight": 1 } });
            assert.strictEqual(ofType(onDemand, RULE).filter((r) => r.name.includes("spot-drain")).length, 0);
            assert.strictEqual(ofType(onDemand, FUNCTION).filter((f) => f.name.includes("spot-drain")).length, 0);
        });
    });
});
