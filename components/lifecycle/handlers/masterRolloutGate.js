// @ts-check
// Deploy-time Lambda (Node.js runtime with the AWS SDK v3, shipped as this one file named index.js): the slaves roll only
// after the master is steady on the new version.
//
// When a new master fails, ECS's deployment circuit breaker rolls the service back and the
// provider's steady-state waiter reports success (one deployment, running == desired), so Pulumi
// would record the new task definition and roll the slaves onto a schema the master never
// migrated. Only the PRIMARY deployment tells: it must run the task definition this update
// registered and reach rolloutState COMPLETED. Anything else throws, which fails `pulumi up`
// with the message before any slave changes.
//
// Self-contained on purpose: it may only require @aws-sdk/client-* (built into the runtime).
"use strict";

const { ECSClient, DescribeServicesCommand } = require("@aws-sdk/client-ecs");

const PREFIX = "OneHub master rollout gate:";
const DEFAULT_TIMEOUT_SECONDS = 600;
const DEFAULT_POLL_SECONDS = 10;
/** Time kept back from the Lambda's own timeout, so this gate's message wins over "Task timed out". */
const LAMBDA_MARGIN_MS = 15_000;

/**
 * @typedef {object} GateEvent
 * @property {string} cluster cluster ARN or name
 * @property {string} service service name
 * @property {string} taskDefinition the task definition ARN this update registered
 * @property {number} [timeoutSeconds] how long the rollout may stay IN_PROGRESS (default 600)
 * @property {number} [pollSeconds] pause between two DescribeServices calls (default 10)
 */

/**
 * @typedef {object} GateResult
 * @property {"COMPLETED"} status
 * @property {string} taskDefinition the task definition the PRIMARY deployment runs (the one asked for)
 * @property {string} deploymentId the PRIMARY deployment's ID
 */

/**
 * Time, injectable so tests never wait for real.
 * @typedef {object} Clock
 * @property {(ms: number) => Promise<void>} sleep
 * @property {() => number} now milliseconds, like Date.now
 * @property {() => number} [remainingMs] time left before the Lambda is killed (context.getRemainingTimeInMillis)
 * @property {(message: string) => void} [log]
 */

/** @typedef {import("@aws-sdk/client-ecs").Service} Service */
/** @typedef {import("@aws-sdk/client-ecs").Deployment} Deployment */

/** @type {Clock} */
const realClock = {
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    log: (message) => console.log(message),
};

/**
 * Whether a deployment's task definition is the expected one. ECS reports full ARNs; the event
 * may also name it as `family:revision`.
 * @param {string | undefined} running
 * @param {string} expected
 */
function sameTaskDefinition(running, expected) {
    if (running === undefined) {
        return false;
    }
    /** @param {string} td */
    const short = (td) => td.replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:task-definition\//, "");
    return running === expected || short(running) === short(expected);
}

/**
 * @param {unknown} value
 * @param {string} name
 * @param {number} fallback
 */
function positiveSeconds(value, name, fallback) {
    if (value === undefined || value === null) {
        return fallback;
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
        throw new Error(`${PREFIX} the invocation event's ${name} must be a positive number of seconds, got ${JSON.stringify(value)}.`);
    }
    return value;
}

/**
 * @param {unknown} event
 * @returns {{ cluster: string, service: string, taskDefinition: string, timeoutSeconds: number, pollSeconds: number }}
 */
function parseEvent(event) {
    const e = /** @type {Record<string, unknown>} */ (typeof event === "object" && event !== null ? event : {});
    const missing = ["cluster", "service", "taskDefinition"].filter((k) => typeof e[k] !== "string" || e[k] === "");
    if (missing.length > 0) {
        throw new Error(
            `${PREFIX} the invocation event lacks ${missing.join(", ")} (non-empty strings); it got ${JSON.stringify(event)}. ` +
                `This is a bug in the Pulumi program that invokes the gate, not in the deployment.`,
        );
    }
    return {
        cluster: /** @type {string} */ (e.cluster),
        service: /** @type {string} */ (e.service),
        taskDefinition: /** @type {string} */ (e.taskDefinition),
        timeoutSeconds: positiveSeconds(e.timeoutSeconds, "timeoutSeconds", DEFAULT_TIMEOUT_SECONDS),
        pollSeconds: positiveSeconds(e.pollSeconds, "pollSeconds", DEFAULT_POLL_SECONDS),
    };
}

/**
 * The 3 most recent service events (ECS lists the newest first; sorted by time in case it does not).
 * @param {Service} service
 */
function recentEvents(service) {
    const events = [...(service.events ?? [])]
        .map((ev, i) => ({ ev, i }))
        .sort((a, b) => (b.ev.createdAt?.getTime?.() ?? 0) - (a.ev.createdAt?.getTime?.() ?? 0) || a.i - b.i)
        .slice(0, 3)
        .map(({ ev }) => JSON.stringify(ev.message ?? ""));
    return events.length > 0 ? `Latest service events (newest first): ${events.join("; ")}.` : "The service has no events.";
}

/**
 * @param {{ cluster: string, service: string }} e
 */
