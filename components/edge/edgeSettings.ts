// Limits and managed ids of the edge (ALB, CloudFront, WAF), and the check of its settings.
import { checkInteger, checkMatches, checkOneOf, fail } from "../common/validation";

/** ALB idle timeout bounds we accept. AWS allows 1–4000; below 60 s every slow LLM answer 504s. */
export const ALB_IDLE_TIMEOUT = { min: 60, max: 4000, default: 600 };
/**
 * CloudFront origin response (read) timeout for a VPC origin: 1–120 s (CloudFront API
 * VpcOriginConfig; custom origins allow 180, VPC origins do not). Above 60 s only after a Service
 * Quotas increase of "Response timeout per origin".
 */
export const ORIGIN_READ_TIMEOUT = { min: 1, max: 120, default: 60, quotaFree: 60, quota: "Response timeout per origin" };
/** CloudFront origin keep-alive timeout for a VPC origin: 1–120 s; above 60 s only after a quota increase. */
export const ORIGIN_KEEPALIVE_TIMEOUT = { min: 1, max: 120, default: 60, quotaFree: 60, quota: "Keep-alive timeout per origin" };
const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
/** AWS WAF rate-based rules count requests per 5 minutes; the smallest allowed limit is 10. */
export const WAF_RATE_LIMIT = { min: 10, max: 2_000_000_000, default: 2000 };
/** The login paths' default limit per IP per 5 minutes. */
export const WAF_LOGIN_RATE_LIMIT_DEFAULT = 100;

/** AWS-managed CloudFront policies (ids are global and fixed). */
export const MANAGED_POLICY = {
    cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
    allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
};

/** Error codes CloudFront may cache; each gets errorCachingMinTtl 0 so no error outlives its cause. */
export const CLOUDFRONT_ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/** The edge settings that config and callers choose (field names are the config keys). */
export interface EdgeSettings {
    /**
     * ALB idle timeout in seconds, 60–4000. Default 600. LLM streams and reasoning models sit
     * silent for minutes; at the AWS default of 60 s they end in 504s.
     * See https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout
     */
    albIdleTimeout?: number;
    /** S3 bucket for ALB access logs (its policy must allow ELB log delivery). Default "" (off). */
    albAccessLogsBucket?: string;
    /**
     * ACM certificate (in the stack's region) for an HTTPS listener on the ALB; CloudFront then
     * talks to it with `https-only`. Default "" (HTTP inside the VPC; viewers still get HTTPS).
     */
    albCertificateArn?: string;
    /** With `albCertificateArn`: the name on that certificate, used as the origin domain. Default "". */
    albOriginDomainName?: string;
    /**
     * CloudFront origin response timeout in seconds, 1–120 (the VPC-origin limit). Default 60. It
     * applies to the first byte and to every gap between packets; values above 60 need the Service
     * Quotas value "Response timeout per origin" raised first (`npm run preflight` checks it). See
     * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html#DownloadDistValuesOriginResponseTimeout
     */
    originReadTimeout?: number;
    /**
     * CloudFront origin keep-alive timeout in seconds, 1–120 (the VPC-origin limit). Default 60.
     * Above 60 needs its own quota increase ("Keep-alive timeout per origin").
     */
    originKeepaliveTimeout?: number;
    /** CloudFront price class: PriceClass_100, PriceClass_200 or PriceClass_All. Default PriceClass_100. */
    priceClass?: string;
    /** Custom domain for viewers, e.g. "api.example.com". Default "" (the cloudfront.net name). */
    customDomain?: string;
    /** ACM certificate in us-east-1 covering `customDomain`. Default "" (create one if `hostedZoneId` is set). */
    certificateArn?: string;
    /**
     * Route 53 hosted zone of `customDomain`: A/AAAA alias records are created in it, and, without
     * `certificateArn`, a DNS-validated certificate. Default "".
     */
    hostedZoneId?: string;
    /** Attach an AWS WAF web ACL to the distribution. Default false. */
    wafEnabled?: boolean;
    /** Requests per IP per 5 minutes on the whole site before WAF blocks, ≥ 10. Default 2000. */
    wafRateLimit?: number;
    /** Requests per IP per 5 minutes on login, sign-up and OAuth paths, ≤ `wafRateLimit`. Default 100. */
    wafLoginRateLimit?: number;
    /**
     * With `wafEnabled`: log every request the web ACL sees to a CloudWatch log group in us-east-1
     * named `aws-waf-logs-<edge name>-…` (WAF's required prefix), kept `logRetentionDays` and deleted
     * with the stack. Every place OneHub takes a credential from is redacted (the Authorization,
     * x-api-key, x-goog-api-key, mj-api-secret, Sec-WebSocket-Protocol and Cookie headers, the
     * query string), and requests with a token in the path (/mcp/*, /api/telegram/*) are dropped.
     * Default false (prod true). The deployer needs logs:CreateLogDelivery, logs:PutResourcePolicy,
     * logs:DescribeResourcePolicies and logs:DescribeLogGroups: WAF writes the log group's resource policy itself.
     * See https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html
     */
    wafLogging?: boolean;
}

