// The web ACL in front of OneHub, read from the registered resource and evaluated as AWS WAF
// evaluates a request: rules by priority, a managed group blocking unless the matching rule is
// overridden to count (a counted rule still labels), custom rules on the raw URI path and labels.
import * as assert from "assert";
import { pathPatternStatement, webAclCapacity } from "../components/edge/wafRules";
import { StackRun } from "../tools/offlineStack";
import { dependsDirectlyOn } from "./graph";
import { expectConfigError, fixtureRun, ofType, one, stackRun } from "./util";

const WAF = "aws:wafv2/webAcl:WebAcl";

/** What a request trips: the managed rules (by name) that match it. */
interface Request {
    path: string;
    trips: string[];
}

/** The managed rules a group contains (the ones the tests trip), with the label each adds. */
const MANAGED: Record<string, Record<string, string>> = {
    AWSManagedRulesCommonRuleSet: {
        NoUserAgent_HEADER: "awswaf:managed:aws:core-rule-set:NoUserAgent_Header",
        SizeRestrictions_BODY: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
        CrossSiteScripting_BODY: "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body",
        GenericLFI_BODY: "awswaf:managed:aws:core-rule-set:GenericLFI_Body",
        GenericRFI_BODY: "awswaf:managed:aws:core-rule-set:GenericRFI_Body",
        EC2MetaDataSSRF_BODY: "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body",
        GenericLFI_URIPATH: "awswaf:managed:aws:core-rule-set:GenericLFI_URIPath",
    },
    AWSManagedRulesKnownBadInputsRuleSet: {
        Log4JRCE_BODY: "awswaf:managed:aws:known-bad-inputs:Log4JRCE_Body",
        JavaDeserializationRCE_BODY: "awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_Body",
        Log4JRCE_HEADER: "awswaf:managed:aws:known-bad-inputs:Log4JRCE_Header",
    },
    AWSManagedRulesAmazonIpReputationList: {
        AWSManagedIPReputationList: "awswaf:managed:aws:amazon-ip-list:AWSManagedIPReputationList",
    },
};

/**
 * The URI path after WAF's text transformations: NONE, or NORMALIZE_PATH (doubled slashes,
 * self-references and back-references that are not at the start removed).
 */
function transform(path: string, transformations: { type: string }[]): string {
    assert.strictEqual(transformations.length, 1);
    const [{ type }] = transformations;
    if (type === "NONE") {
        return path;
    }
    assert.strictEqual(type, "NORMALIZE_PATH");
    const out: string[] = [];
    for (const segment of path.replace(/\/{2,}/g, "/").split("/")) {
        if (segment === ".") {
            continue;
        }
        if (segment === ".." && out.length > 1) {
            out.pop();
            continue;
        }
        out.push(segment);
    }
    return out.join("/");
}

function matches(st: any, req: Request, labels: string[]): boolean {
    if (st.andStatement) {
        return st.andStatement.statements.every((s: any) => matches(s, req, labels));
    }
    if (st.orStatement) {
        return st.orStatement.statements.some((s: any) => matches(s, req, labels));
    }
    if (st.notStatement) {
        return !matches(st.notStatement.statement, req, labels);
    }
    if (st.labelMatchStatement) {
        assert.strictEqual(st.labelMatchStatement.scope, "LABEL");
        return labels.includes(st.labelMatchStatement.key);
    }
    if (st.byteMatchStatement) {
        const b = st.byteMatchStatement;
        assert.deepStrictEqual(b.fieldToMatch, { uriPath: {} });
        const path = transform(req.path, b.textTransformations);
        return b.positionalConstraint === "EXACTLY" ? path === b.searchString : path.startsWith(b.searchString);
    }
    if (st.regexMatchStatement) {
        assert.deepStrictEqual(st.regexMatchStatement.fieldToMatch, { uriPath: {} });
        return new RegExp(st.regexMatchStatement.regexString).test(transform(req.path, st.regexMatchStatement.textTransformations));
    }
    throw new Error(`the model has no ${Object.keys(st)}`);
}

