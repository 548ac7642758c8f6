import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { pinnedValueFrom } from "../secrets/valueFrom";
import { createDeployStep } from "../lifecycle/deployStep";
import {
    checkCapacity,
    checkDataApi,
    checkDataApiRegion,
    checkPassword,
    checkRebootedCapacity,
    DEFAULT_ENGINE_VERSION,
    DEFAULT_MAX_CAPACITY,
    DEFAULT_MIN_CAPACITY,
    secondsUntilAutoPauseOf,
    maxConnections,
    PASSWORD_LENGTH,
    PASSWORD_SPECIALS,
} from "./aurora";
import { checkComponentName, checkInteger, checkLogRetention, checkNonEmpty, DEFAULT_LOG_RETENTION_DAYS } from "../common/validation";

export const DB_PORT = 3306;
const DB_NAME = "onehub";
/** The Aurora master user: for operators (Query Editor) and the deploy-time step, never for OneHub. */
const DB_USER = "onehub";
/** The user OneHub connects as (SQL_DSN). */
export const APP_USER = "onehub_app";
/**
 * What OneHub needs on its own schema, and nothing on any other (read in MartialBE/one-hub v0.14.27
 * and main, model/): SELECT, INSERT, UPDATE, DELETE for its queries (SELECT … FOR UPDATE in
 * model/redemption.go needs UPDATE too); CREATE and ALTER for GORM's AutoMigrate and the
 * migrations' ALTER TABLE … MODIFY (model/migrate.go); INDEX for the indexes AutoMigrate creates
 * and DROP for the one migration 202405152141 drops; REFERENCES for the foreign key AutoMigrate
 * creates for Log.Channel (model/log.go). No LOCK TABLES or temporary tables are used.
 */
export const APP_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "INDEX", "DROP", "REFERENCES"];
/** How long the app-user step waits for a starting or resuming database. */
const APP_USER_TIMEOUT_SECONDS = 600;
const LOG_EXPORTS = ["error", "slowquery"];

export interface OneHubDatabaseArgs {
    /** VPC the cluster's security group is created in. */
    vpcId: pulumi.Input<string>;
    /**
     * Subnets of the DB subnet group, at least two in different AZs (an RDS requirement).
     * Isolated subnets are best: Aurora needs no route to the internet.
     */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Aurora MySQL version. Default "8.0.mysql_aurora.3.10.0" (the 3.10 LTS line).
     * See https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/AuroraMySQL.Updates.30Updates.html
     */
    engineVersion?: string;
    /**
     * Minimum Aurora capacity units, 0–256 in steps of 0.5. Default 0 (production: 0.5). 0 enables
     * auto-pause (Aurora MySQL ≥ 3.08.0) after `secondsUntilAutoPause`. It pauses only when no client
     * holds a connection: OneHub's tasks need pools without idle connections (SQL_MAX_IDLE_CONNS 0)
     * and a long SYNC_FREQUENCY, and its master's statistics job still wakes it every 10 minutes.
     */
    minCapacity?: number;
    /**
     * Maximum Aurora capacity units, 1–256 in steps of 0.5. Default 4. Aurora derives
     * `max_connections` from it, but only when each instance reboots (see `rebootedMaxCapacity`).
     */
    maxCapacity?: number;
    /**
     * The `maxCapacity` every instance has been rebooted with since it was last changed, 1–256 in
     * steps of 0.5. Default 4. `maxConnections` (and so the tasks' pools) follows the smaller of this
     * and `maxCapacity`: after raising `maxCapacity`, reboot each instance, then raise this, so no
     * task is handed a pool the database cannot accept yet ("Error 1040: Too many connections").
     * See https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html
     */
    rebootedMaxCapacity?: number;
    /**
     * Idle seconds before an auto-pausing (min 0 ACU) cluster pauses, 300–86400; 0 = no auto-pause.
     * Default 300 with `minCapacity` 0, else 0. See https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html
     */
    secondsUntilAutoPause?: number;
    /**
     * Serverless v2 readers besides the writer, 0–15. Default 0. Each is placed in a different AZ
     * from the writer (promotion tier 1), so a writer or AZ failure fails over in about a minute.
     */
    readerCount?: number;
    /** Days of automated backups, 1–35. Default 1. */
    backupRetentionDays?: number;
    /** Refuse `pulumi destroy` and console deletes of the cluster. Default false. */
    deletionProtection?: boolean;
    /** Take a final snapshot when the cluster is deleted. Default false (true for production). */
    finalSnapshot?: boolean;
    /**
     * RDS Data API. Default true, and true is the only value allowed: the application user OneHub
     * connects as is created through it at deploy time, and operators query from the console's
     * Query Editor or `aws rds-data` with the credentials secret, without a bastion.
     * Needs Aurora MySQL 3.07 or later. See https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html
     */
    enableDataApi?: boolean;
    /**
     * Master password. Default: a generated 40-character password. Supply the existing one when
     * migrating. 8–41 characters with none of `? & / @ : # %`, quotes or spaces.
     */
    masterPassword?: pulumi.Input<string>;
    /** Retention of the exported error and slow-query logs, a CloudWatch-allowed value. Default 7. */
    logRetentionDays?: number;
    /** Tags for every resource. */
    tags?: Record<string, string>;
}