function stoppedTasksHint(e) {
    return (
        `To see why the master's tasks stopped (ECS keeps stopped tasks for about an hour): ` +
        `aws ecs list-tasks --cluster ${e.cluster} --service-name ${e.service} --desired-status STOPPED, then ` +
        `aws ecs describe-tasks --cluster ${e.cluster} --tasks <task ARN> --query 'tasks[].[stoppedReason,containers[].reason]', ` +
        `and read the master's log group in CloudWatch Logs.`
    );
}

const REFRESH_HINT =
    "After fixing the cause, run pulumi up --refresh: the refresh makes Pulumi see that ECS rolled the master back, " +
    "so the master redeploys and this gate runs again; the slaves follow only once it passes.";

/**
 * "deployment ecs-svc/1 (task definition …, rolloutState …: reason, 0/1 tasks running, 3 failed)"
 * @param {Deployment} d
 * @param {boolean} [withTaskDefinition] false where the sentence already names it
 */
function describeDeployment(d, withTaskDefinition = true) {
    const td = withTaskDefinition ? `task definition ${d.taskDefinition ?? "absent"}, ` : "";
    const reason = d.rolloutStateReason ? `: ${d.rolloutStateReason}` : "";
    const tasks = `${d.runningCount ?? 0}/${d.desiredCount ?? 0} tasks running, ${d.failedTasks ?? 0} failed`;
    return `deployment ${d.id ?? "?"} (${td}rolloutState ${d.rolloutState ?? "absent"}${reason}; ${tasks})`;
}

/** @param {unknown} err */
function errorText(err) {
    if (err instanceof Error) {
        return `${err.name}: ${err.message}`;
    }
    return String(err);
}

/**
 * Looks at the master service once. Returns `result` when the rollout is COMPLETED on the
 * expected task definition, only `primary` and `service` while it is IN_PROGRESS on it, and
 * throws otherwise.
 * @param {ECSClient} ecs
 * @param {ReturnType<typeof parseEvent>} e
 * @returns {Promise<{ result?: GateResult, primary?: Deployment, service?: Service }>}
 */
async function checkOnce(ecs, e) {
    const where = `the master service ${e.service} in cluster ${e.cluster}`;
    let out;
    try {
        out = await ecs.send(new DescribeServicesCommand({ cluster: e.cluster, services: [e.service] }));
    } catch (err) {
        throw new Error(
            `${PREFIX} ecs:DescribeServices on ${where} failed: ${errorText(err)}. The gate cannot tell whether the master runs ${e.taskDefinition}, ` +
                `so the slaves are not updated. Check that the cluster exists in this region and that the gate function's role may call ` +
                `ecs:DescribeServices on the service, then run pulumi up --refresh.`,
        );
    }
    const failures = out.failures ?? [];
    const service = (out.services ?? []).find((s) => s.serviceName === e.service || s.serviceArn === e.service) ?? out.services?.[0];
    if (failures.length > 0 || service === undefined) {
        const why =
            failures.map((f) => `${f.arn ?? "?"}: ${f.reason ?? "?"}${f.detail ? ` (${f.detail})` : ""}`).join("; ") ||
            "DescribeServices returned no service";
        throw new Error(
            `${PREFIX} ${where} was not found (${why}), so the gate cannot check that the master runs ${e.taskDefinition} and the slaves are not updated. ` +
                `If the service was deleted outside Pulumi, run pulumi up --refresh so Pulumi recreates it; otherwise the gate was given the wrong cluster or service name.`,
        );
    }
    if (service.status !== "ACTIVE") {
        throw new Error(
            `${PREFIX} ${where} has status ${service.status ?? "absent"}, not ACTIVE (it is being or has been deleted), so the master cannot roll out ${e.taskDefinition} ` +
                `and the slaves are not updated. ${recentEvents(service)} If it was deleted outside Pulumi, run pulumi up --refresh so Pulumi recreates it.`,
        );
    }
    const deployments = service.deployments ?? [];
    const primary = deployments.find((d) => d.status === "PRIMARY");
    if (primary === undefined) {
        throw new Error(
            `${PREFIX} ${where} has no PRIMARY deployment (deployments: ${deployments.map((d) => `${d.status ?? "?"} ${describeDeployment(d)}`).join(", ") || "none"}), ` +
                `so the gate cannot tell whether the master runs ${e.taskDefinition}. The gate needs the ECS rolling-update deployment controller. ` +
                `${recentEvents(service)} ${REFRESH_HINT}`,
        );
    }
    if (!sameTaskDefinition(primary.taskDefinition, e.taskDefinition)) {
        const ours = deployments.find((d) => d !== primary && sameTaskDefinition(d.taskDefinition, e.taskDefinition));
        const oursText = ours
            ? ` Its deployment of ${e.taskDefinition} is ${ours.status ?? "?"}: ${describeDeployment(ours, false)}.`
            : ` No deployment of ${e.taskDefinition} is left on the service.`;
        throw new Error(
            `${PREFIX} the master was rolled back or replaced: ${where} should run ${e.taskDefinition}, which this update registered, ` +
                `but its PRIMARY ${describeDeployment(primary)} runs another one.${oursText} ` +
                `ECS's deployment circuit breaker most likely stopped the new master and went back to the previous task definition ` +
                `(or someone updated the service meanwhile), so this update stops here before any slave changes. ` +
                `${recentEvents(service)} ${stoppedTasksHint(e)} ${REFRESH_HINT}`,
        );
    }
    switch (primary.rolloutState) {
        case "COMPLETED":
            return {
                result: { status: "COMPLETED", taskDefinition: primary.taskDefinition ?? e.taskDefinition, deploymentId: primary.id ?? "" },
            };
        case "IN_PROGRESS":
            return { primary, service };
        case "FAILED":
            throw new Error(
                `${PREFIX} the master's rollout failed: ${where} runs ${e.taskDefinition} in its PRIMARY ${describeDeployment(primary, false)}. ` +
                    `ECS's deployment circuit breaker marked it FAILED and launches no more of its tasks (with rollback on, ECS then goes back to the previous task definition), ` +
                    `so the slaves are not updated. ${recentEvents(service)} ${stoppedTasksHint(e)} ` +
                    `After fixing the cause, run pulumi up --refresh: if ECS rolled the master back, the refresh makes Pulumi see it and the master redeploys; ` +
                    `if the service still runs ${e.taskDefinition} (no rollback) and the fix is outside the Pulumi program, first start a new deployment with ` +
                    `aws ecs update-service --cluster ${e.cluster} --service ${e.service} --force-new-deployment. Either way this gate runs again.`,
            );
        default:
            throw new Error(
                `${PREFIX} ${where} runs ${e.taskDefinition} in its PRIMARY ${describeDeployment(primary, false)}, without a rolloutState, so the gate cannot tell whether the master is steady. ` +
                    `ECS reports rolloutState only for the rolling-update (ECS) deployment controller without a Classic Load Balancer; ` +
                    `the master service must use it. ${recentEvents(service)}`,
            );
    }
}

