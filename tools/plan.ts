// `npm run plan -- <stack> [--json FILE] [--update-snapshot]`: the stack program run offline
// (same config loading and mocks as the tests), printed as a resource tree with each
// resource's key settings, a count by type and the stack outputs (secrets masked).
import * as fs from "fs";
import { deriveVpcChildren } from "./awsxVpcLayout";
import { knownStacks, placeholderNotes, RegisteredResource, runStack, StackRun } from "./offlineStack";
import { normalizedInputs, resourcePath, SECRET_MASK, writeSnapshot } from "./snapshot";
import { webAclCapacity } from "../components/edge/wafRules";

type Summary = (inputs: any) => string;

const describeJson = (s: string) => JSON.parse(s);

/**
 * What viewers may negotiate: with its own certificate the distribution's minimum; with the
 * *.cloudfront.net one CloudFront applies TLSv1 whatever minimumProtocolVersion says.
 */
function viewerTls(cert: any): string {
    return cert?.acmCertificateArn || cert?.iamCertificateId
        ? `viewer TLS ≥ ${cert.minimumProtocolVersion ?? "TLSv1"}`
        : "viewer TLS 1.0+ (*.cloudfront.net certificate: minimumProtocolVersion does not apply; a custom domain gives TLS 1.2+)";
}