/** "BLOCK by <rule>" or "ALLOW", and the labels the request collected on the way. */
function evaluate(acl: any, req: Request): { verdict: string; labels: string[] } {
    const labels: string[] = [];
    for (const rule of [...acl.rules].sort((a: any, b: any) => a.priority - b.priority)) {
        const group = rule.statement.managedRuleGroupStatement;
        if (group) {
            const counted = (group.ruleActionOverrides ?? []).filter((o: any) => o.actionToUse.count !== undefined).map((o: any) => o.name);
            for (const tripped of req.trips.filter((t) => MANAGED[group.name][t] !== undefined)) {
                labels.push(MANAGED[group.name][tripped]);
                if (!counted.includes(tripped) && rule.overrideAction.none !== undefined) {
                    return { verdict: `BLOCK by ${rule.name}`, labels };
                }
            }
            continue;
        }
        if (rule.statement.rateBasedStatement) {
            continue; // no client here exceeds a limit
        }
        if (matches(rule.statement, req, labels)) {
            labels.push(...(rule.ruleLabels ?? []).map((l: any) => l.name));
            if (rule.action.block !== undefined) {
                return { verdict: `BLOCK by ${rule.name}`, labels };
            }
        }
    }
    return { verdict: "ALLOW", labels };
}

const BODY = [
    "SizeRestrictions_BODY",
    "CrossSiteScripting_BODY",
    "GenericLFI_BODY",
    "GenericRFI_BODY",
    "EC2MetaDataSSRF_BODY",
    "Log4JRCE_BODY",
];

