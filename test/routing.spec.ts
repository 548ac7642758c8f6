import * as assert from "assert";
import { chunkRules, ListenerRuleModel, matchesPathPattern, mayMatchPrefix, RELAY_PATHS, route } from "../components/services/routing";
import { StackRun } from "../tools/offlineStack";
import { fixtureRun, ofType, one, stackRun } from "./util";

const NO_ROUTE = "listener default (fixed 404)";

/** The listener rules a run registered, as the ALB sees them. */
function listenerRules(run: StackRun): ListenerRuleModel[] {
    return ofType(run, "aws:lb/listenerRule:ListenerRule").map((r) => ({
        priority: r.inputs.priority,
        pathPatterns: r.inputs.conditions.flatMap((c: any) => c.pathPattern.values),
        target: r.inputs.actions[0].targetGroupArn,
    }));
}

function targets(run: StackRun) {
    const arn = (node: string) =>
        `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${one(run, "aws:lb/targetGroup:TargetGroup", node).name}/0123456789abcdef`;
    return { master: arn("-master-"), slave: arn("-slave-") };
}

// Real OneHub paths (router/*.go) and where they must land.
const ROUTES: Array<[string, "slave" | "master"]> = [
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
];

describe("listener routing (evaluated as the ALB does)", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    for (const [path, node] of ROUTES) {
        it(`sends ${path} to the ${node}`, () => {
            for (const run of Object.values(runs)) {
                assert.strictEqual(route(listenerRules(run), path, NO_ROUTE), targets(run)[node]);
            }
        });
    }

    it("holds at most 5 values per rule and unique priorities", () => {
        for (const run of Object.values(runs)) {
            const rules = listenerRules(run);
            assert.ok(rules.every((r) => r.pathPatterns.length >= 1 && r.pathPatterns.length <= 5));
            const priorities = rules.map((r) => r.priority);
            assert.strictEqual(new Set(priorities).size, priorities.length);
            assert.ok(priorities.every((p) => p >= 1 && p <= 50000));
        }
    });

    it("routes every built-in relay pattern to the slaves", () => {
        const run = runs.dev;
        const slaveRules = listenerRules(run)
            .filter((r) => r.target === targets(run).slave)
            .sort((a, b) => a.priority - b.priority);
        assert.deepStrictEqual(
            slaveRules.flatMap((r) => r.pathPatterns),
            RELAY_PATHS,
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
