// The OneHub guardrails: CrossGuard policies for the invariants in DESIGN.md. This module only
// declares them; `index.ts` serves them as a policy pack, and tools/policyEval.ts runs them
// offline against the mock runs of the dev and prod stacks.
//
// Resource policies see a resource's inputs (after the provider's Check in a real preview, before
// it under mocks), so a missing value is read as the AWS default. Stack policies see outputs and
// relate resources by the values they share (security group ids, listener ARNs) or by
// dependencies (service → task definition, cluster → instances).
//
// The pack is self-contained (it can be published on its own), so it restates the design's
// numbers and ids below instead of importing them from components/.
import * as aws from "@pulumi/aws";
import {
    PolicyResource,
    Policies,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import {
    allowsOnAnyResource,
    conditionValues,
    conditionWildcards,
    ContainerDefinition,
    envOf,
    floatingImageReason,
    iamStatements,
    IngressSource,
    isCredentialName,
    isOneHubContainer,
    isProductionStack,
    isWorldCidr,
    legacyIngressSource,
    nodeRole,
    parseContainers,
    REQUIRED_SECRETS,
    RuleCondition,
    secretsOf,
    stackOfUrn,
    vpcIngressSource,
} from "./helpers";

/** OneHub answers its health check from memory on both node types. */
export const HEALTH_CHECK_PATH = "/api/status";
/** Silent LLM streams need the ALB to hold idle connections at least this long (seconds). */
export const MIN_ALB_IDLE_TIMEOUT = 300;
/** AWS's ALB idle timeout when none is set. */
export const DEFAULT_ALB_IDLE_TIMEOUT = 60;
/** CloudFront's wait for the origin's first byte and every gap after it (seconds). */
export const MIN_ORIGIN_READ_TIMEOUT = 60;
/** CloudFront's origin read timeout when none is set. */
export const DEFAULT_ORIGIN_READ_TIMEOUT = 30;
/** ALB limits per listener rule. */
export const MAX_CONDITION_VALUES = 5;
export const MAX_CONDITION_WILDCARDS = 5;
/** Production keeps at least a week of point-in-time recovery. */
export const MIN_PROD_BACKUP_DAYS = 7;
/** Viewer TLS policies no older than TLSv1.2_2021. */
export const MODERN_VIEWER_TLS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];
/** AWS-managed CloudFront policies (global, fixed ids). */
export const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
export const ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
/** Every method an API gateway must pass through. */
export const ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];
/** The error codes CloudFront caches (10 s by default) unless told otherwise. */
export const CACHED_ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];
/** AWS-managed IAM policies that allow reading every secret in the account. */
const BROAD_SECRET_READERS = /^arn:aws[a-z-]*:iam::aws:policy\/(SecretsManagerReadWrite|AdministratorAccess|PowerUserAccess)$/;

type Props<TArgs> = pulumi.Unwrap<NonNullable<TArgs>>;
type ResourceClass = { new (...rest: any[]): pulumi.Resource };

// @pulumi/aws registers the ALB resources under both aws:lb/… and aws:alb/… tokens.
const LOAD_BALANCERS: ResourceClass[] = [aws.lb.LoadBalancer, aws.alb.LoadBalancer];
const LISTENER_RULES: ResourceClass[] = [aws.lb.ListenerRule, aws.alb.ListenerRule];
const TARGET_GROUPS: ResourceClass[] = [aws.lb.TargetGroup, aws.alb.TargetGroup];

const MANDATORY = "mandatory" as const;

