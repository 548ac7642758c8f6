// @ts-check
// Deploy-time Lambda (Node.js runtime with the AWS SDK v3, shipped as this one file named index.js): makes sure the ECS
// service-linked role AWSServiceRoleForECS exists before the cluster's capacity providers are set.
//
// In a fresh account ECS creates the role on the fly with its first call, and the
// capacity-provider call seconds later commonly fails with "Unable to assume the service linked
// role" (IAM is eventually consistent; the provider does not retry). aws.iam.ServiceLinkedRole
// fails when the role already exists, and deleting it would break every other ECS user of the
// account. So: look it up, create it only if missing, wait until it is usable. Nothing here
// modifies or deletes the role; there is no delete path.
//
// Self-contained on purpose: it may only require @aws-sdk/client-* (built into the runtime).
"use strict";

const { IAMClient, GetRoleCommand, CreateServiceLinkedRoleCommand } = require("@aws-sdk/client-iam");

const PREFIX = "OneHub ECS service-linked role:";
const ROLE_NAME = "AWSServiceRoleForECS";
const SERVICE_NAME = "ecs.amazonaws.com";
const DEFAULT_PROPAGATION_SECONDS = 10;
/** How long a just-created role may stay invisible to GetRole. */
const VISIBLE_WITHIN_MS = 30_000;
const VISIBLE_POLL_MS = 2_000;

const MANUAL_FIX =
    `Fix: create the role once by hand with aws iam create-service-linked-role --aws-service-name ${SERVICE_NAME} ` +
    `(by someone allowed to), or grant this function's role iam:GetRole on ` +
    `arn:aws:iam::*:role/aws-service-role/${SERVICE_NAME}/${ROLE_NAME} and iam:CreateServiceLinkedRole ` +
    `with the condition iam:AWSServiceName = ${SERVICE_NAME}; then run pulumi up again.`;

/**
 * @typedef {object} RoleEvent
 * @property {number} [propagationSeconds] extra wait after a new role became visible (default 10)
 */

/**
 * @typedef {object} RoleResult
 * @property {boolean} created whether this invocation created the role
 * @property {string} roleArn
 */

/**
 * Time, injectable so tests never wait for real.
 * @typedef {object} Clock
 * @property {(ms: number) => Promise<void>} sleep
 * @property {() => number} now milliseconds, like Date.now
 * @property {(message: string) => void} [log]
 */

/** @type {Clock} */
const realClock = {
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    log: (message) => console.log(message),
};

/** @param {unknown} err */
function errorName(err) {
    return err instanceof Error ? err.name : "";
}

/** @param {unknown} err */
function errorText(err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * @param {unknown} event
 * @returns {number}
 */
function propagationSeconds(event) {
    const value =
        typeof event === "object" && event !== null ? /** @type {Record<string, unknown>} */ (event).propagationSeconds : undefined;
    if (value === undefined || value === null) {
        return DEFAULT_PROPAGATION_SECONDS;
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new Error(
            `${PREFIX} the invocation event's propagationSeconds must be a number of seconds >= 0, got ${JSON.stringify(value)}.`,
        );
    }
    return value;
}

/**
 * The role's ARN, or undefined when IAM says it does not exist. Other errors throw.
 * @param {IAMClient} iam
 * @returns {Promise<string | undefined>}
 */
async function findRole(iam) {
    try {
        const out = await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
        return out.Role?.Arn ?? ROLE_NAME;
    } catch (err) {
        if (errorName(err) === "NoSuchEntityException") {
            return undefined;
        }
        throw new Error(
            `${PREFIX} iam:GetRole for ${ROLE_NAME} failed (${errorText(err)}), so the stack cannot tell whether ECS can use it. ${MANUAL_FIX}`,
        );
    }
}

/**
 * Ensures AWSServiceRoleForECS exists and is usable; never modifies or deletes it.
 * @param {IAMClient} iam
 * @param {RoleEvent} event
 * @param {Clock} clock
 * @returns {Promise<RoleResult>}
 */
async function ensureRole(iam, event, clock) {
    const waitSeconds = propagationSeconds(event);
    const log = clock.log ?? (() => {});

    const existing = await findRole(iam);
    if (existing !== undefined) {
        log(`${PREFIX} ${existing} exists; left as it is.`);
        return { created: false, roleArn: existing };
    }

    let created = true;
    try {
        await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: SERVICE_NAME }));
        log(`${PREFIX} created ${ROLE_NAME}.`);
    } catch (err) {
        if (errorName(err) === "InvalidInputException" && /has been taken in this account/i.test(err instanceof Error ? err.message : "")) {
            // Created concurrently (by ECS itself or another deployment): present, but just as new.
            created = false;
            log(`${PREFIX} ${ROLE_NAME} was created concurrently; waiting for it like for our own.`);
        } else {
            throw new Error(
                `${PREFIX} ${ROLE_NAME} does not exist and iam:CreateServiceLinkedRole for ${SERVICE_NAME} failed (${errorText(err)}); ` +
                    `without it ECS cannot set the cluster's capacity providers. ${MANUAL_FIX}`,
            );
        }
    }

    // IAM is eventually consistent: wait until GetRole sees the role, then a little longer so ECS can assume it.
    const started = clock.now();
    let roleArn = await findRole(iam);
    while (roleArn === undefined) {
        if (clock.now() - started >= VISIBLE_WITHIN_MS) {
            throw new Error(
                `${PREFIX} ${ROLE_NAME} was ${created ? "created" : "created concurrently"} but iam:GetRole still does not find it after ${VISIBLE_WITHIN_MS / 1000} s ` +
                    `(IAM is eventually consistent). Run pulumi up again in a minute; this step then finds the role and leaves it alone.`,
            );
        }
        await clock.sleep(VISIBLE_POLL_MS);
        roleArn = await findRole(iam);
    }
    if (waitSeconds > 0) {
        log(`${PREFIX} ${roleArn} is visible; waiting ${waitSeconds} s more for IAM to propagate it.`);
        await clock.sleep(waitSeconds * 1000);
    }
    return { created, roleArn };
}

/**
 * The Lambda entry point: `index.handler`.
 * @param {RoleEvent} event
 * @returns {Promise<RoleResult>}
 */
async function handler(event) {
    return ensureRole(new IAMClient({}), event, realClock);
}

exports.ensureRole = ensureRole;
exports.handler = handler;
