// @ts-check
// Deploy-time Lambda (Node.js runtime with the AWS SDK v3, shipped as this one file named index.js): replaces
// OneHub's default root password (root / 123456, created on the master's first start with an empty
// database) with the generated one from Secrets Manager, and touches nothing else.
//
// Whether the stored bcrypt hash still verifies 123456 only OneHub can tell (bcrypt is not in the
// Lambda runtime), so the step asks OneHub itself, through the stack's public URL: it logs in as
// root with 123456; only if that succeeds does it set the generated password (PUT /api/user/self
// with the session cookie of that login), then logs in with the new password to prove it. A
// changed password, a renamed root or an imported installation fails the first login (OneHub
// answers HTTP 200 with success:false): nothing is touched, so rerunning `pulumi up` changes
// nothing. The password is read from its secret here and never appears in the event, the result
// or a log line.
//
// OneHub: controller/user.go Login and UpdateSelf, model/user.go (password: 8–20 characters),
// model/main.go createRootAccountIfNeed; logins are limited to 20 per 20 minutes per client IP
// (middleware/rate-limit.go CriticalRateLimit), so this step makes at most two.
//
// Self-contained on purpose: it may only require @aws-sdk/client-* (built into the runtime); it uses Node's global fetch.
"use strict";

const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");

const PREFIX = "OneHub root password bootstrap:";
const DEFAULT_USERNAME = "root";
/** What OneHub's createRootAccountIfNeed sets; public knowledge, hence this step. */
const DEFAULT_PASSWORD = "123456";
const DEFAULT_TIMEOUT_SECONDS = 300;
const REQUEST_TIMEOUT_MS = 15_000;
/** Time kept back from the Lambda's own timeout, so this step's message wins over "Task timed out". */
const LAMBDA_MARGIN_MS = 15_000;
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 15_000;
/** The edge answers these while the origin is not ready yet (CloudFront 502/504, ALB 503). */
const RETRYABLE_STATUS = [502, 503, 504];
/** OneHub's rule for a password (model/user.go `validate:"min=8,max=20"`). */
const PASSWORD_RE = /^\S{8,20}$/;

/**
 * @typedef {object} BootstrapEvent
 * @property {string} url the stack's public base URL, e.g. https://d111111abcdef8.cloudfront.net
 * @property {string} secretArn the secret holding {"username", "password"}
 * @property {string} [username] default "root"
 * @property {number} [timeoutSeconds] how long the edge may answer 502/503/504 or not at all (default 300)
 */

/**
 * @typedef {object} BootstrapResult
 * @property {"SET" | "UNCHANGED"} status SET: the default password was replaced; UNCHANGED: it no longer logged in, nothing was touched
 * @property {string} username
 * @property {string} [reason] why nothing was changed (OneHub's own message)
 */

/**
 * The part of the Fetch API this step uses (global `fetch` fits).
 * @typedef {(url: string, init: { method: string, headers: Record<string, string>, body?: string, redirect: "manual", signal?: AbortSignal }) => Promise<{ status: number, headers: { get(name: string): string | null, getSetCookie?: () => string[] }, text(): Promise<string> }>} Fetch
 */

/**
 * Time, injectable so tests never wait for real.
 * @typedef {object} Clock
 * @property {(ms: number) => Promise<void>} sleep
 * @property {() => number} now milliseconds, like Date.now
 * @property {() => number} [remainingMs] time left before the Lambda is killed
 * @property {(message: string) => void} [log]
 */

/** @type {Clock} */
const realClock = {
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    log: (message) => console.log(message),
};

/** @param {unknown} err */
function errorText(err) {
    if (err instanceof Error) {
        const cause = /** @type {{ cause?: { code?: string, message?: string } }} */ (err).cause;
        return `${err.name}: ${err.message}${cause?.code || cause?.message ? ` (${cause.code ?? cause.message})` : ""}`;
    }
    return String(err);
}

/**
 * @param {unknown} event
 */
function parseEvent(event) {
    const e = /** @type {Record<string, unknown>} */ (typeof event === "object" && event !== null ? event : {});
    const missing = ["url", "secretArn"].filter((k) => typeof e[k] !== "string" || e[k] === "");
    if (missing.length > 0) {
        throw new Error(
            `${PREFIX} the invocation event lacks ${missing.join(", ")} (non-empty strings). This is a bug in the Pulumi program that invokes the step, not in the deployment.`,
        );
    }
    const url = /** @type {string} */ (e.url).replace(/\/+$/, "");
    if (!/^https:\/\/[a-z0-9.-]+$/.test(url)) {
        throw new Error(
            `${PREFIX} the event's url ${JSON.stringify(e.url)} must be https:// and a host name, such as https://d111111abcdef8.cloudfront.net.`,
        );
    }
    const timeout = e.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0) {
        throw new Error(`${PREFIX} the event's timeoutSeconds must be a positive number of seconds, got ${JSON.stringify(timeout)}.`);
    }
    return {
        url,
        secretArn: /** @type {string} */ (e.secretArn),
        username: typeof e.username === "string" && e.username !== "" ? e.username : DEFAULT_USERNAME,
        timeoutSeconds: timeout,
    };
}