/** Like `validateResourceOfType`, for a resource that has several type tokens. */
function validateResourceOfTypes<TArgs>(
    classes: ResourceClass[],
    validate: (props: Props<TArgs>, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
    return (args, report) => {
        if (!classes.some((c) => args.isType(c))) {
            return args.notApplicable(`applies only to ${classes.map((c) => (c as any).name).join(" / ")}`);
        }
        return validate(args.props as Props<TArgs>, args, report);
    };
}

const isAny = (r: PolicyResource, classes: ResourceClass[]) => classes.some((c) => r.isType(c));

/** The containers of a task definition, or a violation when ECS could not read them either. */
function containersOf(props: { containerDefinitions?: unknown }, report: ReportViolation): ContainerDefinition[] {
    const containers = parseContainers(props.containerDefinitions);
    if (!containers) {
        report("containerDefinitions is not a JSON array of container definitions");
        return [];
    }
    return containers;
}

/** Marks a resource policy not applicable outside production stacks. */
function requireProduction(args: ResourceValidationArgs): void {
    if (!isProductionStack(stackOfUrn(args.urn), args.stackTags)) {
        args.notApplicable("applies only to production stacks");
    }
}

/** The stack's name as its resources' URNs carry it. */
function stackNameOf(args: StackValidationArgs): string {
    return args.resources.length > 0 ? stackOfUrn(args.resources[0].urn) : "";
}

/** One ingress permission: who may come in, and into which group. */
interface Ingress {
    /** The resource that declares it (a rule, or a security group with inline rules). */
    resource: PolicyResource;
    /** Security group ids the permission applies to (known for standalone rules). */
    groupIds: string[];
    /** The security group resource, for inline rules. */
    group?: PolicyResource;
    source: IngressSource;
}

/** Every ingress permission in the stack, from all three ways AWS lets you declare one. */
function ingressOf(resources: PolicyResource[]): Ingress[] {
    const ingress: Ingress[] = [];
    for (const r of resources) {
        if (r.isType(aws.vpc.SecurityGroupIngressRule)) {
            ingress.push({ resource: r, groupIds: [String(r.props.securityGroupId)], source: vpcIngressSource(r.props) });
        } else if (r.isType(aws.ec2.SecurityGroupRule) && r.props.type === "ingress") {
            ingress.push({ resource: r, groupIds: [String(r.props.securityGroupId)], source: legacyIngressSource(r.props) });
        } else if (r.isType(aws.ec2.SecurityGroup)) {
            for (const block of r.props.ingress ?? []) {
                ingress.push({
                    resource: r,
                    groupIds: r.props.id ? [String(r.props.id)] : [],
                    group: r,
                    source: legacyIngressSource(block),
                });
            }
        }
    }
    return ingress;
}

/**
 * The ingress into the security groups `groupIds` that `consumer` (a load balancer, a database
 * cluster) uses. Inline rules are matched through the group's id or, where ids are not known,
 * through the consumer's dependency on the group.
 */
function ingressInto(consumer: PolicyResource, groupIds: string[], ingress: Ingress[]): Ingress[] {
    const dependsOn = new Set(consumer.dependencies.map((d) => d.urn));
    return ingress.filter((i) => i.groupIds.some((id) => groupIds.includes(id)) || (i.group !== undefined && dependsOn.has(i.group.urn)));
}

/** The task definition an ECS service runs: its dependency, or the one whose ARN it names. */
function taskDefinitionOf(service: PolicyResource, resources: PolicyResource[]): PolicyResource | undefined {
    return (
        service.dependencies.find((d) => d.isType(aws.ecs.TaskDefinition)) ??
        resources.find((r) => r.isType(aws.ecs.TaskDefinition) && r.props.arn !== undefined && r.props.arn === service.props.taskDefinition)
    );
}

const quoted = (values: string[]) => values.map((v) => JSON.stringify(v)).join(", ");

// ---------------------------------------------------------------------------------------------
// Security: nothing but CloudFront is reachable; secrets stay secret.
// ---------------------------------------------------------------------------------------------

export const noWorldOpenIngress: ResourceValidationPolicy = {
    name: "no-world-open-ingress",
    description:
        "No security group admits 0.0.0.0/0 or ::/0: only CloudFront reaches the ALB, only the ALB the tasks, only the tasks the database.",
    enforcementLevel: MANDATORY,
    validateResource: [
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _, report) => {
            for (const cidr of [rule.cidrIpv4, rule.cidrIpv6]) {
                if (isWorldCidr(cidr)) {
                    report(`ingress from ${cidr} opens the group to the whole internet`);
                }
            }
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _, report) => {
            if (rule.type === "ingress") {
                for (const cidr of legacyIngressSource(rule).cidrs.filter(isWorldCidr)) {
                    report(`ingress from ${cidr} opens the group to the whole internet`);
                }
            }
        }),
        validateResourceOfType(aws.ec2.SecurityGroup, (group, _, report) => {
            for (const block of group.ingress ?? []) {
                for (const cidr of legacyIngressSource(block).cidrs.filter(isWorldCidr)) {
                    report(`inline ingress from ${cidr} opens the group to the whole internet`);
                }
            }
        }),
    ],
};

export const albInternal: ResourceValidationPolicy = {
    name: "alb-internal",
    description: "The load balancer is internal (internal: true): viewers reach it only through the CloudFront VPC origin.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfTypes<aws.lb.LoadBalancerArgs>(LOAD_BALANCERS, (lb, _, report) => {
        // AWS's default is internet-facing.
        if (lb.internal !== true) {
            report("is internet-facing; set internal: true and reach it through the CloudFront VPC origin");
        }
    }),
};

export const albIngressOnlyFromCloudFront: StackValidationPolicy = {
    name: "alb-ingress-only-from-cloudfront",
    description:
        "The ALB's security groups admit CloudFront's origin-facing prefix list and nothing else: no CIDR ranges, no other security groups (unless listed in allowedSourceSecurityGroupIds).",
    enforcementLevel: MANDATORY,
    configSchema: {
        properties: {
            allowedSourceSecurityGroupIds: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Security groups that may reach the ALB besides the prefix list, e.g. CloudFront-VPCOrigins-Service-SG.",
            },
        },
    },
    validateStack: (args, report) => {
        const lbs = args.resources.filter((r) => isAny(r, LOAD_BALANCERS));
        if (lbs.length === 0) {
            return args.notApplicable("no load balancer in the stack");
        }
        const allowed = args.getConfig<{ allowedSourceSecurityGroupIds?: string[] }>().allowedSourceSecurityGroupIds ?? [];
        const ingress = ingressOf(args.resources);
        for (const lb of lbs) {
            const groupIds: string[] = lb.props.securityGroups ?? [];
            if (groupIds.length === 0) {
                report(`${lb.name} has no security groups of its own, so it gets the VPC's default group`, lb.urn);
                continue;
            }
            let reachable = false;
            for (const rule of ingressInto(lb, groupIds, ingress)) {
                const { cidrs, prefixListIds, securityGroupIds } = rule.source;
                if (cidrs.length > 0) {
                    report(
                        `${rule.resource.name} admits ${quoted(cidrs)} into ${lb.name}'s security group; only CloudFront's prefix list may reach the ALB`,
                        rule.resource.urn,
                    );
                }
                const others = securityGroupIds.filter((id) => !allowed.includes(id));
                if (others.length > 0) {
                    report(
                        `${rule.resource.name} admits security group ${quoted(others)} into ${lb.name}'s security group; only CloudFront may reach the ALB`,
                        rule.resource.urn,
                    );
                }
                reachable ||= prefixListIds.length > 0 || securityGroupIds.some((id) => allowed.includes(id));
            }
            if (!reachable) {
                report(
                    `no security group of ${lb.name} admits CloudFront's origin-facing prefix list, so the distribution cannot reach it`,
                    lb.urn,
                );
            }
        }
    },
};

