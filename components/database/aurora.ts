// Aurora MySQL Serverless v2 limits and the rules OneHub's SQL_DSN imposes on the password.
import { checkInteger, checkMatches, checkStep, fail } from "../common/validation";

/** Aurora MySQL 3 (MySQL 8.0 compatible); 3.10 is the current long-term-support line. */
export const DEFAULT_ENGINE_VERSION = "8.0.mysql_aurora.3.10.0";
/** Auto-pause (min 0 ACU) exists from Aurora MySQL 3.08.0 on. */
const AUTO_PAUSE_MIN_VERSION = [3, 8, 0];

/** The default maximum: 4 ACU is Aurora's smallest size with more than 100 connections (135). */
export const DEFAULT_MAX_CAPACITY = 4;
/** The default minimum: 0 ACU, so an idle database pauses (the dev profile; production sets 0.5). */
export const DEFAULT_MIN_CAPACITY = 0;
/** The pause delay a 0-ACU minimum gets unless told otherwise: the least Aurora allows. */
export const DEFAULT_SECONDS_UNTIL_AUTO_PAUSE = 300;

/** The pause delay: as given, else 300 s for a 0-ACU minimum and none (0) for a minimum above 0. */
export function secondsUntilAutoPauseOf(minCapacity: number, configured: number | undefined): number {
    return configured ?? (minCapacity === 0 ? DEFAULT_SECONDS_UNTIL_AUTO_PAUSE : 0);
}

const ACU_MIN = 0;
const ACU_MAX = 256;
const ACU_STEP = 0.5;
const AUTO_PAUSE_MIN_SECONDS = 300;
const AUTO_PAUSE_MAX_SECONDS = 86400;

interface CapacityKeys {
    min: string;
    max: string;
    autoPause: string;
    engineVersion: string;
}

/**
 * Validates a Serverless v2 capacity range.
 * See https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfiguration.html
 */
export function checkCapacity(keys: CapacityKeys, min: number, max: number, secondsUntilAutoPause: number, engineVersion: string): void {
    const version = checkEngineVersion(keys.engineVersion, engineVersion);
    checkStep(keys.min, min, ACU_MIN, ACU_MAX, ACU_STEP);
    checkStep(keys.max, max, 1, ACU_MAX, ACU_STEP);
    if (min > max) {
        fail(keys.min, min, `must not exceed ${keys.max} (${max})`);
    }
    if (secondsUntilAutoPause !== 0) {
        checkInteger(keys.autoPause, secondsUntilAutoPause, AUTO_PAUSE_MIN_SECONDS, AUTO_PAUSE_MAX_SECONDS);
        if (min !== 0) {
            fail(keys.autoPause, secondsUntilAutoPause, `auto-pause needs ${keys.min} = 0, but it is ${min}; use 0 to disable auto-pause`);
        }
    }
    if (min === 0) {
        if (secondsUntilAutoPause === 0) {
            fail(
                keys.min,
                min,
                `0 ACU means auto-pause: set ${keys.autoPause} to ${AUTO_PAUSE_MIN_SECONDS}–${AUTO_PAUSE_MAX_SECONDS}, or use a minimum of at least 0.5`,
            );
        }
        if (compareVersions(version, AUTO_PAUSE_MIN_VERSION) < 0) {
            fail(keys.engineVersion, engineVersion, `0 ACU (auto-pause) needs Aurora MySQL 3.08.0 or later`);
        }
    }
}

/** The capacity the instances were rebooted with: a maximum capacity value (1–256 in 0.5 steps). */
export function checkRebootedCapacity(key: string, capacity: number): number {
    return checkStep(key, capacity, 1, ACU_MAX, ACU_STEP);
}

/**
 * The RDS Data API exists for Aurora MySQL Serverless v2 and provisioned clusters from 3.07 on
 * (Aurora user guide, "Supported Regions and Aurora DB engines for RDS Data API").
 */
const DATA_API_MIN_VERSION = [3, 7, 0];
/**
 * Regions where that table says "Not available" for Aurora MySQL (read 2026-07): Hyderabad,
 * Melbourne, New Zealand, Taipei, Calgary, Beijing, Ningxia, Zurich, Tel Aviv, Mexico (Central),
 * GovCloud. A region the table does not name yet passes; the step then fails with AWS's message.
 */
