import * as assert from "assert";
import {
    DeregisterTargetsCommand,
    ElasticLoadBalancingV2Client,
    ElasticLoadBalancingV2ServiceException,
    InvalidTargetException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import drain = require("../../components/lifecycle/handlers/spotInterruptionDrain");
import { assertShippable } from "./shipping";

const CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/onehub-prod";
const SERVICE = "onehub-prod-slave-service";
const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/onehub-prod-slave-tg/0123456789abcdef";
const CONFIG = { targetGroupArn: TG, port: 3000, clusterArn: CLUSTER, serviceName: SERVICE };
const TASK = "arn:aws:ecs:us-east-1:123456789012:task/onehub-prod/0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/**
 * A Fargate Spot interruption notice as ECS sends it to EventBridge (the shape of the "ECS Task State
 * Change" example in the ECS developer guide and the Fargate Spot knowledge-center article): the task
 * is still RUNNING, ECS wants it STOPPED, stopCode SpotInterruption.
 */
function notice(detail: Record<string, unknown> = {}) {
    return {
        version: "0",
        id: "a99d3f53-4a7c-4153-a1a5-48957fc83b8f",
        "detail-type": "ECS Task State Change",
        source: "aws.ecs",
        account: "123456789012",
        region: "us-east-1",
        resources: [TASK],
        detail: {
            clusterArn: CLUSTER,
            group: `service:${SERVICE}`,
            taskArn: TASK,
            capacityProviderName: "FARGATE_SPOT",
            launchType: "FARGATE",
            desiredStatus: "STOPPED",
            lastStatus: "RUNNING",
            stopCode: "SpotInterruption",
            stoppedReason: "Your Spot Task was interrupted.",
            attachments: [
                {
                    id: "1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8",
                    type: "eni",
                    status: "ATTACHED",
                    details: [
                        { name: "subnetId", value: "subnet-0123456789abcdef0" },
                        { name: "networkInterfaceId", value: "eni-0123456789abcdef0" },
                        { name: "macAddress", value: "0a:1b:2c:3d:4e:5f" },
                        { name: "privateDnsName", value: "ip-10-0-1-23.ec2.internal" },
                        { name: "privateIPv4Address", value: "10.0.1.23" },
                    ],
                },
            ],
            containers: [
                { name: "onehub", lastStatus: "RUNNING", networkInterfaces: [{ attachmentId: "1789", privateIpv4Address: "10.0.1.23" }] },
            ],
            ...detail,
        },
    };
}

describe("lifecycle: the Spot drain function", () => {
    const elb = mockClient(ElasticLoadBalancingV2Client);
    const client = () => new ElasticLoadBalancingV2Client({ region: "us-east-1" });
    beforeEach(() => elb.reset());
    after(() => elb.restore());

    it("ships as one CommonJS file that requires only the runtime's AWS SDK client", () => {
        assertShippable("spotInterruptionDrain.js", ["configFromEnv", "drain", "handler"]);
    });

    it("takes an interrupted slave task's address out of the slave target group at once, on the registered port", async () => {
        elb.on(DeregisterTargetsCommand).resolves({ $metadata: {} });
        const result = await drain.drain(client(), notice(), CONFIG);
        assert.deepStrictEqual(result, { action: "deregistered", reason: "SpotInterruption", targets: ["10.0.1.23"] });
        assert.deepStrictEqual(
            elb.commandCalls(DeregisterTargetsCommand).map((c) => c.args[0].input),
            [{ TargetGroupArn: TG, Targets: [{ Id: "10.0.1.23", Port: 3000 }] }],
        );
    });

    it("reads the address from the containers' network interfaces when the attachment lacks it", async () => {
        elb.on(DeregisterTargetsCommand).resolves({ $metadata: {} });
        const result = await drain.drain(client(), notice({ attachments: [] }), CONFIG);
        assert.deepStrictEqual(result.targets, ["10.0.1.23"]);
    });

    for (const [title, detail] of [
        ["a task stopped for another reason (a deploy, scale-in)", { stopCode: "ServiceSchedulerInitiated" }],
        ["a task of another service", { group: "service:someone-else" }],
        ["a task of another cluster", { clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/other" }],
        ["a task that has already stopped (ECS deregistered it)", { lastStatus: "STOPPED" }],
    ] as const) {
        it(`leaves ${title} alone`, async () => {
            const result = await drain.drain(client(), notice(detail), CONFIG);
            assert.strictEqual(result.action, "ignored");
            assert.strictEqual(elb.commandCalls(DeregisterTargetsCommand).length, 0);
        });
    }

    it("leaves other event types alone", async () => {
        const result = await drain.drain(client(), { ...notice(), "detail-type": "ECS Deployment State Change" }, CONFIG);
        assert.strictEqual(result.action, "ignored");
        assert.strictEqual(elb.commandCalls(DeregisterTargetsCommand).length, 0);
    });

    it("treats a target that is no longer registered as done (repeated events), and fails on anything else so Lambda retries", async () => {
        elb.on(DeregisterTargetsCommand).rejects(
            new InvalidTargetException({ message: "The following targets are not registered: 10.0.1.23", $metadata: {} }),
        );
        assert.strictEqual((await drain.drain(client(), notice(), CONFIG)).action, "ignored");
        elb.reset();
        elb.on(DeregisterTargetsCommand).rejects(
            new ElasticLoadBalancingV2ServiceException({
                name: "AccessDenied",
                $fault: "client",
                $metadata: { httpStatusCode: 403 },
                message: "not authorized to perform: elasticloadbalancing:DeregisterTargets",
            }),
        );
        await assert.rejects(drain.drain(client(), notice(), CONFIG), /AccessDenied|not authorized/);
    });

    it("refuses a notice without an address rather than draining nothing silently", async () => {
        await assert.rejects(
            drain.drain(client(), notice({ attachments: [], containers: [] }), CONFIG),
            /OneHub Spot drain: the Spot interruption event of .* names no private IPv4 address/,
        );
    });

    it("is configured by its environment, and refuses to run without it", () => {
        assert.deepStrictEqual(
            drain.configFromEnv({ TARGET_GROUP_ARN: TG, TARGET_PORT: "3000", CLUSTER_ARN: CLUSTER, SERVICE_NAME: SERVICE }),
            CONFIG,
        );
        assert.throws(
            () => drain.configFromEnv({ TARGET_GROUP_ARN: TG }),
            /TARGET_GROUP_ARN, TARGET_PORT, CLUSTER_ARN and SERVICE_NAME must be set/,
        );
    });
});