export const dbStorageEncrypted: ResourceValidationPolicy = {
    name: "db-storage-encrypted",
    description: "Aurora clusters (and any RDS instance) encrypt their storage; Aurora provisioned clusters default to unencrypted.",
    enforcementLevel: MANDATORY,
    validateResource: [
        validateResourceOfType(aws.rds.Cluster, (cluster, _, report) => requireEncrypted(cluster.storageEncrypted, report)),
        validateResourceOfType(aws.rds.Instance, (instance, _, report) => requireEncrypted(instance.storageEncrypted, report)),
    ],
};

function requireEncrypted(storageEncrypted: boolean | undefined, report: ReportViolation): void {
    if (storageEncrypted !== true) {
        report("storageEncrypted is not true; the data, its backups and snapshots would be unencrypted");
    }
}

export const dbNotPubliclyAccessible: ResourceValidationPolicy = {
    name: "db-not-publicly-accessible",
    description: "No database instance is publicly accessible.",
    enforcementLevel: MANDATORY,
    validateResource: [
        validateResourceOfType(aws.rds.ClusterInstance, (instance, _, report) => {
            if (instance.publiclyAccessible === true) {
                report("publiclyAccessible is true; the database must only be reachable from the tasks");
            }
        }),
        validateResourceOfType(aws.rds.Instance, (instance, _, report) => {
            if (instance.publiclyAccessible === true) {
                report("publiclyAccessible is true; the database must only be reachable from the tasks");
            }
        }),
    ],
};

export const dbIngressOnlyFromTasks: StackValidationPolicy = {
    name: "db-ingress-only-from-tasks",
    description:
        "The database's security groups admit only the security groups of the ECS services: no CIDR ranges, no prefix lists, no other groups.",
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const clusters = args.resources.filter((r) => r.isType(aws.rds.Cluster));
        if (clusters.length === 0) {
            return args.notApplicable("no RDS cluster in the stack");
        }
        const taskGroups = new Set<string>(
            args.resources
                .filter((r) => r.isType(aws.ecs.Service))
                .flatMap((s) => (s.props.networkConfiguration?.securityGroups ?? []).map(String)),
        );
        const ingress = ingressOf(args.resources);
        for (const cluster of clusters) {
            const groupIds: string[] = cluster.props.vpcSecurityGroupIds ?? [];
            if (groupIds.length === 0) {
                report(`${cluster.name} sets no vpcSecurityGroupIds, so it gets the VPC's default group`, cluster.urn);
                continue;
            }
            for (const rule of ingressInto(cluster, groupIds, ingress)) {
                const { cidrs, prefixListIds, securityGroupIds, self } = rule.source;
                const where = `${rule.resource.name} (into ${cluster.name}'s security group)`;
                if (cidrs.length > 0) {
                    report(`${where} admits ${quoted(cidrs)}; the database admits only the tasks' security groups`, rule.resource.urn);
                }
                if (prefixListIds.length > 0) {
                    report(
                        `${where} admits prefix list ${quoted(prefixListIds)}; the database admits only the tasks' security groups`,
                        rule.resource.urn,
                    );
                }
                const others = securityGroupIds.filter((id) => !taskGroups.has(id));
                if (others.length > 0 || self) {
                    report(
                        `${where} admits ${self ? "its own group" : `security group ${quoted(others)}`}, which no ECS service uses`,
                        rule.resource.urn,
                    );
                }
            }
        }
    },
};

export const ecsTasksNoPublicIp: ResourceValidationPolicy = {
    name: "ecs-tasks-no-public-ip",
    description: "ECS tasks get no public IP: they run in private subnets and reach the internet through NAT.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _, report) => {
        if (service.networkConfiguration?.assignPublicIp === true) {
            report("networkConfiguration.assignPublicIp is true; tasks must not be reachable from the internet");
        }
    }),
};

export const secretsNotInEnvironment: ResourceValidationPolicy = {
    name: "secrets-not-in-environment",
    description: `No container sets ${REQUIRED_SECRETS.join(", ")} or another credential-looking variable in plain environment: task definitions are readable by many people.`,
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _, report) => {
        for (const container of containersOf(task, report)) {
            for (const [name, value] of Object.entries(envOf(container))) {
                // The message names the variable, never its value.
                if ((REQUIRED_SECRETS as readonly string[]).includes(name) || isCredentialName(name)) {
                    report(`container ${container.name} has ${name} in plain environment; pass it through ECS secrets (Secrets Manager)`);
                } else if (/^[^\s:@]+:[^\s@]+@tcp\(/.test(value)) {
                    report(`container ${container.name} has a database DSN with a password in ${name}; pass it through ECS secrets`);
                }
            }
        }
    }),
};

export const secretsFromSecretsManager: ResourceValidationPolicy = {
    name: "secrets-from-secrets-manager",
    description: `Every OneHub container reads ${REQUIRED_SECRETS.join(", ")} through ECS secrets from Secrets Manager (or SSM Parameter Store).`,
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, args, report) => {
        const containers = containersOf(task, report).filter(isOneHubContainer);
        if (containers.length === 0) {
            return args.notApplicable("no OneHub container in this task definition");
        }
        for (const container of containers) {
            const secrets = secretsOf(container);
            for (const name of REQUIRED_SECRETS) {
                if (!(name in secrets)) {
                    report(`container ${container.name} does not get ${name} from ECS secrets`);
                } else if (!/^arn:aws[a-z-]*:(secretsmanager|ssm):/.test(secrets[name])) {
                    report(
                        `container ${container.name} gets ${name} from ${JSON.stringify(secrets[name])}, which is not a Secrets Manager or SSM ARN`,
                    );
                }
            }
        }
    }),
};

