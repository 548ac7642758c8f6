// Security guardrails: nothing but CloudFront is reachable from the internet, and secrets stay
// secret (ECS `secrets` only, IAM scoped to named secrets, TLS to viewers, a WAF that blocks).
// See docs/architecture.md#only-cloudfront-is-public, #secrets-stay-secret and #the-waf-blocks.
import * as aws from "@pulumi/aws";
import {
    PolicyResource,
    Policies,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { familiesCovered, isPublicCidr, parseCidr, WORLD } from "./cidr";
import { CLOUDFRONT_ORIGIN_FACING_NAME, cloudFrontPrefixLists } from "./cloudfrontPrefixLists";
import {
    allowsAction,
    beyondBedrockInvoke,
    BEDROCK_INVOKE_ACTIONS,
    credentialValueKind,
    ecsTaskTrustProblems,
    envOf,
    grantsBedrock,
    iamStatements,
    isCredentialName,
    isOneHubContainer,
    isWildcardSecretResource,
    isWorldCidr,
    legacyIngressSource,
    parseArn,
    REQUIRED_SECRETS,
    secretActionsOf,
    secretsOf,
    serviceActionsOf,
    vpcIngressSource,
} from "./helpers";
import {
    containersOf,
    HeldDocument,
    heldPolicies,
    Ingress,
    ingressInto,
    ingressOf,
    isAny,
    known,
    LOAD_BALANCERS,
    MANDATORY,
    quoted,
    regionOf,
    roleOfTaskDefinition,
    see,
    TASK_ROLE_FIELDS,
    TaskRoleField,
    validateResourceOfTypes,
} from "./plumbing";

/** Viewer TLS policies no older than TLSv1.2_2021. */
export const MODERN_VIEWER_TLS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];
/** AWS-managed IAM policies that allow reading every secret in the account. */
const BROAD_SECRET_READERS = /^arn:aws[a-z-]*:iam::aws:policy\/(SecretsManagerReadWrite|AdministratorAccess|PowerUserAccess)$/;

/** "ingress from 0.0.0.0/0" for the world ranges, "ingress from 0.0.0.0/1, 128.0.0.0/1 together" for a union. */
function worldOpenReports(cidrs: string[], what: string): string[] {
    const world = cidrs.filter(isWorldCidr);
    const messages = world.map((cidr) => `${what} from ${cidr} opens the group to the whole internet`);
    for (const family of familiesCovered(cidrs)) {
        if (!world.some((cidr) => parseCidr(cidr)?.family === family)) {
            const parts = cidrs.filter((c) => parseCidr(c)?.family === family && isPublicCidr(c));
            messages.push(`${what} from ${quoted(parts)} together opens the group to the whole internet, as ${WORLD[family]} would`);
        }
    }
    return messages;
}

export const noWorldOpenIngress: ResourceValidationPolicy = {
    name: "no-world-open-ingress",
    description:
        "No security group admits 0.0.0.0/0 or ::/0, or public ranges that together cover the internet (0.0.0.0/1 + 128.0.0.0/1, …): only CloudFront reaches the ALB, only the ALB the tasks, only the tasks the database." +
        see("only-cloudfront-is-public"),
    enforcementLevel: MANDATORY,
    validateResource: [
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _, report) => {
            worldOpenReports(vpcIngressSource(rule).cidrs, "ingress").forEach((m) => report(m));
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _, report) => {
            if (rule.type === "ingress") {
                worldOpenReports(legacyIngressSource(rule).cidrs, "ingress").forEach((m) => report(m));
            }
        }),
        validateResourceOfType(aws.ec2.SecurityGroup, (group, _, report) => {
            const cidrs = (group.ingress ?? []).flatMap((block) => legacyIngressSource(block).cidrs);
            worldOpenReports(cidrs, "inline ingress").forEach((m) => report(m));
        }),
    ],
};

