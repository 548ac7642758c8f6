// Health checks against OneHub's global per-IP API limiter. `/api/status` sits behind
// GLOBAL_API_RATE_LIMIT (router/api-router.go: apiRouter.Use(GlobalAPIRateLimit()) before
// GET /status): at most N requests per client IP in any 180 s (middleware/rate-limit.go, a sliding
// log of the last N request times). Without Redis every task keeps its own counters; with Redis
// the counter `rateLimit:GA<ip>` is shared by every task. Health checks carry no client header, so
// their "client" is the checker:
// - each ALB node checks every registered target of both target groups every ALB interval, from
//   its own address: one counter per ALB node, counting every task;
// - every container checks itself from 127.0.0.1 every container interval: one counter for all
//   tasks.
// A check answered 429 fails: past the limit the ALB marks healthy tasks unhealthy and ECS
// replaces them. The arithmetic is here, pure, so the numbers are tested on their own.
import { fail } from "../common/validation";

/** OneHub's window of the global API limit, in seconds (GlobalApiRateLimitDuration). */
export const API_RATE_LIMIT_WINDOW_SECONDS = 180;
/** OneHub's default GLOBAL_API_RATE_LIMIT (viper default global.api_rate_limit). */
export const ONEHUB_DEFAULT_API_RATE_LIMIT = 300;
/** The ALB target groups' health-check interval (serviceBase.ts). */
export const ALB_HEALTH_CHECK_INTERVAL_SECONDS = 15;
/** The containers' own health-check interval (serviceBase.ts). */
export const CONTAINER_HEALTH_CHECK_INTERVAL_SECONDS = 30;
/**
 * Head room over the counted checks: an ALB node that scales or a replacement task that starts
 * before the one it replaces has stopped (a Spot interruption) adds checks the count does not see.
 */
export const HEALTH_CHECK_MARGIN = 1.5;

/**
 * The most OneHub tasks that run at once: one master (it deploys 100 %/0 %, never two) and the
 * slaves at their maximum, doubled while a deployment runs old and new tasks side by side (200 %).
 */
export function peakTasks(slaveMaxCount: number): number {
    return 1 + 2 * slaveMaxCount;
}

export interface HealthCheckLoad {
    /** Tasks counted. */
    tasks: number;
    /** Checks one ALB node sends in one window: every task, every ALB interval. */
    perAlbNode: number;
    /** Checks all containers send from 127.0.0.1 in one window. */
    loopback: number;
    /** The larger of the two: what one counter must hold with a shared Redis. */
    peak: number;
}

/** Health checks per limiter window that land on one counter, with `tasks` sharing the counters (Redis). */
export function sharedHealthChecks(tasks: number): HealthCheckLoad {
    const perAlbNode = tasks * (API_RATE_LIMIT_WINDOW_SECONDS / ALB_HEALTH_CHECK_INTERVAL_SECONDS);
    const loopback = tasks * (API_RATE_LIMIT_WINDOW_SECONDS / CONTAINER_HEALTH_CHECK_INTERVAL_SECONDS);
    return { tasks, perAlbNode, loopback, peak: Math.max(perAlbNode, loopback) };
}

/**
 * The GLOBAL_API_RATE_LIMIT health checks need: with a shared Redis, the peak of every task's checks
 * on one counter, plus the margin; without, one task's own checks plus the margin. Never below
 * OneHub's default (raising it for the checks must not make real clients stricter).
 */
export function requiredApiRateLimit(slaveMaxCount: number, sharedRedis: boolean): number {
    const load = sharedHealthChecks(sharedRedis ? peakTasks(slaveMaxCount) : 1);
    return Math.ceil(load.peak * HEALTH_CHECK_MARGIN);
}

/**
 * The GLOBAL_API_RATE_LIMIT the nodes run with: `configured` (0 = choose) must hold the health
 * checks; with Redis and nothing configured, the larger of OneHub's default and what the checks
 * need. `undefined` means: leave OneHub's default (no Redis, nothing configured).
 */
export function apiRateLimit(key: string, configured: number, slaveMaxCount: number, sharedRedis: boolean): number | undefined {
    const required = requiredApiRateLimit(slaveMaxCount, sharedRedis);
    if (configured !== 0) {
        if (configured < required) {
            const load = sharedHealthChecks(sharedRedis ? peakTasks(slaveMaxCount) : 1);
            fail(
                key,
                configured,
                sharedRedis
                    ? `with a shared Redis every task's /api/status health checks count against one limiter per source address: each ALB node checks up to ${load.tasks} tasks (1 master + 2 × ${slaveMaxCount} slaves during a deployment) every ${ALB_HEALTH_CHECK_INTERVAL_SECONDS} s, ${load.perAlbNode} per ${API_RATE_LIMIT_WINDOW_SECONDS} s; must be at least ${required} (${HEALTH_CHECK_MARGIN}× that), or 0 to let the components choose`
                    : `each ALB node checks every task ${load.perAlbNode} times per ${API_RATE_LIMIT_WINDOW_SECONDS} s; must be at least ${required}, or 0 for OneHub's default (${ONEHUB_DEFAULT_API_RATE_LIMIT})`,
            );
        }
        return configured;
    }
    return sharedRedis ? Math.max(ONEHUB_DEFAULT_API_RATE_LIMIT, required) : undefined;
}