export const secretReadScoped: ResourceValidationPolicy = {
    name: "secret-read-scoped",
    description:
        'No IAM policy allows secretsmanager:GetSecretValue on every secret (Resource "*", a service-wide wildcard, NotResource, or a broad AWS-managed policy).',
    enforcementLevel: MANDATORY,
    validateResource: (args, report) => {
        const documents: { where: string; document: unknown }[] = [];
        const managed: string[] = [];
        if (
            args.isType(aws.iam.RolePolicy) ||
            args.isType(aws.iam.Policy) ||
            args.isType(aws.iam.UserPolicy) ||
            args.isType(aws.iam.GroupPolicy)
        ) {
            documents.push({ where: "policy", document: args.props.policy });
        } else if (args.isType(aws.iam.Role)) {
            for (const inline of args.props.inlinePolicies ?? []) {
                documents.push({ where: `inline policy ${inline.name ?? ""}`.trim(), document: inline.policy });
            }
            managed.push(...(args.props.managedPolicyArns ?? []));
        } else if (args.isType(aws.iam.RolePolicyAttachment) || args.isType(aws.iam.PolicyAttachment)) {
            managed.push(args.props.policyArn);
        } else {
            return args.notApplicable("applies only to IAM policies, roles and attachments");
        }
        for (const { where, document } of documents) {
            if (document === undefined) {
                continue;
            }
            const statements = iamStatements(document);
            if (!statements) {
                report(`${where} is not a readable IAM policy document`);
                continue;
            }
            if (statements.some((s) => allowsOnAnyResource(s, "secretsmanager:GetSecretValue", "secretsmanager"))) {
                report(`${where} allows secretsmanager:GetSecretValue on every secret; list the secret ARNs the task needs`);
            }
        }
        for (const arn of managed.filter((a) => BROAD_SECRET_READERS.test(String(a)))) {
            report(`attaches ${arn}, which can read every secret in the account`);
        }
    },
};

export const sqlDsnFormat: ResourceValidationPolicy = {
    name: "sql-dsn-format",
    description:
        "A secret holding a MySQL DSN has OneHub's shape user:pass@tcp(host:port)/db, no parseTime, and a password without ? & / @ : # (OneHub appends loc= and reads dates as strings).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.secretsmanager.SecretVersion, (version, args, report) => {
        const dsn = version.secretString;
        if (typeof dsn !== "string" || !dsn.includes("@tcp(")) {
            return args.notApplicable("not a MySQL DSN");
        }
        // Messages describe the problem and never quote the secret.
        const m = /^([^:]+):(.*)@tcp\(([^)]+)\)\/([^?]+)(?:\?(.*))?$/s.exec(dsn);
        if (!m) {
            report("holds a DSN that is not user:pass@tcp(host:port)/db");
            return;
        }
        if (/[?&/@:#]/.test(m[2])) {
            report("holds a DSN whose password contains one of ? & / @ : #, which breaks OneHub's parsing");
        }
        if (/(^|&)parseTime=/i.test(m[5] ?? "")) {
            report("holds a DSN with parseTime; OneHub reads dates as strings and appends loc= itself");
        }
    }),
};

export const cloudFrontViewerHttps: ResourceValidationPolicy = {
    name: "cloudfront-viewer-https",
    description: "Every CloudFront cache behavior redirects viewers to HTTPS or serves HTTPS only: API keys travel in headers.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, _, report) => {
        const behaviors = [
            { label: "the default cache behavior", policy: distribution.defaultCacheBehavior?.viewerProtocolPolicy },
            ...(distribution.orderedCacheBehaviors ?? []).map((b) => ({
                label: `the behavior for ${b.pathPattern}`,
                policy: b.viewerProtocolPolicy,
            })),
        ];
        for (const b of behaviors) {
            if (b.policy !== "redirect-to-https" && b.policy !== "https-only") {
                report(`${b.label} has viewerProtocolPolicy ${JSON.stringify(b.policy)}; use redirect-to-https or https-only`);
            }
        }
    }),
};

export const cloudFrontTlsMinimum: ResourceValidationPolicy = {
    name: "cloudfront-tls-minimum",
    description: `A distribution with its own certificate requires TLS 1.2 with a current cipher policy (${MODERN_VIEWER_TLS.join(", ")}).`,
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, args, report) => {
        const cert = distribution.viewerCertificate;
        if (!cert?.acmCertificateArn && !cert?.iamCertificateId) {
            // The *.cloudfront.net certificate's policy is CloudFront's to choose.
            return args.notApplicable("uses the default CloudFront certificate");
        }
        // AWS's default with a custom certificate is TLSv1.
        const version = cert.minimumProtocolVersion ?? "TLSv1";
        if (!MODERN_VIEWER_TLS.includes(version)) {
            report(`viewerCertificate.minimumProtocolVersion is ${version}; use TLSv1.2_2021 or newer`);
        }
    }),
};

export const wafCloudFrontScope: ResourceValidationPolicy = {
    name: "waf-cloudfront-scope",
    description:
        "Web ACLs have scope CLOUDFRONT (and live in us-east-1): CloudFront is the only public entry, so that is where WAF belongs.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.wafv2.WebAcl, (acl, _, report) => {
        if (acl.scope !== "CLOUDFRONT") {
            report(`scope is ${JSON.stringify(acl.scope)}; a web ACL for the distribution must be CLOUDFRONT`);
        }
        if (acl.region !== undefined && acl.region !== "us-east-1") {
            report(`region is ${acl.region}; CLOUDFRONT web ACLs exist only in us-east-1`);
        }
    }),
};

