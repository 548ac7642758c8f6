// Production guardrails: rules that apply only to production stacks (named prod or production,
// or tagged onehub:production=true) — a WAF on the distribution, an Aurora cluster that survives
// mistakes and an AZ loss, Container Insights on the ECS cluster, and alarms that tell someone when
// the master is down or requests fail; and, advisory, viewers on TLS 1.2+ through a custom domain.
// See docs/architecture.md#production.
import * as aws from "@pulumi/aws";
import { Policies, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isOneHubContainer, isProductionStack, nodeRole, parseContainers } from "./helpers";
import { ADVISORY, isAny, MANDATORY, requireProduction, stackNameOf, see, TARGET_GROUPS, taskDefinitionOf } from "./plumbing";

/** Production keeps at least a week of point-in-time recovery. */
export const MIN_PROD_BACKUP_DAYS = 7;

export const prodWafAttached: ResourceValidationPolicy = {
    name: "prod-waf-attached",
    description: "In production stacks every CloudFront distribution has a WAF web ACL (webAclId)." + see("production"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, args, report) => {
        requireProduction(args);
        if (!distribution.webAclId) {
            report("has no web ACL; set onehub:wafEnabled true for production");
        }
    }),
};

export const prodAuroraReaderInOtherAz: StackValidationPolicy = {
    name: "prod-aurora-reader-in-other-az",
    description:
        "In production stacks every Aurora cluster has a writer and at least one reader, pinned to different AZs, so a failover survives an AZ loss." +
        see("production"),
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        if (!isProductionStack(stackNameOf(args), args.stackTags)) {
            return args.notApplicable("applies only to production stacks");
        }
        const clusters = args.resources.filter((r) => r.isType(aws.rds.Cluster));
        if (clusters.length === 0) {
            return args.notApplicable("no RDS cluster in the stack");
        }
        const instances = args.resources.filter((r) => r.isType(aws.rds.ClusterInstance));
        for (const cluster of clusters) {
            const ids = [cluster.props.id, cluster.props.clusterIdentifier].filter((v) => v !== undefined);
            const members = instances.filter(
                (i) => i.dependencies.some((d) => d.urn === cluster.urn) || ids.includes(i.props.clusterIdentifier),
            );
            const zones = new Set(members.map((i) => i.props.availabilityZone).filter((z) => typeof z === "string" && z !== ""));
            if (members.length < 2) {
                report(
                    `${cluster.name} has ${members.length} instance(s); production needs a writer and a reader in another AZ (onehub:dbReaderCount ≥ 1)`,
                    cluster.urn,
                );
            } else if (zones.size < 2) {
                report(
                    `${cluster.name}'s instances are not pinned to at least two AZs (${[...zones].join(", ") || "none set"}); a failover must not land in the failed AZ`,
                    cluster.urn,
                );
            }
        }
    },
};

export const prodAuroraBackupRetention: ResourceValidationPolicy = {
    name: "prod-aurora-backup-retention",
    description: `In production stacks Aurora keeps automated backups for at least ${MIN_PROD_BACKUP_DAYS} days.` + see("production"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, args, report) => {
        requireProduction(args);
        // AWS keeps 1 day when none is set.
        const days = cluster.backupRetentionPeriod ?? 1;
        if (days < MIN_PROD_BACKUP_DAYS) {
            report(
                `backupRetentionPeriod is ${days} day(s); production keeps at least ${MIN_PROD_BACKUP_DAYS} (onehub:dbBackupRetentionDays)`,
            );
        }
    }),
};

export const prodAuroraDeletionProtection: ResourceValidationPolicy = {
    name: "prod-aurora-deletion-protection",
    description: "In production stacks Aurora has deletion protection on and takes a final snapshot when deleted." + see("production"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.rds.Cluster, (cluster, args, report) => {
        requireProduction(args);
        if (cluster.deletionProtection !== true) {
            report("deletionProtection is not true (onehub:dbDeletionProtection)");
        }
        if (cluster.skipFinalSnapshot === true || !cluster.finalSnapshotIdentifier) {
            report(
                "no final snapshot is taken on deletion: set skipFinalSnapshot false and a finalSnapshotIdentifier (onehub:dbFinalSnapshot)",
            );
        }
    }),
};

/** Metrics that tell whether the master serves: its healthy (or unhealthy) targets, its running tasks. */
const AVAILABILITY_METRICS = ["HealthyHostCount", "UnHealthyHostCount", "RunningTaskCount"];
/** Metrics of 5xx answers: the ALB's, the targets', CloudFront's. */
const SERVER_ERROR_METRIC = /5XX|5xx|50[234]/;