export const noWorldOpenIngressCombined: StackValidationPolicy = {
    name: "no-world-open-ingress-combined",
    description:
        "No security group is opened to the whole internet by several ingress rules together (0.0.0.0/1 in one rule, 128.0.0.0/1 in another); no-world-open-ingress sees one rule at a time." +
        see("only-cloudfront-is-public"),
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const ingress = ingressOf(args.resources);
        if (ingress.length === 0) {
            return args.notApplicable("no ingress rules in the stack");
        }
        // Rules by the group they open: its id, or the group resource for inline rules whose id is not known.
        const byGroup = new Map<string, Ingress[]>();
        for (const rule of ingress) {
            const key = rule.groupIds[0] ?? rule.group?.urn ?? rule.resource.urn;
            byGroup.set(key, [...(byGroup.get(key) ?? []), rule]);
        }
        for (const [group, rules] of byGroup) {
            const resources = [...new Set(rules.map((r) => r.resource))];
            if (resources.length < 2) {
                continue;
            }
            // A family one resource already covers on its own is no-world-open-ingress's to report.
            const alone = new Set(
                resources.flatMap((res) => familiesCovered(rules.filter((r) => r.resource === res).flatMap((r) => r.source.cidrs))),
            );
            const cidrs = rules.flatMap((r) => r.source.cidrs);
            for (const family of familiesCovered(cidrs).filter((f) => !alone.has(f))) {
                const contributing = rules.filter((r) => r.source.cidrs.some((c) => parseCidr(c)?.family === family && isPublicCidr(c)));
                const names = [...new Set(contributing.map((r) => r.resource.name))];
                const parts = [
                    ...new Set(
                        contributing.flatMap((r) => r.source.cidrs.filter((c) => parseCidr(c)?.family === family && isPublicCidr(c))),
                    ),
                ];
                report(
                    `${names.join(", ")} together admit ${quoted(parts)} into security group ${group}: the whole internet, as ${WORLD[family]} would`,
                    contributing[0].resource.urn,
                );
            }
        }
    },
};

/** The security groups of the ALB, the tasks and the database, each with the consumer that uses it. */
function tierGroups(resources: PolicyResource[]): { tier: string; consumer: PolicyResource; groupIds: string[]; rule: string }[] {
    const tiers: { tier: string; consumer: PolicyResource; groupIds: string[]; rule: string }[] = [];
    for (const r of resources) {
        if (isAny(r, LOAD_BALANCERS)) {
            tiers.push({
                tier: "the ALB",
                consumer: r,
                groupIds: r.props.securityGroups ?? [],
                rule: "only CloudFront's prefix list may reach it",
            });
        } else if (r.isType(aws.ecs.Service)) {
            tiers.push({
                tier: "the tasks of",
                consumer: r,
                groupIds: r.props.networkConfiguration?.securityGroups ?? [],
                rule: "tasks admit only the ALB's security group",
            });
        } else if (r.isType(aws.rds.Cluster) || r.isType(aws.rds.Instance)) {
            tiers.push({
                tier: "the database",
                consumer: r,
                groupIds: r.props.vpcSecurityGroupIds ?? [],
                rule: "the database admits only the tasks' security groups",
            });
        }
    }
    return tiers;
}

