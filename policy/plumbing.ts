// The PolicyPack plumbing the domain modules share: `isType` adapters for resources with several
// type tokens, reading task definitions, production-stack detection, relating resources of a
// stack to each other (ingress into a group, the task definition of a service), and the
// constants more than one domain uses. Policies themselves live in security.ts, onehub.ts,
// platform.ts and production.ts; pure parsing (no policy SDK) lives in helpers.ts and cidr.ts.
import * as aws from "@pulumi/aws";
import {
    PolicyProviderResource,
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    StackValidationArgs,
    UnknownValueError,
} from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import {
    ContainerDefinition,
    IngressSource,
    isProductionStack,
    legacyIngressSource,
    parseArn,
    parseContainers,
    stackOfUrn,
    vpcIngressSource,
} from "./helpers";

/** A policy that blocks a preview or update: all but the advisory ones. */
export const MANDATORY = "mandatory" as const;
/** A finding that is reported but blocks nothing: a risk an operator may accept knowingly. */
export const ADVISORY = "advisory" as const;

/** The design document the policy descriptions cite. */
export const ARCHITECTURE_DOC = "docs/architecture.md";

/** " See docs/architecture.md#<anchor>." for a description. */
export const see = (anchor: string): string => ` See ${ARCHITECTURE_DOC}#${anchor}.`;

export type Props<TArgs> = pulumi.Unwrap<NonNullable<TArgs>>;
export type ResourceClass = { new (...rest: any[]): pulumi.Resource };

// @pulumi/aws registers the ALB resources under both aws:lb/… and aws:alb/… tokens.
export const LOAD_BALANCERS: ResourceClass[] = [aws.lb.LoadBalancer, aws.alb.LoadBalancer];
export const LISTENER_RULES: ResourceClass[] = [aws.lb.ListenerRule, aws.alb.ListenerRule];
export const TARGET_GROUPS: ResourceClass[] = [aws.lb.TargetGroup, aws.alb.TargetGroup];

