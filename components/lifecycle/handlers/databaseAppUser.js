// @ts-check
// Deploy-time Lambda (Node.js runtime with the AWS SDK v3, shipped as this one file named index.js): makes sure
// OneHub's application database user exists with the current password and exactly its privileges,
// through the RDS Data API, before any service starts.
//
// OneHub must not connect as the Aurora master user: a bug or a stolen DSN would then own every
// schema and every user. The application user may do, on OneHub's own schema only, what GORM's
// AutoMigrate, OneHub's gormigrate migrations and its queries need (tables, columns, indexes,
// foreign keys, rows), and nothing on any other schema, no user or grant administration.
//
// Data API statements are recorded by CloudTrail, so no statement names the password: the user is
// created with its mysql_native_password hash (`IDENTIFIED WITH mysql_native_password AS
// '*<HEX(SHA1(SHA1(password)))>'`), computed here from the password secret. The password itself
// never appears in the event, a statement, the result or a log line; error messages have the hash
// masked too.
//
// Idempotent: it creates the user if missing, else sets the password again (ALTER USER), grants
// the privileges, and revokes anything else the user holds. Rerunning changes nothing.
//
// Self-contained on purpose: it may only require @aws-sdk/client-* (built into the runtime) and node: modules.
"use strict";

const { createHash } = require("node:crypto");
const { RDSDataClient, ExecuteStatementCommand } = require("@aws-sdk/client-rds-data");
const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");

const PREFIX = "OneHub database application user:";
const DEFAULT_TIMEOUT_SECONDS = 600;
/** Time kept back from the Lambda's own timeout, so this step's message wins over "Task timed out". */
const LAMBDA_MARGIN_MS = 15_000;
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 20_000;
/** What a user, a schema and a privilege may be here: nothing that needs quoting beyond backticks and single quotes. */
const IDENTIFIER_RE = /^[a-z][a-z0-9_]{0,31}$/;
/** The privileges this step may grant: schema-level DDL and DML, never administration. */
const GRANTABLE = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "INDEX", "DROP", "REFERENCES"];
/** Data API errors that mean "not yet": the database is starting, resuming or briefly unavailable. */
const RETRYABLE = [
    "DatabaseResumingException",
    "DatabaseUnavailableException",
    "ServiceUnavailableError",
    "InternalServerErrorException",
    "ThrottlingException",
    "HttpEndpointNotEnabledException",
];
const RETRYABLE_MESSAGE = /Communications link failure|is resuming|is not available|try again/i;

/**
 * @typedef {object} AppUserEvent
 * @property {string} resourceArn the Aurora cluster's ARN
 * @property {string} masterSecretArn the master credentials secret the Data API connects with
 * @property {string} appSecretArn the secret holding {"username", "password"} of the application user
 * @property {string} [appSecretVersionId] the version of that secret to use (a new one re-runs the step)
 * @property {string} username the application user
 * @property {string} database OneHub's schema
 * @property {string[]} privileges what the user may do on that schema
 * @property {number} [timeoutSeconds] how long the database may stay unreachable (default 600)
 */

/**
 * @typedef {object} AppUserResult
 * @property {"CREATED" | "UPDATED"} status whether the user was created or already existed (its password and grants are current either way)
 * @property {string} user 'name'@'%'
 * @property {string} database
 * @property {string[]} privileges
 * @property {boolean} revoked whether privileges beyond these had to be revoked
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

/**
 * The mysql_native_password hash of a password: "*" + HEX(SHA1(SHA1(password))), as MySQL stores it.
 * @param {string} password
 */
function nativePasswordHash(password) {
    const inner = createHash("sha1").update(password, "utf8").digest();
    return `*${createHash("sha1").update(inner).digest("hex").toUpperCase()}`;
}

/**
 * Masks anything that looks like a password hash (errors from MySQL may quote a statement).
 * @param {string} text
 */
function maskHashes(text) {
    return text.replace(/\*[0-9A-Fa-f]{40}/g, "*<hash>");
}

