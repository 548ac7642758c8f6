import * as assert from "assert";
import {
    chunkRules,
    encodedPathRegex,
    internalPathRules,
    ListenerRuleModel,
    matchesPathPattern,
    mayMatchPrefix,
    RELAY_PATHS,
    route,
} from "../components/services/routing";
import { StackRun } from "../tools/offlineStack";
import { fixtureRun, ofType, one, stackRun } from "./util";

const NO_ROUTE = "listener default (fixed 404)";
const NOT_FOUND = "fixed 404";

/** The listener rules a run registered, as the ALB sees them. */
function listenerRules(run: StackRun): ListenerRuleModel[] {
    return ofType(run, "aws:lb/listenerRule:ListenerRule").map((r) => {
        const [action] = r.inputs.actions;
        return {
            priority: r.inputs.priority,
            pathPatterns: r.inputs.conditions.flatMap((c: any) => c.pathPattern.values ?? []),
            regexValues: r.inputs.conditions.flatMap((c: any) => c.pathPattern.regexValues ?? []),
            target: action.type === "fixed-response" ? `fixed ${action.fixedResponse.statusCode}` : action.targetGroupArn,
        };
    });
}

function targets(run: StackRun) {
    const arn = (node: string) =>
        `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${one(run, "aws:lb/targetGroup:TargetGroup", node).name}/0123456789abcdef`;
    return { master: arn("-master-"), slave: arn("-slave-"), internal: NOT_FOUND };
}

// Real OneHub paths (router/*.go) and where they must land.
const ROUTES: Array<[string, "slave" | "master" | "internal"]> = [
    ["/v1/chat/completions", "slave"],
    ["/v1/responses", "slave"],
    ["/v1/models", "slave"],
    ["/v1/realtime", "slave"],
    ["/v1/dashboard/billing/usage", "slave"],
    ["/dashboard/billing/subscription", "slave"],
    ["/dashboard/billing/usage", "slave"],
    ["/claude/v1/messages", "slave"],
    ["/gemini/v1beta/models/gemini-pro:streamGenerateContent", "slave"],
    ["/mj/submit/imagine", "slave"],
    ["/mj-fast/mj/submit/imagine", "slave"],
    ["/mj-turbo/mj/task/123/fetch", "slave"],
    ["/mj-relax/mj/image/123", "slave"],
    ["/suno/submit/music", "slave"],
    ["/suno/fetch/abc", "slave"],
    ["/kling/v1/videos/text2video/abc", "slave"],
    ["/recraftAI/v1/images/generations", "slave"],
    ["/api/status", "master"],
    ["/api/user/login", "master"],
    ["/api/user/register", "master"],
    ["/api/verification", "master"],
    ["/api/payment/notify/8f3c", "master"],
    ["/api/telegram/bot-token", "master"],
    ["/api/sse/channel/check", "master"],
    ["/api/image/42", "master"],
    ["/api/oauth/github", "master"],
    ["/mcp/abc", "master"],
    ["/mcp/sse/abc", "master"],
    ["/", "master"],
    ["/panel/dashboard", "master"],
    ["/login", "master"],
    ["/oauth/github", "master"],
    ["/assets/index-4f2a.js", "master"],
    ["/favicon.ico", "master"],
    ["/price", "master"],
    // ALB path patterns are case-sensitive, and so is OneHub's router.
    ["/V1/chat/completions", "master"],
    ["/recraftai/v1/images/generations", "master"],
    ["/dashboard", "master"],
    // Internal: a fixed 404 at the ALB however it is spelled, since OneHub's router matches the
    // percent-decoded path while the ALB sees the raw one.
    ["/api/metrics", "internal"],
    ["/api/metrics/", "internal"],
    ["/api/metrics/extra", "internal"],
    ["/api/%6Detrics", "internal"],
    ["/api/%6detrics", "internal"],
    ["/api/metric%73", "internal"],
    ["/%61pi/metrics", "internal"],
    ["/api%2Fmetrics", "internal"],
    ["/api%2fmetrics", "internal"],
    ["/api/metrics%2Fx", "internal"],
    ["/api/metricsx", "master"],
    ["/api/metric", "master"],
    ["/API/metrics", "master"],
];