/** The settings a reviewer looks at first, per resource type. */
const SUMMARIES: Record<string, Summary> = {
    "awsx:ec2:Vpc": (i) => {
        const zones: string[] | undefined = i.availabilityZoneNames;
        return `${i.cidrBlock}, ${zones ? `${zones.length} AZs (${zones.join(" ")})` : `first ${i.numberOfAvailabilityZones} AZs`}, NAT gateways ${i.natGateways?.strategy}`;
    },
    "aws:lambda/function:Function": (i) =>
        `${i.runtime}, timeout ${i.timeout} s (${i.environment ? "runtime function: an event rule's target" : "deploy-time step"})`,
    "aws:elasticache/serverlessCache:ServerlessCache": (i) =>
        `${i.engine} ${i.majorEngineVersion}, ≤ ${i.cacheUsageLimits?.dataStorage?.maximum} GB, ≤ ${i.cacheUsageLimits?.ecpuPerSeconds?.[0]?.maximum} ECPU/s, snapshots kept ${i.snapshotRetentionLimit}`,
    "aws:elasticache/user:User": (i) => `${i.userName} (${i.accessString}), ${i.authenticationMode?.type} authentication`,
    "aws:elasticache/userGroup:UserGroup": (i) => `${i.engine}, ${i.userIds?.length} users`,
    "aws:cloudfront/function:Function": (i) => `${i.runtime}, published ${i.publish}`,
    "aws:lambda/permission:Permission": (i) => `${i.principal} may invoke`,
    "aws:lambda/invocation:Invocation": () => "runs the step when its input changes",
    "aws:iam/rolePolicy:RolePolicy": (i) => {
        const statements = describeJson(i.policy).Statement ?? [];
        return statements
            .map(
                (s: any) =>
                    `${[s.Action].flat().join(" ")} on ${[s.Resource]
                        .flat()
                        .map((r: string) => r.replace(/^arn:[^:]+:[^:]+:[^:]*:[^:]*:/, ""))
                        .join(" ")}`,
            )
            .join("; ");
    },
    "aws:rds/cluster:Cluster": (i) =>
        `${i.engineVersion}, ${i.serverlessv2ScalingConfiguration?.minCapacity}–${i.serverlessv2ScalingConfiguration?.maxCapacity} ACU, encrypted ${i.storageEncrypted}, backups ${i.backupRetentionPeriod} d, deletion protection ${i.deletionProtection}`,
    "aws:rds/clusterInstance:ClusterInstance": (i) => `${i.instanceClass} in ${i.availabilityZone}, public ${i.publiclyAccessible}`,
    "aws:lb/loadBalancer:LoadBalancer": (i) => `internal ${i.internal}, idle timeout ${i.idleTimeout} s`,
    "aws:lb/listener:Listener": (i) => `${i.protocol}:${i.port} → ${i.defaultActions?.[0]?.type}`,
    "aws:lb/listenerRule:ListenerRule": (i) =>
        `priority ${i.priority}: ${i.conditions?.flatMap((c: any) => [...(c.pathPattern?.values ?? []), ...(c.pathPattern?.regexValues ?? []).map((re: string) => `regex ${re}`)]).join(" ")}${i.actions?.[0]?.type === "fixed-response" ? ` → fixed ${i.actions[0].fixedResponse?.statusCode}` : ""}`,
    "aws:lb/targetGroup:TargetGroup": (i) => `${i.targetType}:${i.port}, health ${i.healthCheck?.path}, drain ${i.deregistrationDelay} s`,
    "aws:cloudfront/distribution:Distribution": (i) =>
        `${i.priceClass}, read timeout ${i.origins?.[0]?.vpcOriginConfig?.originReadTimeout} s, ${i.aliases?.join(" ") ?? "no custom domain"}, WAF ${i.webAclId ? "on" : "off"}, ${viewerTls(i.viewerCertificate)}`,
    "aws:cloudfront/vpcOrigin:VpcOrigin": (i) => `${i.vpcOriginEndpointConfig?.originProtocolPolicy}`,
    "aws:wafv2/webAcl:WebAcl": (i) => `${i.scope}, ${i.rules?.length} rules, ${webAclCapacity(i.rules ?? [])} WCU of the 1500 included`,
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": (i) =>
        `→ ${i.logDestinationConfigs?.join(" ")}, ${i.redactedFields?.length ?? 0} fields redacted, ${i.loggingFilter?.filters?.length ?? 0} drop filter(s)`,
    "aws:ecs/service:Service": (i) =>
        `desired ${i.desiredCount}, deploy ${i.deploymentMinimumHealthyPercent}–${i.deploymentMaximumPercent} %, ${(i.capacityProviderStrategies ?? []).map((s: any) => `${s.capacityProvider}${s.base ? ` base ${s.base}` : ""} w${s.weight}`).join(" + ")}, ECS Exec ${i.enableExecuteCommand ? "on" : "off"}`,
    "aws:ecs/cluster:Cluster": (i) => {
        const exec = i.configuration?.executeCommandConfiguration;
        return `Container Insights ${i.settings?.find((s: any) => s.name === "containerInsights")?.value ?? "account default"}, ECS Exec sessions ${exec ? `logged (${exec.logging}) to ${exec.logConfiguration?.cloudWatchLogGroupName ?? exec.logConfiguration?.s3BucketName}${exec.kmsKeyId ? `, KMS ${exec.kmsKeyId}` : ""}` : "not configured"}`;
    },
    "aws:iam/role:Role": (i) => {
        const statements = describeJson(i.assumeRolePolicy).Statement ?? [];
        const who = statements
            .map((s: any) =>
                Object.values(s.Principal ?? {})
                    .flat()
                    .join(" "),
            )
            .join(", ");
        const conditions = statements.flatMap((s: any) =>
            Object.entries(s.Condition ?? {}).flatMap(([op, block]: [string, any]) =>
                Object.entries(block).map(([k, v]) => `${op} ${k} ${v}`),
            ),
        );
        return `trusts ${who}${conditions.length ? ` if ${conditions.join(" and ")}` : ""}`;
    },
    "aws:secretsmanager/secret:Secret": (i) => i.description ?? "",
    "aws:ecs/taskDefinition:TaskDefinition": (i) => {
        const [c] = describeJson(i.containerDefinitions);
        const env = Object.fromEntries(c.environment.map((e: any) => [e.name, e.value]));
        return `${i.cpu} CPU / ${i.memory} MiB ${i.runtimePlatform?.cpuArchitecture}, ${c.image}, NODE_TYPE ${env.NODE_TYPE}, pool ${env.SQL_MAX_OPEN_CONNS}, secrets ${c.secrets.map((s: any) => s.name).join(" ")}${c.entryPoint ? `, wrapper grace ${c.entryPoint.at(-1)} s` : ""}`;
    },
    "aws:appautoscaling/target:Target": (i) => `${i.minCapacity}–${i.maxCapacity} tasks`,
    "aws:appautoscaling/policy:Policy": (i) =>
        `${i.targetTrackingScalingPolicyConfiguration?.predefinedMetricSpecification?.predefinedMetricType} → ${i.targetTrackingScalingPolicyConfiguration?.targetValue}`,
    "aws:cloudwatch/logGroup:LogGroup": (i) =>
        `retention ${i.retentionInDays} d${i.namePrefix ? `, ${i.namePrefix}…` : ""}${i.region ? ` in ${i.region}` : ""}`,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (i) =>
        `${i.ipProtocol} ${i.fromPort ?? "all"} from ${i.prefixListId ?? i.referencedSecurityGroupId ?? i.cidrIpv4}`,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (i) =>
        `${i.ipProtocol} ${i.fromPort ?? "all"} to ${i.referencedSecurityGroupId ?? i.cidrIpv4}`,
    "random:index/randomPassword:RandomPassword": (i) => `${i.length} characters`,
    "aws:cloudwatch/metricAlarm:MetricAlarm": (i) => alarmSummary(i),
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": (i) => `composite ${i.alarmRule}${i.alarmActions?.length ? "" : ", no actions"}`,
    "aws:cloudwatch/eventRule:EventRule": (i) => {
        const p = describeJson(i.eventPattern ?? "{}");
        return `${p["detail-type"]?.join(" ")}: ${JSON.stringify(p.detail ?? {})}`;
    },
    "aws:budgets/budget:Budget": (i) =>
        `${i.limitAmount} ${i.limitUnit}/${i.timeUnit}, ${i.costFilters ? i.costFilters.map((f: any) => f.values.join(" ")).join(" ") : "whole account"}, notify ${(i.notifications ?? []).map((n: any) => `${n.notificationType} > ${n.threshold} %`).join(", ")}`,
    "aws:sns/topic:Topic": (i) => `in ${i.region ?? "the stack's region"}`,
    "aws:ec2/vpcEndpoint:VpcEndpoint": (i) =>
        `${i.vpcEndpointType} ${i.serviceName}, private DNS ${i.privateDnsEnabled}, ${i.subnetIds?.length} AZs`,
    "aws:iam/user:User": (i) => `path ${i.path ?? "/"}, no console login`,
    "aws:iam/userPolicy:UserPolicy": (i) => {
        const statements: any[] = describeJson(i.policy).Statement;
        return statements.map((st) => `${[st.Action].flat().join(" ")} on ${[st.Resource].flat().length} ARNs`).join("; ");
    },
    "aws:iam/accessKey:AccessKey": (i) => `${i.status ?? "Active"}, its secret in state (encrypted) and in the key slot's secrets`,
    "aws:ec2/route:Route": (i) =>
        `${i.destinationCidrBlock} → ${i.networkInterfaceId ?? i.natGatewayId ?? i.gatewayId} in ${i.routeTableId}`,
    "aws:ec2/networkInterface:NetworkInterface": (i) => `in ${i.subnetId}, source/destination check ${i.sourceDestCheck}`,
    "aws:ec2/launchTemplate:LaunchTemplate": (i) => `${i.instanceType}, ${i.imageId}, IMDSv2 ${i.metadataOptions?.httpTokens}`,
    "aws:autoscaling/group:Group": (i) =>
        `${i.minSize}–${i.maxSize} instance in ${i.vpcZoneIdentifiers?.join(" ")}, template version ${i.launchTemplate?.version}`,
    "aws:ec2/eip:Eip": (i) => `Elastic IP (${i.domain})`,
};