export const noPublicCidrIngress: StackValidationPolicy = {
    name: "no-public-cidr-ingress",
    description:
        "The security groups of the ALB, the ECS tasks and the database admit no public CIDR range (anything outside RFC 1918, 100.64.0.0/10, 169.254.0.0/16, fc00::/7, fe80::/10): the ALB admits CloudFront's prefix list, the tasks and the database only security groups." +
        see("only-cloudfront-is-public"),
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const tiers = tierGroups(args.resources);
        if (tiers.length === 0) {
            return args.notApplicable("no load balancer, ECS service or database in the stack");
        }
        const ingress = ingressOf(args.resources);
        const reported = new Set<string>();
        for (const { tier, consumer, groupIds, rule: expected } of tiers) {
            for (const rule of ingressInto(consumer, groupIds, ingress)) {
                // 0.0.0.0/0 and ::/0 are no-world-open-ingress's.
                for (const cidr of rule.source.cidrs.filter((c) => isPublicCidr(c) && !isWorldCidr(c))) {
                    const key = `${rule.resource.urn}\u0000${cidr}`;
                    if (!reported.has(key)) {
                        reported.add(key);
                        report(
                            `${rule.resource.name} admits the public range ${cidr} into the security group of ${tier} ${consumer.name}; ${expected}`,
                            rule.resource.urn,
                        );
                    }
                }
            }
        }
    },
};

export const albInternal: ResourceValidationPolicy = {
    name: "alb-internal",
    description:
        "The load balancer is internal (internal: true): viewers reach it only through the CloudFront VPC origin." +
        see("only-cloudfront-is-public"),
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
        `The ALB's security groups admit CloudFront's origin-facing prefix list (${CLOUDFRONT_ORIGIN_FACING_NAME}, recognised by its id in the stack's region, or any id of the pack's table when the region is not known; allowedPrefixListIds replaces the table) and nothing else: no CIDR ranges, no other prefix lists, no other security groups (unless listed in allowedSourceSecurityGroupIds).` +
        see("only-cloudfront-is-public"),
    enforcementLevel: MANDATORY,
    configSchema: {
        properties: {
            allowedSourceSecurityGroupIds: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Security groups that may reach the ALB besides the prefix list, e.g. CloudFront-VPCOrigins-Service-SG.",
            },
            allowedPrefixListIds: {
                type: "array",
                items: { type: "string" },
                description:
                    "The prefix list ids that count as CloudFront, replacing the pack's per-region table of com.amazonaws.global.cloudfront.origin-facing (for a region the table lacks, or the IPv6 list).",
            },
        },
    },
    validateStack: (args, report) => {
        const lbs = args.resources.filter((r) => isAny(r, LOAD_BALANCERS));
        if (lbs.length === 0) {
            return args.notApplicable("no load balancer in the stack");
        }
        const config = args.getConfig<{ allowedSourceSecurityGroupIds?: string[]; allowedPrefixListIds?: string[] }>();
        const allowed = config.allowedSourceSecurityGroupIds ?? [];
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
                const cloudFront = cloudFrontPrefixLists(regionOf(rule.resource, lb), config.allowedPrefixListIds);
                const strangers = prefixListIds.filter((id) => !cloudFront.ids.includes(id));
                if (strangers.length > 0) {
                    report(
                        `${rule.resource.name} admits prefix list ${quoted(strangers)} into ${lb.name}'s security group, which is not ${cloudFront.describe}; a prefix list can hold any range`,
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
                reachable ||=
                    prefixListIds.some((id) => cloudFront.ids.includes(id)) || securityGroupIds.some((id) => allowed.includes(id));
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
    description:
        "Aurora clusters (and any RDS instance) encrypt their storage; Aurora provisioned clusters default to unencrypted." +
        see("secrets-stay-secret"),
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
    description: "No database instance is publicly accessible." + see("only-cloudfront-is-public"),
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
        "The database's security groups admit only the security groups of the ECS services: no CIDR ranges, no prefix lists, no other groups." +
        see("only-cloudfront-is-public"),
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
    description:
        "ECS tasks get no public IP: they run in private subnets and reach the internet through NAT." + see("only-cloudfront-is-public"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _, report) => {
        if (service.networkConfiguration?.assignPublicIp === true) {
            report("networkConfiguration.assignPublicIp is true; tasks must not be reachable from the internet");
        }
    }),
};

export const secretsNotInEnvironment: ResourceValidationPolicy = {
    name: "secrets-not-in-environment",
    description:
        `No container sets ${REQUIRED_SECRETS.join(", ")} or another credential in plain environment: no credential-looking name (…SECRET, …PASSWORD, …TOKEN, …KEY, …DSN, …_PASS, …_AUTH, …), and no credential-looking value under any name (a URL with a password, a DSN with one, a PEM private key). Task definitions are readable by many people; messages name the variable, never the value.` +
        see("secrets-stay-secret"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, _, report) => {
        for (const container of containersOf(task, report)) {
            for (const [name, value] of Object.entries(envOf(container))) {
                // The message names the variable, never its value.
                if ((REQUIRED_SECRETS as readonly string[]).includes(name) || isCredentialName(name)) {
                    report(`container ${container.name} has ${name} in plain environment; pass it through ECS secrets (Secrets Manager)`);
                } else {
                    const kind = credentialValueKind(value);
                    if (kind) {
                        report(`container ${container.name} has ${kind} in ${name}; pass it through ECS secrets`);
                    }
                }
            }
        }
    }),
};