describe("listener routing (evaluated as the ALB does)", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    for (const [path, node] of ROUTES) {
        it(`sends ${path} to ${node === "internal" ? "a fixed 404" : `the ${node}`}`, () => {
            for (const run of Object.values(runs)) {
                assert.strictEqual(route(listenerRules(run), path, NO_ROUTE), targets(run)[node]);
            }
        });
    }

    it("holds at most 5 values per rule and unique priorities", () => {
        for (const run of Object.values(runs)) {
            const rules = listenerRules(run);
            const values = (r: ListenerRuleModel) => r.pathPatterns.length + (r.regexValues ?? []).length;
            assert.ok(rules.every((r) => values(r) >= 1 && values(r) <= 5));
            const priorities = rules.map((r) => r.priority);
            assert.strictEqual(new Set(priorities).size, priorities.length);
            assert.ok(priorities.every((p) => p >= 1 && p <= 50000));
        }
    });

    it("answers the internal paths with the listener's own JSON 404 at priorities 1 and 2, before the master's /api/* rule at 10", () => {
        for (const run of Object.values(runs)) {
            const listener = one(run, "aws:lb/listener:Listener").inputs;
            const internal = ofType(run, "aws:lb/listenerRule:ListenerRule")
                .filter((r) => r.inputs.actions[0].type === "fixed-response")
                .sort((a, b) => a.inputs.priority - b.inputs.priority);
            assert.deepStrictEqual(
                internal.map((r) => [r.name, r.inputs.priority, r.inputs.conditions]),
                [
                    [`onehub-${run.stack}-edge-internal-0`, 1, [{ pathPattern: { values: ["/api/metrics", "/api/metrics/*"] } }]],
                    [
                        `onehub-${run.stack}-edge-internal-1`,
                        2,
                        [
                            {
                                pathPattern: {
                                    regexValues: [
                                        "^/(a|%61)(p|%70)(i|%69)(/|%2[fF])(m|%6[dD])(e|%65)(t|%74)(r|%72)(i|%69)(c|%63)(s|%73)((/|%2[fF]).*)?$",
                                    ],
                                },
                            },
                        ],
                    ],
                ],
            );
            for (const rule of internal) {
                assert.deepStrictEqual(rule.inputs.actions, [
                    {
                        type: "fixed-response",
                        fixedResponse: {
                            statusCode: "404",
                            contentType: "application/json",
                            messageBody: '{"error":{"message":"no route"}}',
                        },
                    },
                ]);
                assert.deepStrictEqual(rule.inputs.actions, listener.defaultActions, "indistinguishable from a path nobody serves");
                assert.strictEqual(
                    rule.inputs.listenerArn,
                    one(run, "aws:lb/listenerRule:ListenerRule", "-master-rule-0").inputs.listenerArn,
                );
            }
            const master = one(run, "aws:lb/listenerRule:ListenerRule", "-master-rule-0").inputs;
            assert.deepStrictEqual([master.priority, master.conditions[0].pathPattern.values], [10, ["/api/*", "/mcp/*"]]);
        }
    });

    it("keeps each encoded-path expression within the ALB's 128 characters", () => {
        assert.strictEqual(encodedPathRegex("/api/metrics").length, 101);
        assert.throws(() => internalPathRules(["/api/" + "x".repeat(12)]), /INTERNAL_PATHS = .* 128 characters/);
        assert.deepStrictEqual(
            internalPathRules(["/a", "/b", "/c"]).map((r) => [r.priority, r.pathPatterns ?? r.regexValues]),
            [
                [1, ["/a", "/a/*", "/b", "/b/*", "/c"]],
                [2, ["/c/*"]],
                [3, ["^/(a|%61)((/|%2[fF]).*)?$", "^/(b|%62)((/|%2[fF]).*)?$", "^/(c|%63)((/|%2[fF]).*)?$"]],
            ],
        );
    });

    it("routes every built-in relay pattern to the slaves", () => {
        const run = runs.dev;
        const slaveRules = listenerRules(run)
            .filter((r) => r.target === targets(run).slave)
            .sort((a, b) => a.priority - b.priority);
        assert.deepStrictEqual(
            slaveRules.flatMap((r) => r.pathPatterns),
            [
                "/v1/*",
                "/dashboard/billing/*",
                "/claude/*",
                "/gemini/*",
                "/mj/*",
                "/mj-fast/*",
                "/mj-turbo/*",
                "/mj-relax/*",
                "/suno/*",
                "/kling/*",
                "/recraftAI/*",
            ],
        );
        assert.deepStrictEqual(
            slaveRules.map((r) => r.priority),
            [100, 101, 102],
        );
    });

    it("routes extra relay patterns from config to the slaves", async () => {
        const run = await fixtureRun("dev", { config: { "onehub:extraRelayPaths": ["/custom-relay/*", "/openai/*"] } });
        for (const path of ["/custom-relay/v1/chat", "/openai/deployments/x"]) {
            assert.strictEqual(route(listenerRules(run), path, NO_ROUTE), targets(run).slave);
        }
        assert.strictEqual(route(listenerRules(run), "/api/status", NO_ROUTE), targets(run).master);
    });
});

