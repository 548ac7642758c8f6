import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { checkComponentName, checkInteger, checkNonEmpty, checkOneOf } from "../common/validation";
import { pinnedValueFrom } from "../secrets/valueFrom";

/** ElastiCache Serverless for Valkey/Redis OSS: 6379 is the read-write endpoint, 6380 the reader endpoint. */
export const CACHE_PORTS = { from: 6379, to: 6380 };
/** The engine, for the cache, its users and its user group. */
const ENGINE = "valkey";
/** The Valkey major versions ElastiCache Serverless offers. */
const MAJOR_ENGINE_VERSIONS = ["7", "8"];
const DEFAULT_MAJOR_ENGINE_VERSION = "8";
/** Per-cache usage limits ElastiCache accepts (CacheUsageLimits): data storage 1–5000 GB, 1000–15,000,000 ECPU/s. */
export const CACHE_LIMITS = {
    dataStorageGb: { min: 1, max: 5000, default: 1 },
    ecpuPerSecond: { min: 1000, max: 15_000_000, default: 5000 },
};
/** The user OneHub authenticates as (the URL's user part). */
export const CACHE_USER_NAME = "onehub";
/**
 * ElastiCache serverless cache names, user ids and user group ids: at most 40 characters (the CDK
 * derives its generated names with that limit, aws/aws-cdk #36459), lower-case letters, digits and
 * hyphens, starting with a letter. Ours are "<name>-<6 random>", plus "-app" or "-off" for users.
 */
const ID_LIMIT = 40;
const ID_SUFFIX_LENGTH = 6;
/** Alphanumeric: nothing to escape in a URL's user-info, none of the characters ElastiCache refuses in passwords. */
const PASSWORD_LENGTH = 48;

export interface OneHubCacheArgs {
    /** VPC of the cache's security group. */
    vpcId: pulumi.Input<string>;
    /**
     * Subnets the cache's endpoints are placed in, in at least two AZs; the private or isolated ones
     * (the cache needs no route to the internet). Changing them replaces the cache (a new name, created
     * before the old one is deleted; its empty data is rebuilt from the database).
     */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Most data the cache may hold, in GB, 1–5000: the spend cap on storage. Default 1. Billing follows
     * what is stored (at least 100 MB for Valkey); at the cap, writes fail and OneHub answers 500.
     * See https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Scaling.html#Pre-Scaling
     */
    maxDataStorageGb?: number;
    /**
     * Most ElastiCache Processing Units per second, 1000–15,000,000: the spend cap on requests. Default
     * 5000. Past it requests are throttled, and OneHub answers 401/500 on relay paths.
     */
    maxEcpuPerSecond?: number;
    /** Valkey major version, "7" or "8". Default "8". Changing it replaces the cache. */
    majorEngineVersion?: string;
    /** Tags for every resource. */
    tags?: Record<string, string>;
}

/**
 * A shared Redis for OneHub: ElastiCache Serverless with the Valkey engine, TLS always on, password
 * authentication through its own ElastiCache user (in a user group whose "default" user is off), its
 * own security group with no ingress until a service attaches itself, and OneHub's
 * `REDIS_CONN_STRING` (rediss://onehub:<password>@<endpoint>:6379) as a Secrets Manager secret.
 */
export class OneHubCache extends pulumi.ComponentResource {
    /** The serverless cache, for alarms and extensions. */
    public readonly cache: aws.elasticache.ServerlessCache;
    /** The serverless cache's name. */
    public readonly cacheName: pulumi.Output<string>;
    /** The cache's read-write endpoint (host name). */
    public readonly endpoint: pulumi.Output<string>;
    /** The read-write endpoint's port, 6379. */
    public readonly port: pulumi.Output<number>;
    /** Services add an ingress rule on this group from their own group, on 6379–6380. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** Secrets Manager secret holding OneHub's `REDIS_CONN_STRING`. */
    public readonly connectionStringSecretArn: pulumi.Output<string>;
    /**
     * `REDIS_CONN_STRING` for ECS `secrets`: the secret pinned to its current version, which exists only
     * once the cache does. A service built from it starts no task before the cache accepts connections
     * (OneHub exits when its first PING fails), and redeploys when the cache is replaced.
     */
    public readonly connectionStringValueFrom: pulumi.Output<string>;

    constructor(name: string, args: OneHubCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        const key = (k: keyof OneHubCacheArgs) => `OneHubCache args.${k}`;
        // The longest id, "<name>-<6 random>-app", must fit ElastiCache's 40 characters.
        checkComponentName("OneHubCache", name, "-app", ID_LIMIT);
        if (Array.isArray(args.subnetIds)) {
            checkNonEmpty(key("subnetIds"), args.subnetIds, "subnet");
        }
        const maxDataStorageGb = checkInteger(
            key("maxDataStorageGb"),
            args.maxDataStorageGb ?? CACHE_LIMITS.dataStorageGb.default,
            CACHE_LIMITS.dataStorageGb.min,
            CACHE_LIMITS.dataStorageGb.max,
        );
        const maxEcpuPerSecond = checkInteger(
            key("maxEcpuPerSecond"),
            args.maxEcpuPerSecond ?? CACHE_LIMITS.ecpuPerSecond.default,
            CACHE_LIMITS.ecpuPerSecond.min,
            CACHE_LIMITS.ecpuPerSecond.max,
        );
        const majorEngineVersion = checkOneOf(
            key("majorEngineVersion"),
            args.majorEngineVersion ?? DEFAULT_MAJOR_ENGINE_VERSION,
            MAJOR_ENGINE_VERSIONS,
        );
        super("onehub:index:OneHubCache", name, {}, opts);
        const tags = args.tags;
        const parent = { parent: this };

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            // No inline rules: services attach their own ingress rules, and the cache needs no egress.
            { vpcId: args.vpcId, description: "OneHub Valkey: ingress only from OneHub task security groups", tags },
            parent,
        );