/**
 * Aurora MySQL Serverless v2 for OneHub, with its own security group (no ingress until a
 * service attaches itself) and OneHub's `SQL_DSN` published as a Secrets Manager secret.
 */
export class OneHubDatabase extends pulumi.ComponentResource {
    /** The Aurora cluster, for alarms and extensions. */
    public readonly cluster: aws.rds.Cluster;
    /** The writer instance: services wait for it (the cluster alone accepts no connections). */
    public readonly writer: aws.rds.ClusterInstance;
    /** The Aurora cluster's ARN. */
    public readonly clusterArn: pulumi.Output<string>;
    /** The Aurora cluster's identifier. */
    public readonly clusterId: pulumi.Output<string>;
    /** The cluster identifier, the `DBClusterIdentifier` dimension of its CloudWatch metrics. */
    public readonly clusterIdentifier: pulumi.Output<string>;
    /** The writer's then the readers' DB instance identifiers (`DBInstanceIdentifier`). */
    public readonly instanceIdentifiers: pulumi.Output<string[]>;
    /** Writer endpoint. */
    public readonly endpoint: pulumi.Output<string>;
    /** The reader endpoint (the writer when there is no reader). */
    public readonly readerEndpoint: pulumi.Output<string>;
    /** The MySQL port, 3306. */
    public readonly port: pulumi.Output<number>;
    /** Services add an ingress rule on this group from their own group, on `port`. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** Secrets Manager secret holding OneHub's `SQL_DSN` (the application user, not the master user). */
    public readonly sqlDsnSecretArn: pulumi.Output<string>;
    /**
     * `SQL_DSN` for ECS `secrets`: the secret pinned to its current version, resolving only once the
     * writer instance is available. A service built from it starts no task before the database
     * accepts connections, and redeploys when the DSN (e.g. the password) changes.
     */
    public readonly sqlDsnValueFrom: pulumi.Output<string>;
    /** The `max_connections` the tasks' pools must fit (from `min(maxCapacity, rebootedMaxCapacity)`). */
    public readonly maxConnections: pulumi.Output<number>;
    /** Secret in the RDS credentials JSON shape, for the Query Editor and the Data API: the master user. */
    public readonly credentialsSecretArn: pulumi.Output<string>;
    /** The application user's credentials (RDS JSON shape): what OneHub connects as, with rights on its schema only. */
    public readonly appCredentialsSecretArn: pulumi.Output<string>;
    /** The deploy-time step that creates the application user; SQL_DSN's version waits for it. */
    public readonly appUser: aws.lambda.Invocation;