export const secretsFromSecretsManager: ResourceValidationPolicy = {
    name: "secrets-from-secrets-manager",
    description:
        `Every OneHub container reads ${REQUIRED_SECRETS.join(", ")} through ECS secrets from Secrets Manager (or SSM Parameter Store).` +
        see("secrets-stay-secret"),
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
        'No IAM policy allows a Secrets Manager action on every secret: not GetSecretValue, not secretsmanager:* nor any other action on Resource "*", a wildcard secret ARN (arn:aws:secretsmanager:*:*:secret:*, …:secret:*) or NotResource, and no broad AWS-managed policy (ListSecrets, GetRandomPassword and BatchGetSecretValue, which AWS grants only on "*", excepted).' +
        see("secrets-stay-secret"),
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
            for (const statement of statements) {
                const actions = secretActionsOf(statement);
                const wildcards =
                    statement.notResources.length > 0 ? ["NotResource"] : statement.resources.filter(isWildcardSecretResource);
                if (actions.length > 0 && wildcards.length > 0) {
                    report(`${where} allows ${quoted(actions)} on every secret (${wildcards.join(", ")}); list the secret ARNs it needs`);
                }
            }
        }
        for (const arn of managed.filter((a) => BROAD_SECRET_READERS.test(String(a)))) {
            report(`attaches ${arn}, which can read every secret in the account`);
        }
    },
};

/** AWS-managed policies that let a task role read secrets, SSM parameters or use KMS keys. */
const BROAD_TASK_ROLE_POLICIES =
    /^arn:aws[a-z-]*:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|ReadOnlyAccess|SecretsManagerReadWrite|AmazonSSMReadOnlyAccess|AmazonSSMFullAccess|AmazonSSMManagedInstanceCore|AWSKeyManagementServicePowerUser)$/;
/** SSM actions that read parameters (SecureString values included). */
const SSM_PARAMETER_READS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"];
/** KMS actions that use a key. */
const KMS_KEY_USE = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:CreateGrant",
    "kms:Sign",
    "kms:Verify",
    "kms:GenerateMac",
    "kms:VerifyMac",
    "kms:DeriveSharedSecret",
];

/** Every (task definition, role field, role resource) of the stack whose role is in the stack. */
function taskDefinitionRoles(
    resources: PolicyResource[],
    fields: TaskRoleField[],
): { task: PolicyResource; field: TaskRoleField; role: PolicyResource }[] {
    const found: { task: PolicyResource; field: TaskRoleField; role: PolicyResource }[] = [];
    for (const task of resources.filter((r) => r.isType(aws.ecs.TaskDefinition))) {
        for (const field of fields) {
            const role = roleOfTaskDefinition(task, field, resources);
            if (role) {
                found.push({ task, field, role });
            }
        }
    }
    return found;
}

