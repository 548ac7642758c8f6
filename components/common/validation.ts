// Pure checks shared by the stack config loader and the component constructors. Each one
// throws an error that names the key, the value it got and what is allowed, so a bad
// value fails before any resource is registered.
import * as pulumi from "@pulumi/pulumi";

/**
 * Thrown for any argument or config value outside what AWS or OneHub accepts. A `RunError`, so
 * the Pulumi CLI prints the one-line message without a stack trace.
 */
export class InvalidArgumentError extends pulumi.RunError {
    constructor(key: string, value: unknown, allowed: string) {
        super(`${key} = ${show(value)} is invalid: ${allowed}`);
        this.name = "InvalidArgumentError";
    }
}

function show(value: unknown): string {
    return value === undefined ? "(unset)" : JSON.stringify(value);
}

export function fail(key: string, value: unknown, allowed: string): never {
    throw new InvalidArgumentError(key, value, allowed);
}

/** An integer in [min, max]. */
export function checkInteger(key: string, value: number, min: number, max: number): number {
    if (!Number.isInteger(value) || value < min || value > max) {
        fail(key, value, `must be a whole number from ${min} to ${max}`);
    }
    return value;
}

/** A number in [min, max] that is a multiple of `step`. */
export function checkStep(key: string, value: number, min: number, max: number, step: number): number {
    if (!Number.isFinite(value) || value < min || value > max || !Number.isInteger(value / step)) {
        fail(key, value, `must be from ${min} to ${max} in steps of ${step}`);
    }
    return value;
}

export function checkOneOf<T>(key: string, value: T, allowed: readonly T[]): T {
    if (!allowed.includes(value)) {
        fail(key, value, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
    }
    return value;
}

export function checkMatches(key: string, value: string, re: RegExp, allowed: string): string {
    if (!re.test(value)) {
        fail(key, value, allowed);
    }
    return value;
}

export function checkNonEmpty<T>(key: string, value: readonly T[] | undefined, what: string): readonly T[] {
    if (!value || value.length === 0) {
        fail(key, value, `must list at least one ${what}`);
    }
    return value;
}

/**
 * Component names become the prefix of physical AWS names (Pulumi appends "-" and 7 random
 * characters). RDS identifiers are the strictest: lower-case letters, digits and single hyphens,
 * starting with a letter. `longestSuffix` is the longest "-xyz" the component appends to its own
 * name and `limit` the AWS limit for that resource, so the autonamed result always fits.
 */
export function checkComponentName(component: string, name: string, longestSuffix: string, limit: number): string {
    const key = `${component} name`;
    checkMatches(
        key,
        name,
        /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/,
        "must start with a lower-case letter and hold only lower-case letters, digits and single hyphens, so every AWS name derived from it is valid",
    );
    const max = limit - AUTONAME_SUFFIX_LENGTH - longestSuffix.length;
    if (name.length > max) {
        fail(
            key,
            name,
            `must be at most ${max} characters: "${name}${longestSuffix}" plus Pulumi's 8-character random suffix must fit the AWS limit of ${limit}`,
        );
    }
    return name;
}

/** Pulumi autonaming appends "-" and 7 random characters. */
const AUTONAME_SUFFIX_LENGTH = 8;

/** The retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export function checkLogRetention(key: string, days: number): number {
    return checkOneOf(key, days, LOG_RETENTION_DAYS as readonly number[]);
}

/** Days every log group keeps its events unless told otherwise (Pulumi.yaml's logRetentionDays). */
export const DEFAULT_LOG_RETENTION_DAYS = 7;
