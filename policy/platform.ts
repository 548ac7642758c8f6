// Platform guardrails: the AWS plumbing that keeps operations boring — deployments that roll
// back, tasks in more than one AZ, ECS Exec, log groups that expire and listener rules within
// AWS's limits. See docs/architecture.md#operations. (Container Insights is a production rule.)
import * as aws from "@pulumi/aws";
import { Policies, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { conditionValues, conditionWildcards, RuleCondition } from "./helpers";
import { LISTENER_RULES, MANDATORY, quoted, validateResourceOfTypes, see } from "./plumbing";

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

export const ecsExecEnabled: ResourceValidationPolicy = {
    name: "ecs-exec-enabled",
    description: "Every ECS service has ECS Exec on (enableExecuteCommand): operations without SSH or bastions." + see("operations"),
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.ecs.Service, (service, _, report) => {
        if (service.enableExecuteCommand !== true) {
            report("enableExecuteCommand is not true; operators could not open a shell in a task");
        }
    }),
};

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
    ecsExecEnabled,
    logGroupRetention,
    listenerRuleConditionLimit,
];