/** @param {unknown} err */
function errorText(err) {
    return maskHashes(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}

/**
 * @param {unknown} event
 * @returns {Required<Omit<AppUserEvent, "appSecretVersionId">> & { appSecretVersionId?: string }}
 */
function parseEvent(event) {
    const e = /** @type {Record<string, unknown>} */ (typeof event === "object" && event !== null ? event : {});
    const missing = ["resourceArn", "masterSecretArn", "appSecretArn", "username", "database"].filter(
        (k) => typeof e[k] !== "string" || e[k] === "",
    );
    if (missing.length > 0) {
        throw new Error(
            `${PREFIX} the invocation event lacks ${missing.join(", ")} (non-empty strings). This is a bug in the Pulumi program that invokes the step, not in the deployment.`,
        );
    }
    for (const k of ["username", "database"]) {
        if (!IDENTIFIER_RE.test(/** @type {string} */ (e[k]))) {
            throw new Error(
                `${PREFIX} the event's ${k} ${JSON.stringify(e[k])} must be lower-case letters, digits and underscores, starting with a letter.`,
            );
        }
    }
    const privileges = e.privileges;
    if (!Array.isArray(privileges) || privileges.length === 0 || !privileges.every((p) => typeof p === "string" && GRANTABLE.includes(p))) {
        throw new Error(
            `${PREFIX} the event's privileges ${JSON.stringify(privileges)} must be a non-empty list of ${GRANTABLE.join(", ")}.`,
        );
    }
    const timeout = e.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0) {
        throw new Error(`${PREFIX} the event's timeoutSeconds must be a positive number of seconds, got ${JSON.stringify(timeout)}.`);
    }
    return {
        resourceArn: /** @type {string} */ (e.resourceArn),
        masterSecretArn: /** @type {string} */ (e.masterSecretArn),
        appSecretArn: /** @type {string} */ (e.appSecretArn),
        appSecretVersionId: typeof e.appSecretVersionId === "string" && e.appSecretVersionId !== "" ? e.appSecretVersionId : undefined,
        username: /** @type {string} */ (e.username),
        database: /** @type {string} */ (e.database),
        privileges: /** @type {string[]} */ (privileges),
        timeoutSeconds: timeout,
    };
}

/**
 * The application password from its secret: {"username", "password"} JSON.
 * @param {SecretsManagerClient} secrets
 * @param {ReturnType<typeof parseEvent>} e
 */