const OPERATORS: Record<string, string> = {
    GreaterThanThreshold: ">",
    GreaterThanOrEqualToThreshold: "≥",
    LessThanThreshold: "<",
    LessThanOrEqualToThreshold: "≤",
    GreaterThanUpperThreshold: "> band",
};

/** "<metric or expression> <op> <threshold> over <n>×<period> s, missing <treatment>[, region][, no actions]". */
function alarmSummary(i: any): string {
    const what = i.metricQueries
        ? (i.metricQueries.find((q: any) => q.returnData && q.expression)?.expression ?? "metric math")
        : `${i.namespace} ${i.metricName} ${i.statistic ?? i.extendedStatistic}`;
    const period = i.period ?? i.metricQueries?.find((q: any) => q.metric)?.metric?.period;
    const window = `${i.datapointsToAlarm ?? i.evaluationPeriods} of ${i.evaluationPeriods}×${period} s`;
    const threshold = i.threshold ?? "";
    return `${what} ${OPERATORS[i.comparisonOperator] ?? i.comparisonOperator}${threshold === "" ? "" : ` ${threshold}`} in ${window}, missing ${i.treatMissingData}${i.region ? `, ${i.region}` : ""}${i.alarmActions?.length ? "" : ", no actions"}`;
}

/** "N alarms (M metric math, A anomaly, C composite; X without actions)", for the plan's header. */
export function alarmCount(run: StackRun): string {
    const metric = run.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
    const composite = run.resources.filter((r) => r.type === "aws:cloudwatch/compositeAlarm:CompositeAlarm");
    const math = metric.filter((r) => r.inputs.metricQueries && !r.inputs.thresholdMetricId).length;
    const anomaly = metric.filter((r) => r.inputs.thresholdMetricId).length;
    const silent = [...metric, ...composite].filter((r) => !r.inputs.alarmActions?.length).length;
    return `${metric.length + composite.length} alarms (${metric.length - math - anomaly} standard, ${math} metric math, ${anomaly} anomaly detection, ${composite.length} composite; ${silent} without actions: composite members and deployment rollback alarms)`;
}

export function summarize(r: RegisteredResource): string {
    const summary = SUMMARIES[r.type];
    return summary ? summary(r.inputs) : "";
}