/**
 * The generated password from its secret, as OneHub will accept it.
 * @param {SecretsManagerClient} secrets
 * @param {ReturnType<typeof parseEvent>} e
 */
async function generatedPassword(secrets, e) {
    let out;
    try {
        out = await secrets.send(new GetSecretValueCommand({ SecretId: e.secretArn }));
    } catch (err) {
        throw new Error(
            `${PREFIX} secretsmanager:GetSecretValue on ${e.secretArn} failed: ${errorText(err)}. The step's role may read exactly this secret; check that it exists and has a value, then run pulumi up again.`,
        );
    }
    let parsed;
    try {
        parsed = JSON.parse(out.SecretString ?? "");
    } catch {
        parsed = undefined;
    }
    const password = parsed?.password;
    if (typeof password !== "string" || !PASSWORD_RE.test(password) || password === DEFAULT_PASSWORD) {
        // Never echo the value.
        throw new Error(
            `${PREFIX} the secret ${e.secretArn} does not hold {"username", "password"} with a password OneHub accepts (8–20 characters, no spaces) other than the default; nothing was changed.`,
        );
    }
    return password;
}

/**
 * One OneHub API call through the public edge, retried while the edge answers 502/503/504 or
 * cannot be reached (a new distribution's name may take a moment to resolve).
 * @param {Fetch} fetchFn
 * @param {ReturnType<typeof parseEvent>} e
 * @param {Clock} clock
 * @param {number} started
 */
function oneHubApi(fetchFn, e, clock, started) {
    const log = clock.log ?? (() => {});
    /**
     * @param {"POST" | "PUT"} method
     * @param {string} path
     * @param {Record<string, unknown>} body
     * @param {string} what how logs and errors name the call
     * @param {string} [cookie]
     * @returns {Promise<{ json: { success?: boolean, message?: string, data?: Record<string, unknown> }, setCookies: string[] }>}
     */
    return async function call(method, path, body, what, cookie) {
        let wait = FIRST_RETRY_MS;
        for (let attempt = 1; ; attempt++) {
            /** @type {string} */
            let problem;
            try {
                const res = await fetchFn(`${e.url}${path}`, {
                    method,
                    headers: {
                        "Content-Type": "application/json",
                        Accept: "application/json",
                        // The WAF's common rule set blocks requests without one (NoUserAgent_HEADER).
                        "User-Agent": "onehub-aws-root-password-bootstrap",
                        ...(cookie ? { Cookie: cookie } : {}),
                    },
                    body: JSON.stringify(body),
                    redirect: "manual",
                    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
                });
                if (res.status === 200) {
                    const text = await res.text();
                    let json;
                    try {
                        json = JSON.parse(text);
                    } catch {
                        json = undefined;
                    }
                    if (json === null || typeof json !== "object" || typeof json.success !== "boolean") {
                        throw new Error(
                            `${PREFIX} ${what} (${method} ${e.url}${path}) answered 200 without OneHub's JSON ({"success": …}); the path does not reach OneHub's API on the master. Check the listener rules (/api/* → master), then run pulumi up again.`,
                        );
                    }
                    const setCookies =
                        res.headers.getSetCookie?.() ?? (res.headers.get("set-cookie") ? [String(res.headers.get("set-cookie"))] : []);
                    return { json, setCookies };
                }
                if (!RETRYABLE_STATUS.includes(res.status)) {
                    throw new Error(
                        `${PREFIX} ${what} (${method} ${e.url}${path}) answered HTTP ${res.status}. ${statusAdvice(res.status)}`,
                    );
                }
                problem = `HTTP ${res.status}`;
            } catch (err) {
                if (err instanceof Error && err.message.startsWith(PREFIX)) {
                    throw err;
                }
                problem = errorText(err);
            }
            const elapsed = clock.now() - started;
            const lambdaLeft = clock.remainingMs ? clock.remainingMs() - LAMBDA_MARGIN_MS : Infinity;
            if (elapsed + wait > e.timeoutSeconds * 1000 || lambdaLeft < wait) {
                throw new Error(
                    `${PREFIX} ${what} (${method} ${e.url}${path}) did not reach OneHub within ${Math.round(elapsed / 1000)} s (${attempt} attempts; last: ${problem}). ` +
                        `Nothing was changed. Check that the master is healthy (its target group, its log group) and run pulumi up again: the step runs until it succeeds.`,
                );
            }
            log(`${PREFIX} ${what}: ${problem}, attempt ${attempt}; retrying in ${Math.round(wait / 1000)} s.`);
            await clock.sleep(wait);
            wait = Math.min(wait * 2, MAX_RETRY_MS);
        }
    };
}