/** The metric names an alarm evaluates: its metric, or every metric of its metric math. */
function alarmMetrics(props: Record<string, any>): string[] {
    const queries: any[] = Array.isArray(props.metricQueries) ? props.metricQueries : [];
    return [props.metricName, ...queries.map((q) => q?.metric?.metricName)].filter((m): m is string => typeof m === "string");
}

export const prodAlarmsWithActions: StackValidationPolicy = {
    name: "prod-alarms-master-and-5xx",
    description:
        "In production stacks a CloudWatch alarm with an action watches the master's availability (healthy targets or running tasks of the master's target group or service), and one watches 5xx answers: nobody is told otherwise that the admin API is down or requests fail (onehub:monitoringEnabled)." +
        see("production"),
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        if (!isProductionStack(stackNameOf(args), args.stackTags)) {
            return args.notApplicable("applies only to production stacks");
        }
        const masters = args.resources.filter((r) => {
            if (!r.isType(aws.ecs.Service)) {
                return false;
            }
            const task = taskDefinitionOf(r, args.resources);
            const containers = (task && parseContainers(task.props.containerDefinitions)?.filter(isOneHubContainer)) || [];
            return containers.some((c) => nodeRole(c) === "master");
        });
        if (masters.length === 0) {
            return args.notApplicable("no ECS service runs a OneHub master");
        }
        const alarms = args.resources.filter(
            (r) => r.isType(aws.cloudwatch.MetricAlarm) && Array.isArray(r.props.alarmActions) && r.props.alarmActions.length > 0,
        );
        for (const master of masters) {
            // What identifies the master in a metric: its target groups and the service itself.
            const watched = [master, ...master.dependencies.filter((d) => isAny(d, TARGET_GROUPS))].map((r) => r.urn);
            const names = [master.props.name].filter((n) => typeof n === "string" && n !== "");
            const watches = alarms.some(
                (a) =>
                    alarmMetrics(a.props).some((m) => AVAILABILITY_METRICS.includes(m)) &&
                    (a.dependencies.some((d) => watched.includes(d.urn)) || names.includes(a.props.dimensions?.ServiceName)),
            );
            if (!watches) {
                report(
                    `no alarm with an action watches ${master.name}'s availability (HealthyHostCount of its target group or RunningTaskCount of the service); enable onehub:monitoringEnabled`,
                    master.urn,
                );
            }
        }
        if (!alarms.some((a) => alarmMetrics(a.props).some((m) => SERVER_ERROR_METRIC.test(m)))) {
            report(
                "no alarm with an action watches 5xx answers (HTTPCode_Target_5XX_Count, HTTPCode_ELB_5XX_Count or 502/503/504, CloudFront 5xxErrorRate); enable onehub:monitoringEnabled",
            );
        }
    },
};

export const prodEcsContainerInsights: ResourceValidationPolicy = {
    name: "prod-ecs-container-insights",
    description:
        "In production stacks ECS clusters have Container Insights on (enabled or enhanced); other stacks may leave it off, as it is charged per metric." +
        see("production"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.Cluster, (cluster, args, report) => {
        requireProduction(args);
        const setting = (cluster.settings ?? []).find((s) => s.name === "containerInsights");
        if (setting?.value !== "enabled" && setting?.value !== "enhanced") {
            report(
                `containerInsights is ${JSON.stringify(setting?.value ?? "unset")}; set onehub:containerInsights to enabled for production`,
            );
        }
    }),
};

export const prodViewerTlsCustomDomain: ResourceValidationPolicy = {
    name: "prod-viewer-tls-custom-domain",
    description:
        "Advisory: in production stacks every CloudFront distribution serves its own certificate (onehub:customDomain). With the *.cloudfront.net certificate CloudFront lets viewers negotiate TLS 1.0 whatever minimumProtocolVersion says, and API keys travel in headers." +
        see("production"),
    enforcementLevel: ADVISORY,
    validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, args, report) => {
        requireProduction(args);
        const cert = distribution.viewerCertificate;
        if (!cert?.acmCertificateArn && !cert?.iamCertificateId) {
            report(
                "uses the *.cloudfront.net certificate, with which viewers may still negotiate TLS 1.0 or 1.1; set onehub:customDomain (and certificateArn or hostedZoneId) for TLS 1.2 or newer",
            );
        }
    }),
};

/** The production guardrails, in the order reports list them. */
export const productionPolicies: Policies = [
    prodWafAttached,
    prodAuroraReaderInOtherAz,
    prodAuroraBackupRetention,
    prodAuroraDeletionProtection,
    prodAlarmsWithActions,
    prodEcsContainerInsights,
    prodViewerTlsCustomDomain,
];