const EDGE_SETTING_KEYS: (keyof EdgeSettings)[] = [
    "albIdleTimeout",
    "albAccessLogsBucket",
    "albCertificateArn",
    "albOriginDomainName",
    "originReadTimeout",
    "originKeepaliveTimeout",
    "priceClass",
    "customDomain",
    "certificateArn",
    "hostedZoneId",
    "wafEnabled",
    "wafRateLimit",
    "wafLoginRateLimit",
    "wafLogging",
];

/** Just the edge settings of a larger argument object (such as OneHubArgs). */
export function pickEdgeSettings(s: EdgeSettings): EdgeSettings {
    return Object.fromEntries(EDGE_SETTING_KEYS.map((k) => [k, s[k]])) as EdgeSettings;
}

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Validates edge settings; `prefix` names them ("onehub:", "PrivateEdge args."). */
export function validateEdgeSettings(s: EdgeSettings, prefix: string): void {
    const k = (key: keyof EdgeSettings) => `${prefix}${key}`;
    checkInteger(k("albIdleTimeout"), s.albIdleTimeout ?? ALB_IDLE_TIMEOUT.default, ALB_IDLE_TIMEOUT.min, ALB_IDLE_TIMEOUT.max);
    checkInteger(
        k("originReadTimeout"),
        s.originReadTimeout ?? ORIGIN_READ_TIMEOUT.default,
        ORIGIN_READ_TIMEOUT.min,
        ORIGIN_READ_TIMEOUT.max,
    );
    checkInteger(
        k("originKeepaliveTimeout"),
        s.originKeepaliveTimeout ?? ORIGIN_KEEPALIVE_TIMEOUT.default,
        ORIGIN_KEEPALIVE_TIMEOUT.min,
        ORIGIN_KEEPALIVE_TIMEOUT.max,
    );
    checkOneOf(k("priceClass"), s.priceClass ?? "PriceClass_100", PRICE_CLASSES as readonly string[]);

    if (s.albAccessLogsBucket) {
        checkMatches(k("albAccessLogsBucket"), s.albAccessLogsBucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name");
    }
    if (s.albCertificateArn) {
        checkMatches(
            k("albCertificateArn"),
            s.albCertificateArn,
            /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/,
            "must be an ACM certificate ARN in the stack's region",
        );
        if (!s.albOriginDomainName) {
            fail(
                k("albOriginDomainName"),
                s.albOriginDomainName,
                `is required with ${k("albCertificateArn")}: CloudFront checks that the ALB's certificate covers this name`,
            );
        }
    }
    if (s.albOriginDomainName) {
        checkMatches(k("albOriginDomainName"), s.albOriginDomainName, DOMAIN_RE, "must be a lower-case DNS name on the ALB certificate");
        if (!s.albCertificateArn) {
            fail(k("albOriginDomainName"), s.albOriginDomainName, `only applies to an HTTPS origin: set ${k("albCertificateArn")} too`);
        }
    }

    if (s.customDomain) {
        checkMatches(k("customDomain"), s.customDomain, DOMAIN_RE, "must be a lower-case DNS name such as api.example.com");
        if (!s.certificateArn && !s.hostedZoneId) {
            fail(
                k("customDomain"),
                s.customDomain,
                `needs ${k("certificateArn")} (an ACM certificate in us-east-1) or ${k("hostedZoneId")} (a Route 53 zone to create and validate one)`,
            );
        }
    } else {
        for (const key of ["certificateArn", "hostedZoneId"] as const) {
            if (s[key]) {
                fail(k(key), s[key], `only applies to a custom domain: set ${k("customDomain")} too`);
            }
        }
    }
    if (s.certificateArn) {
        checkMatches(
            k("certificateArn"),
            s.certificateArn,
            /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/,
            "must be an ACM certificate ARN in us-east-1, the only region CloudFront takes certificates from",
        );
    }
    if (s.hostedZoneId) {
        checkMatches(
            k("hostedZoneId"),
            s.hostedZoneId,
            /^Z[A-Z0-9]{1,31}$/,
            "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ",
        );
    }

    const rate = checkInteger(k("wafRateLimit"), s.wafRateLimit ?? WAF_RATE_LIMIT.default, WAF_RATE_LIMIT.min, WAF_RATE_LIMIT.max);
    const loginRate = checkInteger(
        k("wafLoginRateLimit"),
        s.wafLoginRateLimit ?? WAF_LOGIN_RATE_LIMIT_DEFAULT,
        WAF_RATE_LIMIT.min,
        WAF_RATE_LIMIT.max,
    );
    if (loginRate > rate) {
        fail(k("wafLoginRateLimit"), loginRate, `must not exceed ${k("wafRateLimit")} (${rate}): the login limit is the stricter one`);
    }
    if (s.wafLogging && !s.wafEnabled) {
        fail(k("wafLogging"), s.wafLogging, `needs ${k("wafEnabled")} true: without a web ACL there is nothing to log`);
    }
}
