// The WAF rules in front of OneHub, as plain data so tests can read them without a WebACL.
import * as aws from "@pulumi/aws";

type Rule = aws.types.input.wafv2.WebAclRule;

/** Login and sign-up endpoints: the targets of credential stuffing and sign-up abuse. */
export const LOGIN_PATH_PREFIXES = ["/api/user/login", "/api/user/register", "/api/oauth/"];

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

function managedGroup(priority: number, name: string, metricPrefix: string, overrides: string[] = []): Rule {
    return {
        name: `aws-${name}`,
        priority,
        overrideAction: { none: {} },
        statement: {
            managedRuleGroupStatement: {
                vendorName: "AWS",
                name,
                ruleActionOverrides:
                    overrides.length === 0 ? undefined : overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
            },
        },
        visibilityConfig: visibility(`${metricPrefix}-${name}`),
    };
}

/**
 * Rules in evaluation order: known-bad IPs first, then the per-IP rate limits (login paths are
 * stricter), then AWS's common and known-bad-input rule sets. The common set's
 * SizeRestrictions_BODY only counts: it blocks bodies over 8 KB, and LLM requests with long
 * conversations or images are routinely larger.
 */
export function wafRules(metricPrefix: string, rateLimit: number, loginRateLimit: number): Rule[] {
    return [
        managedGroup(0, "AWSManagedRulesAmazonIpReputationList", metricPrefix),
        {
            name: "rate-limit-login",
            priority: 1,
            action: { block: {} },
            statement: {
                rateBasedStatement: {
                    limit: loginRateLimit,
                    aggregateKeyType: "IP",
                    evaluationWindowSec: 300,
                    scopeDownStatement: {
                        orStatement: {
                            statements: LOGIN_PATH_PREFIXES.map((path) => ({
                                byteMatchStatement: {
                                    fieldToMatch: { uriPath: {} },
                                    positionalConstraint: "STARTS_WITH",
                                    searchString: path,
                                    textTransformations: [{ priority: 0, type: "NONE" }],
                                },
                            })),
                        },
                    },
                },
            },
            visibilityConfig: visibility(`${metricPrefix}-rate-limit-login`),
        },
        {
            name: "rate-limit-ip",
            priority: 2,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
            visibilityConfig: visibility(`${metricPrefix}-rate-limit-ip`),
        },
        managedGroup(3, "AWSManagedRulesCommonRuleSet", metricPrefix, ["SizeRestrictions_BODY"]),
        managedGroup(4, "AWSManagedRulesKnownBadInputsRuleSet", metricPrefix),
    ];
}
