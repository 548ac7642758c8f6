import * as assert from "assert";
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import root = require("../../components/lifecycle/handlers/rootPasswordBootstrap");
import { assertShippable, handlerSource } from "./shipping";

const PREFIX = "OneHub root password bootstrap:";
const URL = "https://d111111abcdef8.cloudfront.net";
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:onehub-dev-root-password-AbCdEf";
/** 20 letters and digits, as the component generates it; no message, log line or result may contain it. */
const PASSWORD = "Q7wErTy9uIoP2aSdF4gH";
const EVENT = { url: URL, secretArn: SECRET, username: "root", timeoutSeconds: 300 };
const SESSION = "session=MTcwMDAwMDAwMHxEdi1CQkFFQ180SUFBUkFCRUFBQV9_";

interface Call {
    method: string;
    url: string;
    body: any;
    cookie?: string;
    userAgent?: string;
}

type Answer = { status: number; body?: unknown; setCookie?: string[] } | Error;

/**
 * OneHub behind the edge, answering each call with the next scripted answer (the last one
 * repeats), and recording every call.
 */
function oneHub(...answers: Answer[]) {
    const calls: Call[] = [];
    const fetch = async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
        calls.push({
            method: init.method,
            url,
            body: init.body ? JSON.parse(init.body) : undefined,
            cookie: init.headers.Cookie,
            userAgent: init.headers["User-Agent"],
        });
        const answer = answers.length > 1 ? answers.shift()! : answers[0];
        if (answer instanceof Error) {
            throw answer;
        }
        const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? {});
        return {
            status: answer.status,
            headers: {
                get: (name: string) => (name === "set-cookie" ? (answer.setCookie?.[0] ?? null) : null),
                getSetCookie: () => answer.setCookie ?? [],
            },
            text: async () => text,
        };
    };
    return { fetch, calls };
}

const loggedIn = {
    status: 200,
    body: { success: true, message: "", data: { id: 1, username: "root", role: 100 } },
    setCookie: [`${SESSION}; Path=/; Max-Age=2592000; HttpOnly; SameSite=Strict`],
};
const refused = { status: 200, body: { success: false, message: "用户名或密码错误，或用户已被封禁" } };
const ok = { status: 200, body: { success: true, message: "" } };

function fakeClock() {
    let t = 0;
    const sleeps: number[] = [];
    const logged: string[] = [];
    const clock: { now: () => number; sleep: (ms: number) => Promise<void>; log: (line: string) => void; remainingMs?: () => number } = {
        now: () => t,
        sleep: async (ms: number) => {
            sleeps.push(ms);
            t += ms;
        },
        log: (line: string) => void logged.push(line),
    };
    return { clock, sleeps, logged };
}

async function failure(run: Promise<unknown>): Promise<string> {
    const err = await run.then(
        (result) => assert.fail(`expected a failure, got ${JSON.stringify(result)}`),
        (e: unknown) => e,
    );
    assert.ok(err instanceof Error);
    assert.ok(err.message.startsWith(`${PREFIX} `), err.message);
    assert.doesNotMatch(err.message, /\n/, "one paragraph");
    assert.ok(!err.message.includes(PASSWORD), "never the password");
    return err.message;
}