/** The resource tree, indented by component, each line "type name — key settings". */
export function renderTree(run: StackRun): string[] {
    const children = new Map<string, RegisteredResource[]>();
    for (const r of run.resources) {
        children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    }
    const lines: string[] = [];
    const walk = (parent: string, depth: number) => {
        const kids = (children.get(parent) ?? []).sort((a, b) => Number(a.custom) - Number(b.custom) || a.name.localeCompare(b.name));
        for (const r of kids) {
            const summary = summarize(r);
            lines.push(`${"  ".repeat(depth)}${r.custom ? "" : "▸ "}${r.type} ${r.name}${summary ? ` — ${summary}` : ""}`);
            if (r.type === "awsx:ec2:Vpc") {
                // awsx creates these remotely; derived from its arguments so a network change is visible too.
                for (const child of deriveVpcChildren(r)) {
                    const detail = Object.entries(child.inputs)
                        .map(([k, v]) => `${k} ${v}`)
                        .join(", ");
                    lines.push(`${"  ".repeat(depth + 1)}(derived) ${child.type} ${child.name}${detail ? ` — ${detail}` : ""}`);
                }
            }
            walk(r.urn, depth + 1);
        }
    };
    walk("", 0);
    return lines;
}

export function countByType(run: StackRun): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of run.resources) {
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    }
    return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

export function maskedOutputs(run: StackRun): Record<string, unknown> {
    return Object.fromEntries(Object.entries(run.outputs).map(([k, v]) => [k, run.secretOutputs.includes(k) ? SECRET_MASK : v]));
}

export function planJson(run: StackRun) {
    return {
        stack: run.stack,
        resources: run.resources.map((r) => ({
            path: resourcePath(run, r),
            type: r.type,
            summary: summarize(r),
            inputs: normalizedInputs(r),
        })),
        counts: Object.fromEntries(countByType(run)),
        outputs: maskedOutputs(run),
    };
}

export const PLAN_USAGE = "usage: npm run plan -- <stack> [--json FILE] [--update-snapshot]";

export interface PlanArgs {
    stack: string;
    /** Where --json writes the plan as JSON. */
    json?: string;
    updateSnapshot: boolean;
}

/** The command line of `npm run plan`; anything else (an unknown flag, --json without a file, a second stack) is an error with the usage. */
export function parsePlanArgs(argv: readonly string[]): PlanArgs {
    const usage = (problem: string): never => {
        throw new Error(`${problem}\n${PLAN_USAGE}; stacks: ${knownStacks().join(", ")}`);
    };
    const args: Partial<PlanArgs> & { updateSnapshot: boolean } = { updateSnapshot: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json") {
            const file = argv[i + 1];
            if (file === undefined || file.startsWith("-")) {
                usage("--json needs a file name");
            }
            args.json = file;
            i++;
        } else if (arg === "--update-snapshot") {
            args.updateSnapshot = true;
        } else if (arg.startsWith("-")) {
            usage(`unknown option ${arg}`);
        } else if (args.stack !== undefined) {
            usage(`one stack only, got ${args.stack} and ${arg}`);
        } else {
            args.stack = arg;
        }
    }
    if (args.stack === undefined) {
        return usage("a stack is required");
    }
    if (!knownStacks().includes(args.stack)) {
        usage(`unknown stack "${args.stack}": known stacks are ${knownStacks().join(", ")}`);
    }
    return args as PlanArgs;
}

/** What `npm run plan` prints for a run: a note per placeholder secret, the tree, the counts, the outputs. */
export function planReport(run: StackRun): string[] {
    const notes = placeholderNotes(run, "plan");
    return [
        `Offline plan of stack "${run.stack}" (Pulumi mocks; nothing is deployed)`,
        ...notes,
        "",
        ...renderTree(run),
        "",
        alarmCount(run),
        "",
        `${run.resources.length} resources by type:`,
        ...countByType(run).map(([type, n]) => `  ${String(n).padStart(3)}  ${type}`),
        "",
        "Outputs:",
        ...Object.entries(maskedOutputs(run)).map(([k, v]) => `  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`),
    ];
}

async function main(argv: string[]): Promise<void> {
    const args = parsePlanArgs(argv);
    // What `pulumi up` would build: encrypted secrets as placeholders.
    const run = await runStack(args.stack, { encryptedSecrets: "placeholder" });
    console.log(planReport(run).join("\n"));
    if (args.json !== undefined) {
        fs.writeFileSync(args.json, JSON.stringify(planJson(run), null, 2) + "\n");
        console.log(`\nWrote ${args.json}`);
    }
    if (args.updateSnapshot) {
        // The snapshot is of the stack as the tests run it: its encrypted optional secrets unset.
        const placeholders = run.placeholderSecrets ?? [];
        const file = writeSnapshot(placeholders.length > 0 ? await runStack(args.stack) : run);
        console.log(
            `\nUpdated ${file}${placeholders.length > 0 ? ` (with ${placeholders.join(", ")} unset, as the tests run the stack)` : ""}`,
        );
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e) => {
        console.error(e instanceof Error ? e.message : e);
        process.exit(1);
    });
}