export const wafBodySizeCounted: ResourceValidationPolicy = {
    name: "waf-body-size-counted",
    description:
        "Web ACLs run AWSManagedRulesCommonRuleSet with SizeRestrictions_BODY overridden to count: LLM request bodies routinely exceed its 8 KB limit.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.wafv2.WebAcl, (acl, _, report) => {
        const common = (acl.rules ?? []).filter((r) => r.statement?.managedRuleGroupStatement?.name === "AWSManagedRulesCommonRuleSet");
        if (common.length === 0) {
            report("does not run AWSManagedRulesCommonRuleSet");
        }
        for (const rule of common) {
            // A group in count mode blocks nothing, the body-size rule included.
            if (rule.overrideAction?.count !== undefined) {
                continue;
            }
            const overrides = rule.statement?.managedRuleGroupStatement?.ruleActionOverrides ?? [];
            const body = overrides.find((o) => o.name === "SizeRestrictions_BODY");
            if (body?.actionToUse?.count === undefined) {
                report(`rule ${rule.name} blocks request bodies over 8 KB; override SizeRestrictions_BODY with actionToUse count`);
            }
        }
    }),
};

export const prodWafAttached: ResourceValidationPolicy = {
    name: "prod-waf-attached",
    description: "In production stacks every CloudFront distribution has a WAF web ACL (webAclId).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, args, report) => {
        requireProduction(args);
        if (!distribution.webAclId) {
            report("has no web ACL; set onehub:wafEnabled true for production");
        }
    }),
};

// ---------------------------------------------------------------------------------------------
// Reliability: one master, well-configured slaves, deployments that roll back.
// ---------------------------------------------------------------------------------------------

export const masterSingleton: StackValidationPolicy = {
    name: "master-singleton",
    description:
        'Exactly one ECS service runs OneHub masters (NODE_TYPE not exactly "slave"), with desiredCount 1, deployment maximum 100 % and minimum healthy 0 %, no Fargate Spot and no autoscaling: two masters run cron twice and race migrations.',
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const masters: PolicyResource[] = [];
        for (const service of args.resources.filter((r) => r.isType(aws.ecs.Service))) {
            const task = taskDefinitionOf(service, args.resources);
            const containers = (task && parseContainers(task.props.containerDefinitions)?.filter(isOneHubContainer)) || [];
            if (containers.some((c) => nodeRole(c) === "master")) {
                masters.push(service);
            }
        }
        if (masters.length === 0) {
            return args.notApplicable("no ECS service runs a OneHub master");
        }
        if (masters.length > 1) {
            for (const m of masters) {
                report(
                    `${masters.length} ECS services run OneHub masters (${masters.map((s) => s.name).join(", ")}); NODE_TYPE must be exactly "slave" on all but one`,
                    m.urn,
                );
            }
        }
        const targets = args.resources.filter((r) => r.isType(aws.appautoscaling.Target));
        for (const m of masters) {
            const s = m.props;
            // AWS defaults: desiredCount 0, maximum 200 %, minimum healthy 100 %.
            if (s.desiredCount !== 1) {
                report(`${m.name} has desiredCount ${s.desiredCount ?? "unset (0)"}; the master runs exactly 1 task`, m.urn);
            }
            if ((s.deploymentMaximumPercent ?? 200) !== 100 || (s.deploymentMinimumHealthyPercent ?? 100) !== 0) {
                report(
                    `${m.name} deploys with maximum ${s.deploymentMaximumPercent ?? 200} % / minimum healthy ${s.deploymentMinimumHealthyPercent ?? 100} %; use 100 % / 0 % so the old master stops before the new one starts`,
                    m.urn,
                );
            }
            const spot = (s.capacityProviderStrategies ?? []).filter((c: any) => c.capacityProvider === "FARGATE_SPOT");
            if (spot.length > 0) {
                report(`${m.name} may run on FARGATE_SPOT; a Spot interruption takes the only master away`, m.urn);
            }
            for (const t of targets) {
                const named = typeof s.name === "string" && String(t.props.resourceId ?? "").endsWith(`/${s.name}`);
                if (named || t.dependencies.some((d) => d.urn === m.urn)) {
                    report(`${t.name} autoscales the master service ${m.name}; scale the slaves instead`, t.urn);
                }
            }
        }
    },
};

export const slaveNodeSettings: ResourceValidationPolicy = {
    name: "slave-node-settings",
    description:
        'Slave containers set NODE_TYPE exactly "slave" (lower case), MEMORY_CACHE_ENABLED "true" (or a Redis) and SYNC_FREQUENCY > 0: without the cache a slave never reloads channels and prices.',
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, args, report) => {
        const containers = containersOf(task, report).filter(isOneHubContainer);
        const meantAsSlave = containers.filter((c) => (envOf(c).NODE_TYPE ?? "").trim().toLowerCase() === "slave");
        if (meantAsSlave.length === 0) {
            return args.notApplicable("no OneHub slave container in this task definition");
        }
        for (const container of meantAsSlave) {
            const env = envOf(container);
            if (env.NODE_TYPE !== "slave") {
                report(
                    `container ${container.name} has NODE_TYPE ${JSON.stringify(env.NODE_TYPE)}; OneHub treats anything but exactly "slave" as a master`,
                );
                continue;
            }
            const redis = "REDIS_CONN_STRING" in env || "REDIS_CONN_STRING" in secretsOf(container);
            if (env.MEMORY_CACHE_ENABLED !== "true" && !redis) {
                report(
                    `container ${container.name} has MEMORY_CACHE_ENABLED ${JSON.stringify(env.MEMORY_CACHE_ENABLED ?? null)} and no Redis; a slave without a cache loads channels and prices once and never again`,
                );
            }
            const sync = env.SYNC_FREQUENCY;
            if (sync === undefined || !/^\d+$/.test(sync) || Number(sync) <= 0) {
                report(
                    `container ${container.name} has SYNC_FREQUENCY ${JSON.stringify(sync ?? null)}; set a whole number of seconds above 0 (0 spins on the database)`,
                );
            }
        }
    }),
};

