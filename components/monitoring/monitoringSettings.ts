// The monitoring settings a stack chooses (alarm e-mails, the budget, the anomaly monitor) and the
// alarm thresholds derived from the deployment's own configuration. Pure: no Pulumi runtime, so the
// arithmetic is tested on plain values and shared by OneHub and OneHubMonitoring.
import { maxConnections } from "../database/aurora";
import { checkInteger, fail } from "../common/validation";

/** The tag the stack program puts on every resource, `<project>-<stack>`: the budget's cost-allocation tag. */
export const STACK_TAG = "onehub:stack";

/** Largest monthly budget we accept, in USD (a typo guard; AWS has no practical limit). */
const MAX_MONTHLY_BUDGET_USD = 10_000_000;
/** An e-mail address as SNS accepts one: local@domain.tld, no spaces. */
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
/**
 * A Cost Anomaly Detection monitor: arn:aws:ce::<account>:anomalymonitor/<id>. Cost Explorer is a
 * global service, so the ARN has no region.
 * See https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscostexplorerservice.html#awscostexplorerservice-resources-for-iam-policies
 */
const ANOMALY_MONITOR_ARN_RE = /^arn:aws[a-z-]*:ce::\d{12}:anomalymonitor\/[A-Za-z0-9-]{1,64}$/;

/** The settings both OneHub (config keys) and OneHubMonitoring (arguments) validate the same way. */
export interface MonitoringSettings {
    alarmEmails?: string[];
    monthlyBudgetUsd?: number;
    costAnomalyMonitorArn?: string;
}

/** Validates the settings; `k` names a field in errors (a config key or a component argument). */
export function checkMonitoringSettings(s: MonitoringSettings, k: (field: keyof MonitoringSettings) => string): void {
    const emails = s.alarmEmails ?? [];
    for (const email of emails) {
        if (typeof email !== "string" || !EMAIL_RE.test(email)) {
            fail(k("alarmEmails"), email, "must list e-mail addresses such as ops@example.com");
        }
    }
    if (new Set(emails.map((e) => e.toLowerCase())).size !== emails.length) {
        fail(k("alarmEmails"), emails, "lists an address twice (each would get every alarm twice)");
    }
    checkInteger(k("monthlyBudgetUsd"), s.monthlyBudgetUsd ?? 0, 0, MAX_MONTHLY_BUDGET_USD);
    const monitor = s.costAnomalyMonitorArn ?? "";
    if (monitor !== "" && !ANOMALY_MONITOR_ARN_RE.test(monitor)) {
        fail(
            k("costAnomalyMonitorArn"),
            monitor,
            'must be "" or the ARN of a Cost Anomaly Detection monitor, arn:aws:ce::<account>:anomalymonitor/<id> (aws ce get-anomaly-monitors)',
        );
    }
}

/** What the thresholds are derived from: the deployment's own configuration. */
export interface ThresholdInputs {
    slaveMinCount: number;
    slaveMaxCount: number;
    slaveCpuTarget: number;
    /** dbMaxCapacity, ACU. */
    databaseMaxCapacity: number;
    /** The max_connections the pools were sized from (the connection budget's). */
    databaseMaxConnections: number;
    /** CloudFront's origin response timeout, seconds. */
    originReadTimeout: number;
    monthlyBudgetUsd: number;
}

export interface Thresholds {
    /** Slave average CPU % that counts as "high" once the slaves can scale no further. */
    slaveCpuHigh: number;
    /** ServerlessDatabaseCapacity (ACU) that counts as "near the maximum": 90 % of it. */
    databaseCapacityNearMax: number;
    /** DatabaseConnections above which the pools are close to exhausting max_connections: 80 %. */
    databaseConnectionsHigh: number;
    /** FreeableMemory (bytes) below which Aurora is short of memory at its maximum: 5 % of it. */
    databaseFreeableMemoryLow: number;
    /** p99 time to the first response byte (s) of a slave above which answers approach CloudFront's 504: 80 %. */
    slaveP99Seconds: number;
    /** p99 response time (s) of the master's admin and API calls. */
    masterP99Seconds: number;
    /** Smallest cost anomaly (USD) worth an immediate notification: 5 % of the budget, at least $10. */
    anomalyImpactUsd: number;
}

/** Each ACU is about 2 GiB of memory (Aurora Serverless v2). */
const BYTES_PER_ACU = 2 * 1024 ** 3;

/** The thresholds for `t`; every alarm that has a configured counterpart follows it. */
export function thresholds(t: ThresholdInputs): Thresholds {
    return {
        slaveCpuHigh: Math.min(95, t.slaveCpuTarget + 15),
        databaseCapacityNearMax: Math.round(t.databaseMaxCapacity * 0.9 * 100) / 100,
        databaseConnectionsHigh: Math.floor(t.databaseMaxConnections * 0.8),
        databaseFreeableMemoryLow: Math.round(t.databaseMaxCapacity * BYTES_PER_ACU * 0.05),
        slaveP99Seconds: Math.round(t.originReadTimeout * 0.8 * 10) / 10,
        masterP99Seconds: 5,
        anomalyImpactUsd: Math.max(10, Math.ceil(t.monthlyBudgetUsd * 0.05)),
    };
}

/** The max_connections OneHub sizes its pools from: Aurora's at the smaller of the two capacities. */
export function budgetMaxConnections(maxCapacity: number, rebootedMaxCapacity: number): number {
    return maxConnections(Math.min(maxCapacity, rebootedMaxCapacity));
}
