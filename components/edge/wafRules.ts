// The WAF rules in front of OneHub, as plain data so tests can read them without a WebACL, and
// their capacity in WCUs as AWS counts it.
import * as aws from "@pulumi/aws";
import { fail } from "../common/validation";

type Rule = aws.types.input.wafv2.WebAclRule;
type Statement = aws.types.input.wafv2.WebAclRuleStatement;

/** Login and sign-up endpoints: the targets of credential stuffing and sign-up abuse. */
export const LOGIN_PATH_PREFIXES = ["/api/user/login", "/api/user/register", "/api/oauth/"];

/** Rate-based rules count each IP's requests over 5 minutes (WAF's longest window; the limits are per 5 minutes). */
export const RATE_WINDOW_SECONDS = 300;

const IP_REPUTATION = "AWSManagedRulesAmazonIpReputationList";
const COMMON = "AWSManagedRulesCommonRuleSet";
const KNOWN_BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet";

/**
 * The capacity (WCU) of each managed group, as AWS documents it:
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html and
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-ip-rep.html
 */
export const MANAGED_GROUP_WCU: Readonly<Record<string, number>> = { [IP_REPUTATION]: 25, [COMMON]: 700, [KNOWN_BAD_INPUTS]: 200 };

/** The WCUs a web ACL's base price includes (AWS allows 5,000 and charges for each 500 above 1,500). */
export const WEB_ACL_INCLUDED_WCU = 1500;

/**
 * The managed rules that inspect the request body and match ordinary LLM prompts (HTML, "../", URLs
 * with IP addresses, 169.254.169.254, "${jndi:", bodies over 8 KB), with the label each adds to a
 * request it matches. They count in their group (which still labels), and `body-rules-outside-prompt-paths`
 * blocks a request carrying any of the labels unless its path carries prompts or admin content.
 * Labels from AWS's rule tables, linked at MANAGED_GROUP_WCU.
 */
export const BODY_RULES: ReadonlyArray<{ group: string; rule: string; label: string }> = [
    { group: COMMON, rule: "SizeRestrictions_BODY", label: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body" },
    { group: COMMON, rule: "CrossSiteScripting_BODY", label: "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body" },
    { group: COMMON, rule: "GenericLFI_BODY", label: "awswaf:managed:aws:core-rule-set:GenericLFI_Body" },
    { group: COMMON, rule: "GenericRFI_BODY", label: "awswaf:managed:aws:core-rule-set:GenericRFI_Body" },
    { group: COMMON, rule: "EC2MetaDataSSRF_BODY", label: "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body" },
    { group: KNOWN_BAD_INPUTS, rule: "Log4JRCE_BODY", label: "awswaf:managed:aws:known-bad-inputs:Log4JRCE_Body" },
    {
        group: KNOWN_BAD_INPUTS,
        rule: "JavaDeserializationRCE_BODY",
        label: "awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_Body",
    },
];

/** MCP sessions (OneHub's router: /mcp/:accessToken, /mcp/sse/…, /mcp/message/…): tool calls carry prompts. */
export const MCP_PATH = "/mcp/*";

/**
 * Admin content the admin UI sends and the body rules would block (admin and root only, in OneHub's
 * router): site texts in HTML and Markdown, Telegram menus (/api/option/); channels, whose base
 * URLs often point at self-hosted models on private IPs (GenericRFI_BODY) and whose key batches and
 * model lists exceed 8 KB (/api/channel/, and by tag /api/channel_tag/); whole price tables
 * (/api/prices/); model descriptions and support URLs (/api/model_info/).
 */
export const ADMIN_CONTENT_PATHS = ["/api/option/*", "/api/channel/*", "/api/channel_tag/*", "/api/prices/*", "/api/model_info/*"];

/**
 * Paths whose URI carries a credential: MCP's access token (/mcp/<token>, /mcp/sse/<token>, …) and
 * Telegram's webhook, whose path holds the bot token (/api/telegram/<token>). WAF logs drop them.
 */
export const CREDENTIAL_PATH_PREFIXES = ["/mcp/", "/api/telegram/"];

/** The label `credential-in-path` puts on such requests; the logging filter drops it (fully qualified there). */
export const CREDENTIAL_IN_PATH_LABEL = "onehub:credential-in-path";

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

const NO_TRANSFORMATION = [{ priority: 0, type: "NONE" }];
/**
 * Doubled slashes, "/./" and "/x/../" removed first (WAF's NORMALIZE_PATH), so "/v1/../api/user/self"
 * is not taken for a relay path. 10 WCU per statement.
 */
const NORMALIZED_PATH = [{ priority: 0, type: "NORMALIZE_PATH" }];

const uriStartsWith = (prefix: string): Statement => ({
    byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: "STARTS_WITH",
        searchString: prefix,
        textTransformations: NO_TRANSFORMATION,
    },
});