export const nodesShareSecretsAndImage: StackValidationPolicy = {
    name: "nodes-share-secrets-and-image",
    description: `Every OneHub container in the stack reads the same ${REQUIRED_SECRETS.join(", ")} secrets and has the same TZ and image: sessions and API keys must validate on any node, and slaves run the schema the master migrated.`,
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const nodes: { task: PolicyResource; container: ContainerDefinition }[] = [];
        for (const task of args.resources.filter((r) => r.isType(aws.ecs.TaskDefinition))) {
            for (const container of parseContainers(task.props.containerDefinitions)?.filter(isOneHubContainer) ?? []) {
                nodes.push({ task, container });
            }
        }
        if (nodes.length < 2) {
            return args.notApplicable("fewer than two OneHub containers in the stack");
        }
        const settings: [string, (c: ContainerDefinition) => string | undefined][] = [
            ...REQUIRED_SECRETS.map((name): [string, (c: ContainerDefinition) => string | undefined] => [
                `secret ${name}`,
                (c) => secretsOf(c)[name],
            ]),
            ["TZ", (c) => envOf(c).TZ],
            ["image", (c) => c.image],
        ];
        for (const [label, read] of settings) {
            const values = new Map<string, string[]>();
            for (const { task, container } of nodes) {
                const value = read(container) ?? "(unset)";
                values.set(value, [...(values.get(value) ?? []), `${task.name}/${container.name}`]);
            }
            if (values.size > 1) {
                const detail = [...values.entries()]
                    .map(([v, where]) => `${where.join(", ")}: ${label.startsWith("secret") ? v : JSON.stringify(v)}`)
                    .join("; ");
                report(`OneHub nodes disagree on ${label} (${detail})`);
            }
        }
    },
};

export const slavesDeployAfterMaster: StackValidationPolicy = {
    name: "slaves-deploy-after-master",
    description:
        "Slave services depend on the master service, and the master waits for a steady state (waitForSteadyState): only the master migrates the schema, so slaves roll only once it runs the new image.",
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const masters: PolicyResource[] = [];
        const slaves: PolicyResource[] = [];
        for (const service of args.resources.filter((r) => r.isType(aws.ecs.Service))) {
            const task = taskDefinitionOf(service, args.resources);
            const roles = ((task && parseContainers(task.props.containerDefinitions)?.filter(isOneHubContainer)) || []).map(nodeRole);
            if (roles.includes("master")) {
                masters.push(service);
            } else if (roles.includes("slave")) {
                slaves.push(service);
            }
        }
        if (masters.length === 0 || slaves.length === 0) {
            return args.notApplicable("needs a OneHub master service and a slave service");
        }
        for (const master of masters) {
            if (master.props.waitForSteadyState !== true) {
                report(
                    `${master.name} does not set waitForSteadyState, so dependants update before the new master has migrated the schema`,
                    master.urn,
                );
            }
        }
        for (const slave of slaves) {
            if (!masters.some((m) => slave.dependencies.some((d) => d.urn === m.urn))) {
                report(
                    `${slave.name} does not depend on the master service (${masters.map((m) => m.name).join(", ")}); slaves could start against an unmigrated schema`,
                    slave.urn,
                );
            }
        }
    },
};

export const ecsCircuitBreakerRollback: ResourceValidationPolicy = {
    name: "ecs-circuit-breaker-rollback",
    description: "Every ECS service has the deployment circuit breaker on with rollback, so a failing image rolls back instead of looping.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _, report) => {
        const breaker = service.deploymentCircuitBreaker;
        if (breaker?.enable !== true || breaker?.rollback !== true) {
            report(`deploymentCircuitBreaker is ${JSON.stringify(breaker ?? null)}; set { enable: true, rollback: true }`);
        }
    }),
};

export const ecsMultiAzSubnets: ResourceValidationPolicy = {
    name: "ecs-multi-az-subnets",
    description: "Every ECS service may place tasks in at least two subnets (one per AZ), so an AZ loss does not stop the service.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _, report) => {
        const subnets = new Set(service.networkConfiguration?.subnets ?? []);
        if (subnets.size < 2) {
            report(`runs tasks in ${subnets.size} subnet(s); give it subnets in at least two AZs`);
        }
    }),
};

export const ecsExecEnabled: ResourceValidationPolicy = {
    name: "ecs-exec-enabled",
    description: "Every ECS service has ECS Exec on (enableExecuteCommand): operations without SSH or bastions.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _, report) => {
        if (service.enableExecuteCommand !== true) {
            report("enableExecuteCommand is not true; operators could not open a shell in a task");
        }
    }),
};

export const ecsContainerInsights: ResourceValidationPolicy = {
    name: "ecs-container-insights",
    description: "ECS clusters have Container Insights on (enabled or enhanced).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.Cluster, (cluster, _, report) => {
        const setting = (cluster.settings ?? []).find((s) => s.name === "containerInsights");
        if (setting?.value !== "enabled" && setting?.value !== "enhanced") {
            report(`containerInsights is ${JSON.stringify(setting?.value ?? "unset")}; set it to enabled`);
        }
    }),
};

