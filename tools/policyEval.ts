// Runs CrossGuard policies against a recorded stack run without the Pulumi CLI: builds the
// `ResourceValidationArgs` / `StackValidationArgs` the policy server would build (see
// @pulumi/policy server.js) from the resources `runStack` recorded, and collects violations.
//
// Differences from a real `pulumi preview --policy-pack`, and why they do not matter here:
// - props are the program's inputs for both kinds of policy (the engine gives stack policies the
//   outputs); the mocks echo inputs as outputs, and the policies read only inputs;
// - there are no unknown values, provider resources or propertyDependencies under mocks.
import type {
    EnforcementLevel,
    Policies,
    Policy,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { policies as guardrails } from "../policy/policies";
import type { RegisteredResource, StackRun } from "./offlineStack";

export interface Violation {
    /** The resource in violation ("" when a stack policy blames the stack as a whole). */
    urn: string;
    message: string;
}

export interface PolicyResult {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    kind: "resource" | "stack";
    /**
     * Resources the policy applied to: for a resource policy those it did not mark not
     * applicable; for a stack policy those whose properties it read (0 if not applicable).
     */
    checked: number;
    violations: Violation[];
}

export interface EvaluateOptions {
    /** Stack tags, e.g. { "onehub:production": "true" }. */
    stackTags?: Record<string, string>;
    /** Policy config by policy name, as in a `--policy-pack-config` file. */
    config?: Record<string, Record<string, unknown>>;
}

/**
 * What `args.notApplicable` throws; the evaluator catches it like the policy server does. Not an
 * Error: most (policy, resource) pairs are not applicable, and capturing a stack trace for each
 * would dominate the run.
 */
class NotApplicableError {
    constructor(readonly reason: string | undefined) {}
}

const notApplicable = (reason?: string): never => {
    throw new NotApplicableError(reason);
};

/** `isType` as the policy server implements it: the class's type token, else its `isInstance`. */
export function isTypeOf(type: string, resourceClass: unknown): boolean {
    const cls = resourceClass as { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean } | undefined;
    if (typeof cls?.__pulumiType === "string" && cls.__pulumiType.length > 0) {
        return cls.__pulumiType === type;
    }
    return typeof cls?.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value as object)) {
            deepFreeze(child);
        }
    }
    return value;
}

function freezeMap(entries: Record<string, string>): ReadonlyMap<string, string> {
    const map = new Map(Object.entries(entries));
    return Object.freeze({
        entries: map.entries.bind(map),
        forEach: map.forEach.bind(map),
        get: map.get.bind(map),
        has: map.has.bind(map),
        keys: map.keys.bind(map),
        size: map.size,
        values: map.values.bind(map),
        [Symbol.iterator]: map[Symbol.iterator].bind(map),
    });
}

function optionsOf(r: RegisteredResource): PolicyResourceOptions {
    const opts: PolicyResourceOptions = {
        protect: false,
        ignoreChanges: [...r.ignoreChanges],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    if (r.parent) {
        opts.parent = r.parent;
    }
    return opts;
}

/** The policy's config: its schema's defaults, overridden by `options.config[name]`. */
function configOf(policy: Policy, options: EvaluateOptions): Record<string, unknown> {
    const defaults = Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {})
            .filter(([, schema]) => (schema as { default?: unknown }).default !== undefined)
            .map(([key, schema]) => [key, (schema as { default?: unknown }).default]),
    );
    return { ...defaults, ...options.config?.[policy.name] };
}

const isStackPolicy = (p: Policy): p is StackValidationPolicy => typeof (p as StackValidationPolicy).validateStack === "function";

function wrapError(e: unknown, policy: string, urn: string): Error {
    const message = e instanceof Error ? e.message : String(e);
    return new Error(`policy ${policy} threw on ${urn || "the stack"}: ${message}`);
}