async function appPassword(secrets, e) {
    let out;
    try {
        out = await secrets.send(new GetSecretValueCommand({ SecretId: e.appSecretArn, VersionId: e.appSecretVersionId }));
    } catch (err) {
        throw new Error(
            `${PREFIX} secretsmanager:GetSecretValue on ${e.appSecretArn} failed: ${errorText(err)}. The step's role may read exactly this secret and the master credentials; check that both exist, then run pulumi up again.`,
        );
    }
    let parsed;
    try {
        parsed = JSON.parse(out.SecretString ?? "");
    } catch {
        parsed = undefined;
    }
    const password = parsed?.password;
    if (typeof password !== "string" || password.length < 8 || /['"\\\s]/.test(password)) {
        // Never echo the value.
        throw new Error(
            `${PREFIX} the secret ${e.appSecretArn} does not hold {"username", "password"} with a password of at least 8 characters and no quotes, backslashes or spaces.`,
        );
    }
    return password;
}

/**
 * Runs statements through the Data API, retrying while the database is starting or resuming.
 * @param {RDSDataClient} rdsData
 * @param {ReturnType<typeof parseEvent>} e
 * @param {Clock} clock
 */
function dataApi(rdsData, e, clock) {
    const started = clock.now();
    const log = clock.log ?? (() => {});
    /**
     * @param {string} sql
     * @param {string} what how logs and errors name the statement (never the statement itself)
     */
    return async function execute(sql, what) {
        let wait = FIRST_RETRY_MS;
        for (let attempt = 1; ; attempt++) {
            try {
                return await rdsData.send(new ExecuteStatementCommand({ resourceArn: e.resourceArn, secretArn: e.masterSecretArn, sql }));
            } catch (err) {
                const name = err instanceof Error ? err.name : "";
                const message = err instanceof Error ? err.message : "";
                const retryable = RETRYABLE.includes(name) || (name === "BadRequestException" && RETRYABLE_MESSAGE.test(message));
                const elapsed = clock.now() - started;
                const lambdaLeft = clock.remainingMs ? clock.remainingMs() - LAMBDA_MARGIN_MS : Infinity;
                if (!retryable) {
                    throw new Error(
                        `${PREFIX} ${what} failed on ${e.resourceArn}: ${errorText(err)}. ` +
                            `The step connects through the RDS Data API with the master credentials (${e.masterSecretArn}); it needs the cluster's Data API enabled ` +
                            `(Aurora MySQL 3.07 or later), rds-data:ExecuteStatement on the cluster and secretsmanager:GetSecretValue on that secret. Fix the cause and run pulumi up again.`,
                    );
                }
                if (elapsed + wait > e.timeoutSeconds * 1000 || lambdaLeft < wait) {
                    throw new Error(
                        `${PREFIX} the database ${e.resourceArn} was still unreachable through the Data API after ${Math.round(elapsed / 1000)} s (${attempt} attempts; last: ${errorText(err)}). ` +
                            `It may still be starting or resuming; run pulumi up again once aws rds describe-db-clusters shows it available.`,
                    );
                }
                log(`${PREFIX} ${what}: ${name || "error"}, attempt ${attempt}; retrying in ${Math.round(wait / 1000)} s.`);
                await clock.sleep(wait);
                wait = Math.min(wait * 2, MAX_RETRY_MS);
            }
        }
    };
}

/**
 * The privileges of one SHOW GRANTS line, or undefined for a line that is not "GRANT <list> ON <target> TO <user>".
 * @param {string} line
 */
function parseGrant(line) {
    const m = /^GRANT (.+?) ON (\S+) TO (\S+)( WITH GRANT OPTION)?$/.exec(line.trim());
    if (!m) {
        return undefined;
    }
    return { privileges: m[1].split(",").map((p) => p.trim().toUpperCase()), on: m[2].replace(/`/g, ""), grantOption: !!m[4] };
}

/**
 * Whether SHOW GRANTS lists exactly USAGE on *.* and `privileges` on `database`.*.
 * @param {string[]} lines
 * @param {string} database
 * @param {string[]} privileges
 */
function grantsAreExact(lines, database, privileges) {
    const want = [...privileges].sort().join(",");
    let schema = false;
    for (const line of lines) {
        const g = parseGrant(line);
        if (!g || g.grantOption) {
            return false;
        }
        if (g.on === "*.*" && g.privileges.join(",") === "USAGE") {
            continue;
        }
        if (g.on === `${database}.*` && [...g.privileges].sort().join(",") === want) {
            schema = true;
            continue;
        }
        return false;
    }
    return schema;
}

/**
 * @param {{ rdsData: RDSDataClient, secrets: SecretsManagerClient }} clients
 * @param {AppUserEvent} event
 * @param {Clock} clock
 * @returns {Promise<AppUserResult>}
 */
async function ensureAppUser(clients, event, clock) {
    const e = parseEvent(event);
    const log = clock.log ?? (() => {});
    const hash = nativePasswordHash(await appPassword(clients.secrets, e));
    const execute = dataApi(clients.rdsData, e, clock);
    const user = `'${e.username}'@'%'`;
    const identified = `IDENTIFIED WITH mysql_native_password AS '${hash}'`;
    const grant = `GRANT ${e.privileges.join(", ")} ON \`${e.database}\`.* TO ${user}`;

    const found = await execute(`SELECT COUNT(*) FROM mysql.user WHERE user = '${e.username}' AND host = '%'`, "looking up the user");
    const exists = Number(found.records?.[0]?.[0]?.longValue ?? 0) > 0;
    if (exists) {
        await execute(`ALTER USER ${user} ${identified}`, `ALTER USER ${user} (setting the password from its hash)`);
    } else {
        await execute(`CREATE USER IF NOT EXISTS ${user} ${identified}`, `CREATE USER ${user}`);
    }
    await execute(grant, `GRANT on ${e.database}.*`);
    /** @returns {Promise<string[]>} */
    const showGrants = async () =>
        ((await execute(`SHOW GRANTS FOR ${user}`, "SHOW GRANTS")).records ?? []).map((r) => String(r[0]?.stringValue ?? ""));
    let revoked = false;
    if (!grantsAreExact(await showGrants(), e.database, e.privileges)) {
        // Someone granted more (or GRANT OPTION): start from nothing, then grant exactly the list.
        revoked = true;
        await execute(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${user}`, `REVOKE ALL from ${user}`);
        await execute(grant, `GRANT on ${e.database}.*`);
        const after = await showGrants();
        if (!grantsAreExact(after, e.database, e.privileges)) {
            throw new Error(
                `${PREFIX} after REVOKE ALL and GRANT, ${user} still holds ${JSON.stringify(after)} instead of USAGE and ${e.privileges.join(", ")} on ${e.database}.*; a role or a global grant outside this step's reach remains. Remove it by hand (Query Editor, master credentials), then run pulumi up again.`,
            );
        }
    }
    const result = /** @type {AppUserResult} */ ({
        status: exists ? "UPDATED" : "CREATED",
        user,
        database: e.database,
        privileges: e.privileges,
        revoked,
    });
    log(
        `${PREFIX} ${user} ${exists ? "existed; its password was set again" : "was created"}; it holds ${e.privileges.join(", ")} on ${e.database}.* only${revoked ? " (other privileges were revoked)" : ""}.`,
    );
    return result;
}

/**
 * The Lambda entry point: `index.handler`.
 * @param {AppUserEvent} event
 * @param {{ getRemainingTimeInMillis?: () => number }} [context]
 * @returns {Promise<AppUserResult>}
 */
async function handler(event, context) {
    const remaining = context?.getRemainingTimeInMillis;
    /** @type {Clock} */
    const clock = remaining ? { ...realClock, remainingMs: () => remaining.call(context) } : realClock;
    return ensureAppUser({ rdsData: new RDSDataClient({}), secrets: new SecretsManagerClient({}) }, event, clock);
}

exports.nativePasswordHash = nativePasswordHash;
exports.ensureAppUser = ensureAppUser;
exports.handler = handler;