/** @param {number} status */
function statusAdvice(status) {
    if (status === 403) {
        return "Nothing was changed. A 403 comes from CloudFront or the WAF (the IP-reputation list or a rate rule may have matched the Lambda's AWS address): check the web ACL's sampled requests, then run pulumi up again.";
    }
    if (status === 429) {
        return "Nothing was changed. OneHub allows 20 logins per 20 minutes per client address; wait that long, then run pulumi up again.";
    }
    return "Nothing was changed; fix the cause and run pulumi up again.";
}

/**
 * The `session` cookie OneHub's login set, as a Cookie header value.
 * @param {string[]} setCookies
 */
function sessionCookie(setCookies) {
    for (const header of setCookies) {
        const pair = header.split(";")[0].trim();
        if (pair.startsWith("session=") && pair.length > "session=".length) {
            return pair;
        }
    }
    return undefined;
}

/**
 * @param {{ secrets: SecretsManagerClient, fetch: Fetch }} clients
 * @param {BootstrapEvent} event
 * @param {Clock} clock
 * @returns {Promise<BootstrapResult>}
 */
async function bootstrapRootPassword(clients, event, clock) {
    const e = parseEvent(event);
    const log = clock.log ?? (() => {});
    const password = await generatedPassword(clients.secrets, e);
    const call = oneHubApi(clients.fetch, e, clock, clock.now());

    const first = await call(
        "POST",
        "/api/user/login",
        { username: e.username, password: DEFAULT_PASSWORD },
        "logging in with the default password",
    );
    if (!first.json.success) {
        const reason = `the default password no longer logs in (OneHub: ${JSON.stringify(first.json.message ?? "")}); it was changed, or the installation was imported`;
        log(`${PREFIX} ${e.username}: ${reason}. Nothing was changed.`);
        return { status: "UNCHANGED", username: e.username, reason };
    }
    const cookie = sessionCookie(first.setCookies);
    if (!cookie) {
        throw new Error(
            `${PREFIX} the login as ${e.username} with the default password succeeded but set no session cookie, so the password cannot be changed through OneHub. ${e.username} still has the default password: change it in OneHub's admin UI now, and save it in ${e.secretArn}.`,
        );
    }
    const update = await call("PUT", "/api/user/self", { password }, "setting the generated password", cookie);
    if (!update.json.success) {
        throw new Error(
            `${PREFIX} OneHub refused the new password for ${e.username} (OneHub: ${JSON.stringify(update.json.message ?? "")}). ${e.username} still has the default password: change it in OneHub's admin UI now, and save it in ${e.secretArn}.`,
        );
    }
    const check = await call("POST", "/api/user/login", { username: e.username, password }, "logging in with the generated password");
    if (!check.json.success) {
        throw new Error(
            `${PREFIX} OneHub accepted the new password for ${e.username} but a login with it failed (OneHub: ${JSON.stringify(check.json.message ?? "")}). Log in to the admin UI and check ${e.username}'s password against ${e.secretArn}.`,
        );
    }
    log(`${PREFIX} ${e.username}'s default password was replaced by the one in ${e.secretArn}.`);
    return { status: "SET", username: e.username };
}

/**
 * The Lambda entry point: `index.handler`.
 * @param {BootstrapEvent} event
 * @param {{ getRemainingTimeInMillis?: () => number }} [context]
 * @returns {Promise<BootstrapResult>}
 */
async function handler(event, context) {
    const remaining = context?.getRemainingTimeInMillis;
    /** @type {Clock} */
    const clock = remaining ? { ...realClock, remainingMs: () => remaining.call(context) } : realClock;
    return bootstrapRootPassword(
        { secrets: new SecretsManagerClient({}), fetch: /** @type {Fetch} */ (/** @type {unknown} */ (fetch)) },
        event,
        clock,
    );
}

exports.bootstrapRootPassword = bootstrapRootPassword;
exports.handler = handler;
