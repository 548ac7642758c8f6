// Notifications OneHub sends itself (NOTIFY_*): plain settings as plain environment, credentials only
// as ECS secrets from one Secrets Manager secret, the same on every node.
import * as assert from "assert";
import { NOTIFY_CREDENTIALS, NOTIFY_SETTINGS, notifySecretNames, parseNotifySettings } from "../components/secrets/notify";
import { StackRun } from "../tools/offlineStack";
import { assertWaitsFor } from "./graph";
import { container, envOf, expectConfigError, fixtureRun, ofType, one, stackRun } from "./util";

const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const SECRETS_JSON = JSON.stringify({ NOTIFY_TELEGRAM_BOT_API_KEY: "123456:ABC-telegram", NOTIFY_DINGTALK_TOKEN: "dingtalk-token" });

describe("notifications OneHub sends itself (NOTIFY_*)", () => {
    it("knows exactly OneHub's notifier settings (common/notify/notifier.go), credentials apart", () => {
        assert.deepStrictEqual([...NOTIFY_SETTINGS, ...NOTIFY_CREDENTIALS].sort(), [
            "NOTIFY_DINGTALK_KEYWORD",
            "NOTIFY_DINGTALK_SECRET",
            "NOTIFY_DINGTALK_TOKEN",
            "NOTIFY_EMAIL_DISABLE",
            "NOTIFY_EMAIL_SMTP_TO",
            "NOTIFY_LARK_KEYWORD",
            "NOTIFY_LARK_SECRET",
            "NOTIFY_LARK_TOKEN",
            "NOTIFY_PUSHDEER_PUSHKEY",
            "NOTIFY_PUSHDEER_URL",
            "NOTIFY_TELEGRAM_BOT_API_KEY",
            "NOTIFY_TELEGRAM_CHAT_ID",
            "NOTIFY_TELEGRAM_HTTP_PROXY",
            "NOTIFY_WECOM_DISABLE",
            "NOTIFY_WECOM_WEBHOOK",
        ]);
        assert.deepStrictEqual(
            [...NOTIFY_CREDENTIALS].sort(),
            [
                "NOTIFY_DINGTALK_SECRET",
                "NOTIFY_DINGTALK_TOKEN",
                "NOTIFY_LARK_SECRET",
                "NOTIFY_LARK_TOKEN",
                "NOTIFY_PUSHDEER_PUSHKEY",
                "NOTIFY_TELEGRAM_BOT_API_KEY",
                "NOTIFY_WECOM_WEBHOOK",
            ],
            "webhooks, tokens, signing secrets, push keys and bot API keys",
        );
    });

    it("creates nothing and sets nothing by default", async () => {
        const run = await stackRun("dev");
        for (const task of ofType(run, TASK)) {
            assert.deepStrictEqual(
                Object.keys(envOf(task)).filter((n) => n.startsWith("NOTIFY_")),
                [],
            );
            assert.deepStrictEqual(
                container(task).secrets.filter((s: any) => s.name.startsWith("NOTIFY_")),
                [],
            );
        }
        assert.strictEqual(ofType(run, SECRET).filter((s) => s.name.includes("notify")).length, 0);
    });

    describe("configured", () => {
        let run: StackRun;
        before(async () => {
            run = await fixtureRun("prod", {
                config: {
                    "onehub:notifySettings": [
                        "NOTIFY_TELEGRAM_CHAT_ID=-100123",
                        "NOTIFY_EMAIL_DISABLE=true",
                        "NOTIFY_DINGTALK_KEYWORD=OneHub",
                    ],
                    "onehub:notifySecrets": SECRETS_JSON,
                },
                secretKeys: ["onehub:notifySecrets"],
            });
        });

        it("gives every node the same plain settings as plain environment", () => {
            for (const task of ofType(run, TASK)) {
                const env = envOf(task);
                assert.deepStrictEqual(
                    Object.fromEntries(Object.entries(env).filter(([n]) => n.startsWith("NOTIFY_"))),
                    { NOTIFY_DINGTALK_KEYWORD: "OneHub", NOTIFY_EMAIL_DISABLE: "true", NOTIFY_TELEGRAM_CHAT_ID: "-100123" },
                    task.name,
                );
            }
        });

        it("stores the credentials in one secret and injects them into every node key by key, pinned to the version", () => {
            const secret = one(run, SECRET, "-secrets-notify");
            const version = one(run, VERSION, "-secrets-notify");
            assert.strictEqual(version.inputs.secretString, SECRETS_JSON);
            assert.ok(version.secretPaths.includes("secretString"));
            const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${secret.name}-AbCdEf`;
            for (const task of ofType(run, TASK)) {
                const notify = container(task).secrets.filter((s: any) => s.name.startsWith("NOTIFY_"));
                assert.deepStrictEqual(
                    notify.map((s: any) => s.name),
                    ["NOTIFY_DINGTALK_TOKEN", "NOTIFY_TELEGRAM_BOT_API_KEY"],
                );
                for (const s of notify) {
                    assert.match(s.valueFrom, new RegExp(`^${arn}:${s.name}::v-[0-9a-f]+$`), "<arn>:<json-key>::<version-id>");
                }
                for (const value of ["123456:ABC-telegram", "dingtalk-token"]) {
                    assert.ok(!task.inputs.containerDefinitions.includes(value), "no credential in a task definition");
                }
            }
        });

        it("lets each execution role read that secret, and the services wait for its version", () => {
            const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${one(run, SECRET, "-secrets-notify").name}-AbCdEf`;
            for (const node of ["-master-", "-slave-"]) {
                const policy = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", `${node}execution`).inputs.policy);
                assert.ok(policy.Statement[0].Resource.includes(arn));
                assertWaitsFor(
                    run,
                    one(run, "aws:ecs/service:Service", node),
                    one(run, VERSION, "-secrets-notify"),
                    "no value before the version",
                );
            }
        });

        it("a new credential value redeploys both node types (ECS reads secrets only at task start)", async () => {
            const changed = await fixtureRun("prod", {
                config: {
                    "onehub:notifySecrets": JSON.stringify({
                        NOTIFY_TELEGRAM_BOT_API_KEY: "rotated",
                        NOTIFY_DINGTALK_TOKEN: "dingtalk-token",
                    }),
                },
                secretKeys: ["onehub:notifySecrets"],
            });
            for (const node of ["-master-", "-slave-"]) {
                assert.notStrictEqual(
                    one(changed, TASK, node).inputs.containerDefinitions,
                    one(run, TASK, node).inputs.containerDefinitions,
                );
            }
        });
    });

    describe("bad input, refused before anything is registered and without showing a value", () => {
        it("a credential among the plain settings", () =>
            expectConfigError(
                "dev",
                { "onehub:notifySettings": ["NOTIFY_TELEGRAM_BOT_API_KEY=123:abc"] },
                /onehub:notifySettings\[0\] = "NOTIFY_TELEGRAM_BOT_API_KEY" is invalid: is a credential: put it in the secret notifications object/,
            ));

        it("an unknown name, in either", async () => {
            await expectConfigError(
                "dev",
                { "onehub:notifySettings": ["NOTIFY_SLACK_CHANNEL=x"] },
                /onehub:notifySettings\[0\] = "NOTIFY_SLACK_CHANNEL=x" is invalid: must be NAME=value/,
            );
            await expectConfigError(
                "dev",
                { "onehub:notifySecrets": JSON.stringify({ NOTIFY_SLACK_WEBHOOK: "https://hooks.example/x" }) },
                /onehub:notifySecrets\.NOTIFY_SLACK_WEBHOOK = "\(secret\)" is invalid: is not one of OneHub's notification settings/,
                { secretKeys: ["onehub:notifySecrets"] },
            );
        });

        it("secrets that are not a JSON object of strings, or a name set twice", async () => {
            await expectConfigError(
                "dev",
                { "onehub:notifySecrets": "token=abc" },
                /onehub:notifySecrets = "\(secret\)" is invalid: must be a JSON object/,
                {
                    secretKeys: ["onehub:notifySecrets"],
                },
            );
            await expectConfigError(
                "dev",
                {
                    "onehub:notifySettings": ["NOTIFY_TELEGRAM_CHAT_ID=1"],
                    "onehub:notifySecrets": JSON.stringify({ NOTIFY_TELEGRAM_CHAT_ID: "1" }),
                },
                /NOTIFY_TELEGRAM_CHAT_ID" is invalid: is set both as a plain setting and in the secret notifications object/,
                { secretKeys: ["onehub:notifySecrets"] },
            );
        });

        it("notification secrets in plain text", () =>
            expectConfigError(
                "dev",
                { "onehub:notifySecrets": SECRETS_JSON },
                /onehub:notifySecrets = "\(plain text\)" is invalid: must be stored encrypted/,
            ));

        it("a proxy URL with a password in plain text", () =>
            assert.throws(
                () => parseNotifySettings("k", ["NOTIFY_TELEGRAM_HTTP_PROXY=http://user:pw@proxy:3128"]),
                /k\[0\] = "NOTIFY_TELEGRAM_HTTP_PROXY" is invalid: holds a URL with a user and password/,
            ));

        it("an empty value", () =>
            assert.throws(
                () => notifySecretNames("k", '{"NOTIFY_LARK_TOKEN":""}'),
                /k\.NOTIFY_LARK_TOKEN = "\(secret\)" is invalid: must be a non-empty string/,
            ));
    });
});