describe("lifecycle: the root password bootstrap", () => {
    const secrets = mockClient(SecretsManagerClient);
    const run = (server: ReturnType<typeof oneHub>, clock = fakeClock().clock, event: Record<string, unknown> = EVENT) =>
        root.bootstrapRootPassword({ secrets: new SecretsManagerClient({}), fetch: server.fetch }, event as typeof EVENT, clock);

    beforeEach(() => {
        secrets.reset();
        secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: "root", password: PASSWORD }) });
    });
    after(() => secrets.restore());

    it("ships as one CommonJS file that requires only the runtime's Secrets Manager client", () => {
        assertShippable("rootPasswordBootstrap.js", ["bootstrapRootPassword", "handler"]);
    });

    it("can only read a secret: no other AWS call exists in it", () => {
        const used = [...new Set(handlerSource("rootPasswordBootstrap.js").match(/\b[A-Z][A-Za-z]+Command\b/g))].sort();
        assert.deepStrictEqual(used, ["GetSecretValueCommand"]);
    });

    it("replaces the default password: logs in with 123456, sets the generated one with that session, logs in with it", async () => {
        const server = oneHub(loggedIn, ok, loggedIn);
        const { clock, logged } = fakeClock();
        const result = await run(server, clock);
        assert.deepStrictEqual(result, { status: "SET", username: "root" });
        // A User-Agent on every call: the WAF's common rule set blocks requests without one.
        const ua = "onehub-aws-root-password-bootstrap";
        assert.deepStrictEqual(server.calls, [
            {
                method: "POST",
                url: `${URL}/api/user/login`,
                body: { username: "root", password: "123456" },
                cookie: undefined,
                userAgent: ua,
            },
            { method: "PUT", url: `${URL}/api/user/self`, body: { password: PASSWORD }, cookie: SESSION, userAgent: ua },
            {
                method: "POST",
                url: `${URL}/api/user/login`,
                body: { username: "root", password: PASSWORD },
                cookie: undefined,
                userAgent: ua,
            },
        ]);
        assert.deepStrictEqual(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input, { SecretId: SECRET });
        assert.deepStrictEqual(logged, [`${PREFIX} root's default password was replaced by the one in ${SECRET}.`]);
        assert.ok(!JSON.stringify([result, logged]).includes(PASSWORD));
    });

    it("touches nothing when the default password no longer logs in: a changed password, an imported installation, a rerun", async () => {
        const server = oneHub(refused);
        const { clock, logged } = fakeClock();
        const result = await run(server, clock);
        assert.deepStrictEqual(result, {
            status: "UNCHANGED",
            username: "root",
            reason: 'the default password no longer logs in (OneHub: "用户名或密码错误，或用户已被封禁"); it was changed, or the installation was imported',
        });
        assert.deepStrictEqual(
            server.calls.map((c) => `${c.method} ${c.url}`),
            [`POST ${URL}/api/user/login`],
            "one login, no password change",
        );
        assert.match(logged[0], /Nothing was changed\.$/);
    });

    it("also touches nothing when an admin turned password logins off", async () => {
        const server = oneHub({ status: 200, body: { success: false, message: "管理员关闭了密码登录" } });
        assert.strictEqual((await run(server)).status, "UNCHANGED");
        assert.strictEqual(server.calls.length, 1);
    });

    it("waits while the edge answers 502/503/504 or cannot be reached yet, with growing pauses", async () => {
        const server = oneHub(new TypeError("fetch failed"), { status: 502 }, { status: 503 }, { status: 504 }, loggedIn, ok, loggedIn);
        const { clock, sleeps, logged } = fakeClock();
        assert.strictEqual((await run(server, clock)).status, "SET");
        assert.deepStrictEqual(sleeps, [2000, 4000, 8000, 15000]);
        assert.match(logged[0], /logging in with the default password: TypeError: fetch failed, attempt 1; retrying in 2 s\./);
        assert.strictEqual(server.calls.filter((c) => c.method === "PUT").length, 1);
    });

    it("gives up within its time, having changed nothing", async () => {
        const server = oneHub({ status: 503 });
        const { clock } = fakeClock();
        const message = await failure(run(server, clock, { ...EVENT, timeoutSeconds: 60 }));
        assert.match(
            message,
            /logging in with the default password \(POST https:\/\/d111111abcdef8\.cloudfront\.net\/api\/user\/login\) did not reach OneHub within 59 s \(7 attempts; last: HTTP 503\)\. Nothing was changed\./,
        );
        assert.ok(server.calls.every((c) => c.method === "POST"));
    });

    it("stops before the Lambda's own timeout, so its message is the one Pulumi shows", async () => {
        const server = oneHub({ status: 502 });
        const { clock } = fakeClock();
        const message = await failure(run(server, { ...clock, remainingMs: () => 20_000 }));
        // 20 s left, 15 s kept back: the 2 s and 4 s pauses fit, the 8 s one does not.
        assert.match(message, /within 6 s \(3 attempts; last: HTTP 502\)/);
    });

    it("stops at once on a 403 (CloudFront or the WAF) and on OneHub's login limit (429), changing nothing", async () => {
        const waf = oneHub({ status: 403 });
        assert.match(
            await failure(run(waf)),
            /answered HTTP 403\. Nothing was changed\. A 403 comes from CloudFront or the WAF \(the IP-reputation list or a rate rule/,
        );
        assert.strictEqual(waf.calls.length, 1);
        const limited = oneHub({ status: 429 });
        assert.match(
            await failure(run(limited)),
            /answered HTTP 429\. Nothing was changed\. OneHub allows 20 logins per 20 minutes per client address/,
        );
    });

    it("refuses an answer that is not OneHub's API (a path routed elsewhere)", async () => {
        const server = oneHub({ status: 200, body: "<!doctype html><title>OneHub</title>" });
        assert.match(await failure(run(server)), /answered 200 without OneHub's JSON .*Check the listener rules \(\/api\/\* → master\)/);
    });

    it("says root still has the default password when it cannot change it", async () => {
        const noCookie = oneHub({ ...loggedIn, setCookie: [] });
        assert.match(
            await failure(run(noCookie)),
            /set no session cookie.*root still has the default password: change it in OneHub's admin UI now/,
        );
        const rejected = oneHub(loggedIn, { status: 200, body: { success: false, message: "输入不合法" } });
        assert.match(
            await failure(run(rejected)),
            /OneHub refused the new password for root \(OneHub: "输入不合法"\)\. root still has the default password/,
        );
    });

    it("fails when the new password does not log in afterwards", async () => {
        const server = oneHub(loggedIn, ok, refused);
        assert.match(await failure(run(server)), /OneHub accepted the new password for root but a login with it failed/);
    });

    it("refuses a generated password OneHub would not take, before calling OneHub, without echoing it", async () => {
        for (const password of ["short", "x".repeat(21), "has space in it", "123456"]) {
            secrets.reset();
            secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: "root", password }) });
            const server = oneHub(loggedIn);
            const message = await failure(run(server));
            assert.match(
                message,
                /does not hold \{"username", "password"\} with a password OneHub accepts \(8–20 characters, no spaces\) other than the default; nothing was changed\./,
            );
            assert.ok(password === "123456" || !message.includes(password));
            assert.strictEqual(server.calls.length, 0);
        }
        secrets.reset();
        secrets
            .on(GetSecretValueCommand)
            .rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
        assert.match(await failure(run(oneHub(loggedIn))), /secretsmanager:GetSecretValue on .* failed: ResourceNotFoundException/);
    });

    it("refuses an event without an https host or a secret, before calling AWS", async () => {
        for (const [event, message] of [
            [{ ...EVENT, url: "http://d111111abcdef8.cloudfront.net" }, /must be https:\/\/ and a host name/],
            [{ ...EVENT, url: "https://example.com/api" }, /must be https:\/\/ and a host name/],
            [{ ...EVENT, secretArn: "" }, /lacks secretArn/],
            [{ ...EVENT, timeoutSeconds: 0 }, /timeoutSeconds must be a positive number/],
        ] as const) {
            assert.match(await failure(run(oneHub(loggedIn), fakeClock().clock, event)), message);
        }
        assert.strictEqual(secrets.calls().length, 0);
    });
});
