// The policy pack restates the design's constants instead of importing components/ (so it can be
// published alone). These tests import both sides and fail when one changes without the other.
// Where a rule is a function, they compare its behaviour on a table of samples; where the pack
// is deliberately stricter than the component, the difference is listed here, so widening or
// narrowing either side shows up as a failing test.
import * as assert from "assert";
import { CLOUDFRONT_ERROR_CODES, MANAGED_POLICY, ALB_IDLE_TIMEOUT, ORIGIN_READ_TIMEOUT } from "../components/edge/edgeSettings";
import { BODY_RULES, wafRules } from "../components/edge/wafRules";
import { MAX_VALUES_PER_RULE, MAX_WILDCARDS_PER_RULE } from "../components/services/routing";
import { checkImage } from "../components/services/image";
import {
    checkEnvironment,
    HEALTH_CHECK_PATH as COMPONENT_HEALTH_CHECK_PATH,
    REQUIRED_SECRETS as COMPONENT_REQUIRED_SECRETS,
} from "../components/services/serviceBase";
import {
    BEDROCK_INVOKE_ACTIONS,
    beyondBedrockInvoke,
    floatingImageReason,
    iamStatements,
    isCredentialName,
    REQUIRED_SECRETS,
} from "../policy/helpers";
import { BEDROCK_INVOKE_ACTIONS as COMPONENT_BEDROCK_ACTIONS } from "../components/bedrock/bedrockSettings";
import {
    ALL_VIEWER_EXCEPT_HOST_HEADER,
    CACHED_ERROR_CODES,
    CACHING_DISABLED,
    DEFAULT_ORIGIN_READ_TIMEOUT,
    HEALTH_CHECK_PATH,
    MIN_ALB_IDLE_TIMEOUT,
    MIN_ORIGIN_READ_TIMEOUT,
} from "../policy/onehub";
import { MAX_CONDITION_VALUES, MAX_CONDITION_WILDCARDS } from "../policy/platform";
import { WAF_BODY_RULE_LABELS, WAF_BODY_RULES } from "../policy/security";

/** What the component says about a value: refused by the rule under test, or accepted. */
function refuses(check: () => void, because: RegExp): boolean {
    try {
        check();
        return false;
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        assert.match(message, because, `refused for another reason than the rule under test: ${message}`);
        return true;
    }
}

/**
 * Runs both sides over `samples`: the pack must flag everything the component refuses (or a stack
 * built without the components slips through), and it may flag more only where listed.
 */
function compare(samples: string[], component: (s: string) => boolean, pack: (s: string) => boolean, packOnly: string[]): void {
    const missed = samples.filter((s) => component(s) && !pack(s));
    assert.deepStrictEqual(missed, [], "the component refuses these, but the pack lets them through");
    assert.deepStrictEqual(
        samples.filter((s) => pack(s) && !component(s)),
        packOnly,
        "the pack flags exactly these beyond the component (update the list, or make the component refuse them too)",
    );
}