export const ecsRolesTrustOnlyEcsTasks: StackValidationPolicy = {
    name: "ecs-roles-trust-only-ecs-tasks",
    description:
        'The task role and the execution role of every ECS task definition trust only the ecs-tasks.amazonaws.com service (not Principal "*", not an account or role, not another service, not NotPrincipal), and only for the role\'s own account: every statement carries an aws:SourceAccount or aws:SourceArn condition naming it, never negated — enforced on task roles (StringEquals / ArnLike, as the ECS developer guide recommends), and on execution roles at least as …IfExists (ECS documents the keys only for task roles).' +
        see("secrets-stay-secret"),
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const roles = taskDefinitionRoles(args.resources, ["taskRoleArn", "executionRoleArn"]);
        if (roles.length === 0) {
            return args.notApplicable("no task definition names a role of the stack");
        }
        const seen = new Set<string>();
        for (const { task, field, role } of roles) {
            if (seen.has(role.urn)) {
                continue;
            }
            seen.add(role.urn);
            // The role's account: from its ARN, or the one the task definition names it by.
            const account = parseArn(known(() => role.props.arn) ?? known(() => task.props[field]))?.account || undefined;
            for (const problem of ecsTaskTrustProblems(
                role.props.assumeRolePolicy,
                account,
                field === "taskRoleArn" ? "task" : "execution",
            )) {
                report(`${role.name} (the ${TASK_ROLE_FIELDS[field]} of ${task.name}): ${problem}`, role.urn);
            }
        }
    },
};

export const taskRoleNoSecretAccess: StackValidationPolicy = {
    name: "task-role-no-secret-access",
    description:
        "The task role of every ECS task definition (what OneHub's code may call) reads no secrets (secretsmanager:*), no SSM parameters (ssm:GetParameter*) and uses no KMS key except the ECS Exec key (a stack cluster's executeCommandConfiguration.kmsKeyId, or one listed in ecsExecKmsKeyArns): ECS injects the secrets through the execution role before the container starts, so code that is tricked into calling AWS finds nothing to read. Inline policies, role policies, attached customer policies of the stack and broad AWS-managed policies are checked; customer policies outside the stack cannot be." +
        see("secrets-stay-secret"),
    enforcementLevel: MANDATORY,
    configSchema: {
        properties: {
            ecsExecKmsKeyArns: {
                type: "array",
                items: { type: "string" },
                default: [],
                description:
                    "KMS keys the task role may use besides the stack's own clusters' ECS Exec keys: the key that encrypts ECS Exec sessions of a cluster outside the stack (existingClusterName), if any.",
            },
        },
    },
    validateStack: (args, report) => {
        const roles = taskDefinitionRoles(args.resources, ["taskRoleArn"]);
        if (roles.length === 0) {
            return args.notApplicable("no task definition names a task role of the stack");
        }
        // The ECS Exec keys: the configured ones, and the keys the stack's own clusters encrypt sessions with.
        const execKeys = [
            ...(args.getConfig<{ ecsExecKmsKeyArns?: string[] }>().ecsExecKmsKeyArns ?? []),
            ...args.resources
                .filter((r) => r.isType(aws.ecs.Cluster))
                .map((c) => known(() => c.props.configuration?.executeCommandConfiguration?.kmsKeyId))
                .filter((k): k is string => typeof k === "string" && k !== ""),
        ];
        const seen = new Set<string>();
        for (const { task, role } of roles) {
            if (seen.has(role.urn)) {
                continue;
            }
            seen.add(role.urn);
            const label = `${role.name} (the task role of ${task.name})`;
            const { documents, managed } = heldPolicies(role, args.resources);
            for (const { arn, urn } of managed.filter((m) => BROAD_TASK_ROLE_POLICIES.test(m.arn))) {
                report(`${label} gets ${arn}, which reads secrets, SSM parameters or KMS keys; the task role needs none of them`, urn);
            }
            for (const { where, urn, document } of documents) {
                const statements = iamStatements(document);
                if (!statements) {
                    report(`${label}: ${where} is not a readable IAM policy document`, urn);
                    continue;
                }
                for (const statement of statements) {
                    const secrets = serviceActionsOf(statement, "secretsmanager", "secretsmanager:GetSecretValue");
                    if (secrets.length > 0) {
                        report(
                            `${label}: ${where} allows ${quoted(secrets)}; secrets reach the container through ECS secrets, never through the task role`,
                            urn,
                        );
                    }
                    const parameters = SSM_PARAMETER_READS.filter((a) => allowsAction(statement, a));
                    if (parameters.length > 0) {
                        report(
                            `${label}: ${where} allows ${parameters.join(", ")}; parameters reach the container through ECS secrets, never through the task role`,
                            urn,
                        );
                    }
                    const keyUse = KMS_KEY_USE.filter((a) => allowsAction(statement, a));
                    const keys =
                        statement.notResources.length > 0 ? ["NotResource"] : statement.resources.filter((r) => !execKeys.includes(r));
                    if (keyUse.length > 0 && keys.length > 0) {
                        report(
                            `${label}: ${where} allows ${keyUse.join(", ")} on ${quoted(keys)}; the task role may use only the ECS Exec key (ecsExecKmsKeyArns)`,
                            urn,
                        );
                    }
                }
            }
        }
    },
};