describe("WAF (prod; evaluated as AWS WAF evaluates a request)", () => {
    let prod: StackRun;
    let acl: any;
    before(async () => {
        prod = await stackRun("prod");
        acl = one(prod, WAF).inputs;
    });

    it("runs, in this order: the credential-path label, IP reputation, the two rate limits, the common and known-bad-input groups, then the body-label block", () => {
        assert.deepStrictEqual(
            acl.rules.map((r: any) => [r.priority, r.name, r.action ?? r.overrideAction]),
            [
                [0, "credential-in-path", { count: {} }],
                [1, "aws-AWSManagedRulesAmazonIpReputationList", { none: {} }],
                [2, "rate-limit-login", { block: {} }],
                [3, "rate-limit-ip", { block: {} }],
                [4, "aws-AWSManagedRulesCommonRuleSet", { none: {} }],
                [5, "aws-AWSManagedRulesKnownBadInputsRuleSet", { none: {} }],
                [6, "body-rules-outside-prompt-paths", { block: {} }],
            ],
        );
    });

    it("runs every managed group from AWS with its own actions, counting only the body rules LLM prompts trip", () => {
        const groups = acl.rules
            .filter((r: any) => r.statement.managedRuleGroupStatement)
            .map((r: any) => {
                const g = r.statement.managedRuleGroupStatement;
                return [g.vendorName, g.name, g.ruleActionOverrides, g.scopeDownStatement, g.version];
            });
        const count = (name: string) => ({ name, actionToUse: { count: {} } });
        assert.deepStrictEqual(groups, [
            ["AWS", "AWSManagedRulesAmazonIpReputationList", undefined, undefined, undefined],
            [
                "AWS",
                "AWSManagedRulesCommonRuleSet",
                [
                    count("SizeRestrictions_BODY"),
                    count("CrossSiteScripting_BODY"),
                    count("GenericLFI_BODY"),
                    count("GenericRFI_BODY"),
                    count("EC2MetaDataSSRF_BODY"),
                ],
                undefined,
                undefined,
            ],
            [
                "AWS",
                "AWSManagedRulesKnownBadInputsRuleSet",
                [count("Log4JRCE_BODY"), count("JavaDeserializationRCE_BODY")],
                undefined,
                undefined,
            ],
        ]);
    });

    it("rate-limits each IP over 5 minutes: 2000 requests site-wide, 100 on login, sign-up and OAuth", () => {
        const rate = (name: string) => acl.rules.find((r: any) => r.name === name).statement.rateBasedStatement;
        const starts = (searchString: string) => ({
            byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint: "STARTS_WITH",
                searchString,
                textTransformations: [{ priority: 0, type: "NONE" }],
            },
        });
        assert.deepStrictEqual(rate("rate-limit-ip"), { limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 });
        assert.deepStrictEqual(rate("rate-limit-login"), {
            limit: 100,
            aggregateKeyType: "IP",
            evaluationWindowSec: 300,
            scopeDownStatement: {
                orStatement: { statements: [starts("/api/user/login"), starts("/api/user/register"), starts("/api/oauth/")] },
            },
        });
    });

    it("blocks a body-rule label unless the path is a relay path, MCP or admin content", () => {
        const rule = acl.rules.find((r: any) => r.name === "body-rules-outside-prompt-paths");
        const [labels, notExempt] = rule.statement.andStatement.statements;
        assert.deepStrictEqual(
            labels.orStatement.statements.map((s: any) => s.labelMatchStatement),
            [
                "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
                "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body",
                "awswaf:managed:aws:core-rule-set:GenericLFI_Body",
                "awswaf:managed:aws:core-rule-set:GenericRFI_Body",
                "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body",
                "awswaf:managed:aws:known-bad-inputs:Log4JRCE_Body",
                "awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_Body",
            ].map((key) => ({ scope: "LABEL", key })),
        );
        assert.deepStrictEqual(
            notExempt.notStatement.statement.orStatement.statements.map((s: any) => [
                s.byteMatchStatement.positionalConstraint,
                s.byteMatchStatement.searchString,
                s.byteMatchStatement.fieldToMatch,
                s.byteMatchStatement.textTransformations,
            ]),
            [
                "/v1/",
                "/dashboard/billing/",
                "/claude/",
                "/gemini/",
                "/mj/",
                "/mj-fast/",
                "/mj-turbo/",
                "/mj-relax/",
                "/suno/",
                "/kling/",
                "/recraftAI/",
                "/mcp/",
                "/api/option/",
                "/api/channel/",
                "/api/channel_tag/",
                "/api/prices/",
                "/api/model_info/",
            ].map((prefix) => ["STARTS_WITH", prefix, { uriPath: {} }, [{ priority: 0, type: "NORMALIZE_PATH" }]]),
        );
        assert.deepStrictEqual(rule.visibilityConfig, {
            cloudwatchMetricsEnabled: true,
            sampledRequestsEnabled: true,
            metricName: "onehub-prod-edge-body-rules-outside-prompt-paths",
        });
    });

    // Prompts with HTML, "../", URLs, the metadata address, "${jndi:" or more than 8 KB.
    const PROMPT_PATHS = [
        "/v1//chat/completions",
        "/mcp/./abc123",
        "/v1/chat/completions",
        "/v1/responses",
        "/claude/v1/messages",
        "/gemini/v1beta/models/gemini-pro:generateContent",
        "/mj/submit/imagine",
        "/suno/submit/music",
        "/mcp/abc123",
        "/api/option/",
        "/api/channel/",
        "/api/channel_tag/default",
        "/api/prices/multiple",
        "/api/model_info/",
    ];
    for (const path of PROMPT_PATHS) {
        it(`lets every body rule's match through on ${path}`, () => {
            for (const rule of [...BODY, "JavaDeserializationRCE_BODY"]) {
                assert.strictEqual(evaluate(acl, { path, trips: [rule] }).verdict, "ALLOW", rule);
            }
        });
    }

    const OTHER_PATHS = [
        "/v1/../api/user/self",
        "/api/option/../user/self",
        "/mcp/x/../../api/token/",
        "/api/user/self",
        "/api/user/login",
        "/api/token/",
        "/api/optionx",
        "/api/opt",
        "/",
        "/panel/login",
        "/v1",
        "/V1/chat/completions",
    ];
    for (const path of OTHER_PATHS) {
        it(`blocks every body rule's match on ${path}`, () => {
            for (const rule of [...BODY, "JavaDeserializationRCE_BODY"]) {
                assert.strictEqual(evaluate(acl, { path, trips: [rule] }).verdict, "BLOCK by body-rules-outside-prompt-paths", rule);
            }
        });
    }

    it("still blocks every other managed rule on the relay paths (headers, URIs, bad IPs)", () => {
        const path = "/v1/chat/completions";
        assert.strictEqual(evaluate(acl, { path, trips: ["NoUserAgent_HEADER"] }).verdict, "BLOCK by aws-AWSManagedRulesCommonRuleSet");
        assert.strictEqual(evaluate(acl, { path, trips: ["GenericLFI_URIPATH"] }).verdict, "BLOCK by aws-AWSManagedRulesCommonRuleSet");
        assert.strictEqual(
            evaluate(acl, { path, trips: ["Log4JRCE_HEADER"] }).verdict,
            "BLOCK by aws-AWSManagedRulesKnownBadInputsRuleSet",
        );
        assert.strictEqual(
            evaluate(acl, { path, trips: ["AWSManagedIPReputationList"] }).verdict,
            "BLOCK by aws-AWSManagedRulesAmazonIpReputationList",
        );
        assert.strictEqual(evaluate(acl, { path, trips: [] }).verdict, "ALLOW");
    });

    it("needs 1151 WCU, and at most 1201 even if NONE transformations counted, within the 1500 the web ACL's price includes", () => {
        assert.strictEqual(webAclCapacity(acl.rules), 1151);
        assert.strictEqual(webAclCapacity(acl.rules, true), 1201);
    });

    it("lets prompts through on extra relay paths too, a trailing * as a prefix and any other pattern as an anchored expression", async () => {
        const run = await fixtureRun("prod", { config: { "onehub:extraRelayPaths": ["/openai/*", "/x?/*/chat", "/exact"] } });
        const extra = one(run, WAF).inputs;
        for (const path of ["/openai/deployments/x", "/x1/a/b/chat", "/exact"]) {
            assert.strictEqual(evaluate(extra, { path, trips: ["CrossSiteScripting_BODY"] }).verdict, "ALLOW", path);
        }
        for (const path of ["/x12/a/chat", "/exact/more", "/x1/a/chatty"]) {
            assert.strictEqual(
                evaluate(extra, { path, trips: ["CrossSiteScripting_BODY"] }).verdict,
                "BLOCK by body-rules-outside-prompt-paths",
                path,
            );
        }
        assert.strictEqual(webAclCapacity(extra.rules), 1151 + 12 + 13 + 12);
    });

    it("refuses extra relay paths that would take the web ACL beyond its included 1500 WCU", async () => {
        const many = Array.from({ length: 26 }, (_, i) => `/r${i}*/chat`);
        await expectConfigError(
            "prod",
            { "onehub:extraRelayPaths": many },
            /onehub:extraRelayPaths = .*up to 1539 WCU, more than the 1500/,
        );
        // Without a WAF the same patterns are only routing.
        await fixtureRun("dev", { config: { "onehub:extraRelayPaths": many } });
    });
});

