// Which ALB listener rules send which OneHub paths where, and a model of how the ALB
// evaluates them, so tests can check real OneHub paths against the rules we register.
import { fail } from "../common/validation";

/**
 * OneHub's relay (API-key) route groups, from its router: these scale out on the slaves.
 * ALB path patterns are case-sensitive, hence `recraftAI`. `*v1*` would miss `/mj`, `/suno`
 * and billing, so each group is listed.
 */
export const RELAY_PATHS = [
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
];

/**
 * Paths that must reach the master whatever else is configured: the admin API (per-process
 * verification codes, payment locks, the Telegram bot, admin edits) and in-memory MCP sessions.
 */
export const MASTER_PATHS = ["/api/*", "/mcp/*"];

/**
 * OneHub paths that must never be reachable from the internet, each with the reason. The edge answers
 * them with the listener's own JSON 404 at priorities below every service rule (`internalPathRules`),
 * percent-encoded spellings included: OneHub's router (gin) matches the decoded path, the ALB the raw
 * one. Read in OneHub's `router/` (v0.14.27 and main) and left public on purpose:
 * `/api/system_info/log` (root only, the admin UI's log viewer), `/api/telegram/*` (Telegram's
 * webhook calls it; the bot token in the path is its check), `/api/payment/notify/*` (payment
 * providers' callbacks).
 */
export const INTERNAL_PATHS: ReadonlyArray<{ path: string; why: string }> = [
    {
        path: "/api/metrics",
        why: "Prometheus metrics (traffic per channel, model and token type) guarded by basic auth alone once METRICS_USER/METRICS_PASSWORD are set; a scraper belongs inside the VPC",
    },
];

/**
 * Rule priorities (lower wins): the internal 404s first, then master paths, relay rules, and the
 * master catch-all last.
 */
export const PRIORITY = { internalBase: 1, internalMax: 9, masterPaths: 10, relayBase: 100, relayMax: 199, catchAll: 50000 };

/** ALB regular expressions in rule conditions are at most 128 characters. */
const MAX_REGEX_LENGTH = 128;

/** ALB quotas per rule: 5 condition values and 5 wildcards; path patterns are ≤ 128 characters. */
export const MAX_VALUES_PER_RULE = 5;
export const MAX_WILDCARDS_PER_RULE = 5;
const MAX_PATTERN_LENGTH = 128;
/** Characters an ALB path pattern may hold. */
const PATTERN_RE = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]*$/;

/** Master-only paths a relay pattern must never match: web UI, callbacks, login. */
const MASTER_PROBES = ["/", "/index.html", "/login", "/panel", "/panel/dashboard", "/oauth/github", "/assets/index.js", "/favicon.ico"];

interface RuleSpec {
    priority: number;
    pathPatterns: string[];
}

const wildcards = (pattern: string) => (pattern.match(/[*?]/g) ?? []).length;

/**
 * Packs patterns, in order, into rules of at most 5 values and 5 wildcards, with consecutive
 * unique priorities.
 */
export function chunkRules(patterns: readonly string[], firstPriority: number): RuleSpec[] {
    const rules: RuleSpec[] = [];
    let current: string[] = [];
    const flush = () => {
        if (current.length > 0) {
            rules.push({ priority: firstPriority + rules.length, pathPatterns: current });
            current = [];
        }
    };
    for (const pattern of patterns) {
        const used = current.reduce((n, p) => n + wildcards(p), 0);
        if (current.length === MAX_VALUES_PER_RULE || used + wildcards(pattern) > MAX_WILDCARDS_PER_RULE) {
            flush();
        }
        current.push(pattern);
    }
    flush();
    return rules;
}

/** ALB path-pattern matching: `*` any run of characters, `?` exactly one, case-sensitive, whole path. */
export function matchesPathPattern(pattern: string, path: string): boolean {
    return globAt(pattern, 0, path, 0, false);
}

/** True if `pattern` matches some path that starts with `prefix` (e.g. "/api/"). */
export function mayMatchPrefix(pattern: string, prefix: string): boolean {
    return globAt(pattern, 0, prefix, 0, true);
}

// Backtracking glob; with `prefixOnly`, reaching the end of `text` with pattern left over
// counts as a match, since the rest of the pattern can match whatever follows the prefix.
function globAt(p: string, i: number, t: string, j: number, prefixOnly: boolean): boolean {
    if (j === t.length && prefixOnly) {
        return true;
    }
    if (i === p.length) {
        return j === t.length;
    }
    if (p[i] === "*") {
        for (let k = j; k <= t.length; k++) {
            if (globAt(p, i + 1, t, k, prefixOnly)) {
                return true;
            }
        }
        return false;
    }
    return j < t.length && (p[i] === "?" || p[i] === t[j]) && globAt(p, i + 1, t, j + 1, prefixOnly);
}

/**
 * Checks the relay patterns (built-in plus extra) an operator asks for: valid ALB patterns,
 * not duplicated, and never able to capture a path that must reach the master.
 */
