import * as assert from "assert";
import {
    BadRequestException,
    DatabaseErrorException,
    DatabaseResumingException,
    ExecuteStatementCommand,
    ForbiddenException,
    RDSDataClient,
} from "@aws-sdk/client-rds-data";
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import appUser = require("../../components/lifecycle/handlers/databaseAppUser");
import { assertShippable, handlerSource } from "./shipping";

const PREFIX = "OneHub database application user:";
const CLUSTER = "arn:aws:rds:us-east-1:123456789012:cluster:onehub-dev-db-abc123";
const MASTER_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:onehub-dev-db-credentials-AbCdEf";
const APP_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:onehub-dev-db-app-credentials-AbCdEf";
/** A password no statement, log line, result or message may contain. */
const PASSWORD = "Sup3r-Secret.Passw0rd~with^specials!";
const HASH = "*" + "0123456789ABCDEF".repeat(3).slice(0, 40);
const PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "INDEX", "DROP", "REFERENCES"];
const EVENT = {
    resourceArn: CLUSTER,
    masterSecretArn: MASTER_SECRET,
    appSecretArn: APP_SECRET,
    appSecretVersionId: "v-0123456789ab",
    username: "onehub_app",
    database: "onehub",
    privileges: PRIVILEGES,
};
const EXACT_GRANTS = [
    "GRANT USAGE ON *.* TO `onehub_app`@`%`",
    "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER ON `onehub`.* TO `onehub_app`@`%`",
];

/** A clock whose sleeps only advance its time, and a log that keeps the lines. */
function fakeClock() {
    let t = 0;
    const sleeps: number[] = [];
    const logged: string[] = [];
    const clock = {
        now: () => t,
        sleep: async (ms: number) => {
            sleeps.push(ms);
            t += ms;
        },
        log: (line: string) => void logged.push(line),
    };
    return { clock, sleeps, logged };
}

const records = (rows: (string | number)[][]) => ({
    $metadata: {},
    records: rows.map((row) => row.map((v) => (typeof v === "number" ? { longValue: v } : { stringValue: v }))),
});

async function failure(run: Promise<unknown>): Promise<string> {
    const err = await run.then(
        (result) => assert.fail(`expected a failure, got ${JSON.stringify(result)}`),
        (e: unknown) => e,
    );
    assert.ok(err instanceof Error);
    assert.ok(err.message.startsWith(`${PREFIX} `), err.message);
    assert.doesNotMatch(err.message, /\n/, "one paragraph");
    return err.message;
}

