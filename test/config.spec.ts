import * as assert from "assert";
import { OneHubDatabase } from "../components/database/oneHubDatabase";
import { OneHubNetwork } from "../components/network/oneHubNetwork";
import { OneHubMasterService } from "../components/services/oneHubMasterService";
import { OneHubSlaveService } from "../components/services/oneHubSlaveService";
import { PrivateEdge } from "../components/edge/privateEdge";

const serviceArgs = {
    clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
    vpcId: "vpc-1",
    subnetIds: ["subnet-1"],
    secrets: {
        SQL_DSN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dsn-AbCdEf",
        SESSION_SECRET: "arn:aws:secretsmanager:us-east-1:123456789012:secret:session-AbCdEf",
        USER_TOKEN_SECRET: "arn:aws:secretsmanager:us-east-1:123456789012:secret:token-AbCdEf",
    },
    listenerArn: "arn:listener",
    albSecurityGroupId: "sg-alb",
    databaseSecurityGroupId: "sg-db",
};
import { lastRun, loadStackConfig, runStack } from "../tools/offlineStack";

describe("config loading (as the Pulumi CLI does it)", () => {
    it("starts from Pulumi.yaml's defaults", () => {
        const { config } = loadStackConfig("dev");
        assert.strictEqual(config["onehub:azCount"], "2");
        assert.strictEqual(config["onehub:dbMinCapacity"], "0.5");
        assert.strictEqual(config["aws:region"], "us-east-1");
        assert.strictEqual(config["onehub:existingPrivateSubnetIds"], "[]");
    });

    it("lets the stack file override a default", () => {
        assert.strictEqual(loadStackConfig("prod").config["onehub:azCount"], "3");
        assert.strictEqual(loadStackConfig("prod").config["onehub:dbMaxCapacity"], "64");
    });

    it("refuses an unknown stack", () => {
        assert.throws(() => loadStackConfig("staging"), /no stack file Pulumi\.staging\.yaml: known stacks are dev, prod/);
    });
});

describe("component argument checks (for programs that use the components directly)", () => {
    it("rejects a component name AWS would refuse as an RDS identifier", async () => {
        await runStack("dev", {}, () => {
            assert.throws(
                () => new OneHubDatabase("OneHub_DB", { vpcId: "vpc-1", subnetIds: ["subnet-1"] }),
                /OneHubDatabase name = "OneHub_DB" .*lower-case/,
            );
        });
        assert.deepStrictEqual(lastRun, []);
    });

    it("rejects a name too long for the autonamed physical names", async () => {
        await runStack("dev", {}, () => {
            assert.throws(() => new OneHubDatabase("a".repeat(50), { vpcId: "vpc-1", subnetIds: ["subnet-1"] }), /at most 44 characters/);
        });
    });

    it("names its own argument in errors", async () => {
        await runStack("dev", {}, () => {
            assert.throws(
                () => new OneHubDatabase("db", { vpcId: "vpc-1", subnetIds: ["subnet-1"], maxCapacity: 300 }),
                /OneHubDatabase args\.maxCapacity = 300/,
            );
            assert.throws(
                () => new OneHubDatabase("db", { vpcId: "vpc-1", subnetIds: [] }),
                /OneHubDatabase args\.subnetIds = \[\] .*at least one subnet/,
            );
            assert.throws(() => new OneHubNetwork("net", { natStrategy: "Two" }), /OneHubNetwork args\.natStrategy = "Two"/);
            assert.throws(
                () => new PrivateEdge("edge", { vpcId: "vpc-1", subnetIds: ["subnet-1"], albIdleTimeout: 30 }),
                /PrivateEdge args\.albIdleTimeout = 30/,
            );
            assert.throws(
                () => new PrivateEdge("a-much-too-long-edge-name", { vpcId: "vpc-1", subnetIds: ["subnet-1"] }),
                /PrivateEdge name .*at most 20 characters/,
            );
        });
        assert.deepStrictEqual(lastRun, []);
    });

    it("keeps secrets and the components' own variables out of extra environment", async () => {
        await runStack("dev", {}, () => {
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs, environment: { NODE_TYPE: "slave" } }),
                /OneHubMasterService args\.environment\.NODE_TYPE .*set by the component/,
            );
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs, environment: { REDIS_CONN_STRING: "redis://u:p@h" } }),
                /environment\.REDIS_CONN_STRING = "\(hidden\)" .*Secrets Manager/,
            );
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs, environment: { METRICS_PASSWORD: "x" } }),
                /METRICS_PASSWORD .*credential/,
            );
            assert.throws(
                () => new OneHubMasterService("master", { ...serviceArgs, environment: { AWS_ACCESS_KEY_ID: "x" } }),
                /AWS_ACCESS_KEY_ID .*credential/,
            );
        });
        assert.deepStrictEqual(lastRun, []);
    });

    it("tells a credential from a name that merely contains TOKEN", async () => {
        await runStack("dev", {}, () => {
            assert.doesNotThrow(
                () => new OneHubMasterService("master", { ...serviceArgs, environment: { TIKTOKEN_CACHE_DIR: "/tmp/tiktoken" } }),
            );
        });
    });

    it("requires the ALB ARN suffix for request-count scaling", async () => {
        await runStack("dev", {}, () => {
            assert.throws(
                () => new OneHubSlaveService("slave", { ...serviceArgs, masterServiceName: "m", requestsPerTarget: 100 }),
                /OneHubSlaveService args\.albArnSuffix .*requestsPerTarget/,
            );
        });
    });
});