/**
 * A WAF statement on the normalized URI path matching exactly what an ALB path pattern matches: the
 * path itself without wildcards, a prefix for a pattern whose only wildcard is a trailing `*`, else
 * an anchored regular expression (`*` any run, `?` one character).
 */
export function pathPatternStatement(pattern: string): Statement {
    const wildcards = (pattern.match(/[*?]/g) ?? []).length;
    if (wildcards === 0 || (wildcards === 1 && pattern.endsWith("*"))) {
        return {
            byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint: wildcards === 0 ? "EXACTLY" : "STARTS_WITH",
                searchString: wildcards === 0 ? pattern : pattern.slice(0, -1),
                textTransformations: NORMALIZED_PATH,
            },
        };
    }
    const regex = [...pattern].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
    return { regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: `^${regex}$`, textTransformations: NORMALIZED_PATH } };
}

function managedGroup(priority: number, name: string, metricPrefix: string, countedRules: string[] = []): Rule {
    return {
        name: `aws-${name}`,
        priority,
        overrideAction: { none: {} },
        statement: {
            managedRuleGroupStatement: {
                vendorName: "AWS",
                name,
                ruleActionOverrides:
                    countedRules.length === 0 ? undefined : countedRules.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
            },
        },
        visibilityConfig: visibility(`${metricPrefix}-${name}`),
    };
}

/** The body rules of `group`, in BODY_RULES' order. */
const bodyRulesOf = (group: string) => BODY_RULES.filter((b) => b.group === group).map((b) => b.rule);

export interface WafRuleSettings {
    /** Prefix of every rule's CloudWatch metric name (the edge's name). */
    metricPrefix: string;
    /** Requests per IP per 5 minutes on the whole site. */
    rateLimit: number;
    /** Requests per IP per 5 minutes on LOGIN_PATH_PREFIXES. */
    loginRateLimit: number;
    /** ALB path patterns of the relay paths (the built-in ones and any extra), where bodies are prompts. */
    relayPaths: readonly string[];
    /** Label requests with a credential in the path first, for the logging filter (with WAF logging). */
    labelCredentialPaths: boolean;
}

/** The paths where the body rules only count: relay paths, MCP and admin content, in that order. */
export const bodyRuleExemptPaths = (relayPaths: readonly string[]) => [...relayPaths, MCP_PATH, ...ADMIN_CONTENT_PATHS];

/**
 * Rules in evaluation order:
 * 0. (with WAF logging) `credential-in-path` counts and labels requests with a token in the path,
 *    before any rule can end the evaluation, so the logging filter drops every one of them;
 * 1. known-bad IPs; 2–3. the per-IP rate limits (login paths stricter);
 * 4–5. AWS's common and known-bad-input rule sets, blocking, with the body rules (BODY_RULES) only
 *    counting — they still label;
 * 6. `body-rules-outside-prompt-paths` blocks a request with any body rule's label unless its path is a
 *    relay path, MCP or admin content: prompts pass, attacks on everything else are still blocked.
 */