describe("lifecycle: the database application user", () => {
    const rdsData = mockClient(RDSDataClient);
    const secrets = mockClient(SecretsManagerClient);
    const sql = () => rdsData.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input.sql ?? "");
    const clients = () => ({ rdsData: new RDSDataClient({}), secrets: new SecretsManagerClient({}) });

    /** The database as the statements find it: whether the user exists, and what SHOW GRANTS lists (one answer per call). */
    function database(exists: boolean, ...grants: string[][]) {
        rdsData.on(ExecuteStatementCommand).callsFake((input: { sql?: string }) => {
            if (input.sql?.startsWith("SELECT COUNT(*)")) {
                return records([[exists ? 1 : 0]]);
            }
            if (input.sql?.startsWith("SHOW GRANTS")) {
                return records((grants.length > 1 ? grants.shift()! : grants[0]).map((line) => [line]));
            }
            return { $metadata: {}, numberOfRecordsUpdated: 0 };
        });
    }

    beforeEach(() => {
        rdsData.reset();
        secrets.reset();
        secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: "onehub_app", password: PASSWORD }) });
    });
    after(() => {
        rdsData.restore();
        secrets.restore();
    });

    it("ships as one CommonJS file that requires only the runtime's AWS SDK clients and node:crypto", () => {
        assertShippable("databaseAppUser.js", ["ensureAppUser", "handler", "nativePasswordHash"]);
    });

    it("can only run statements and read secrets: no other AWS call exists in it", () => {
        const used = [...new Set(handlerSource("databaseAppUser.js").match(/\b[A-Z][A-Za-z]+Command\b/g))].sort();
        assert.deepStrictEqual(used, ["ExecuteStatementCommand", "GetSecretValueCommand"]);
    });

    it("hashes a password exactly as MySQL's mysql_native_password stores it", () => {
        // MySQL 5.7: SELECT PASSWORD('123456'), PASSWORD('password').
        assert.strictEqual(appUser.nativePasswordHash("123456"), "*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9");
        assert.strictEqual(appUser.nativePasswordHash("password"), "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
    });

    it("creates a missing user with the password's hash, grants exactly the privileges on OneHub's schema and checks them", async () => {
        database(false, EXACT_GRANTS);
        const { clock, logged } = fakeClock();
        const result = await appUser.ensureAppUser(clients(), EVENT, clock);
        const hash = appUser.nativePasswordHash(PASSWORD);
        assert.deepStrictEqual(sql(), [
            "SELECT COUNT(*) FROM mysql.user WHERE user = 'onehub_app' AND host = '%'",
            `CREATE USER IF NOT EXISTS 'onehub_app'@'%' IDENTIFIED WITH mysql_native_password AS '${hash}'`,
            "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES ON `onehub`.* TO 'onehub_app'@'%'",
            "SHOW GRANTS FOR 'onehub_app'@'%'",
        ]);
        for (const call of rdsData.commandCalls(ExecuteStatementCommand)) {
            assert.strictEqual(call.args[0].input.resourceArn, CLUSTER);
            assert.strictEqual(call.args[0].input.secretArn, MASTER_SECRET, "the Data API connects as the master user");
        }
        assert.deepStrictEqual(result, {
            status: "CREATED",
            user: "'onehub_app'@'%'",
            database: "onehub",
            privileges: PRIVILEGES,
            revoked: false,
        });
        assert.deepStrictEqual(logged, [
            `${PREFIX} 'onehub_app'@'%' was created; it holds SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES on onehub.* only.`,
        ]);
    });

    it("sets an existing user's password again (ALTER USER) and never creates it twice", async () => {
        database(true, EXACT_GRANTS);
        const result = await appUser.ensureAppUser(clients(), EVENT, fakeClock().clock);
        assert.strictEqual(result.status, "UPDATED");
        assert.match(sql()[1], /^ALTER USER 'onehub_app'@'%' IDENTIFIED WITH mysql_native_password AS '\*[0-9A-F]{40}'$/);
        assert.ok(!sql().some((s) => s.startsWith("CREATE USER")));
    });

    it("reads the password version the invocation names, so the DSN and the user always agree", async () => {
        database(false, EXACT_GRANTS);
        await appUser.ensureAppUser(clients(), EVENT, fakeClock().clock);
        assert.deepStrictEqual(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input, {
            SecretId: APP_SECRET,
            VersionId: "v-0123456789ab",
        });
    });

    it("never lets the password reach a statement, a log line or the result (CloudTrail records every statement)", async () => {
        database(false, [...EXACT_GRANTS, "GRANT SELECT ON `mysql`.* TO `onehub_app`@`%`"], EXACT_GRANTS);
        const { clock, logged } = fakeClock();
        const result = await appUser.ensureAppUser(clients(), EVENT, clock);
        const seen = JSON.stringify([sql(), logged, result]);
        assert.ok(!seen.includes(PASSWORD));
        assert.ok(!JSON.stringify(EVENT).includes(PASSWORD), "the invocation's input names the secret, not its value");
    });

    it("revokes anything else the user holds, then grants exactly the list again", async () => {
        database(
            true,
            [...EXACT_GRANTS, "GRANT SELECT ON `mysql`.* TO `onehub_app`@`%`", "GRANT CREATE USER ON *.* TO `onehub_app`@`%`"],
            EXACT_GRANTS,
        );
        const result = await appUser.ensureAppUser(clients(), EVENT, fakeClock().clock);
        assert.strictEqual(result.revoked, true);
        assert.deepStrictEqual(sql().slice(3), [
            "SHOW GRANTS FOR 'onehub_app'@'%'",
            "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'onehub_app'@'%'",
            "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES ON `onehub`.* TO 'onehub_app'@'%'",
            "SHOW GRANTS FOR 'onehub_app'@'%'",
        ]);
    });

    it("treats GRANT OPTION and a missing privilege as not exact", async () => {
        for (const found of [
            [EXACT_GRANTS[0], `${EXACT_GRANTS[1]} WITH GRANT OPTION`],
            [EXACT_GRANTS[0], "GRANT SELECT, INSERT ON `onehub`.* TO `onehub_app`@`%`"],
            [EXACT_GRANTS[0]],
        ]) {
            rdsData.reset();
            database(true, found, EXACT_GRANTS);
            assert.strictEqual((await appUser.ensureAppUser(clients(), EVENT, fakeClock().clock)).revoked, true, JSON.stringify(found));
            assert.strictEqual(sql().filter((s) => s.startsWith("REVOKE")).length, 1);
        }
    });

    it("stops the update when grants it cannot revoke remain (a role, a global grant)", async () => {
        const stubborn = [...EXACT_GRANTS, "GRANT `rds_superuser_role`@`%` TO `onehub_app`@`%`"];
        database(true, stubborn, stubborn);
        const message = await failure(appUser.ensureAppUser(clients(), EVENT, fakeClock().clock));
        assert.match(
            message,
            /after REVOKE ALL and GRANT, 'onehub_app'@'%' still holds .*rds_superuser_role.* Remove it by hand \(Query Editor, master credentials\)/,
        );
    });

    it("waits while the database is starting or resuming, with growing pauses", async () => {
        let calls = 0;
        rdsData.on(ExecuteStatementCommand).callsFake((input: { sql?: string }) => {
            calls++;
            if (calls === 1) {
                throw new DatabaseResumingException({ message: "The database is resuming.", $metadata: {} });
            }
            if (calls <= 3) {
                throw new BadRequestException({ message: "Communications link failure", $metadata: {} });
            }
            return input.sql?.startsWith("SHOW GRANTS") ? records(EXACT_GRANTS.map((g) => [g])) : records([[0]]);
        });
        const { clock, sleeps, logged } = fakeClock();
        const result = await appUser.ensureAppUser(clients(), EVENT, clock);
        assert.strictEqual(result.status, "CREATED");
        assert.deepStrictEqual(sleeps, [2000, 4000, 8000]);
        assert.match(logged[0], /looking up the user: DatabaseResumingException, attempt 1; retrying in 2 s\./);
    });

    it("gives up on a database that stays unreachable, with the time it waited", async () => {
        rdsData.on(ExecuteStatementCommand).rejects(new DatabaseResumingException({ message: "The database is resuming.", $metadata: {} }));
        const { clock, sleeps } = fakeClock();
        const message = await failure(appUser.ensureAppUser(clients(), { ...EVENT, timeoutSeconds: 60 }, clock));
        assert.match(
            message,
            /was still unreachable through the Data API after 50 s \(6 attempts; last: DatabaseResumingException: The database is resuming\.\)/,
        );
        assert.deepStrictEqual(sleeps, [2000, 4000, 8000, 16000, 20000]);
    });

    it("stops at once on a SQL error, with MySQL's message and the hash masked", async () => {
        rdsData.on(ExecuteStatementCommand).callsFake((input: { sql?: string }) => {
            if (input.sql?.startsWith("SELECT")) {
                return records([[0]]);
            }
            throw new DatabaseErrorException({
                message: `You have an error in your SQL syntax near 'AS '${HASH}'' at line 1`,
                $metadata: {},
            });
        });
        const message = await failure(appUser.ensureAppUser(clients(), EVENT, fakeClock().clock));
        assert.match(
            message,
            /CREATE USER 'onehub_app'@'%' failed on arn:aws:rds:.*: DatabaseErrorException: You have an error in your SQL syntax near 'AS '\*<hash>''/,
        );
        assert.ok(!message.includes(HASH));
        assert.match(
            message,
            /Aurora MySQL 3\.07 or later\), rds-data:ExecuteStatement on the cluster and secretsmanager:GetSecretValue on that secret/,
        );
    });

    it("names the permissions it needs when the Data API refuses it", async () => {
        rdsData
            .on(ExecuteStatementCommand)
            .rejects(new ForbiddenException({ message: "not authorized to perform rds-data:ExecuteStatement", $metadata: {} }));
        const message = await failure(appUser.handler(EVENT));
        assert.match(message, /looking up the user failed on .*ForbiddenException: not authorized/);
    });

    it("never echoes a password secret it cannot use, and runs no statement", async () => {
        for (const value of [JSON.stringify({ username: "onehub_app", password: "it's" }), "not json", JSON.stringify({ password: 42 })]) {
            secrets.reset();
            secrets.on(GetSecretValueCommand).resolves({ SecretString: value });
            const message = await failure(appUser.ensureAppUser(clients(), EVENT, fakeClock().clock));
            assert.match(message, /does not hold \{"username", "password"\} with a password of at least 8 characters and no quotes/);
            assert.ok(!message.includes("it's"));
        }
        secrets.reset();
        secrets
            .on(GetSecretValueCommand)
            .rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
        assert.match(
            await failure(appUser.ensureAppUser(clients(), EVENT, fakeClock().clock)),
            /secretsmanager:GetSecretValue on .*app-credentials.* failed: ResourceNotFoundException/,
        );
        assert.deepStrictEqual(sql(), []);
    });

    it("refuses an event that could inject SQL or grant more, before calling AWS", async () => {
        for (const [event, message] of [
            [{ ...EVENT, username: "x' OR '1" }, /the event's username "x' OR '1" must be lower-case letters, digits and underscores/],
            [{ ...EVENT, database: "onehub`; DROP" }, /the event's database/],
            [
                { ...EVENT, privileges: ["SELECT", "GRANT OPTION"] },
                /the event's privileges \["SELECT","GRANT OPTION"\] must be a non-empty list of SELECT, INSERT/,
            ],
            [{ ...EVENT, privileges: ["ALL PRIVILEGES"] }, /must be a non-empty list/],
            [{ ...EVENT, privileges: [] }, /must be a non-empty list/],
            [{ ...EVENT, resourceArn: "" }, /lacks resourceArn/],
            [{ ...EVENT, timeoutSeconds: -5 }, /timeoutSeconds must be a positive number/],
        ] as const) {
            assert.match(await failure(appUser.ensureAppUser(clients(), event as typeof EVENT, fakeClock().clock)), message);
        }
        assert.strictEqual(rdsData.calls().length + secrets.calls().length, 0);
    });
});
