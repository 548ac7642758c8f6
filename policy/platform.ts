// Platform guardrails: the AWS plumbing that keeps operations boring — deployments that roll
// back, tasks in more than one AZ, ECS Exec only where it is audited (and not in production), log
// groups that expire and listener rules within AWS's limits. See docs/architecture.md#operations.
// (Container Insights is a production rule.)
import * as aws from "@pulumi/aws";
import { Policies, PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { conditionValues, conditionWildcards, isProductionStack, RuleCondition } from "./helpers";
import { known, LISTENER_RULES, MANDATORY, quoted, stackNameOf, validateResourceOfTypes, see } from "./plumbing";

/** ALB limits per listener rule. */
export const MAX_CONDITION_VALUES = 5;
export const MAX_CONDITION_WILDCARDS = 5;

export const ecsCircuitBreakerRollback: ResourceValidationPolicy = {
    name: "ecs-circuit-breaker-rollback",
    description:
        "Every ECS service has the deployment circuit breaker on with rollback, so a failing image rolls back instead of looping." +
        see("operations"),
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
    description:
        "Every ECS service may place tasks in at least two subnets (one per AZ), so an AZ loss does not stop the service." +
        see("operations"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _, report) => {
        const subnets = new Set(service.networkConfiguration?.subnets ?? []);
        if (subnets.size < 2) {
            report(`runs tasks in ${subnets.size} subnet(s); give it subnets in at least two AZs`);
        }
    }),
};

export const ecsExecAudited: StackValidationPolicy = {
    name: "ecs-exec-audited",
    description:
        "ECS Exec (a shell that sees every secret ECS injected) is off in production stacks unless the pack's allowInProduction says otherwise, and wherever a service has it on, its cluster (when in the stack) records every session's output: executeCommandConfiguration logging OVERRIDE to a CloudWatch log group or an S3 bucket. Who opened a shell is in CloudTrail (ExecuteCommand) either way; a cluster outside the stack cannot be read." +
        see("operations"),
    enforcementLevel: MANDATORY,
    configSchema: {
        properties: {
            allowInProduction: {
                type: "boolean",
                default: false,
                description:
                    "Allow ECS Exec in production stacks (it must still be audited); the second, explicit decision next to onehub:ecsExec true.",
            },
        },
    },
    validateStack: (args, report) => {
        const services = args.resources.filter((r) => r.isType(aws.ecs.Service) && r.props.enableExecuteCommand === true);
        if (services.length === 0) {
            return args.notApplicable("no ECS service has ECS Exec on");
        }
        const production = isProductionStack(stackNameOf(args), args.stackTags);
        const allowed = args.getConfig<{ allowInProduction?: boolean }>().allowInProduction === true;
        const clusters = args.resources.filter((r) => r.isType(aws.ecs.Cluster));
        for (const service of services) {
            if (production && !allowed) {
                report(
                    `${service.name} has ECS Exec on (enableExecuteCommand) in a production stack, where a shell sees every injected secret; set onehub:ecsExec false, or allow it on purpose with the pack config ecs-exec-audited.allowInProduction true`,
                    service.urn,
                );
            }
            const cluster = clusterOfService(service, clusters);
            if (!cluster) {
                continue;
            }
            const exec = cluster.props.configuration?.executeCommandConfiguration;
            const destination = exec?.logConfiguration?.cloudWatchLogGroupName || exec?.logConfiguration?.s3BucketName;
            if (exec?.logging !== "OVERRIDE" || !destination) {
                report(
                    `${service.name} has ECS Exec on, but its cluster ${cluster.name} records no session output (executeCommandConfiguration logging ${JSON.stringify(exec?.logging ?? "DEFAULT")}${destination ? "" : ", no log group or bucket"}); set logging OVERRIDE with a CloudWatch log group (onehub:ecsExec does)`,
                    service.urn,
                );
            }
        }
    },
};

/** The stack's ECS cluster a service runs in: its dependency, or the cluster whose ARN or name it names. */
function clusterOfService(service: PolicyResource, clusters: PolicyResource[]): PolicyResource | undefined {
    const named = known(() => service.props.cluster);
    return (
        clusters.find((c) => service.dependencies.some((d) => d.urn === c.urn)) ??
        clusters.find((c) => named !== undefined && [known(() => c.props.arn), known(() => c.props.name)].includes(named))
    );
}

export const logGroupRetention: ResourceValidationPolicy = {
    name: "log-group-retention",
    description: "Every CloudWatch log group has a retention (retentionInDays > 0); AWS keeps logs forever otherwise." + see("operations"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _, report) => {
        const days = group.retentionInDays ?? 0;
        if (!(days > 0)) {
            report(`retentionInDays is ${group.retentionInDays ?? "unset"}; logs would be kept (and billed) forever`);
        }
    }),
};

export const listenerRuleConditionLimit: ResourceValidationPolicy = {
    name: "listener-rule-condition-limit",
    description:
        `Each ALB listener rule holds at most ${MAX_CONDITION_VALUES} condition values and ${MAX_CONDITION_WILDCARDS} wildcards (AWS limits, checked before AWS rejects the rule mid-deployment).` +
        see("streaming-and-routing"),
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

/** The platform guardrails, in the order reports list them. */
export const platformPolicies: Policies = [
    ecsCircuitBreakerRollback,
    ecsMultiAzSubnets,
    ecsExecAudited,
    logGroupRetention,
    listenerRuleConditionLimit,
];