export function wafRules(s: WafRuleSettings): Rule[] {
    const rules: Rule[] = [];
    if (s.labelCredentialPaths) {
        rules.push({
            name: "credential-in-path",
            priority: 0,
            action: { count: {} },
            ruleLabels: [{ name: CREDENTIAL_IN_PATH_LABEL }],
            statement: { orStatement: { statements: CREDENTIAL_PATH_PREFIXES.map(uriStartsWith) } },
            visibilityConfig: visibility(`${s.metricPrefix}-credential-in-path`),
        });
    }
    rules.push(
        managedGroup(1, IP_REPUTATION, s.metricPrefix),
        {
            name: "rate-limit-login",
            priority: 2,
            action: { block: {} },
            statement: {
                rateBasedStatement: {
                    limit: s.loginRateLimit,
                    aggregateKeyType: "IP",
                    evaluationWindowSec: RATE_WINDOW_SECONDS,
                    scopeDownStatement: { orStatement: { statements: LOGIN_PATH_PREFIXES.map(uriStartsWith) } },
                },
            },
            visibilityConfig: visibility(`${s.metricPrefix}-rate-limit-login`),
        },
        {
            name: "rate-limit-ip",
            priority: 3,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: s.rateLimit, aggregateKeyType: "IP", evaluationWindowSec: RATE_WINDOW_SECONDS } },
            visibilityConfig: visibility(`${s.metricPrefix}-rate-limit-ip`),
        },
        managedGroup(4, COMMON, s.metricPrefix, bodyRulesOf(COMMON)),
        managedGroup(5, KNOWN_BAD_INPUTS, s.metricPrefix, bodyRulesOf(KNOWN_BAD_INPUTS)),
        {
            name: "body-rules-outside-prompt-paths",
            priority: 6,
            action: { block: {} },
            statement: {
                andStatement: {
                    statements: [
                        { orStatement: { statements: BODY_RULES.map((b) => ({ labelMatchStatement: { scope: "LABEL", key: b.label } })) } },
                        {
                            notStatement: {
                                statement: { orStatement: { statements: bodyRuleExemptPaths(s.relayPaths).map(pathPatternStatement) } },
                            },
                        },
                    ],
                },
            },
            visibilityConfig: visibility(`${s.metricPrefix}-body-rules-outside-prompt-paths`),
        },
    );
    return rules;
}

const BYTE_MATCH_WCU: Readonly<Record<string, number>> = { EXACTLY: 2, STARTS_WITH: 2, ENDS_WITH: 2, CONTAINS: 10, CONTAINS_WORD: 10 };

/**
 * A statement's WCUs as AWS documents them (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statements-list.html):
 * string match 2 (contains: 10), regex 3, label 1, logical statements the sum of theirs, a rate-based
 * statement 2 plus its scope-down, a managed group its capacity; each text transformation adds 10.
 * `countNoneTransformation` also counts NONE as a transformation, for an upper bound.
 */
function statementWcu(st: any, countNone: boolean): number {
    const transformations = (t: any[] | undefined) => 10 * (t ?? []).filter((x) => countNone || x.type !== "NONE").length;
    if (st.managedRuleGroupStatement) {
        const wcu = MANAGED_GROUP_WCU[st.managedRuleGroupStatement.name];
        if (wcu === undefined) {
            return fail("managed rule group", st.managedRuleGroupStatement.name, `has no known capacity: add it to MANAGED_GROUP_WCU`);
        }
        return wcu;
    }
    if (st.rateBasedStatement) {
        return 2 + (st.rateBasedStatement.scopeDownStatement ? statementWcu(st.rateBasedStatement.scopeDownStatement, countNone) : 0);
    }
    if (st.andStatement || st.orStatement) {
        return (st.andStatement ?? st.orStatement).statements.reduce((n: number, child: any) => n + statementWcu(child, countNone), 0);
    }
    if (st.notStatement) {
        return statementWcu(st.notStatement.statement, countNone);
    }
    if (st.byteMatchStatement) {
        return BYTE_MATCH_WCU[st.byteMatchStatement.positionalConstraint] + transformations(st.byteMatchStatement.textTransformations);
    }
    if (st.regexMatchStatement) {
        return 3 + transformations(st.regexMatchStatement.textTransformations);
    }
    if (st.labelMatchStatement) {
        return 1;
    }
    return fail("WAF statement", Object.keys(st), "has no known capacity: add its WCUs to statementWcu");
}

/** The web ACL's WCUs: every rule's statement, plus 1 WCU for every 5 labels its rules define. */
export function webAclCapacity(rules: readonly Rule[], countNoneTransformation = false): number {
    const labels = rules.reduce((n, r) => n + ((r.ruleLabels as unknown[] | undefined) ?? []).length, 0);
    return rules.reduce((n, r) => n + statementWcu(r.statement, countNoneTransformation), 0) + Math.ceil(labels / 5);
}

/**
 * Fails unless the rules fit the capacity the web ACL's price includes, even counting NONE text
 * transformations; `key` names what makes the ACL grow (the extra relay paths).
 */
export function checkWafCapacity(key: string, value: unknown, rules: readonly Rule[]): number {
    const upper = webAclCapacity(rules, true);
    if (upper > WEB_ACL_INCLUDED_WCU) {
        fail(
            key,
            value,
            `makes the web ACL need up to ${upper} WCU, more than the ${WEB_ACL_INCLUDED_WCU} its price includes: list fewer patterns, or ones that end in a single *`,
        );
    }
    return webAclCapacity(rules);
}