export function checkRelayPaths(key: string, extra: readonly string[]): string[] {
    const all = [...RELAY_PATHS, ...extra];
    for (const pattern of extra) {
        if (pattern.length > MAX_PATTERN_LENGTH || !PATTERN_RE.test(pattern) || wildcards(pattern) > MAX_WILDCARDS_PER_RULE) {
            fail(
                key,
                pattern,
                `each must be an ALB path pattern: starts with "/", at most ${MAX_PATTERN_LENGTH} characters of A–Z a–z 0–9 _ - . $ / ~ " ' @ : + & * ? with at most ${MAX_WILDCARDS_PER_RULE} wildcards`,
            );
        }
        for (const master of MASTER_PATHS) {
            const prefix = master.replace("*", "");
            if (mayMatchPrefix(pattern, prefix)) {
                fail(key, pattern, `would capture ${master}, which must reach the master`);
            }
        }
        const probe = MASTER_PROBES.find((path) => matchesPathPattern(pattern, path));
        if (probe !== undefined) {
            fail(key, pattern, `would capture the master's web UI path ${probe}`);
        }
    }
    const duplicate = all.find((p, i) => all.indexOf(p) !== i);
    if (duplicate !== undefined) {
        fail(key, duplicate, "is already routed to the slaves (listed twice)");
    }
    const maxRules = PRIORITY.relayMax - PRIORITY.relayBase + 1;
    if (chunkRules(all, PRIORITY.relayBase).length > maxRules) {
        fail(key, extra, `needs more than ${maxRules} listener rules; list fewer patterns`);
    }
    return all;
}

export interface ListenerRuleModel {
    priority: number;
    pathPatterns: string[];
    /** Regular expressions on the raw path (a `regexValues` condition), instead of patterns. */
    regexValues?: string[];
    /** Where the rule sends the request (a target group ARN, or a fixed response). */
    target: string;
}

/**
 * Evaluates rules as the ALB does: by ascending priority, the first rule whose path patterns or
 * regular expressions (any of them) match the raw path wins; with none, the listener's default action.
 */
export function route(rules: readonly ListenerRuleModel[], path: string, defaultTarget: string): string {
    const byPriority = [...rules].sort((a, b) => a.priority - b.priority);
    const hit = byPriority.find(
        (r) => r.pathPatterns.some((p) => matchesPathPattern(p, path)) || (r.regexValues ?? []).some((re) => new RegExp(re).test(path)),
    );
    return hit ? hit.target : defaultTarget;
}

/** A listener rule of the edge's own: path patterns or (a separate rule) regular expressions. */
export interface InternalPathRule {
    priority: number;
    pathPatterns?: string[];
    regexValues?: string[];
}

const escapeRegex = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A regular expression for every raw path that OneHub decodes to `path` or below it: each character
 * after the leading "/" literally or percent-encoded (either case of the hex digits). gin matches the
 * decoded path (Go's URL.Path), while ALB path patterns see the raw one and cannot even hold a "%".
 */
export function encodedPathRegex(path: string): string {
    const hex = (c: string) =>
        c
            .charCodeAt(0)
            .toString(16)
            .padStart(2, "0")
            .replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);
    const chars = [...path.slice(1)].map((c) => `(${escapeRegex(c)}|%${hex(c)})`).join("");
    return `^/${chars}((/|%2[fF]).*)?$`;
}

/**
 * The edge's 404 rules for INTERNAL_PATHS: one or more of path patterns (the path and everything
 * below it), then one or more of regular expressions for the percent-encoded spellings, at
 * priorities from PRIORITY.internalBase, all below the master's /api/* rule.
 */
export function internalPathRules(paths: readonly string[] = INTERNAL_PATHS.map((p) => p.path)): InternalPathRule[] {
    const patterns = chunkRules(
        paths.flatMap((p) => [p, `${p}/*`]),
        PRIORITY.internalBase,
    ).map((r): InternalPathRule => ({ priority: r.priority, pathPatterns: r.pathPatterns }));
    const regexes = paths.map(encodedPathRegex);
    const tooLong = regexes.find((re) => re.length > MAX_REGEX_LENGTH);
    if (tooLong !== undefined) {
        fail("INTERNAL_PATHS", tooLong, `each encoded-path expression must fit the ALB's ${MAX_REGEX_LENGTH} characters`);
    }
    const rules = [...patterns];
    for (let i = 0; i < regexes.length; i += MAX_VALUES_PER_RULE) {
        rules.push({ priority: PRIORITY.internalBase + rules.length, regexValues: regexes.slice(i, i + MAX_VALUES_PER_RULE) });
    }
    if (rules.length > PRIORITY.internalMax - PRIORITY.internalBase + 1) {
        fail("INTERNAL_PATHS", paths, `needs more than ${PRIORITY.internalMax - PRIORITY.internalBase + 1} listener rules`);
    }
    return rules;
}