describe("routing rules", () => {
    it("match ALB wildcards: * any run, ? one character, whole path, case-sensitive", () => {
        assert.ok(matchesPathPattern("/v1/*", "/v1/chat/completions"));
        assert.ok(matchesPathPattern("/v1/*", "/v1/"));
        assert.ok(!matchesPathPattern("/v1/*", "/v1"));
        assert.ok(matchesPathPattern("/mj-?ast/*", "/mj-fast/mj"));
        assert.ok(!matchesPathPattern("/mj-?ast/*", "/mj-ffast/mj"));
        assert.ok(!matchesPathPattern("/recraftAI/*", "/recraftai/v1"));
        assert.ok(matchesPathPattern("*", "/anything"));
    });

    it("know when a pattern could capture a prefix", () => {
        assert.ok(mayMatchPrefix("/*", "/api/"));
        assert.ok(mayMatchPrefix("/a*", "/api/"));
        assert.ok(mayMatchPrefix("/ap?/x", "/api/"));
        assert.ok(mayMatchPrefix("/api/v2/*", "/api/"));
        assert.ok(!mayMatchPrefix("/v1/*", "/api/"));
        assert.ok(!mayMatchPrefix("/apx/*", "/api/"));
    });

    it("split patterns into rules of at most 5 with consecutive priorities", () => {
        const rules = chunkRules(RELAY_PATHS, 100);
        assert.deepStrictEqual(
            rules.map((r) => [r.priority, r.pathPatterns.length]),
            [
                [100, 5],
                [101, 5],
                [102, 1],
            ],
        );
        assert.deepStrictEqual(
            rules.flatMap((r) => r.pathPatterns),
            RELAY_PATHS,
        );
    });

    it("never put more than 5 wildcards in one rule", () => {
        const rules = chunkRules(["/a/*", "/b*/c*", "/d/*", "/e*/f*", "/g/*"], 100);
        assert.deepStrictEqual(
            rules.map((r) => r.pathPatterns),
            [
                ["/a/*", "/b*/c*", "/d/*"],
                ["/e*/f*", "/g/*"],
            ],
        );
    });

    it("take the lowest matching priority, else the default", () => {
        const rules = [
            { priority: 50000, pathPatterns: ["/*"], target: "catch-all" },
            { priority: 10, pathPatterns: ["/api/*"], target: "api" },
        ];
        assert.strictEqual(route(rules, "/api/x", "none"), "api");
        assert.strictEqual(route(rules, "/x", "none"), "catch-all");
        assert.strictEqual(route([], "/x", "none"), "none");
    });
});