/**
 * Polls the master service until its PRIMARY deployment runs `event.taskDefinition` with
 * rolloutState COMPLETED; throws a one-paragraph, actionable message otherwise.
 * @param {ECSClient} ecs
 * @param {GateEvent} event
 * @param {Clock} clock
 * @returns {Promise<GateResult>}
 */
async function awaitRollout(ecs, event, clock) {
    const e = parseEvent(event);
    const log = clock.log ?? (() => {});
    const started = clock.now();
    const timeoutMs = e.timeoutSeconds * 1000;
    const pollMs = e.pollSeconds * 1000;
    for (;;) {
        const { result, primary, service } = await checkOnce(ecs, e);
        if (result !== undefined) {
            log(`${PREFIX} ${e.service} runs ${result.taskDefinition}, rollout COMPLETED (deployment ${result.deploymentId}).`);
            return result;
        }
        const elapsedMs = clock.now() - started;
        const lambdaLeftMs = clock.remainingMs ? clock.remainingMs() - LAMBDA_MARGIN_MS : Infinity;
        const waitMs = Math.min(pollMs, timeoutMs - elapsedMs);
        if (waitMs <= 0 || lambdaLeftMs < waitMs) {
            const cut =
                waitMs > 0
                    ? ` The gate stopped early because the Lambda function's own timeout is shorter than timeoutSeconds ${e.timeoutSeconds} s; raise the function's timeout above timeoutSeconds + 30 s.`
                    : "";
            throw new Error(
                `${PREFIX} the master's rollout is still in progress after ${Math.round(elapsedMs / 1000)} s: the master service ${e.service} in cluster ${e.cluster} ` +
                    `runs ${e.taskDefinition} in its PRIMARY ${primary ? describeDeployment(primary, false) : "deployment"}, so the slaves are not updated yet.${cut} ` +
                    `Tasks may be failing health checks or failing to start before the circuit breaker decides, or the old task is still draining. ` +
                    `${service ? recentEvents(service) : ""} ${stoppedTasksHint(e)} ` +
                    `Watch it with aws ecs describe-services --cluster ${e.cluster} --services ${e.service} --query 'services[0].deployments'; ` +
                    `once the rollout is COMPLETED (or after fixing the cause), run pulumi up --refresh and this gate runs again; ` +
                    `if the master needs longer to become steady, raise the gate's timeoutSeconds.`,
            );
        }
        log(
            `${PREFIX} ${e.service}: ${primary ? describeDeployment(primary) : "no PRIMARY"}; polling again in ${Math.round(waitMs / 1000)} s.`,
        );
        await clock.sleep(waitMs);
    }
}

/**
 * The Lambda entry point: `index.handler`.
 * @param {GateEvent} event
 * @param {{ getRemainingTimeInMillis?: () => number }} [context]
 * @returns {Promise<GateResult>}
 */
async function handler(event, context) {
    const remaining = context?.getRemainingTimeInMillis;
    /** @type {Clock} */
    const clock = remaining ? { ...realClock, remainingMs: () => remaining.call(context) } : realClock;
    return awaitRollout(new ECSClient({}), event, clock);
}

exports.awaitRollout = awaitRollout;
exports.handler = handler;