describe("policy pack constants agree with the components", () => {
    const keys = {
        repository: "imageRepository",
        tag: "imageTag",
        digest: "imageDigest",
        allowCustomRepository: "allowCustomImageRepository",
    };
    const oneHubImage = { repository: "ghcr.io/martialbe/one-api", digest: "", allowCustomRepository: false };
    const TAGS = [
        "latest",
        "Latest",
        "LATEST",
        "dev",
        "main",
        "master",
        "nightly",
        "edge",
        "beta",
        "alpha",
        "stable",
        "next",
        "canary",
        "v0.14.27",
        "0.14.27",
        "v0.14.27-alpine",
        "v0.14.28-rc.1",
        "v0.14",
        "latest-alpine",
        "sha-1a2b3c4",
        "release",
        "v1",
    ];

    it("OneHub's image tags: one rule on both sides, a release vX.Y.Z[-suffix] or nothing", () => {
        compare(
            TAGS,
            (tag) => refuses(() => checkImage(keys, { ...oneHubImage, tag }), /pinned release/),
            (tag) => floatingImageReason(`ghcr.io/martialbe/one-api:${tag}`, true) !== undefined,
            [],
        );
    });

    it("with a digest, neither side judges the tag (a label such as dev), and the digest alone pins", () => {
        const digest = `sha256:${"a".repeat(64)}`;
        compare(
            [...TAGS, ""],
            (tag) => refuses(() => checkImage(keys, { ...oneHubImage, tag, digest }), /pinned release/),
            (tag) => floatingImageReason(`ghcr.io/martialbe/one-api${tag ? `:${tag}` : ""}@${digest}`, true) !== undefined,
            [],
        );
    });

    it("other images: the pack flags the floating tags, and the component runs only OneHub's own images", () => {
        assert.deepStrictEqual(
            TAGS.filter((tag) => floatingImageReason(`nginx:${tag}`) !== undefined),
            ["latest", "Latest", "LATEST", "dev", "main", "master", "nightly", "edge", "beta", "alpha", "stable", "next", "canary"],
        );
        assert.ok(refuses(() => checkImage(keys, { ...oneHubImage, repository: "nginx", tag: "v1.0.0" }), /is not OneHub's image/));
    });

    it("credential names: the pack flags every environment name checkEnvironment refuses as a credential", () => {
        const names = [
            "OPENAI_API_KEY",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "SMTP_PASSWD",
            "MY_SECRET",
            "READER_DSN",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "REDIS_CONN_STRING",
            "SEARCH_TAVILY_KEY",
            "SIGNING_KEY_FILE",
            "KEY",
            "signing_key",
            "STRIPE_APIKEY",
            "S3_ACCESSKEY",
            "OPENAPI_KEYS",
            "TIKTOKEN_CACHE_DIR",
            "NOTIFY_DINGTALK_KEYWORD",
            "GLOBAL_WEB_RATE_LIMIT",
            "SESSION_TIMEOUT",
            "DISABLE_TOKEN_ENCODERS",
            "NOTIFY_PUSHDEER_PUSHKEY",
            "LOG_LEVEL",
            "SMTP_PASS",
            "PROXY_AUTH",
            "BYPASS",
            "OAUTH_ENABLED",
        ];
        compare(
            names,
            (name) => refuses(() => checkEnvironment("environment", { [name]: "x" }), /looks like a credential/),
            isCredentialName,
            // API_KEY inside a word, and the _PASS / _AUTH endings the component does not know yet.
            // (Both sides flag OneHub's DISABLE_TOKEN_ENCODERS, a false positive.)
            ["OPENAPI_KEYS", "SMTP_PASS", "PROXY_AUTH"],
        );
    });

    it("the secrets every OneHub node reads", () => {
        assert.deepStrictEqual([...REQUIRED_SECRETS], COMPONENT_REQUIRED_SECRETS);
    });

    it("the Bedrock actions: the pack allows a Bedrock principal exactly the actions the channel's user gets", () => {
        assert.deepStrictEqual([...BEDROCK_INVOKE_ACTIONS], [...COMPONENT_BEDROCK_ACTIONS]);
        const [statement] = iamStatements({ Statement: [{ Effect: "Allow", Action: [...COMPONENT_BEDROCK_ACTIONS], Resource: "*" }] })!;
        assert.deepStrictEqual(beyondBedrockInvoke(statement), []);
    });

    it("the health-check path", () => {
        assert.strictEqual(HEALTH_CHECK_PATH, COMPONENT_HEALTH_CHECK_PATH);
    });

    it("the managed CloudFront policy ids", () => {
        assert.strictEqual(CACHING_DISABLED, MANAGED_POLICY.cachingDisabled);
        assert.strictEqual(ALL_VIEWER_EXCEPT_HOST_HEADER, MANAGED_POLICY.allViewerExceptHostHeader);
    });

    it("the CloudFront error codes whose caching is turned off", () => {
        assert.deepStrictEqual(CACHED_ERROR_CODES, CLOUDFRONT_ERROR_CODES);
    });

    it("the listener-rule limits", () => {
        assert.strictEqual(MAX_CONDITION_VALUES, MAX_VALUES_PER_RULE);
        assert.strictEqual(MAX_CONDITION_WILDCARDS, MAX_WILDCARDS_PER_RULE);
    });

    it("the ALB idle timeout: the default passes, and the range the pack flags is the one the README names", () => {
        assert.ok(ALB_IDLE_TIMEOUT.default >= MIN_ALB_IDLE_TIMEOUT, "the component's default would violate the pack");
        assert.ok(MIN_ALB_IDLE_TIMEOUT >= ALB_IDLE_TIMEOUT.min && MIN_ALB_IDLE_TIMEOUT <= ALB_IDLE_TIMEOUT.max, "no config could pass");
        // Config accepts 60–4000; the pack flags under 300 (README, "Timeouts, and why").
        assert.deepStrictEqual([ALB_IDLE_TIMEOUT.min, MIN_ALB_IDLE_TIMEOUT], [60, 300]);
    });

    it("the CloudFront origin read timeout: the default passes without a quota increase", () => {
        assert.ok(ORIGIN_READ_TIMEOUT.default >= MIN_ORIGIN_READ_TIMEOUT, "the component's default would violate the pack");
        assert.ok(MIN_ORIGIN_READ_TIMEOUT <= ORIGIN_READ_TIMEOUT.quotaFree, "passing the pack would need a Service Quotas increase");
        assert.ok(DEFAULT_ORIGIN_READ_TIMEOUT < MIN_ORIGIN_READ_TIMEOUT, "the pack reads an unset timeout as AWS's 30 s");
    });

    it("the WAF rules the component counts are exactly the body rules the pack allows to count, with the labels the pack looks for", () => {
        const counted = wafRules({ metricPrefix: "m", rateLimit: 2000, loginRateLimit: 100, relayPaths: [], labelCredentialPaths: true })
            .flatMap((rule) =>
                ((rule.statement as any)?.managedRuleGroupStatement?.ruleActionOverrides ?? [])
                    .filter((o: any) => o.actionToUse?.count !== undefined)
                    .map((o: any) => o.name as string),
            )
            .sort();
        assert.deepStrictEqual(counted, [...WAF_BODY_RULES].sort());
        assert.deepStrictEqual(Object.keys(WAF_BODY_RULE_LABELS).sort(), [...WAF_BODY_RULES].sort());
        assert.deepStrictEqual(
            Object.fromEntries(BODY_RULES.map((b) => [b.rule, b.label])),
            Object.fromEntries(Object.entries(WAF_BODY_RULE_LABELS)),
        );
    });
});
