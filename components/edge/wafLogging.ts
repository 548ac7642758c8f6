// What the WAF writes to its logs: never a credential. OneHub takes one from these request headers
// (relay auth: Authorization, x-api-key for Claude, x-goog-api-key for Gemini, mj-api-secret for
// Midjourney; realtime WebSockets send the key as a Sec-WebSocket-Protocol value; the admin UI's
// session is a cookie), from the query string (Gemini's ?key=) and from the path (MCP's access
// token, Telegram's bot token), read in OneHub's middleware/auth.go, router/ and middleware/telegram.go.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** WAF delivers only to destinations whose name starts with this. */
export const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

/**
 * The headers redacted from every log record, lower case as the WAF API returns them (another case
 * would show as a change on every preview). WAF takes up to 100 redacted fields, each exactly one of
 * a single header, the query string, the URI path or the method.
 */
export const REDACTED_HEADERS = ["authorization", "x-api-key", "x-goog-api-key", "mj-api-secret", "sec-websocket-protocol", "cookie"];

/** The redacted fields: one entry per header, and the query string. */
export const WAF_REDACTED_FIELDS: aws.types.input.wafv2.WebAclLoggingConfigurationRedactedField[] = [
    ...REDACTED_HEADERS.map((name) => ({ singleHeader: { name } })),
    { queryString: {} },
];

/**
 * Keeps every request in the logs except those labelled `labelName` (fully qualified:
 * awswaf:<account>:webacl:<web ACL name>:<label>), whose path holds a token. A logging filter can
 * test only actions and labels, hence the labelling rule in front of the web ACL.
 */
export function credentialPathFilter(labelName: pulumi.Input<string>): aws.types.input.wafv2.WebAclLoggingConfigurationLoggingFilter {
    return {
        defaultBehavior: "KEEP",
        filters: [{ behavior: "DROP", requirement: "MEETS_ANY", conditions: [{ labelNameCondition: { labelName } }] }],
    };
}