describe("WAF rule pieces", () => {
    it("translate an ALB path pattern into the WAF statement that matches the same normalized paths", () => {
        const normalized = [{ priority: 0, type: "NORMALIZE_PATH" }];
        assert.deepStrictEqual(pathPatternStatement("/v1/*"), {
            byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint: "STARTS_WITH",
                searchString: "/v1/",
                textTransformations: normalized,
            },
        });
        assert.deepStrictEqual(pathPatternStatement("/a.b"), {
            byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint: "EXACTLY",
                searchString: "/a.b",
                textTransformations: normalized,
            },
        });
        assert.deepStrictEqual(pathPatternStatement("/a.?/*x+"), {
            regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: "^/a\\../.*x\\+$", textTransformations: normalized },
        });
    });

    it("price statements as AWS documents them: string match 2 (contains 10), regex 3, label 1, +10 per transformation, 1 per 5 labels", () => {
        const rule = (statement: any, ruleLabels?: any[]) => ({
            name: "r",
            priority: 0,
            statement,
            ruleLabels,
            visibilityConfig: {} as any,
        });
        const byte = (positionalConstraint: string, types: string[]) => ({
            byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint,
                searchString: "/x",
                textTransformations: types.map((type, priority) => ({ priority, type })),
            },
        });
        assert.strictEqual(webAclCapacity([rule(byte("STARTS_WITH", ["NONE"]))]), 2);
        assert.strictEqual(webAclCapacity([rule(byte("STARTS_WITH", ["NONE"]))], true), 12);
        assert.strictEqual(webAclCapacity([rule(byte("CONTAINS", ["URL_DECODE", "LOWERCASE"]))]), 30);
        assert.strictEqual(webAclCapacity([rule({ regexMatchStatement: { regexString: "x", textTransformations: [] } })]), 3);
        assert.strictEqual(webAclCapacity([rule({ labelMatchStatement: { scope: "LABEL", key: "a" } })]), 1);
        const labels = Array.from({ length: 6 }, (_, i) => ({ name: `l${i}` }));
        assert.strictEqual(webAclCapacity([rule(byte("EXACTLY", []), labels)]), 2 + 2);
        assert.strictEqual(
            webAclCapacity([
                rule({ rateBasedStatement: { limit: 10, aggregateKeyType: "IP", scopeDownStatement: byte("ENDS_WITH", []) } }),
            ]),
            4,
        );
        assert.strictEqual(
            webAclCapacity([
                rule({ notStatement: { statement: { orStatement: { statements: [byte("EXACTLY", []), byte("EXACTLY", [])] } } } }),
            ]),
            4,
        );
        assert.throws(
            () => webAclCapacity([rule({ managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesBotControlRuleSet" } })]),
            /MANAGED_GROUP_WCU/,
        );
        assert.throws(() => webAclCapacity([rule({ sqliMatchStatement: {} })]), /statementWcu/);
    });
});

describe("WAF logging (prod on, dev off)", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });
    const LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
    const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

    it("writes to a us-east-1 log group named with WAF's aws-waf-logs- prefix, kept logRetentionDays (30 in prod)", () => {
        const group = one(runs.prod, LOG_GROUP, "-waf-logs");
        assert.deepStrictEqual(
            [group.inputs.region, group.inputs.namePrefix, group.inputs.name, group.inputs.retentionInDays],
            ["us-east-1", "aws-waf-logs-onehub-prod-edge-", undefined, 30],
        );
    });

    it("logs the web ACL to that group, redacting every header OneHub reads a credential from and the query string", () => {
        const logging = one(runs.prod, LOGGING).inputs;
        assert.strictEqual(logging.region, "us-east-1");
        assert.strictEqual(logging.resourceArn, "arn:aws:wafv2:us-east-1:123456789012:global/webacl/onehub-prod-edge-waf/0123");
        assert.deepStrictEqual(logging.logDestinationConfigs, [
            "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-onehub-prod-edge-20250101000000000000000001",
        ]);
        assert.deepStrictEqual(logging.redactedFields, [
            { singleHeader: { name: "authorization" } },
            { singleHeader: { name: "x-api-key" } },
            { singleHeader: { name: "x-goog-api-key" } },
            { singleHeader: { name: "mj-api-secret" } },
            { singleHeader: { name: "sec-websocket-protocol" } },
            { singleHeader: { name: "cookie" } },
            { queryString: {} },
        ]);
        assert.ok(logging.redactedFields.length <= 100, "WAF's limit of redacted fields");
    });

    it("keeps every request but those labelled as carrying a token in the path, which a count rule labels before any rule can end the evaluation", () => {
        const logging = one(runs.prod, LOGGING).inputs;
        assert.deepStrictEqual(logging.loggingFilter, {
            defaultBehavior: "KEEP",
            filters: [
                {
                    behavior: "DROP",
                    requirement: "MEETS_ANY",
                    conditions: [
                        { labelNameCondition: { labelName: "awswaf:123456789012:webacl:onehub-prod-edge-waf:onehub:credential-in-path" } },
                    ],
                },
            ],
        });
        const acl = one(runs.prod, WAF).inputs;
        const rule = acl.rules.find((r: any) => r.name === "credential-in-path");
        assert.deepStrictEqual(rule.ruleLabels, [{ name: "onehub:credential-in-path" }]);
        assert.strictEqual(rule.priority, Math.min(...acl.rules.map((r: any) => r.priority)));
        const labelled = (path: string, trips: string[] = []) =>
            evaluate(acl, { path, trips }).labels.includes("onehub:credential-in-path");
        for (const path of ["/mcp/tok3n", "/mcp/sse/tok3n", "/mcp/message/tok3n", "/api/telegram/123:AAbot"]) {
            assert.ok(labelled(path), path);
            assert.ok(labelled(path, ["AWSManagedIPReputationList"]), `${path}: labelled even when a later rule blocks it`);
        }
        for (const path of ["/v1/chat/completions", "/api/user/login", "/mcpx", "/api/telegramx"]) {
            assert.ok(!labelled(path), path);
        }
    });

    it("is created after the web ACL and the log group, and deleted before it is replaced (one logging configuration per web ACL)", () => {
        const logging = one(runs.prod, LOGGING);
        assert.ok(dependsDirectlyOn(logging, one(runs.prod, WAF)));
        assert.ok(dependsDirectlyOn(logging, one(runs.prod, LOG_GROUP, "-waf-logs")));
        assert.strictEqual(logging.deleteBeforeReplace, true);
        assert.deepStrictEqual(logging.ignoreChanges, []);
    });

    it("deletes its log group, and the logs in it, with the stack; WAF writes the group's resource policy itself", () => {
        const group = one(runs.prod, LOG_GROUP, "-waf-logs");
        assert.deepStrictEqual([group.retainOnDelete, group.deleteBeforeReplace, group.ignoreChanges], [false, false, []]);
        assert.deepStrictEqual(ofType(runs.prod, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"), []);
    });

    it("is off in dev, and with WAF alone there is no labelling rule either", async () => {
        assert.deepStrictEqual(ofType(runs.dev, LOGGING), []);
        assert.ok(!ofType(runs.dev, LOG_GROUP).some((g) => g.name.includes("-waf-logs")));
        const run = await fixtureRun("dev", { config: { "onehub:wafEnabled": true } });
        assert.deepStrictEqual(ofType(run, LOGGING), []);
        assert.deepStrictEqual(
            one(run, WAF).inputs.rules.map((r: any) => r.name),
            [
                "aws-AWSManagedRulesAmazonIpReputationList",
                "rate-limit-login",
                "rate-limit-ip",
                "aws-AWSManagedRulesCommonRuleSet",
                "aws-AWSManagedRulesKnownBadInputsRuleSet",
                "body-rules-outside-prompt-paths",
            ],
        );
    });

    it("refuses WAF logging without WAF", () =>
        expectConfigError("dev", { "onehub:wafLogging": true }, /onehub:wafLogging = true is invalid: needs onehub:wafEnabled true/));
});