export const prodAuroraReaderInOtherAz: StackValidationPolicy = {
    name: "prod-aurora-reader-in-other-az",
    description:
        "In production stacks every Aurora cluster has a writer and at least one reader, pinned to different AZs, so a failover survives an AZ loss.",
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
    description: `In production stacks Aurora keeps automated backups for at least ${MIN_PROD_BACKUP_DAYS} days.`,
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
    description: "In production stacks Aurora has deletion protection on and takes a final snapshot when deleted.",
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

export const logGroupRetention: ResourceValidationPolicy = {
    name: "log-group-retention",
    description: "Every CloudWatch log group has a retention (retentionInDays > 0); AWS keeps logs forever otherwise.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _, report) => {
        const days = group.retentionInDays ?? 0;
        if (!(days > 0)) {
            report(`retentionInDays is ${group.retentionInDays ?? "unset"}; logs would be kept (and billed) forever`);
        }
    }),
};

export const albIdleTimeoutStreaming: ResourceValidationPolicy = {
    name: "alb-idle-timeout-streaming",
    description: `Application load balancers keep idle connections for at least ${MIN_ALB_IDLE_TIMEOUT} s (AWS default ${DEFAULT_ALB_IDLE_TIMEOUT} s): LLM streams sit silent while the model thinks.`,
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfTypes<aws.lb.LoadBalancerArgs>(LOAD_BALANCERS, (lb, args, report) => {
        if ((lb.loadBalancerType ?? "application") !== "application") {
            return args.notApplicable("idle timeout applies to application load balancers");
        }
        const timeout = lb.idleTimeout ?? DEFAULT_ALB_IDLE_TIMEOUT;
        if (timeout < MIN_ALB_IDLE_TIMEOUT) {
            report(
                `idleTimeout is ${timeout} s; silent LLM streams end in 504 — use at least ${MIN_ALB_IDLE_TIMEOUT} (onehub:albIdleTimeout)`,
            );
        }
    }),
};

export const cloudFrontOriginReadTimeout: ResourceValidationPolicy = {
    name: "cloudfront-origin-read-timeout",
    description: `CloudFront custom and VPC origins wait at least ${MIN_ORIGIN_READ_TIMEOUT} s for the origin (AWS default ${DEFAULT_ORIGIN_READ_TIMEOUT} s).`,
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, _, report) => {
        for (const origin of distribution.origins ?? []) {
            const config = origin.vpcOriginConfig ?? origin.customOriginConfig;
            if (!config) {
                continue;
            }
            const timeout = config.originReadTimeout ?? DEFAULT_ORIGIN_READ_TIMEOUT;
            if (timeout < MIN_ORIGIN_READ_TIMEOUT) {
                report(
                    `origin ${origin.originId} has originReadTimeout ${timeout} s; slow first tokens end in 504 — use at least ${MIN_ORIGIN_READ_TIMEOUT} (onehub:originReadTimeout)`,
                );
            }
        }
    }),
};

export const cloudFrontApiNotCached: ResourceValidationPolicy = {
    name: "cloudfront-api-not-cached",
    description:
        "The default cache behavior passes the API through: CachingDisabled, AllViewerExceptHostHeader (Authorization and bodies reach OneHub), all HTTP methods, and no error response cached.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, _, report) => {
        const behavior = distribution.defaultCacheBehavior;
        if (behavior?.cachePolicyId !== CACHING_DISABLED) {
            report(
                `the default cache behavior uses cache policy ${JSON.stringify(behavior?.cachePolicyId ?? null)}; an API must use CachingDisabled (${CACHING_DISABLED})`,
            );
        }
        if (behavior?.originRequestPolicyId !== ALL_VIEWER_EXCEPT_HOST_HEADER) {
            report(
                `the default cache behavior uses origin request policy ${JSON.stringify(behavior?.originRequestPolicyId ?? null)}; use AllViewerExceptHostHeader (${ALL_VIEWER_EXCEPT_HOST_HEADER})`,
            );
        }
        const missing = ALL_METHODS.filter((m) => !(behavior?.allowedMethods ?? []).includes(m));
        if (missing.length > 0) {
            report(`the default cache behavior does not allow ${missing.join(", ")}`);
        }
        const ttl = new Map((distribution.customErrorResponses ?? []).map((e) => [e.errorCode, e.errorCachingMinTtl]));
        const cached = CACHED_ERROR_CODES.filter((code) => ttl.get(code) !== 0);
        if (cached.length > 0) {
            report(
                `error responses ${cached.join(", ")} are cached (errorCachingMinTtl not 0); a cached 502 outlives the deploy that caused it`,
            );
        }
    }),
};

export const listenerRuleConditionLimit: ResourceValidationPolicy = {
    name: "listener-rule-condition-limit",
    description: `Each ALB listener rule holds at most ${MAX_CONDITION_VALUES} condition values and ${MAX_CONDITION_WILDCARDS} wildcards (AWS limits, checked before AWS rejects the rule mid-deployment).`,
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfTypes<aws.lb.ListenerRuleArgs>(LISTENER_RULES, (rule, _, report) => {
        const conditions = rule.conditions as RuleCondition[] | undefined;
        const values = conditionValues(conditions);
        if (values.length > MAX_CONDITION_VALUES) {
            report(`has ${values.length} condition values (${quoted(values)}); AWS allows ${MAX_CONDITION_VALUES} per rule — split it`);
        }
        const wildcards = conditionWildcards(conditions);
        if (wildcards > MAX_CONDITION_WILDCARDS) {
            report(`has ${wildcards} wildcards; AWS allows ${MAX_CONDITION_WILDCARDS} per rule — split it`);
        }
    }),
};

