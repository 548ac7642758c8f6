// Health checks vs OneHub's shared per-IP API limiter: the arithmetic, and what each stack runs with.
import * as assert from "assert";
import {
    API_RATE_LIMIT_WINDOW_SECONDS,
    apiRateLimit,
    peakTasks,
    requiredApiRateLimit,
    sharedHealthChecks,
} from "../components/services/healthCheckBudget";
import { HEALTH_CHECK_PATH } from "../components/services/serviceBase";
import { OneHubSlaveService } from "../components/services/oneHubSlaveService";
import { OneHubMasterService } from "../components/services/oneHubMasterService";
import { lastRun, StackRun } from "../tools/offlineStack";
import { container, envOf, expectConfigError, fixtureRun, ofType, one, serviceArgs, stackRun } from "./util";

const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const TG = "aws:lb/targetGroup:TargetGroup";

describe("health checks vs the shared API limiter", () => {
    describe("the arithmetic (components/services/healthCheckBudget.ts)", () => {
        it("counts the master once and the slaves twice: a slave deployment runs old and new tasks (200 %)", () => {
            assert.strictEqual(peakTasks(3), 7);
            assert.strictEqual(peakTasks(20), 41);
        });

        it("puts every task's ALB checks (15 s) on each ALB node's counter and every container's own checks (30 s) on 127.0.0.1's", () => {
            assert.deepStrictEqual(sharedHealthChecks(41), { tasks: 41, perAlbNode: 492, loopback: 246, peak: 492 });
            assert.strictEqual(API_RATE_LIMIT_WINDOW_SECONDS, 180);
        });

        it("needs 1.5× the peak with a shared Redis: 20 slaves → 738 (OneHub's default 300 would fail them)", () => {
            assert.strictEqual(requiredApiRateLimit(20, true), 738);
            assert.strictEqual(requiredApiRateLimit(3, true), 126);
            assert.strictEqual(requiredApiRateLimit(500, true), 18_018);
        });

        it("without Redis needs only one task's checks, whatever the slave count", () => {
            assert.strictEqual(requiredApiRateLimit(3, false), 18);
            assert.strictEqual(requiredApiRateLimit(500, false), 18);
        });

        it("chooses OneHub's default or more, never less; leaves OneHub's default alone without Redis", () => {
            assert.strictEqual(apiRateLimit("k", 0, 3, true), 300, "OneHub's default already holds 7 tasks' checks");
            assert.strictEqual(apiRateLimit("k", 0, 20, true), 738);
            assert.strictEqual(apiRateLimit("k", 0, 20, false), undefined);
            assert.strictEqual(apiRateLimit("k", 1000, 20, true), 1000, "a configured value that fits is kept");
        });

        it("refuses a configured value the health checks cannot fit, saying why and what would", () => {
            assert.throws(
                () => apiRateLimit("onehub:globalApiRateLimit", 300, 20, true),
                /onehub:globalApiRateLimit = 300 is invalid: with a shared Redis .* up to 41 tasks \(1 master \+ 2 × 20 slaves during a deployment\) every 15 s, 492 per 180 s; must be at least 738/,
            );
            assert.throws(
                () => apiRateLimit("k", 10, 3, false),
                /k = 10 is invalid: each ALB node checks every task 12 times per 180 s; must be at least 18/,
            );
        });
    });

    describe("the stacks", () => {
        const runs: Record<string, StackRun> = {};
        before(async () => {
            runs.dev = await stackRun("dev");
            runs.prod = await stackRun("prod");
        });

        it("health-checks /api/status every 15 s from the ALB and every 30 s from the container (the numbers the arithmetic uses)", () => {
            for (const run of Object.values(runs)) {
                for (const tg of ofType(run, TG)) {
                    assert.strictEqual(tg.inputs.healthCheck.interval, 15);
                    assert.strictEqual(tg.inputs.healthCheck.path, HEALTH_CHECK_PATH);
                }
                for (const task of ofType(run, TASK)) {
                    assert.strictEqual(container(task).healthCheck.interval, 30);
                }
            }
        });

        it("dev (no Redis) leaves OneHub's per-task default; prod (Redis, 20 slaves) runs 738 on both node types", () => {
            for (const task of ofType(runs.dev, TASK)) {
                assert.strictEqual(envOf(task).GLOBAL_API_RATE_LIMIT, undefined);
            }
            for (const task of ofType(runs.prod, TASK)) {
                assert.strictEqual(envOf(task).GLOBAL_API_RATE_LIMIT, "738", task.name);
            }
        });

        it("follows slaveMaxCount: 100 slaves with Redis → 1.5 × 12 × 201", async () => {
            const run = await fixtureRun("prod", {
                config: { "onehub:slaveMaxCount": 100, "onehub:dbMaxCapacity": "256", "onehub:dbRebootedMaxCapacity": "256" },
            });
            for (const task of ofType(run, TASK)) {
                assert.strictEqual(envOf(task).GLOBAL_API_RATE_LIMIT, "3618");
            }
        });

        it("takes a configured value on both node types, with or without Redis", async () => {
            const run = await fixtureRun("dev", { config: { "onehub:globalApiRateLimit": 600 } });
            assert.deepStrictEqual(
                ofType(run, TASK).map((t) => envOf(t).GLOBAL_API_RATE_LIMIT),
                ["600", "600"],
            );
        });

        it("refuses a configured value below what prod's health checks need, before anything is registered", () =>
            expectConfigError(
                "prod",
                { "onehub:globalApiRateLimit": 300 },
                /onehub:globalApiRateLimit = 300 is invalid: with a shared Redis .* must be at least 738/,
            ));

        it("GLOBAL_API_RATE_LIMIT is the component's: refused in extra environment", async () => {
            await fixtureRun("dev", {}, () => {
                assert.throws(
                    () => new OneHubMasterService("master", { ...serviceArgs(), environment: { GLOBAL_API_RATE_LIMIT: "100000" } }),
                    /environment\.GLOBAL_API_RATE_LIMIT = "100000" is invalid: is set by the component itself/,
                );
            });
            assert.deepStrictEqual(lastRun, []);
        });
    });

    describe("services composed by hand with a shared Redis", () => {
        const withRedis = () => ({
            ...serviceArgs(),
            secrets: { ...serviceArgs().secrets, REDIS_CONN_STRING: "arn:aws:secretsmanager:us-east-1:123456789012:secret:redis-AbCdEf" },
        });

        it("need the limit given explicitly, the same on both (the master cannot count the slaves)", async () => {
            await fixtureRun("dev", {}, () => {
                assert.throws(
                    () => new OneHubMasterService("master", withRedis()),
                    /OneHubMasterService args\.globalApiRateLimit = \(unset\) is invalid: is required with a shared Redis/,
                );
                assert.throws(
                    () => new OneHubSlaveService("slave", { ...withRedis(), masterServiceName: "m" }),
                    /OneHubSlaveService args\.globalApiRateLimit = \(unset\) is invalid: is required with a shared Redis/,
                );
            });
            assert.deepStrictEqual(lastRun, []);
        });

        it("the slaves refuse a limit their maximum cannot fit", async () => {
            await fixtureRun("dev", {}, () => {
                assert.throws(
                    () =>
                        new OneHubSlaveService("slave", { ...withRedis(), masterServiceName: "m", maxCount: 50, globalApiRateLimit: 1000 }),
                    /OneHubSlaveService args\.globalApiRateLimit = 1000 is invalid: .* 101 tasks .* must be at least 1818/,
                );
            });
        });

        it("and run with it when it fits", async () => {
            const run = await fixtureRun("dev", {}, () => {
                new OneHubMasterService("mm", { ...withRedis(), globalApiRateLimit: 2000 });
                new OneHubSlaveService("ss", { ...withRedis(), masterServiceName: "mm", maxCount: 50, globalApiRateLimit: 2000 });
            });
            assert.deepStrictEqual(
                ofType(run, TASK).map((t) => envOf(t).GLOBAL_API_RATE_LIMIT),
                ["2000", "2000"],
            );
        });
    });
});