async function evaluateResourcePolicy(
    policy: ResourceValidationPolicy,
    resources: RegisteredResource[],
    stackTags: ReadonlyMap<string, string>,
    config: Record<string, unknown>,
): Promise<Pick<PolicyResult, "checked" | "violations">> {
    const validations =
        policy.validateResource === undefined
            ? []
            : Array.isArray(policy.validateResource)
              ? policy.validateResource
              : [policy.validateResource];
    const violations: Violation[] = [];
    let checked = 0;
    for (const r of resources) {
        let applied = false;
        for (const validate of validations) {
            const args: ResourceValidationArgs = {
                type: r.type,
                props: r.inputs,
                urn: r.urn,
                name: r.name,
                opts: optionsOf(r),
                stackTags,
                isType: (cls: unknown) => isTypeOf(r.type, cls),
                asType: (cls: unknown) => (isTypeOf(r.type, cls) ? (r.inputs as any) : undefined),
                getConfig: () => config as any,
                notApplicable,
            };
            try {
                // A resource policy always blames the resource it validates, as the server does.
                await validate(args, (message) => violations.push({ urn: r.urn, message }));
                applied = true;
            } catch (e) {
                if (!(e instanceof NotApplicableError)) {
                    throw wrapError(e, policy.name, r.urn);
                }
            }
        }
        checked += applied ? 1 : 0;
    }
    return { checked, violations };
}

/** PolicyResources with parents and dependencies linked; reading `props` records the URN in `read`. */
function policyResources(resources: RegisteredResource[], read: Set<string>): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const built = resources.map((r) => {
        const props = new Proxy(r.inputs, {
            get(target, key, receiver) {
                read.add(r.urn);
                return Reflect.get(target, key, receiver);
            },
        });
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls: unknown) => isTypeOf(r.type, cls),
            asType: (cls: unknown) => (isTypeOf(r.type, cls) ? (props as any) : undefined),
        };
        byUrn.set(r.urn, resource);
        return resource;
    });
    resources.forEach((r, i) => {
        built[i].parent = r.parent ? byUrn.get(r.parent) : undefined;
        built[i].dependencies = r.dependencies.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
    });
    return built;
}

async function evaluateStackPolicy(
    policy: StackValidationPolicy,
    resources: RegisteredResource[],
    stackTags: ReadonlyMap<string, string>,
    config: Record<string, unknown>,
): Promise<Pick<PolicyResult, "checked" | "violations">> {
    const read = new Set<string>();
    const args: StackValidationArgs = {
        resources: policyResources(resources, read),
        stackTags,
        getConfig: () => config as any,
        notApplicable,
    };
    const violations: Violation[] = [];
    try {
        await policy.validateStack(args, (message, urn) => violations.push({ urn: urn ?? "", message }));
    } catch (e) {
        if (e instanceof NotApplicableError) {
            return { checked: 0, violations };
        }
        throw wrapError(e, policy.name, "");
    }
    return { checked: read.size, violations };
}

/**
 * Evaluates `policies` (the guardrails by default) against the resources of a stack run, in the
 * policies' order. Inputs are deep-copied and frozen first, so a policy can neither change the
 * run nor another policy's view of it. A policy that throws anything but not-applicable is a
 * bug: the error propagates, naming the policy and the resource.
 */
export async function evaluatePolicies(
    run: Pick<StackRun, "resources">,
    policies: Policies = guardrails,
    options: EvaluateOptions = {},
): Promise<PolicyResult[]> {
    const resources = run.resources.map((r) => ({ ...r, inputs: deepFreeze(structuredClone(r.inputs)) }));
    const stackTags = freezeMap(options.stackTags ?? {});
    const results: PolicyResult[] = [];
    for (const policy of policies) {
        const config = configOf(policy, options);
        const stack = isStackPolicy(policy);
        const outcome = stack
            ? await evaluateStackPolicy(policy, resources, stackTags, config)
            : await evaluateResourcePolicy(policy as ResourceValidationPolicy, resources, stackTags, config);
        results.push({
            name: policy.name,
            description: policy.description,
            enforcementLevel: policy.enforcementLevel ?? "advisory",
            kind: stack ? "stack" : "resource",
            ...outcome,
        });
    }
    return results;
}

/** Violations of mandatory policies: the ones that fail `pulumi preview --policy-pack`. */
export function blockingViolations(results: readonly PolicyResult[]): number {
    return results.filter((r) => r.enforcementLevel === "mandatory").reduce((n, r) => n + r.violations.length, 0);
}