        // Ids are account-wide per region: the random part keeps two stacks (dev and prod) or two
        // projects with the same component name apart. It never changes, so users and group are never
        // replaced (a replacement with the same id would collide).
        const suffix = new random.RandomString(`${name}-id`, { length: ID_SUFFIX_LENGTH, special: false, upper: false }, parent).result;
        const base = pulumi.interpolate`${name}-${suffix}`;
        // Marked secret here too: the provider SDK does not mark a password nested in authenticationMode.
        const password = pulumi.secret(
            new random.RandomPassword(`${name}-password`, { length: PASSWORD_LENGTH, special: false }, parent).result,
        );
        const user = new aws.elasticache.User(
            `${name}-user`,
            {
                userId: pulumi.interpolate`${base}-app`,
                userName: CACHE_USER_NAME,
                engine: ENGINE,
                accessString: "on ~* +@all",
                authenticationMode: { type: "password", passwords: [password] },
                tags,
            },
            parent,
        );
        // Every user group must hold a user named "default"; a Valkey group takes only users that
        // authenticate, so it gets a random password it never hands out, and is switched off.
        const defaultUser = new aws.elasticache.User(
            `${name}-default-user`,
            {
                userId: pulumi.interpolate`${base}-off`,
                userName: "default",
                engine: ENGINE,
                accessString: "off -@all",
                authenticationMode: {
                    type: "password",
                    passwords: [
                        pulumi.secret(
                            new random.RandomPassword(`${name}-default-password`, { length: PASSWORD_LENGTH, special: false }, parent)
                                .result,
                        ),
                    ],
                },
                tags,
            },
            parent,
        );
        const userGroup = new aws.elasticache.UserGroup(
            `${name}-users`,
            { userGroupId: base, engine: ENGINE, userIds: [defaultUser.userId, user.userId], tags },
            parent,
        );

        // The fields that replace a serverless cache (name, engine, major version, subnets, KMS key)
        // give it a new name: the replacement is created before the old cache is deleted, and a second
        // cache with the old name would be refused.
        const nameSuffix = new random.RandomString(
            `${name}-name`,
            {
                length: ID_SUFFIX_LENGTH,
                special: false,
                upper: false,
                keepers: {
                    engine: ENGINE,
                    majorEngineVersion,
                    subnetIds: pulumi.output(args.subnetIds).apply((ids) => [...ids].sort().join(",")),
                },
            },
            parent,
        ).result;
        const cache = new aws.elasticache.ServerlessCache(
            `${name}-cache`,
            {
                name: pulumi.interpolate`${name}-${nameSuffix}`,
                description: `OneHub ${name}: shared Redis (token and user cache, rate limits)`,
                engine: ENGINE,
                majorEngineVersion,
                subnetIds: args.subnetIds,
                securityGroupIds: [securityGroup.id],
                userGroupId: userGroup.userGroupId,
                cacheUsageLimits: {
                    dataStorage: { maximum: maxDataStorageGb, unit: "GB" },
                    ecpuPerSeconds: [{ maximum: maxEcpuPerSecond }],
                },
                // The data is rebuilt from the database within SYNC_FREQUENCY: snapshots would only cost.
                snapshotRetentionLimit: 0,
                // Creation often takes longer than a few minutes; the provider's defaults are 40/80/40 min.
                timeouts: { create: "60m", update: "80m", delete: "60m" },
                tags,
            },
            parent,
        );

        const endpoint = cache.endpoints.apply((e) => e[0]);
        const secret = new aws.secretsmanager.Secret(
            `${name}-conn-string`,
            { description: "OneHub REDIS_CONN_STRING (rediss://onehub:<password>@<endpoint>:6379)", tags },
            parent,
        );
        const version = new aws.secretsmanager.SecretVersion(
            `${name}-conn-string`,
            {
                secretId: secret.id,
                // TLS (rediss) is always on for serverless caches; no /db: the cache refuses SELECT.
                secretString: pulumi.secret(
                    pulumi.interpolate`rediss://${CACHE_USER_NAME}:${password}@${endpoint.address}:${endpoint.port}`,
                ),
            },
            parent,
        );

        this.cache = cache;
        this.cacheName = cache.name;
        this.endpoint = endpoint.address;
        this.port = endpoint.port;
        this.securityGroupId = securityGroup.id;
        this.connectionStringSecretArn = secret.arn;
        this.connectionStringValueFrom = pulumi
            .all([pinnedValueFrom(secret, version), cache.arn, userGroup.id])
            .apply(([valueFrom]) => valueFrom);
        this.registerOutputs({
            cacheName: this.cacheName,
            endpoint: this.endpoint,
            port: this.port,
            securityGroupId: this.securityGroupId,
            connectionStringSecretArn: this.connectionStringSecretArn,
            connectionStringValueFrom: this.connectionStringValueFrom,
        });
    }
}