    constructor(name: string, args: OneHubDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        const key = (k: string) => `OneHubDatabase args.${k}`;
        // The longest autonamed child is the app-user step's IAM role (64 characters).
        checkComponentName("OneHubDatabase", name, "-app-user-role", 64);
        if (Array.isArray(args.subnetIds)) {
            checkNonEmpty(key("subnetIds"), args.subnetIds, "subnet");
        }
        const engineVersion = args.engineVersion ?? DEFAULT_ENGINE_VERSION;
        const minCapacity = args.minCapacity ?? DEFAULT_MIN_CAPACITY;
        const maxCapacity = args.maxCapacity ?? DEFAULT_MAX_CAPACITY;
        const secondsUntilAutoPause = secondsUntilAutoPauseOf(minCapacity, args.secondsUntilAutoPause);
        checkCapacity(
            {
                min: key("minCapacity"),
                max: key("maxCapacity"),
                autoPause: key("secondsUntilAutoPause"),
                engineVersion: key("engineVersion"),
            },
            minCapacity,
            maxCapacity,
            secondsUntilAutoPause,
            engineVersion,
        );
        const rebootedMaxCapacity = checkRebootedCapacity(key("rebootedMaxCapacity"), args.rebootedMaxCapacity ?? DEFAULT_MAX_CAPACITY);
        const readerCount = checkInteger(key("readerCount"), args.readerCount ?? 0, 0, 15);
        const backupRetentionDays = checkInteger(key("backupRetentionDays"), args.backupRetentionDays ?? 1, 1, 35);
        const logRetentionDays = checkLogRetention(key("logRetentionDays"), args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS);
        checkDataApi(
            { engineVersion: key("engineVersion"), enableDataApi: key("enableDataApi") },
            engineVersion,
            args.enableDataApi ?? true,
        );
        if (typeof args.masterPassword === "string") {
            checkPassword(key("masterPassword"), args.masterPassword);
        }
        super("onehub:index:OneHubDatabase", name, {}, opts);
        const tags = args.tags;

        const password = args.masterPassword
            ? pulumi.secret(args.masterPassword)
            : new random.RandomPassword(
                  `${name}-master-password`,
                  { length: PASSWORD_LENGTH, special: true, overrideSpecial: PASSWORD_SPECIALS, minLower: 2, minUpper: 2, minNumeric: 2 },
                  { parent: this },
              ).result;

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            // No inline rules: services attach their own ingress rules, and Aurora needs no egress.
            { vpcId: args.vpcId, description: "OneHub Aurora: ingress only from OneHub task security groups", tags },
            { parent: this },
        );
        const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: args.subnetIds, tags }, { parent: this });
        const parameterGroup = new aws.rds.ClusterParameterGroup(
            `${name}-parameters`,
            {
                family: "aurora-mysql8.0",
                description: "OneHub: UTC to match the containers' TZ, utf8mb4, slow query log",
                parameters: [
                    // OneHub's daily statistics use MySQL session time and Go's TZ; both are UTC.
                    { name: "time_zone", value: "UTC" },
                    { name: "character_set_server", value: "utf8mb4" },
                    { name: "character_set_database", value: "utf8mb4" },
                    { name: "collation_server", value: "utf8mb4_unicode_ci" },
                    { name: "slow_query_log", value: "1" },
                    { name: "long_query_time", value: "2" },
                ],
                tags,
            },
            { parent: this },
        );

        // A known identifier lets us create the export log groups (with a retention) before RDS
        // would create them without one.
        const suffix = new random.RandomString(`${name}-id`, { length: 6, special: false, upper: false }, { parent: this });
        const clusterIdentifier = pulumi.interpolate`${name}-${suffix.result}`;
        const logGroups = LOG_EXPORTS.map(
            (log) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${log}-log`,
                    { name: pulumi.interpolate`/aws/rds/cluster/${clusterIdentifier}/${log}`, retentionInDays: logRetentionDays, tags },
                    { parent: this },
                ),
        );

        const cluster = new aws.rds.Cluster(
            `${name}-cluster`,
            {
                clusterIdentifier,
                engine: aws.rds.EngineType.AuroraMysql,
                engineMode: aws.rds.EngineMode.Provisioned,
                engineVersion,
                databaseName: DB_NAME,
                masterUsername: DB_USER,
                masterPassword: password,
                port: DB_PORT,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [securityGroup.id],
                dbClusterParameterGroupName: parameterGroup.name,
                serverlessv2ScalingConfiguration: {
                    minCapacity,
                    maxCapacity,
                    secondsUntilAutoPause: secondsUntilAutoPause === 0 ? undefined : secondsUntilAutoPause,
                },
                storageEncrypted: true,
                backupRetentionPeriod: backupRetentionDays,
                copyTagsToSnapshot: true,
                deletionProtection: args.deletionProtection ?? false,
                skipFinalSnapshot: !(args.finalSnapshot ?? false),
                finalSnapshotIdentifier: args.finalSnapshot ? pulumi.interpolate`${clusterIdentifier}-final` : undefined,
                enabledCloudwatchLogsExports: LOG_EXPORTS,
                // The Data API: the app-user step and the Query Editor (Aurora MySQL ≥ 3.07).
                enableHttpEndpoint: true,
                // A new master password must reach Aurora now, not at the next maintenance window:
                // the DSN secret (and so every new task) changes at once.
                applyImmediately: true,
                tags,
            },
            { parent: this, dependsOn: logGroups },
        );

        // Each instance is pinned to the AZ of one DB subnet: the writer to the first, reader i
        // to the next ones, so readers never share the writer's AZ while there is another AZ.
        const subnetIds = pulumi.output(args.subnetIds);
        const zoneOf = (i: number) =>
            subnetIds.apply((ids) => aws.ec2.getSubnetOutput({ id: ids[i % ids.length] }, { parent: this }).availabilityZone);
        const instances = Array.from(
            { length: readerCount + 1 },
            (_, i) =>
                new aws.rds.ClusterInstance(
                    i === 0 ? `${name}-writer` : `${name}-reader-${i}`,
                    {
                        clusterIdentifier: cluster.id,
                        instanceClass: "db.serverless",
                        engine: aws.rds.EngineType.AuroraMysql,
                        // The engine version is the cluster's. AWS must not raise it on its own: the next
                        // `pulumi up` would then ask for a downgrade, which Aurora refuses (pulumi-aws #5756).
                        // Minor upgrades are a config change: dbEngineVersion, then `pulumi up`.
                        autoMinorVersionUpgrade: false,
                        availabilityZone: zoneOf(i),
                        // Tier 0–1 readers scale with the writer, so a failover lands on warm capacity.
                        promotionTier: i === 0 ? 0 : 1,
                        publiclyAccessible: false,
                        dbSubnetGroupName: subnetGroup.name,
                        tags,
                    },
                    { parent: this },
                ),
        );
        const writer = instances[0];

        const credentialsSecret = new aws.secretsmanager.Secret(
            `${name}-credentials`,
            { description: "OneHub Aurora master credentials (RDS secret shape, for Query Editor / Data API)", tags },
            { parent: this },
        );
        const rdsShape = (username: string, secretPassword: pulumi.Input<string>) =>
            pulumi.secret(
                pulumi.jsonStringify({
                    username,
                    password: secretPassword,
                    engine: "mysql",
                    host: cluster.endpoint,
                    port: DB_PORT,
                    dbname: DB_NAME,
                    dbClusterIdentifier: cluster.clusterIdentifier,
                }),
            );
        const credentialsVersion = new aws.secretsmanager.SecretVersion(
            `${name}-credentials`,
            { secretId: credentialsSecret.id, secretString: rdsShape(DB_USER, password) },
            { parent: this },
        );

        // The user OneHub connects as: its own generated password, rights on its own schema only.
        const appPassword = new random.RandomPassword(
            `${name}-app-password`,
            { length: PASSWORD_LENGTH, special: true, overrideSpecial: PASSWORD_SPECIALS, minLower: 2, minUpper: 2, minNumeric: 2 },
            { parent: this },
        ).result;
        const appSecret = new aws.secretsmanager.Secret(
            `${name}-app-credentials`,
            { description: `OneHub's database user ${APP_USER} (RDS secret shape): what SQL_DSN connects as`, tags },
            { parent: this },
        );
        const appVersion = new aws.secretsmanager.SecretVersion(
            `${name}-app-credentials`,
            { secretId: appSecret.id, secretString: rdsShape(APP_USER, appPassword) },
            { parent: this },
        );
        // Created (or its password set again) through the Data API once the writer accepts
        // statements, and again whenever the password's version changes: before the DSN does.
        const region = aws
            .getRegionOutput({}, { parent: this })
            .region.apply((r) => checkDataApiRegion("the stack's region (aws:region)", r));
        const appUserStep = createDeployStep(this, `${name}-app-user`, {
            handler: "databaseAppUser",
            description: `OneHub ${name}: creates the database user ${APP_USER} with rights on ${DB_NAME} only, through the Data API`,
            statements: [
                { Effect: "Allow", Action: ["rds-data:ExecuteStatement"], Resource: cluster.arn },
                // The Data API reads the master credentials with the caller's rights; the step reads the app password.
                { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [credentialsSecret.arn, appSecret.arn] },
            ],
            input: {
                resourceArn: cluster.arn,
                masterSecretArn: credentialsSecret.arn,
                appSecretArn: appSecret.arn,
                appSecretVersionId: appVersion.versionId,
                username: APP_USER,
                database: DB_NAME,
                privileges: APP_PRIVILEGES,
                region,
                timeoutSeconds: APP_USER_TIMEOUT_SECONDS,
            },
            timeoutSeconds: APP_USER_TIMEOUT_SECONDS + 60,
            logRetentionDays,
            tags,
            // The Data API needs the writer, and the master credentials' value to connect with.
            dependsOn: [writer, credentialsVersion],
        });

        const dsnSecret = new aws.secretsmanager.Secret(
            `${name}-sql-dsn`,
            { description: `OneHub SQL_DSN (${APP_USER}:pass@tcp(host:3306)/${DB_NAME})`, tags },
            { parent: this },
        );
        const dsnVersion = new aws.secretsmanager.SecretVersion(
            `${name}-sql-dsn`,
            {
                secretId: dsnSecret.id,
                // No parseTime: OneHub appends loc= itself and reads dates as strings.
                secretString: pulumi.secret(pulumi.interpolate`${APP_USER}:${appPassword}@tcp(${cluster.endpoint}:${DB_PORT})/${DB_NAME}`),
            },
            // The DSN names a user that must exist with this password first: the services wait for
            // this version, so no task starts (or restarts with a new password) before the step ran.
            { parent: this, dependsOn: [appUserStep.invocation] },
        );

        this.cluster = cluster;
        this.writer = writer;
        this.clusterArn = cluster.arn;
        this.clusterId = cluster.id;
        this.clusterIdentifier = cluster.clusterIdentifier;
        this.instanceIdentifiers = pulumi.all(instances.map((i) => i.identifier));
        this.endpoint = cluster.endpoint;
        this.readerEndpoint = cluster.readerEndpoint;
        this.port = pulumi.output(DB_PORT);
        this.securityGroupId = securityGroup.id;
        this.sqlDsnSecretArn = dsnSecret.arn;
        this.sqlDsnValueFrom = pulumi.all([pinnedValueFrom(dsnSecret, dsnVersion), writer.id]).apply(([valueFrom]) => valueFrom);
        this.maxConnections = pulumi.output(maxConnections(Math.min(maxCapacity, rebootedMaxCapacity)));
        this.credentialsSecretArn = credentialsSecret.arn;
        this.appCredentialsSecretArn = appSecret.arn;
        this.appUser = appUserStep.invocation;
        this.registerOutputs({
            clusterArn: this.clusterArn,
            clusterId: this.clusterId,
            clusterIdentifier: this.clusterIdentifier,
            instanceIdentifiers: this.instanceIdentifiers,
            endpoint: this.endpoint,
            readerEndpoint: this.readerEndpoint,
            port: this.port,
            securityGroupId: this.securityGroupId,
            sqlDsnSecretArn: this.sqlDsnSecretArn,
            sqlDsnValueFrom: this.sqlDsnValueFrom,
            maxConnections: this.maxConnections,
            credentialsSecretArn: this.credentialsSecretArn,
            appCredentialsSecretArn: this.appCredentialsSecretArn,
        });
    }
}