export const listenerRulePrioritiesUnique: StackValidationPolicy = {
    name: "listener-rule-priorities-unique",
    description: "Listener rules on the same listener have distinct priorities: a shadowed rule silently sends traffic to the wrong node.",
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const rules = args.resources.filter((r) => isAny(r, LISTENER_RULES));
        if (rules.length === 0) {
            return args.notApplicable("no listener rules in the stack");
        }
        const byKey = new Map<string, PolicyResource[]>();
        for (const rule of rules) {
            // Without a priority AWS assigns the next free one.
            if (rule.props.priority === undefined) {
                continue;
            }
            const key = `${rule.props.listenerArn}\u0000${rule.props.priority}`;
            byKey.set(key, [...(byKey.get(key) ?? []), rule]);
        }
        for (const same of byKey.values()) {
            if (same.length > 1) {
                for (const rule of same) {
                    report(
                        `${rule.name} shares priority ${rule.props.priority} with ${same
                            .filter((o) => o !== rule)
                            .map((o) => o.name)
                            .join(", ")} on the same listener`,
                        rule.urn,
                    );
                }
            }
        }
    },
};

export const targetGroupHealthCheck: ResourceValidationPolicy = {
    name: "target-group-health-check",
    description: `HTTP target groups health-check ${HEALTH_CHECK_PATH}, which OneHub answers from memory on both node types (AWS's default path "/" is the web UI).`,
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfTypes<aws.lb.TargetGroupArgs>(TARGET_GROUPS, (group, args, report) => {
        if (group.targetType === "lambda" || !["HTTP", "HTTPS", undefined].includes(group.protocol)) {
            return args.notApplicable("health check paths apply to HTTP target groups");
        }
        const check = group.healthCheck;
        if (check?.enabled === false) {
            report("has its health check disabled");
        } else if (check?.path !== HEALTH_CHECK_PATH) {
            report(`health-checks ${JSON.stringify(check?.path ?? "/")}; use ${HEALTH_CHECK_PATH}`);
        }
    }),
};

export const timeZoneUtc: ResourceValidationPolicy = {
    name: "time-zone-utc",
    description: "Aurora's time_zone and every OneHub container's TZ are UTC: daily statistics mix MySQL session time and Go time.",
    enforcementLevel: MANDATORY,
    validateResource: [
        validateResourceOfType(aws.rds.ClusterParameterGroup, (group, args, report) => {
            if (!/mysql/.test(group.family ?? "")) {
                return args.notApplicable("applies to MySQL parameter groups");
            }
            // RDS's default time_zone is UTC; only an explicit other value breaks the match.
            const tz = (group.parameters ?? []).find((p) => p.name === "time_zone");
            if (tz !== undefined && tz.value !== "UTC") {
                report(`sets time_zone ${JSON.stringify(tz.value)}; OneHub's containers run in UTC`);
            }
        }),
        validateResourceOfType(aws.ecs.TaskDefinition, (task, args, report) => {
            const containers = containersOf(task, report).filter(isOneHubContainer);
            if (containers.length === 0) {
                return args.notApplicable("no OneHub container in this task definition");
            }
            for (const container of containers) {
                // The image's own zone is not ours to rely on: TZ is set explicitly.
                const tz = envOf(container).TZ;
                if (tz !== "UTC") {
                    report(`container ${container.name} has TZ ${JSON.stringify(tz ?? null)}; set TZ=UTC to match the database`);
                }
            }
        }),
    ],
};

export const imageTagPinned: ResourceValidationPolicy = {
    name: "image-tag-pinned",
    description:
        "Container images are pinned to a release tag or digest, never latest/dev/…: a slave scaling out later would pull code newer than the schema the master migrated.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _, report) => {
        for (const container of containersOf(task, report)) {
            const reason = floatingImageReason(container.image ?? "");
            if (reason) {
                report(
                    `container ${container.name} image ${JSON.stringify(container.image ?? "")} ${reason}; pin a release such as v0.14.27 (onehub:imageTag)`,
                );
            }
        }
    }),
};

/** Every guardrail, in the order reports list them. */
export const policies: Policies = [
    noWorldOpenIngress,
    albInternal,
    albIngressOnlyFromCloudFront,
    dbStorageEncrypted,
    dbNotPubliclyAccessible,
    dbIngressOnlyFromTasks,
    ecsTasksNoPublicIp,
    secretsNotInEnvironment,
    secretsFromSecretsManager,
    secretReadScoped,
    sqlDsnFormat,
    cloudFrontViewerHttps,
    cloudFrontTlsMinimum,
    wafCloudFrontScope,
    wafBodySizeCounted,
    prodWafAttached,
    masterSingleton,
    slaveNodeSettings,
    nodesShareSecretsAndImage,
    slavesDeployAfterMaster,
    ecsCircuitBreakerRollback,
    ecsMultiAzSubnets,
    ecsExecEnabled,
    ecsContainerInsights,
    prodAuroraReaderInOtherAz,
    prodAuroraBackupRetention,
    prodAuroraDeletionProtection,
    logGroupRetention,
    albIdleTimeoutStreaming,
    cloudFrontOriginReadTimeout,
    cloudFrontApiNotCached,
    listenerRuleConditionLimit,
    listenerRulePrioritiesUnique,
    targetGroupHealthCheck,
    timeZoneUtc,
    imageTagPinned,
];