export const taskRoleNotExecutionRole: ResourceValidationPolicy = {
    name: "task-role-not-execution-role",
    description:
        "No task definition uses one role as both task role and execution role: the execution role reads the injected secrets and pulls images, and OneHub's code must not be able to do either." +
        see("secrets-stay-secret"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (task, args, report) => {
        if (!task.taskRoleArn || !task.executionRoleArn) {
            return args.notApplicable("names no task role, or no execution role");
        }
        if (task.taskRoleArn === task.executionRoleArn) {
            report(
                `uses ${task.taskRoleArn} as both task role and execution role; the container's code could read every secret the execution role injects — give the task a role of its own`,
            );
        }
    }),
};

export const cloudFrontViewerHttps: ResourceValidationPolicy = {
    name: "cloudfront-viewer-https",
    description:
        "Every CloudFront cache behavior redirects viewers to HTTPS or serves HTTPS only: API keys travel in headers." +
        see("secrets-stay-secret"),
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
    description:
        `A distribution with its own certificate requires TLS 1.2 with a current cipher policy (${MODERN_VIEWER_TLS.join(", ")}).` +
        see("secrets-stay-secret"),
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
        "Web ACLs have scope CLOUDFRONT (and live in us-east-1): CloudFront is the only public entry, so that is where WAF belongs." +
        see("the-waf-blocks"),
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
        "Web ACLs run AWSManagedRulesCommonRuleSet with SizeRestrictions_BODY overridden to count: LLM request bodies routinely exceed its 8 KB limit." +
        see("the-waf-blocks"),
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

/**
 * The AWS managed rules that inspect the request body and match ordinary prompts (HTML, "../",
 * URLs, 169.254.169.254, "${jndi:"): the only rules that may be overridden to count.
 */
export const WAF_BODY_RULES = [
    "CrossSiteScripting_BODY",
    "GenericLFI_BODY",
    "GenericRFI_BODY",
    "EC2MetaDataSSRF_BODY",
    "SizeRestrictions_BODY",
    "Log4JRCE_BODY",
    "JavaDeserializationRCE_BODY",
];

/**
 * The label each body rule adds to a request it matches (AWS's rule tables for the core rule set
 * and known bad inputs): a counted body rule still labels, and a later rule must block the label.
 */
export const WAF_BODY_RULE_LABELS: Readonly<Record<string, string>> = {
    CrossSiteScripting_BODY: "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body",
    GenericLFI_BODY: "awswaf:managed:aws:core-rule-set:GenericLFI_Body",
    GenericRFI_BODY: "awswaf:managed:aws:core-rule-set:GenericRFI_Body",
    EC2MetaDataSSRF_BODY: "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body",
    SizeRestrictions_BODY: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
    Log4JRCE_BODY: "awswaf:managed:aws:known-bad-inputs:Log4JRCE_Body",
    JavaDeserializationRCE_BODY: "awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_Body",
};

/** True if `statement` matches requests carrying `label` through a label match that no NOT inverts. */
function matchesLabel(statement: any, label: string, negated = false): boolean {
    if (!statement || typeof statement !== "object") {
        return false;
    }
    const match = statement.labelMatchStatement;
    if (match) {
        const key = String(match.key ?? "");
        const hit = match.scope === "NAMESPACE" ? label.startsWith(key.endsWith(":") ? key : `${key}:`) : key === label;
        return hit && !negated;
    }
    if (statement.notStatement) {
        return matchesLabel(statement.notStatement.statement, label, !negated);
    }
    const children = statement.andStatement?.statements ?? statement.orStatement?.statements ?? [];
    return children.some((child: any) => matchesLabel(child, label, negated));
}

export const wafRulesNotInCountMode: ResourceValidationPolicy = {
    name: "waf-rules-not-in-count-mode",
    description:
        `Web ACL rules block: no rule group runs in count mode (overrideAction count), no rate-based rule only counts (action count), and inside a group no rule is overridden to allow, nor to count unless it is one of the body rules LLM prompts trip (${WAF_BODY_RULES.join(", ")}) and a rule after the group blocks that rule's label.` +
        see("the-waf-blocks"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.wafv2.WebAcl, (acl, _, report) => {
        const rules = acl.rules ?? [];
        for (const rule of rules) {
            const managed = rule.statement?.managedRuleGroupStatement;
            const reference = rule.statement?.ruleGroupReferenceStatement;
            const group = managed ? `${managed.vendorName}'s ${managed.name}` : reference ? `rule group ${reference.arn}` : undefined;
            if (group && rule.overrideAction?.count !== undefined) {
                report(
                    `rule ${rule.name} runs ${group} in count mode (overrideAction count), so it blocks nothing; use overrideAction none`,
                );
            }
            for (const override of (managed ?? reference)?.ruleActionOverrides ?? []) {
                if (override.actionToUse?.allow !== undefined) {
                    report(`rule ${rule.name} overrides ${override.name} to allow: what it matches skips every later rule`);
                } else if (override.actionToUse?.count !== undefined && !WAF_BODY_RULES.includes(override.name)) {
                    report(
                        `rule ${rule.name} overrides ${override.name} to count; only the body rules may count (${WAF_BODY_RULES.join(", ")})`,
                    );
                } else if (override.actionToUse?.count !== undefined) {
                    const label = WAF_BODY_RULE_LABELS[override.name];
                    const blocked = rules.some(
                        (later) =>
                            (later.priority ?? 0) > (rule.priority ?? 0) &&
                            later.action?.block !== undefined &&
                            matchesLabel(later.statement, label),
                    );
                    if (!blocked) {
                        report(
                            `rule ${rule.name} counts ${override.name}, and no later rule blocks its label ${label}, so it blocks nothing anywhere; add a blocking rule after the group that matches the label outside the paths that carry prompts`,
                        );
                    }
                }
            }
            if (rule.statement?.rateBasedStatement && rule.action?.count !== undefined) {
                report(`rate-based rule ${rule.name} only counts (action count), so it limits nobody; use action block`);
            }
        }
    }),
};

/** AWS-managed policies that reach Bedrock: every one grants more than invoking models. */
const MANAGED_BEDROCK_POLICIES = /^arn:aws[a-z-]*:iam::aws:policy\/(.*Bedrock.*|AdministratorAccess|PowerUserAccess)$/;

export const bedrockInvokeOnly: StackValidationPolicy = {
    name: "bedrock-invoke-only",
    description:
        `An IAM user or role that may call Amazon Bedrock may do nothing else: every Allow statement of its policies (inline, role and user policies, attached policies of the stack) grants exactly ${BEDROCK_INVOKE_ACTIONS.join(" and ")} — no bedrock:* or other wildcard, no other Bedrock or AWS action, no NotAction — and it gets no AWS-managed Bedrock policy (AmazonBedrockFullAccess, AmazonBedrockLimitedAccess, …). OneHub's Bedrock channel makes only those two calls, and its key sits in OneHub's database. A customer-managed policy of the stack that grants Bedrock is held to the same rule wherever it is attached.` +
        see("secrets-stay-secret"),
    enforcementLevel: MANDATORY,
    validateStack: (args, report) => {
        const principals = args.resources.filter((r) => r.isType(aws.iam.User) || r.isType(aws.iam.Role));
        const customerPolicies = args.resources.filter((r) => r.isType(aws.iam.Policy));
        if (principals.length === 0 && customerPolicies.length === 0) {
            return args.notApplicable("no IAM user, role or policy in the stack");
        }
        const checkDocuments = (label: string, documents: HeldDocument[], managed: { arn: string; urn: string }[]) => {
            const read = documents.map((d) => ({ ...d, statements: iamStatements(d.document) ?? [] }));
            const bedrock = read.some((d) => d.statements.some(grantsBedrock)) || managed.some((m) => MANAGED_BEDROCK_POLICIES.test(m.arn));
            if (!bedrock) {
                return;
            }
            for (const { where, urn, statements } of read) {
                for (const statement of statements) {
                    const beyond = beyondBedrockInvoke(statement);
                    if (beyond.length > 0) {
                        const wildcard = beyond.some(
                            (a) => a === "*" || a === "NotAction" || (/[*?]/.test(a) && a.toLowerCase().startsWith("bed")),
                        );
                        report(
                            `${label}: ${where} allows ${quoted(beyond)}${wildcard ? ", which covers every Bedrock action" : ""}; a principal that calls Bedrock may only invoke models (${BEDROCK_INVOKE_ACTIONS.join(", ")}, by name)`,
                            urn,
                        );
                    }
                }
            }
            for (const { arn, urn } of managed) {
                report(`${label} gets ${arn}, which grants more than invoking models; keep only the invoke-only policy`, urn);
            }
        };
        const covered = new Set<string>();
        for (const principal of principals) {
            const { documents, managed } = heldPolicies(principal, args.resources);
            documents.forEach((d) => d.policyUrn && covered.add(d.policyUrn));
            checkDocuments(`${principal.name} (IAM ${principal.isType(aws.iam.User) ? "user" : "role"})`, documents, managed);
        }
        // A customer policy attached outside the stack (or not yet): the same rule, on its own.
        for (const policy of customerPolicies.filter((p) => !covered.has(p.urn))) {
            checkDocuments(policy.name, [{ where: "its document", urn: policy.urn, document: policy.props.policy }], []);
        }
    },
};

/** The security guardrails, in the order reports list them. */
export const securityPolicies: Policies = [
    noWorldOpenIngress,
    noWorldOpenIngressCombined,
    noPublicCidrIngress,
    albInternal,
    albIngressOnlyFromCloudFront,
    dbStorageEncrypted,
    dbNotPubliclyAccessible,
    dbIngressOnlyFromTasks,
    ecsTasksNoPublicIp,
    secretsNotInEnvironment,
    secretsFromSecretsManager,
    secretReadScoped,
    ecsRolesTrustOnlyEcsTasks,
    taskRoleNoSecretAccess,
    taskRoleNotExecutionRole,
    bedrockInvokeOnly,
    cloudFrontViewerHttps,
    cloudFrontTlsMinimum,
    wafCloudFrontScope,
    wafBodySizeCounted,
    wafRulesNotInCountMode,
];
