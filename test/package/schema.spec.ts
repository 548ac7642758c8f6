import * as assert from "assert";
import * as fs from "fs";
import { generateSchema, renderSchema, SCHEMA_FILE } from "../../tools/schema";

describe("the multi-language component schema", function () {
    this.timeout(60_000);
    let schema: Record<string, any>;
    before(async () => {
        schema = await generateSchema();
    });

    it("is committed as generated (after an API change: npm run schema)", () => {
        assert.strictEqual(fs.readFileSync(SCHEMA_FILE, "utf8"), renderSchema(schema), "schema.json is stale: run `npm run schema`");
    });

    it("names every component onehub:index:<Class>, the only module Pulumi's component provider accepts", () => {
        assert.strictEqual(schema.name, "onehub");
        const tokens = Object.keys(schema.resources).sort();
        assert.deepStrictEqual(tokens, [
            "onehub:index:NatInstance",
            "onehub:index:OneHub",
            "onehub:index:OneHubBedrockAccess",
            "onehub:index:OneHubBedrockEndpoint",
            "onehub:index:OneHubCache",
            "onehub:index:OneHubCluster",
            "onehub:index:OneHubDatabase",
            "onehub:index:OneHubMasterService",
            "onehub:index:OneHubMonitoring",
            "onehub:index:OneHubNetwork",
            "onehub:index:OneHubRootPassword",
            "onehub:index:OneHubSecrets",
            "onehub:index:OneHubSlaveService",
            "onehub:index:PrivateEdge",
        ]);
        for (const token of tokens) {
            assert.strictEqual(schema.resources[token].isComponent, true, token);
        }
    });

    it("describes every component, input and output", () => {
        const missing: string[] = [];
        for (const [token, resource] of Object.entries<any>(schema.resources)) {
            if (!resource.description) {
                missing.push(token);
            }
            for (const kind of ["inputProperties", "properties"]) {
                for (const [name, property] of Object.entries<any>(resource[kind] ?? {})) {
                    if (!property.description) {
                        missing.push(`${token} ${kind} ${name}`);
                    }
                }
            }
        }
        assert.deepStrictEqual(missing, []);
    });

    it("takes ids, ARNs and subnet lists as inputs (outputs of other resources), and settings as plain values", () => {
        const inputs = (token: string) => schema.resources[`onehub:index:${token}`].inputProperties;
        for (const [token, name] of [
            ["OneHubDatabase", "vpcId"],
            ["OneHubDatabase", "subnetIds"],
            ["PrivateEdge", "subnetIds"],
            ["OneHubMasterService", "clusterArn"],
            ["OneHubMasterService", "listenerArn"],
            ["OneHubSlaveService", "masterServiceName"],
            ["OneHubSlaveService", "databaseMaxConnections"],
            ["OneHubMonitoring", "slaveTargetGroupArnSuffix"],
            ["OneHubMonitoring", "databaseClusterIdentifier"],
        ]) {
            assert.notStrictEqual(inputs(token)[name].plain, true, `${token}.${name} must accept an output`);
        }
        for (const [token, name] of [
            ["OneHub", "azCount"],
            ["OneHubDatabase", "maxCapacity"],
            ["OneHubSlaveService", "maxCount"],
            ["OneHubMonitoring", "slaveMaxCount"],
            ["OneHubMonitoring", "monthlyBudgetUsd"],
        ]) {
            assert.strictEqual(inputs(token)[name].plain, true, `${token}.${name} is validated before registration, so plain`);
        }
    });
});
