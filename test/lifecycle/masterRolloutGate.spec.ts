import * as assert from "assert";
import {
    ClusterNotFoundException,
    DescribeServicesCommand,
    DescribeServicesCommandOutput,
    Deployment,
    ECSClient,
    Service,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import gate = require("../../components/lifecycle/handlers/masterRolloutGate");
import { assertShippable } from "./shipping";

const CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/onehub-prod";
const SERVICE = "onehub-prod-master";
const OLD = "arn:aws:ecs:us-east-1:123456789012:task-definition/onehub-prod-master:6";
const NEW = "arn:aws:ecs:us-east-1:123456789012:task-definition/onehub-prod-master:7";
const EVENT = { cluster: CLUSTER, service: SERVICE, taskDefinition: NEW };
const PREFIX = "OneHub master rollout gate:";

const minute = (m: number) => new Date(Date.UTC(2025, 0, 1, 12, m));
// ECS lists the newest event first; the oldest one here must not reach the message.
const EVENTS = [
    { id: "e4", createdAt: minute(4), message: "(service onehub-prod-master) rolling back to deployment ecs-svc/111." },
    {
        id: "e3",
        createdAt: minute(3),
        message: "(service onehub-prod-master) (deployment ecs-svc/222) deployment failed: tasks failed to start.",
    },
    { id: "e2", createdAt: minute(2), message: "(service onehub-prod-master) has started 1 tasks: (task 0f1e2d)." },
    { id: "e1", createdAt: minute(1), message: "(service onehub-prod-master) has reached a steady state." },
];

function deployment(d: Partial<Deployment>): Deployment {
    return { desiredCount: 1, runningCount: 1, pendingCount: 0, failedTasks: 0, ...d };
}
const primaryOn = (taskDefinition: string, rolloutState: Deployment["rolloutState"], extra: Partial<Deployment> = {}) =>
    deployment({ id: "ecs-svc/222", status: "PRIMARY", taskDefinition, rolloutState, ...extra });

function describe_(deployments: Deployment[], service: Partial<Service> = {}): DescribeServicesCommandOutput {
    return {
        $metadata: {},
        failures: [],
        services: [
            {
                serviceName: SERVICE,
                clusterArn: CLUSTER,
                status: "ACTIVE",
                taskDefinition: deployments[0]?.taskDefinition,
                deployments,
                events: EVENTS,
                ...service,
            },
        ],
    };
}

/** A clock whose sleeps only advance its time. */
function fakeClock(remainingMs?: number) {
    let t = 0;
    const sleeps: number[] = [];
    const clock = {
        now: () => t,
        sleep: async (ms: number) => {
            sleeps.push(ms);
            t += ms;
        },
        ...(remainingMs === undefined ? {} : { remainingMs: () => remainingMs - t }),
    };
    return { clock, sleeps };
}

/** The gate's error message, after checking it is one paragraph that says who speaks. */
async function gateError(run: Promise<unknown>): Promise<string> {
    const err = await run.then(
        (result) => assert.fail(`expected the gate to fail, it returned ${JSON.stringify(result)}`),
        (e: unknown) => e,
    );
    assert.ok(err instanceof Error);
    assert.ok(err.message.startsWith(`${PREFIX} `), err.message);
    assert.doesNotMatch(err.message, /\n/, "one paragraph");
    return err.message;
}

function assertDiagnostics(message: string) {
    // The 3 newest service events, not the 4th.
    for (const e of EVENTS.slice(0, 3)) {
        assert.ok(message.includes(e.message), `missing event ${e.message}`);
    }
    assert.ok(!message.includes(EVENTS[3].message));
    assert.ok(message.includes(`aws ecs list-tasks --cluster ${CLUSTER} --service-name ${SERVICE} --desired-status STOPPED`));
    assert.ok(
        message.includes(
            `aws ecs describe-tasks --cluster ${CLUSTER} --tasks <task ARN> --query 'tasks[].[stoppedReason,containers[].reason]'`,
        ),
    );
    assert.ok(message.includes("the master's log group"));
    assert.ok(message.includes("pulumi up --refresh"));
}

describe("lifecycle: master rollout gate", () => {
    const ecs = mockClient(ECSClient);
    // The handler logs its progress to CloudWatch through console.log; keep it out of the test output.
    const logged: string[] = [];
    const consoleLog = console.log;
    beforeEach(() => {
        ecs.reset();
        logged.length = 0;
        console.log = (...args: unknown[]) => void logged.push(args.join(" "));
    });
    afterEach(() => {
        console.log = consoleLog;
    });
    after(() => ecs.restore());

    it("ships as one CommonJS file that requires only the runtime's AWS SDK client", () => {
        assertShippable("masterRolloutGate.js", ["awaitRollout", "handler"]);
    });

    it("a master already steady on the new task definition lets the slaves roll", async () => {
        ecs.on(DescribeServicesCommand).resolves(describe_([primaryOn(NEW, "COMPLETED")]));
        const result = await gate.handler(EVENT);
        assert.deepStrictEqual(result, { status: "COMPLETED", taskDefinition: NEW, deploymentId: "ecs-svc/222" });
        assert.deepStrictEqual(JSON.parse(JSON.stringify(result)), result, "JSON-serialisable for the invocation result");
        const calls = ecs.commandCalls(DescribeServicesCommand);
        assert.strictEqual(calls.length, 1);
        assert.deepStrictEqual(calls[0].args[0].input, { cluster: CLUSTER, services: [SERVICE] });
        assert.ok(
            logged.some((line) => line.includes("rollout COMPLETED")),
            "the handler logs what it saw",
        );
    });

    it("the slaves wait while the master's new deployment is in progress", async () => {
        const old = deployment({ id: "ecs-svc/111", status: "ACTIVE", taskDefinition: OLD, rolloutState: "COMPLETED" });
        ecs.on(DescribeServicesCommand)
            .resolvesOnce(describe_([primaryOn(NEW, "IN_PROGRESS", { runningCount: 0, pendingCount: 1 }), old]))
            .resolvesOnce(describe_([primaryOn(NEW, "IN_PROGRESS"), old]))
            .resolves(describe_([primaryOn(NEW, "COMPLETED")]));
        const { clock, sleeps } = fakeClock();
        const result = await gate.awaitRollout(new ECSClient({}), { ...EVENT, pollSeconds: 5 }, clock);
        assert.strictEqual(result.status, "COMPLETED");
        assert.strictEqual(ecs.commandCalls(DescribeServicesCommand).length, 3);
        assert.deepStrictEqual(sleeps, [5000, 5000], "polled every pollSeconds");
    });

    it("a rolled-back master stops the update before any slave changes", async () => {
        // After the circuit breaker's rollback: one COMPLETED deployment, on the old task definition.
        ecs.on(DescribeServicesCommand).resolves(
            describe_([primaryOn(OLD, "COMPLETED", { id: "ecs-svc/333", rolloutStateReason: "ECS deployment ecs-svc/333 completed." })]),
        );
        const message = await gateError(gate.handler(EVENT));
        assert.match(message, /rolled back/);
        assert.ok(message.includes(`should run ${NEW}`), message);
        assert.ok(message.includes(`PRIMARY deployment ecs-svc/333 (task definition ${OLD}`), message);
        assert.ok(message.includes("ECS deployment ecs-svc/333 completed."), "the rolloutStateReason");
        assert.ok(message.includes(SERVICE) && message.includes(CLUSTER));
        assertDiagnostics(message);
        assert.strictEqual(ecs.commandCalls(DescribeServicesCommand).length, 1);
    });

    it("a rollback still under way stops the update at once instead of waiting for it", async () => {
        ecs.on(DescribeServicesCommand).resolves(
            describe_([
                primaryOn(OLD, "IN_PROGRESS", {
                    id: "ecs-svc/333",
                    rolloutStateReason: "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/111.",
                }),
                deployment({
                    id: "ecs-svc/222",
                    status: "ACTIVE",
                    taskDefinition: NEW,
                    rolloutState: "FAILED",
                    rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
                    runningCount: 0,
                    failedTasks: 3,
                }),
            ]),
        );
        const { clock, sleeps } = fakeClock();
        const message = await gateError(gate.awaitRollout(new ECSClient({}), EVENT, clock));
        assert.deepStrictEqual(sleeps, []);
        assert.ok(message.includes("rolling back to deploymentId ecs-svc/111"), message);
        assert.ok(message.includes("tasks failed to start"), "the failed deployment's reason");
        assert.ok(message.includes(OLD) && message.includes(NEW));
        assertDiagnostics(message);
    });

    it("a master whose new deployment failed without rollback stops the update", async () => {
        ecs.on(DescribeServicesCommand).resolves(
            describe_([
                primaryOn(NEW, "FAILED", {
                    rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
                    runningCount: 0,
                    failedTasks: 3,
                }),
            ]),
        );
        const { clock, sleeps } = fakeClock();
        const message = await gateError(gate.awaitRollout(new ECSClient({}), EVENT, clock));
        assert.deepStrictEqual(sleeps, []);
        assert.match(message, /rollout failed/);
        assert.ok(message.includes("rolloutState FAILED: ECS deployment circuit breaker: tasks failed to start."), message);
        assert.ok(message.includes(`aws ecs update-service --cluster ${CLUSTER} --service ${SERVICE} --force-new-deployment`));
        assertDiagnostics(message);
    });

    it("a rollout that never settles stops the update after timeoutSeconds", async () => {
        ecs.on(DescribeServicesCommand).resolves(describe_([primaryOn(NEW, "IN_PROGRESS", { runningCount: 0, pendingCount: 1 })]));
        const { clock, sleeps } = fakeClock();
        const message = await gateError(gate.awaitRollout(new ECSClient({}), { ...EVENT, timeoutSeconds: 30, pollSeconds: 10 }, clock));
        assert.match(message, /still in progress after 30 s/);
        assert.deepStrictEqual(sleeps, [10000, 10000, 10000]);
        assert.strictEqual(ecs.commandCalls(DescribeServicesCommand).length, 4, "a last look at the deadline");
        assert.ok(message.includes(NEW) && message.includes("rolloutState IN_PROGRESS"));
        assertDiagnostics(message);
        assert.match(message, /timeoutSeconds/);
    });

    it("waits 600 s polling every 10 s unless the event says otherwise", async () => {
        ecs.on(DescribeServicesCommand).resolves(describe_([primaryOn(NEW, "IN_PROGRESS")]));
        const { clock, sleeps } = fakeClock();
        const message = await gateError(gate.awaitRollout(new ECSClient({}), EVENT, clock));
        assert.match(message, /after 600 s/);
        assert.strictEqual(sleeps.length, 60);
        assert.ok(sleeps.every((ms) => ms === 10000));
    });

    it("the last wait is cut to the deadline", async () => {
        ecs.on(DescribeServicesCommand).resolves(describe_([primaryOn(NEW, "IN_PROGRESS")]));
        const { clock, sleeps } = fakeClock();
        await gateError(gate.awaitRollout(new ECSClient({}), { ...EVENT, timeoutSeconds: 25, pollSeconds: 10 }, clock));
        assert.deepStrictEqual(sleeps, [10000, 10000, 5000]);
    });

    it("gives up with its own message before the Lambda function times out", async () => {
        ecs.on(DescribeServicesCommand).resolves(describe_([primaryOn(NEW, "IN_PROGRESS")]));
        // The function has 60 s left; the gate keeps a 15 s margin, so it stops after 40 s.
        const { clock, sleeps } = fakeClock(60_000);
        const message = await gateError(gate.awaitRollout(new ECSClient({}), EVENT, clock));
        assert.deepStrictEqual(sleeps, [10000, 10000, 10000, 10000]);
        assert.match(message, /still in progress after 40 s/);
        assert.match(message, /raise the function's timeout/);
    });

    it("a missing master service stops the update", async () => {
        ecs.on(DescribeServicesCommand).resolves({
            $metadata: {},
            services: [],
            failures: [{ arn: `arn:aws:ecs:us-east-1:123456789012:service/onehub-prod/${SERVICE}`, reason: "MISSING" }],
        });
        const message = await gateError(gate.handler(EVENT));
        assert.match(message, /not found/);
        assert.ok(message.includes("MISSING") && message.includes(SERVICE) && message.includes(CLUSTER) && message.includes(NEW));
        assert.ok(message.includes("pulumi up --refresh"));
    });

    it("a master service without status ACTIVE stops the update", async () => {
        ecs.on(DescribeServicesCommand).resolves(describe_([primaryOn(NEW, "COMPLETED")], { status: "DRAINING" }));
        const message = await gateError(gate.handler(EVENT));
        assert.match(message, /status DRAINING, not ACTIVE/);
    });

    it("a DescribeServices error stops the update and names the call", async () => {
        ecs.on(DescribeServicesCommand).rejects(new ClusterNotFoundException({ message: "Cluster not found.", $metadata: {} }));
        const message = await gateError(gate.handler(EVENT));
        assert.ok(message.includes("ecs:DescribeServices") && message.includes("ClusterNotFoundException: Cluster not found."), message);
    });

    it("a service without a PRIMARY deployment or rolloutState cannot pass", async () => {
        ecs.on(DescribeServicesCommand).resolves(describe_([]));
        assert.match(await gateError(gate.handler(EVENT)), /no PRIMARY deployment/);
        ecs.reset();
        ecs.on(DescribeServicesCommand).resolves(describe_([primaryOn(NEW, undefined)]));
        assert.match(await gateError(gate.handler(EVENT)), /rolloutState absent/);
    });

    it("accepts the task definition as family:revision", async () => {
        ecs.on(DescribeServicesCommand).resolves(describe_([primaryOn(NEW, "COMPLETED")]));
        const result = await gate.handler({ ...EVENT, taskDefinition: "onehub-prod-master:7" });
        assert.strictEqual(result.taskDefinition, NEW);
        ecs.reset();
        ecs.on(DescribeServicesCommand).resolves(describe_([primaryOn(OLD, "COMPLETED")]));
        await gateError(gate.handler({ ...EVENT, taskDefinition: "onehub-prod-master:7" }));
    });

    it("rejects an event it cannot act on, before calling AWS", async () => {
        assert.match(await gateError(gate.handler({ cluster: CLUSTER, service: SERVICE } as any)), /lacks taskDefinition/);
        assert.match(await gateError(gate.handler({ ...EVENT, pollSeconds: 0 })), /pollSeconds must be a positive number/);
        assert.match(await gateError(gate.handler({ ...EVENT, timeoutSeconds: "600" } as any)), /timeoutSeconds must be a positive number/);
        assert.strictEqual(ecs.calls().length, 0);
    });
});