/** Like `validateResourceOfType`, for a resource that has several type tokens. */
export function validateResourceOfTypes<TArgs>(
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

export const isAny = (r: PolicyResource, classes: ResourceClass[]) => classes.some((c) => r.isType(c));

/** The containers of a task definition, or a violation when ECS could not read them either. */
export function containersOf(props: { containerDefinitions?: unknown }, report: ReportViolation): ContainerDefinition[] {
    const containers = parseContainers(props.containerDefinitions);
    if (!containers) {
        report("containerDefinitions is not a JSON array of container definitions");
        return [];
    }
    return containers;
}

/** Marks a resource policy not applicable outside production stacks. */
export function requireProduction(args: ResourceValidationArgs): void {
    if (!isProductionStack(stackOfUrn(args.urn), args.stackTags)) {
        args.notApplicable("applies only to production stacks");
    }
}

/** The stack's name as its resources' URNs carry it. */
export function stackNameOf(args: StackValidationArgs): string {
    return args.resources.length > 0 ? stackOfUrn(args.resources[0].urn) : "";
}

/** One ingress permission: who may come in, and into which group. */
export interface Ingress {
    /** The resource that declares it (a rule, or a security group with inline rules). */
    resource: PolicyResource;
    /** Security group ids the permission applies to (known for standalone rules). */
    groupIds: string[];
    /** The security group resource, for inline rules. */
    group?: PolicyResource;
    source: IngressSource;
}

/** Every ingress permission in the stack, from all three ways AWS lets you declare one. */
export function ingressOf(resources: PolicyResource[]): Ingress[] {
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
export function ingressInto(consumer: PolicyResource, groupIds: string[], ingress: Ingress[]): Ingress[] {
    const dependsOn = new Set(consumer.dependencies.map((d) => d.urn));
    return ingress.filter((i) => i.groupIds.some((id) => groupIds.includes(id)) || (i.group !== undefined && dependsOn.has(i.group.urn)));
}

/** The task definition an ECS service runs: its dependency, or the one whose ARN it names. */
export function taskDefinitionOf(service: PolicyResource, resources: PolicyResource[]): PolicyResource | undefined {
    return (
        service.dependencies.find((d) => d.isType(aws.ecs.TaskDefinition)) ??
        resources.find((r) => r.isType(aws.ecs.TaskDefinition) && r.props.arn !== undefined && r.props.arn === service.props.taskDefinition)
    );
}

export const quoted = (values: string[]) => values.map((v) => JSON.stringify(v)).join(", ");

/**
 * `read()`, or undefined when it reads a value that is unknown during preview (a new resource's
 * ARN): the callers fall back to what they can know instead of giving up the whole policy.
 */
export function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (e) {
        if (e instanceof UnknownValueError) {
            return undefined;
        }
        throw e;
    }
}

const regionString = (v: unknown): string | undefined => (typeof v === "string" && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(v) ? v : undefined);

/**
 * The AWS region of the first of `resources` that tells: its own `region` argument (aws 7), its
 * provider's `region`, or the region in its ARN. Undefined when none tells (as under mocks, where
 * policies get neither providers nor ARNs).
 */
export function regionOf(...resources: { props: Record<string, any>; provider?: PolicyProviderResource }[]): string | undefined {
    for (const r of resources) {
        const region =
            known(() => regionString(r.props.region)) ??
            known(() => regionString(r.provider?.props?.region)) ??
            known(() => regionString(parseArn(r.props.arn)?.region));
        if (region) {
            return region;
        }
    }
    return undefined;
}

/** The two roles of a task definition: what its code may call, and what ECS uses to start it. */
export const TASK_ROLE_FIELDS = { taskRoleArn: "task role", executionRoleArn: "execution role" } as const;
export type TaskRoleField = keyof typeof TASK_ROLE_FIELDS;

/** A role ARN's last path segment: the role's name. */
const roleNameOfArn = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

/**
 * The role resource a task definition names in `field`: through the engine's property
 * dependencies; else the role whose ARN (an output), name or, when neither is known as under
 * mocks, logical name is the ARN's. Undefined for a role outside the stack.
 */
export function roleOfTaskDefinition(task: PolicyResource, field: TaskRoleField, resources: PolicyResource[]): PolicyResource | undefined {
    const fromProperty = (task.propertyDependencies[field] ?? []).filter((d) => d.isType(aws.iam.Role));
    if (fromProperty.length === 1) {
        return fromProperty[0];
    }
    const arn = task.props[field];
    if (typeof arn !== "string" || arn === "") {
        return undefined;
    }
    const roles = resources.filter((r) => r.isType(aws.iam.Role));
    return (
        roles.find((r) => known(() => r.props.arn) === arn) ??
        roles.find((r) => typeof r.props.name === "string" && r.props.name === roleNameOfArn(arn)) ??
        roles.find((r) => known(() => r.props.arn) === undefined && r.props.name === undefined && r.name === roleNameOfArn(arn))
    );
}

/**
 * The resources that attach permissions to `role` whose `field` names it (an aws.iam.RolePolicy's
 * or RolePolicyAttachment's `role`, an aws.iam.PolicyAttachment's `roles`): by the role's id, name
 * or ARN where known; for one that names no role of the stack by those (under mocks, where ids
 * are not known), by its dependency on exactly one role.
 */
function attachedTo(role: PolicyResource, candidates: PolicyResource[], resources: PolicyResource[]): PolicyResource[] {
    const roles = resources.filter((r) => r.isType(aws.iam.Role));
    const namesOf = (r: PolicyResource) =>
        [known(() => r.props.id), known(() => r.props.name), known(() => r.props.arn)].filter((v): v is string => typeof v === "string");
    // A new role's id is unknown during preview: then only the dependency can tell.
    const named = (c: PolicyResource) =>
        [known(() => c.props.role), ...(known(() => c.props.roles) ?? [])].filter((v): v is string => typeof v === "string");
    return candidates.filter((c) => {
        const refs = named(c);
        if (refs.some((ref) => namesOf(role).includes(ref))) {
            return true;
        }
        if (roles.some((r) => refs.some((ref) => namesOf(r).includes(ref)))) {
            return false;
        }
        const dependsOn = c.dependencies.filter((d) => d.isType(aws.iam.Role));
        return dependsOn.length === 1 && dependsOn[0].urn === role.urn;
    });
}

/**
 * The resources that attach permissions to an IAM `principal`, a role or a user: for a role as
 * `attachedTo`; for a user, an aws.iam.UserPolicy's or UserPolicyAttachment's `user` and an
 * aws.iam.PolicyAttachment's `users`, by the user's id, name or ARN where known, else by the
 * candidate's dependency on exactly one user.
 */
function attachedToPrincipal(principal: PolicyResource, candidates: PolicyResource[], resources: PolicyResource[]): PolicyResource[] {
    if (principal.isType(aws.iam.Role)) {
        return attachedTo(principal, candidates, resources);
    }
    const users = resources.filter((r) => r.isType(aws.iam.User));
    const namesOf = (r: PolicyResource) =>
        [known(() => r.props.id), known(() => r.props.name), known(() => r.props.arn)].filter((v): v is string => typeof v === "string");
    const named = (c: PolicyResource) =>
        [known(() => c.props.user), ...(known(() => c.props.users) ?? [])].filter((v): v is string => typeof v === "string");
    return candidates.filter((c) => {
        const refs = named(c);
        if (refs.some((ref) => namesOf(principal).includes(ref))) {
            return true;
        }
        if (refs.length === 0 || users.some((u) => refs.some((ref) => namesOf(u).includes(ref)))) {
            return false;
        }
        const dependsOn = c.dependencies.filter((d) => d.isType(aws.iam.User));
        return dependsOn.length === 1 && dependsOn[0].urn === principal.urn;
    });
}

/** One IAM policy document a principal holds, where it comes from, and the resource to report on. */
export interface HeldDocument {
    where: string;
    urn: string;
    document: unknown;
    /** The customer-managed policy (aws.iam.Policy) it is, when attached as one. */
    policyUrn?: string;
}

/**
 * Everything a role or user of the stack holds: a role's inline policies, its role or user policies,
 * the customer-managed policies of the stack attached to it (found by ARN, or by the attachment's
 * dependency on exactly one policy), and the managed policies it gets by ARN only (a role's
 * managedPolicyArns, attachments of policies the stack does not define).
 */
export function heldPolicies(
    principal: PolicyResource,
    resources: PolicyResource[],
): { documents: HeldDocument[]; managed: { arn: string; urn: string }[] } {
    const kind = principal.isType(aws.iam.User) ? "user" : "role";
    const inline = resources.filter((r) => (kind === "role" ? r.isType(aws.iam.RolePolicy) : r.isType(aws.iam.UserPolicy)));
    const attachments = resources.filter(
        (r) =>
            (kind === "role" ? r.isType(aws.iam.RolePolicyAttachment) : r.isType(aws.iam.UserPolicyAttachment)) ||
            r.isType(aws.iam.PolicyAttachment),
    );
    const customerPolicies = resources.filter((r) => r.isType(aws.iam.Policy));
    const documents: HeldDocument[] = [
        ...(kind === "role" ? (principal.props.inlinePolicies ?? []) : []).map((p: { name?: string; policy?: unknown }) => ({
            where: `inline policy ${p.name ?? ""}`.trim(),
            urn: principal.urn,
            document: p.policy,
        })),
        ...attachedToPrincipal(principal, inline, resources).map((p) => ({
            where: `${kind} policy ${p.name}`,
            urn: p.urn,
            document: p.props.policy,
        })),
    ];
    const managed: { arn: string; urn: string }[] = (kind === "role" ? (principal.props.managedPolicyArns ?? []) : []).map(
        (arn: string) => ({ arn, urn: principal.urn }),
    );
    for (const attachment of attachedToPrincipal(principal, attachments, resources)) {
        const arn = String(known(() => attachment.props.policyArn) ?? "");
        const dependsOnPolicies = attachment.dependencies.filter((d) => d.isType(aws.iam.Policy));
        const policy =
            customerPolicies.find((p) => known(() => p.props.arn) === arn) ??
            (dependsOnPolicies.length === 1 ? dependsOnPolicies[0] : undefined);
        if (policy) {
            documents.push({ where: `policy ${policy.name}`, urn: attachment.urn, document: policy.props.policy, policyUrn: policy.urn });
        } else {
            managed.push({ arn, urn: attachment.urn });
        }
    }
    return { documents, managed };
}
