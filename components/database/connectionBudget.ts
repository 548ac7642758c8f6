// Sizes each task's database pool so that every task at maximum scale fits the database's
// connection limit. OneHub's own defaults (1000 open per task) would exhaust a small Aurora
// ("Error 1040: Too many connections") as soon as the slaves scale out.
import { maxConnections } from "./aurora";
import { fail } from "../common/validation";

/** Connections kept free for the RDS agent, the Query Editor and an operator's client. */
export const RESERVED_CONNECTIONS = 10;
/** More open connections per task buy nothing: OneHub's queries are short single-row updates. */
const MAX_OPEN_PER_TASK = 100;
/** Below this a task queues its own billing writes behind each other. */
const MIN_OPEN_PER_TASK = 5;

interface PoolSettings {
    /** SQL_MAX_OPEN_CONNS */
    maxOpen: number;
    /** SQL_MAX_IDLE_CONNS */
    maxIdle: number;
    /** SQL_MAX_LIFETIME, in seconds (OneHub reads seconds, not the minutes its docs claim). */
    maxLifetimeSeconds: number;
    /** What the arithmetic used, for the README and the plan. */
    databaseMaxConnections: number;
    maxTasks: number;
}

/**
 * maxOpen = min(100, floor((max_connections − 10 reserved) / (1 master + maxSlaves))), where
 * max_connections is Aurora's at `capacity` ACU (the capacity the instances run with now).
 * `keys` name the settings a user would change when the budget is too small.
 */
export function poolSettings(capacity: number, maxSlaves: number, keys: { capacity: string; slaveMaxCount: string }): PoolSettings {
    const databaseMaxConnections = maxConnections(capacity);
    const maxTasks = 1 + maxSlaves;
    const perTask = Math.floor((databaseMaxConnections - RESERVED_CONNECTIONS) / maxTasks);
    if (perTask < MIN_OPEN_PER_TASK) {
        fail(
            keys.slaveMaxCount,
            maxSlaves,
            `with ${keys.capacity} = ${capacity} (max_connections ${databaseMaxConnections}) leaves ${perTask} connections per task for ${maxTasks} tasks; ` +
                `at least ${MIN_OPEN_PER_TASK} are needed: lower ${keys.slaveMaxCount} or raise ${keys.capacity}`,
        );
    }
    const maxOpen = Math.min(MAX_OPEN_PER_TASK, perTask);
    return { maxOpen, maxIdle: Math.min(10, maxOpen), maxLifetimeSeconds: 300, databaseMaxConnections, maxTasks };
}

/**
 * Fails unless `tasks` tasks with `poolPerTask` open connections each, plus the reserve, fit the
 * database's `max_connections`. `keys` name the pool and the task count in the message.
 */
export function checkPoolFits(
    keys: { pool: string; tasks: string },
    poolPerTask: number,
    tasks: number,
    databaseMaxConnections: number,
): void {
    const needed = poolPerTask * tasks + RESERVED_CONNECTIONS;
    if (needed > databaseMaxConnections) {
        fail(
            keys.pool,
            poolPerTask,
            `× ${tasks} tasks (${keys.tasks}) + ${RESERVED_CONNECTIONS} reserved = ${needed} connections, more than the database's max_connections ` +
                `(${databaseMaxConnections}): lower it to ${Math.max(0, Math.floor((databaseMaxConnections - RESERVED_CONNECTIONS) / tasks))} or less, ` +
                `lower the task count, or give the database more capacity`,
        );
    }
}
