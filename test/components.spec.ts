// Each component built alone with only its required arguments, as a program that imports the
// library would: what it builds by default, with literal values.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    OneHub,
    OneHubCluster,
    OneHubDatabase,
    OneHubMasterService,
    OneHubNetwork,
    OneHubSecrets,
    OneHubSlaveService,
    PrivateEdge,
} from "../components";
import { MOCK_VPC_ID, StackRun } from "../tools/offlineStack";
import { container, envOf, fixtureRun, ofType, one } from "./util";

const SUBNETS = ["subnet-01111111", "subnet-11111111"];
const secretArn = (n: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${n}-AbCdEf`;
/** What every service needs and has no default for. */
const SERVICE_ARGS = {
    clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
    vpcId: MOCK_VPC_ID,
    subnetIds: SUBNETS,
    secrets: { SQL_DSN: secretArn("dsn"), SESSION_SECRET: secretArn("session"), USER_TOKEN_SECRET: secretArn("token") },
    listenerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/a/1/2",
    albSecurityGroupId: "sg-0a1b2c3d",
    databaseSecurityGroupId: "sg-0d4e5f6a",
};

/** Runs `build` under mocks and returns the run and the outputs it returns. */
async function alone(build: () => Record<string, pulumi.Output<unknown>>): Promise<StackRun> {
    return fixtureRun("dev", {}, build);
}

describe("each component with only its required arguments", () => {
    it("OneHubNetwork: 2 zones of 10.0.0.0/16 by the region's first names, /18 private, /19 public and isolated, one NAT instance", async () => {
        const run = await alone(() => {
            const net = new OneHubNetwork("net", {});
            return { zones: net.availabilityZoneNames };
        });
        assert.deepStrictEqual(one(run, "awsx:ec2:Vpc").inputs, {
            cidrBlock: "10.0.0.0/16",
            numberOfAvailabilityZones: 2,
            subnetStrategy: "Auto",
            subnetSpecs: [
                { type: "Private", cidrMask: 18 },
                { type: "Public", cidrMask: 19 },
                { type: "Isolated", cidrMask: 19 },
            ],
            // Egress through one NAT instance (NatInstance), not awsx's gateways.
            natGateways: { strategy: "None" },
            enableDnsHostnames: true,
            enableDnsSupport: true,
        });
        assert.deepStrictEqual(
            ofType(run, "aws:autoscaling/group:Group").map((g) => [g.inputs.minSize, g.inputs.maxSize]),
            [[1, 1]],
        );
        assert.strictEqual(one(run, "aws:ec2/launchTemplate:LaunchTemplate").inputs.instanceType, "t4g.nano");
        assert.deepStrictEqual(run.outputs.zones, ["us-east-1a", "us-east-1b"]);
    });

    it("OneHubSecrets: SESSION_SECRET and USER_TOKEN_SECRET generated with 48 letters and digits, no HASHIDS_SALT", async () => {
        const run = await alone(() => {
            const s = new OneHubSecrets("sec", {});
            return { salt: s.hashidsSaltValueFrom, session: s.sessionSecretValueFrom };
        });
        assert.deepStrictEqual(
            ofType(run, "random:index/randomPassword:RandomPassword").map((p) => [p.name, p.inputs]),
            [
                ["sec-session-secret", { length: 48, special: false }],
                ["sec-user-token-secret", { length: 48, special: false }],
            ],
        );
        assert.deepStrictEqual(
            ofType(run, "aws:secretsmanager/secret:Secret").map((s) => s.name),
            ["sec-session-secret", "sec-user-token-secret"],
        );
        assert.strictEqual(run.outputs.salt, "");
        assert.match(
            run.outputs.session as string,
            /^arn:aws:secretsmanager:us-east-1:123456789012:secret:sec-session-secret-AbCdEf:::v-[0-9a-f]{12}$/,
        );
    });

    it("OneHubDatabase: Aurora MySQL 3.10, 0–4 ACU pausing after 300 s, one encrypted writer, 1 day of backups, no protection, Data API on, 7-day logs", async () => {
        const run = await alone(() => {
            const db = new OneHubDatabase("db", { vpcId: MOCK_VPC_ID, subnetIds: SUBNETS });
            return { maxConnections: db.maxConnections };
        });
        const { clusterIdentifier, masterPassword, dbSubnetGroupName, vpcSecurityGroupIds, dbClusterParameterGroupName, ...cluster } = one(
            run,
            "aws:rds/cluster:Cluster",
        ).inputs;
        assert.ok(clusterIdentifier && masterPassword && dbSubnetGroupName && vpcSecurityGroupIds && dbClusterParameterGroupName);
        assert.deepStrictEqual(cluster, {
            engine: "aurora-mysql",
            engineMode: "provisioned",
            engineVersion: "8.0.mysql_aurora.3.10.0",
            databaseName: "onehub",
            masterUsername: "onehub",
            port: 3306,
            serverlessv2ScalingConfiguration: { minCapacity: 0, maxCapacity: 4, secondsUntilAutoPause: 300 },
            storageEncrypted: true,
            backupRetentionPeriod: 1,
            copyTagsToSnapshot: true,
            deletionProtection: false,
            skipFinalSnapshot: true,
            enabledCloudwatchLogsExports: ["error", "slowquery"],
            enableHttpEndpoint: true,
            applyImmediately: true,
        });
        assert.deepStrictEqual(
            ofType(run, "aws:rds/clusterInstance:ClusterInstance").map((i) => i.name),
            ["db-writer"],
        );
        assert.deepStrictEqual(
            ofType(run, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.retentionInDays),
            [7, 7, 7],
            "error and slow-query logs, and the database-user step's",
        );
        assert.strictEqual(one(run, "random:index/randomPassword:RandomPassword", "master").inputs.length, 40);
        assert.strictEqual(run.outputs.maxConnections, 135);
    });

    it("PrivateEdge: an internal ALB with a 600 s idle timeout, HTTP 80, 60 s origin timeouts, PriceClass_100, no WAF, no domain", async () => {
        const run = await alone(() => {
            const edge = new PrivateEdge("edge", { vpcId: MOCK_VPC_ID, subnetIds: SUBNETS });
            return { url: edge.url, waf: edge.webAclArn, logs: edge.wafLogGroupName };
        });
        const alb = one(run, "aws:lb/loadBalancer:LoadBalancer").inputs;
        assert.deepStrictEqual([alb.internal, alb.idleTimeout, alb.dropInvalidHeaderFields, alb.accessLogs], [true, 600, true, undefined]);
        const listener = one(run, "aws:lb/listener:Listener").inputs;
        assert.deepStrictEqual(
            [listener.protocol, listener.port, listener.sslPolicy, listener.certificateArn],
            ["HTTP", 80, undefined, undefined],
        );
        assert.strictEqual(ofType(run, "aws:lb/listenerRule:ListenerRule").length, 2, "the internal-path 404s");
        const cdn = one(run, "aws:cloudfront/distribution:Distribution").inputs;
        assert.deepStrictEqual(
            [cdn.priceClass, cdn.origins[0].vpcOriginConfig.originReadTimeout, cdn.origins[0].vpcOriginConfig.originKeepaliveTimeout],
            ["PriceClass_100", 60, 60],
        );
        assert.deepStrictEqual(
            [cdn.aliases, cdn.webAclId, cdn.viewerCertificate],
            [undefined, undefined, { cloudfrontDefaultCertificate: true }],
        );
        assert.deepStrictEqual(ofType(run, "aws:wafv2/webAcl:WebAcl"), []);
        assert.deepStrictEqual(ofType(run, "aws:cloudwatch/logGroup:LogGroup"), []);
        assert.deepStrictEqual(run.outputs, { url: "https://d111111abcdef8.cloudfront.net", waf: undefined, logs: undefined });
    });

    it("PrivateEdge with WAF: limits of 2000 and 100 requests per IP per 5 minutes, no logging", async () => {
        const run = await alone(() => {
            new PrivateEdge("edge", { vpcId: MOCK_VPC_ID, subnetIds: SUBNETS, wafEnabled: true });
            return {};
        });
        const rules = one(run, "aws:wafv2/webAcl:WebAcl").inputs.rules;
        const limit = (name: string) => rules.find((r: any) => r.name === name).statement.rateBasedStatement.limit;
        assert.deepStrictEqual([limit("rate-limit-ip"), limit("rate-limit-login")], [2000, 100]);
        assert.ok(!rules.some((r: any) => r.name === "credential-in-path"));
        assert.deepStrictEqual(ofType(run, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"), []);
    });

    it("OneHubCluster: no Container Insights, FARGATE and FARGATE_SPOT, the service-linked role ensured by a step logging 7 days, audited ECS Exec", async () => {
        const run = await alone(() => {
            const c = new OneHubCluster("ecs", {});
            return { name: c.clusterName };
        });
        assert.deepStrictEqual(one(run, "aws:ecs/cluster:Cluster").inputs.settings, [{ name: "containerInsights", value: "disabled" }]);
        assert.deepStrictEqual(one(run, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs, {
            clusterName: "ecs-cluster",
            capacityProviders: ["FARGATE", "FARGATE_SPOT"],
            defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1 }],
        });
        assert.deepStrictEqual(JSON.parse(one(run, "aws:lambda/invocation:Invocation").inputs.input), { propagationSeconds: 10 });
        assert.deepStrictEqual(
            ofType(run, "aws:cloudwatch/logGroup:LogGroup").map((g) => [g.name, g.inputs.retentionInDays]),
            [
                ["ecs-ecs-role-logs", 7],
                ["ecs-exec-logs", 7],
            ],
        );
        assert.deepStrictEqual(one(run, "aws:ecs/cluster:Cluster").inputs.configuration.executeCommandConfiguration.logging, "OVERRIDE");
        assert.deepStrictEqual(ofType(run, "aws:iam/serviceLinkedRole:ServiceLinkedRole"), []);
    });

    it("OneHubMasterService: 256 CPU / 512 MiB ARM64, the pinned image, pools 20/0/60 s, a 1800 s sync, no channel tests, 180 s grace, 5 s drain, 7-day logs", async () => {
        const run = await alone(() => {
            const m = new OneHubMasterService("mst", SERVICE_ARGS);
            return { name: m.serviceName };
        });
        const task = one(run, "aws:ecs/taskDefinition:TaskDefinition");
        assert.deepStrictEqual([task.inputs.cpu, task.inputs.memory, task.inputs.runtimePlatform.cpuArchitecture], ["256", "512", "ARM64"]);
        assert.strictEqual(container(task).image, "ghcr.io/martialbe/one-api:v0.14.27");
        assert.deepStrictEqual(envOf(task), {
            NODE_TYPE: "master",
            PORT: "3000",
            SQL_MAX_IDLE_CONNS: "0",
            SQL_MAX_LIFETIME: "60",
            SQL_MAX_OPEN_CONNS: "20",
            SYNC_FREQUENCY: "1800",
            TZ: "UTC",
        });
        const service = one(run, "aws:ecs/service:Service").inputs;
        assert.deepStrictEqual([service.desiredCount, service.healthCheckGracePeriodSeconds], [1, 180]);
        assert.strictEqual(one(run, "aws:lb/targetGroup:TargetGroup").inputs.deregistrationDelay, 5);
        assert.deepStrictEqual(
            ofType(run, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.retentionInDays),
            [7, 7],
        );
        assert.deepStrictEqual(
            ofType(run, "aws:lb/listenerRule:ListenerRule")
                .map((r) => r.inputs.priority)
                .sort((a, b) => a - b),
            [10, 50000],
        );
    });

    it("OneHubSlaveService: 1–3 tasks all on Spot at 70 % CPU, no request scaling, 60 s grace, 300 s drain, the built-in relay paths", async () => {
        const run = await alone(() => {
            const s = new OneHubSlaveService("slv", { ...SERVICE_ARGS, masterServiceName: "mst-service" });
            return { name: s.serviceName };
        });
        const service = one(run, "aws:ecs/service:Service").inputs;
        assert.deepStrictEqual(
            [service.desiredCount, service.healthCheckGracePeriodSeconds, service.capacityProviderStrategies],
            [1, 60, [{ capacityProvider: "FARGATE_SPOT", weight: 1 }]],
        );
        const target = one(run, "aws:appautoscaling/target:Target").inputs;
        assert.deepStrictEqual([target.minCapacity, target.maxCapacity], [1, 3]);
        assert.deepStrictEqual(
            ofType(run, "aws:appautoscaling/policy:Policy").map((p) => [
                p.name,
                p.inputs.targetTrackingScalingPolicyConfiguration.targetValue,
            ]),
            [["slv-cpu", 70]],
        );
        assert.strictEqual(one(run, "aws:lb/targetGroup:TargetGroup").inputs.deregistrationDelay, 300);
        assert.deepStrictEqual(
            ofType(run, "aws:lb/listenerRule:ListenerRule")
                .map((r) => [r.inputs.priority, r.inputs.conditions[0].pathPattern.values.length])
                .sort(([a], [b]) => a - b),
            [
                [100, 5],
                [101, 5],
                [102, 1],
            ],
        );
        const env = envOf(one(run, "aws:ecs/taskDefinition:TaskDefinition"));
        assert.deepStrictEqual([env.NODE_TYPE, env.MEMORY_CACHE_ENABLED, env.SQL_MAX_OPEN_CONNS], ["slave", "true", "20"]);
    });

    it("OneHub: everything of the dev profile, without WAF or its logs, in the region's first two zones", async () => {
        const run = await alone(() => {
            const hub = new OneHub("hub", {});
            return { url: hub.url };
        });
        assert.deepStrictEqual(one(run, "awsx:ec2:Vpc").inputs.availabilityZoneNames, undefined);
        assert.strictEqual(one(run, "awsx:ec2:Vpc").inputs.numberOfAvailabilityZones, 2);
        assert.deepStrictEqual(ofType(run, "aws:wafv2/webAcl:WebAcl"), []);
        assert.deepStrictEqual(ofType(run, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"), []);
        assert.deepStrictEqual(
            ofType(run, "aws:ecs/taskDefinition:TaskDefinition").map((t) => [t.name, t.inputs.cpu, t.inputs.memory]),
            [
                ["hub-master-task", "256", "512"],
                ["hub-slave-task", "256", "512"],
            ],
        );
        assert.strictEqual(envOf(one(run, "aws:ecs/taskDefinition:TaskDefinition", "hub-slave")).SQL_MAX_OPEN_CONNS, "31");
        assert.strictEqual(run.outputs.url, "https://d111111abcdef8.cloudfront.net");
    });
});
