// The PolicyPack plumbing the domain modules share: `isType` adapters for resources with several
// type tokens, reading task definitions, production-stack detection, relating resources of a
// stack to each other (ingress into a group, the task definition of a service), and the
// constants more than one domain uses. Policies themselves live in security.ts, onehub.ts,
// platform.ts and production.ts; pure parsing (no policy SDK) lives in helpers.ts and cidr.ts.
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import {
    ContainerDefinition,
    IngressSource,
    isProductionStack,
    legacyIngressSource,
    parseContainers,
    stackOfUrn,
    vpcIngressSource,
} from "./helpers";

/** Every policy of the pack blocks a preview or update. */
export const MANDATORY = "mandatory" as const;

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