export const DATA_API_UNAVAILABLE_REGIONS = [
    "ap-south-2",
    "ap-southeast-4",
    "ap-southeast-6",
    "ap-east-2",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-2",
    "il-central-1",
    "mx-central-1",
    "us-gov-east-1",
    "us-gov-west-1",
];

interface DataApiKeys {
    engineVersion: string;
    enableDataApi: string;
}

/**
 * The application database user is created through the RDS Data API (no bastion, no connection
 * from the machine running `pulumi up`): it must stay on, on an engine version that has it.
 */
export function checkDataApi(keys: DataApiKeys, engineVersion: string, enableDataApi: boolean): void {
    const why = "OneHub's least-privilege database user is created through the RDS Data API at deploy time, before any service starts";
    if (!enableDataApi) {
        fail(keys.enableDataApi, enableDataApi, `must stay true: ${why}`);
    }
    if (compareVersions(checkEngineVersion(keys.engineVersion, engineVersion), DATA_API_MIN_VERSION) < 0) {
        fail(
            keys.engineVersion,
            engineVersion,
            `must be Aurora MySQL 3.07.0 or later, the first with the RDS Data API for Serverless v2: ${why}`,
        );
    }
}

/** The stack's region must offer the Data API for Aurora MySQL. */
export function checkDataApiRegion(key: string, region: string): string {
    if (DATA_API_UNAVAILABLE_REGIONS.includes(region)) {
        fail(
            key,
            region,
            "has no RDS Data API for Aurora MySQL, through which OneHub's least-privilege database user is created; deploy to a region that has it (Aurora user guide, Supported Regions and Aurora DB engines for RDS Data API)",
        );
    }
    return region;
}

/** Parses "8.0.mysql_aurora.3.10.0" into [3, 10, 0]. */
export function checkEngineVersion(key: string, engineVersion: string): number[] {
    checkMatches(
        key,
        engineVersion,
        /^8\.0\.mysql_aurora\.3\.\d{2}\.\d+$/,
        'must be an Aurora MySQL 3 version such as "8.0.mysql_aurora.3.10.0"',
    );
    return engineVersion.split(".").slice(3).map(Number);
}

function compareVersions(a: number[], b: number[]): number {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0) {
            return d;
        }
    }
    return 0;
}

/**
 * Default `max_connections` of Aurora MySQL Serverless v2, set by the maximum ACU (the table in
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html).
 * Between two rows the lower one applies.
 */
const MAX_CONNECTIONS_BY_MAX_ACU: ReadonlyArray<[number, number]> = [
    [1, 90],
    [4, 135],
    [8, 1000],
    [16, 2000],
    [32, 3000],
    [64, 4000],
    [128, 5000],
    [256, 6000],
];

export function maxConnections(maxAcu: number): number {
    let result = MAX_CONNECTIONS_BY_MAX_ACU[0][1];
    for (const [acu, connections] of MAX_CONNECTIONS_BY_MAX_ACU) {
        if (maxAcu >= acu) {
            result = connections;
        }
    }
    return result;
}

/**
 * Characters a generated master password may use besides letters and digits. OneHub's SQL_DSN
 * is `user:pass@tcp(host:3306)/db` and OneHub appends `?loc=` or `&loc=` after searching for
 * `?`, so `? & / @ : # %` and quotes would break it; Aurora itself forbids `/ " @` and spaces.
 */
export const PASSWORD_SPECIALS = "-_.~!*+=^";
export const PASSWORD_LENGTH = 40;
/** Aurora MySQL master passwords are 8–41 printable ASCII characters. */
const PASSWORD_RE = /^[A-Za-z0-9\-_.~!*+=^$,;<>[\]{}()|]{8,41}$/;

/** Checks a password supplied by config; the message never shows the value itself. */
export function checkPassword(key: string, password: string): string {
    if (!PASSWORD_RE.test(password)) {
        fail(
            key,
            "(secret)",
            "must be 8–41 characters of letters, digits and -_.~!*+=^$,;<>[]{}()| — no ? & / @ : # % quotes or spaces, which break SQL_DSN or Aurora",
        );
    }
    return password;
}
