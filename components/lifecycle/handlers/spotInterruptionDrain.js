// @ts-check
// Runtime Lambda (Node.js runtime with the AWS SDK v3, shipped as this one file named index.js), invoked by an
// EventBridge rule: takes a Fargate Spot task of the OneHub slaves out of their target group as soon as
// its interruption notice arrives.
//
// Fargate Spot sends the notice two minutes before it reclaims the task, as an "ECS Task State Change"
// event (detail.stopCode "SpotInterruption", desiredStatus STOPPED, lastStatus still RUNNING) and as
// SIGTERM to the task. ECS deregisters a Spot task's target only once the task has STOPPED, so for
// those two minutes the ALB keeps sending new requests to a task about to disappear. Deregistering the
// task's address at once starts the target group's drain: requests already in flight go on, no new
// one arrives. The slave container's wrapper keeps OneHub serving meanwhile (slaveWrapper.sh).
//
// Scoped: the function acts only on events of the one service and cluster it was made for, only on
// Spot interruptions, and its role may call elasticloadbalancing:DeregisterTargets on the one target
// group. Repeated events (ECS sends one per state change) deregister again, which is harmless.
//
// Self-contained on purpose: it may only require @aws-sdk/client-* (built into the runtime).
"use strict";

const { ElasticLoadBalancingV2Client, DeregisterTargetsCommand } = require("@aws-sdk/client-elastic-load-balancing-v2");

const PREFIX = "OneHub Spot drain:";
const SPOT_INTERRUPTION = "SpotInterruption";

/**
 * The function's configuration (its environment variables).
 * @typedef {object} DrainConfig
 * @property {string} targetGroupArn TARGET_GROUP_ARN: the slaves' target group
 * @property {number} port TARGET_PORT: the port the tasks are registered with
 * @property {string} clusterArn CLUSTER_ARN: the slaves' cluster
 * @property {string} serviceName SERVICE_NAME: the slaves' ECS service
 */

/**
 * The part of an "ECS Task State Change" event this function reads.
 * @typedef {object} TaskStateChange
 * @property {string} [detail-type]
 * @property {{
 *   clusterArn?: string, group?: string, taskArn?: string, stopCode?: string, desiredStatus?: string, lastStatus?: string,
 *   attachments?: { type?: string, details?: { name?: string, value?: string }[] }[],
 *   containers?: { networkInterfaces?: { privateIpv4Address?: string }[] }[],
 * }} [detail]
 */

/**
 * @typedef {object} DrainResult
 * @property {"deregistered" | "ignored"} action
 * @property {string} reason
 * @property {string[]} targets the addresses deregistered
 */

/**
 * The task's private IPv4 addresses: its ENI attachment, or its containers' network interfaces.
 * @param {NonNullable<TaskStateChange["detail"]>} detail
 * @returns {string[]}
 */
function taskAddresses(detail) {
    const found = new Set();
    for (const attachment of detail.attachments ?? []) {
        for (const d of attachment.details ?? []) {
            if (d.name === "privateIPv4Address" && d.value) {
                found.add(d.value);
            }
        }
    }
    for (const container of detail.containers ?? []) {
        for (const ni of container.networkInterfaces ?? []) {
            if (ni.privateIpv4Address) {
                found.add(ni.privateIpv4Address);
            }
        }
    }
    return [...found].sort();
}

/**
 * Why the event is not one to act on, or undefined when it is.
 * @param {TaskStateChange} event
 * @param {DrainConfig} config
 */
function notOurs(event, config) {
    const d = event.detail;
    if (event["detail-type"] !== "ECS Task State Change" || !d) {
        return "not an ECS Task State Change event";
    }
    if (d.stopCode !== SPOT_INTERRUPTION) {
        return `stopCode ${JSON.stringify(d.stopCode ?? null)} is not ${SPOT_INTERRUPTION}`;
    }
    if (d.clusterArn !== config.clusterArn || d.group !== `service:${config.serviceName}`) {
        return `task of ${d.group ?? "(no group)"} in ${d.clusterArn ?? "(no cluster)"}, not of service:${config.serviceName}`;
    }
    if (d.lastStatus === "STOPPED") {
        return "the task has already stopped (ECS deregistered it)";
    }
    return undefined;
}

/** @param {unknown} err */
const errorName = (err) => (err instanceof Error ? err.name : "");

/**
 * Deregisters the interrupted task's address(es) from the target group.
 * @param {ElasticLoadBalancingV2Client} elb
 * @param {TaskStateChange} event
 * @param {DrainConfig} config
 * @param {(message: string) => void} [log]
 * @returns {Promise<DrainResult>}
 */
async function drain(elb, event, config, log = () => undefined) {
    const reason = notOurs(event, config);
    if (reason !== undefined) {
        log(`${PREFIX} ignored: ${reason}`);
        return { action: "ignored", reason, targets: [] };
    }
    const detail = /** @type {NonNullable<TaskStateChange["detail"]>} */ (event.detail);
    const addresses = taskAddresses(detail);
    if (addresses.length === 0) {
        throw new Error(`${PREFIX} the Spot interruption event of ${detail.taskArn ?? "a task"} names no private IPv4 address`);
    }
    try {
        await elb.send(
            new DeregisterTargetsCommand({
                TargetGroupArn: config.targetGroupArn,
                Targets: addresses.map((Id) => ({ Id, Port: config.port })),
            }),
        );
    } catch (err) {
        // A target that is not (or no longer) registered needs nothing; anything else is retried by Lambda.
        if (errorName(err) === "InvalidTargetException") {
            log(`${PREFIX} ${addresses.join(", ")} not registered in ${config.targetGroupArn}; nothing to drain`);
            return { action: "ignored", reason: "not registered", targets: [] };
        }
        throw err;
    }
    log(
        `${PREFIX} deregistered ${addresses.join(", ")} (${detail.taskArn ?? "task"}) from ${config.targetGroupArn}: draining before the reclaim`,
    );
    return { action: "deregistered", reason: SPOT_INTERRUPTION, targets: addresses };
}

/**
 * The configuration from the function's environment.
 * @param {Record<string, string | undefined>} env
 * @returns {DrainConfig}
 */
function configFromEnv(env) {
    const config = {
        targetGroupArn: env.TARGET_GROUP_ARN ?? "",
        port: Number(env.TARGET_PORT),
        clusterArn: env.CLUSTER_ARN ?? "",
        serviceName: env.SERVICE_NAME ?? "",
    };
    if (!config.targetGroupArn || !config.clusterArn || !config.serviceName || !Number.isInteger(config.port)) {
        throw new Error(`${PREFIX} TARGET_GROUP_ARN, TARGET_PORT, CLUSTER_ARN and SERVICE_NAME must be set`);
    }
    return config;
}

/**
 * The Lambda entry point: `index.handler`.
 * @param {TaskStateChange} event
 * @returns {Promise<DrainResult>}
 */
async function handler(event) {
    return drain(new ElasticLoadBalancingV2Client({}), event, configFromEnv(process.env), (m) => console.log(m));
}

exports.configFromEnv = configFromEnv;
exports.drain = drain;
exports.handler = handler;
