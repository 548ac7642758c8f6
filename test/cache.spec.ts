// The shared Redis: redisMode None (dev), Serverless (prod: OneHubCache, ElastiCache Serverless
// Valkey) and Existing; how the services attach to it, what waits for what, and what an update
// replaces.
import * as assert from "assert";
import { CACHE_USER_NAME, OneHubCache } from "../components/cache/oneHubCache";
import { OneHubMasterService } from "../components/services/oneHubMasterService";
import { lastRun, RegisteredResource, StackRun } from "../tools/offlineStack";
import { assertWaitsFor, dependsDirectlyOn } from "./graph";
import { container, envOf, expectConfigError, fixtureRun, ofType, one, serviceArgs, stackRun } from "./util";

const CACHE = "aws:elasticache/serverlessCache:ServerlessCache";
const USER = "aws:elasticache/user:User";
const GROUP = "aws:elasticache/userGroup:UserGroup";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const SERVICE = "aws:ecs/service:Service";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const RANDOM = "random:index/randomString:RandomString";
const NODES = ["-master-", "-slave-"];
const EXISTING_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared-redis-Ab12Cd";

const redisRef = (task: RegisteredResource) => container(task).secrets.find((s: any) => s.name === "REDIS_CONN_STRING")?.valueFrom;

describe("the shared Redis", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    describe('redisMode "None" (dev)', () => {
        it("creates no cache; the slaves keep OneHub's memory cache and no node gets REDIS_CONN_STRING", () => {
            const run = runs.dev;
            assert.strictEqual(ofType(run, CACHE).length + ofType(run, USER).length + ofType(run, GROUP).length, 0);
            for (const task of ofType(run, TASK)) {
                assert.strictEqual(redisRef(task), undefined);
            }
            assert.strictEqual(envOf(one(run, TASK, "-slave-")).MEMORY_CACHE_ENABLED, "true");
            assert.strictEqual(run.resources.filter((r) => r.name.endsWith("-to-cache")).length, 0);
        });
    });

    describe('redisMode "Serverless" (prod)', () => {
        it("is an ElastiCache Serverless Valkey 8 cache in the isolated subnets, behind its own security group, with the usage caps from config", () => {
            const run = runs.prod;
            const cache = one(run, CACHE).inputs;
            assert.strictEqual(cache.engine, "valkey");
            assert.strictEqual(cache.majorEngineVersion, "8");
            assert.deepStrictEqual(
                cache.subnetIds,
                one(run, "aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds,
                "the database's (isolated) subnets",
            );
            assert.ok(
                cache.subnetIds.every((s: string) => s.startsWith("subnet-c")),
                "isolated subnets",
            );
            assert.deepStrictEqual(cache.securityGroupIds, [`${one(run, SG, "-cache-sg").name}-id`]);
            assert.deepStrictEqual(cache.cacheUsageLimits, {
                dataStorage: { maximum: 1, unit: "GB" },
                ecpuPerSeconds: [{ maximum: 20000 }],
            });
            assert.strictEqual(cache.snapshotRetentionLimit, 0, "the data is rebuilt from the database: no snapshot to pay for");
            assert.deepStrictEqual(cache.timeouts, { create: "60m", update: "80m", delete: "60m" });
            assert.match(cache.name, /^onehub-prod-cache-[a-z0-9]{6}$/);
            assert.ok(cache.name.length <= 40);
        });

        it('authenticates OneHub as its own Valkey user; the group\'s required "default" user is off and has a password (Valkey groups take no password-less user)', () => {
            const run = runs.prod;
            const app = one(run, USER, "-cache-user").inputs;
            const off = one(run, USER, "-default-user").inputs;
            const group = one(run, GROUP).inputs;
            assert.deepStrictEqual(
                [app.engine, app.userName, app.accessString, app.authenticationMode.type],
                ["valkey", CACHE_USER_NAME, "on ~* +@all", "password"],
            );
            assert.deepStrictEqual(
                [off.engine, off.userName, off.accessString, off.authenticationMode.type],
                ["valkey", "default", "off -@all", "password"],
            );
            assert.strictEqual(off.noPasswordRequired, undefined);
            const password = "random:index/randomPassword:RandomPassword";
            assert.ok(dependsDirectlyOn(one(run, USER, "-default-user"), one(run, password, "-default-password")), "a password of its own");
            assert.ok(dependsDirectlyOn(one(run, USER, "-cache-user"), one(run, password, "-cache-password")));
            assert.strictEqual(group.engine, "valkey");
            assert.deepStrictEqual(group.userIds, [off.userId, app.userId]);
            assert.strictEqual(one(run, CACHE).inputs.userGroupId, group.userGroupId);
        });

        it("derives every id from the component name and a random part (dev and prod may share an account): ≤ 40 characters, lower case, starting with a letter", () => {
            const run = runs.prod;
            const ids = [...ofType(run, USER).map((u) => u.inputs.userId), one(run, GROUP).inputs.userGroupId];
            assert.deepStrictEqual(ids.sort(), [
                "onehub-prod-cache-abc123",
                "onehub-prod-cache-abc123-app",
                "onehub-prod-cache-abc123-off",
            ]);
            for (const id of ids) {
                assert.match(id, /^[a-z][a-z0-9-]{0,39}$/);
                assert.doesNotMatch(id, /--|-$/);
            }
        });

        it("publishes REDIS_CONN_STRING as rediss://onehub:<password>@<endpoint>:6379 (TLS, no /db), as a secret with a URL-safe password", () => {
            const run = runs.prod;
            const version = one(run, VERSION, "-cache-conn-string");
            const url = new URL(version.inputs.secretString);
            assert.strictEqual(url.protocol, "rediss:");
            assert.strictEqual(url.username, CACHE_USER_NAME);
            assert.strictEqual(url.password, one(run, USER, "-cache-user").inputs.authenticationMode.passwords[0]);
            assert.match(url.password, /^[A-Za-z0-9]{48}$/, "nothing to escape: go-redis ParseURL reads it as is");
            assert.strictEqual(url.hostname, `${one(run, CACHE).inputs.name}-abc123.serverless.use1.cache.amazonaws.com`);
            assert.strictEqual(url.port, "6379");
            assert.strictEqual(url.pathname, "", "no /db: the serverless cache refuses SELECT");
            assert.ok(version.secretPaths.includes("secretString"));
            for (const user of ofType(run, USER)) {
                assert.deepStrictEqual(user.secretPaths, ["authenticationMode.passwords.0"], "passwords are secrets in state");
            }
        });

        it("reaches master and slaves only as an ECS secret, the same pinned version on both; REDIS_DB is never set", () => {
            const run = runs.prod;
            const refs = ofType(run, TASK).map(redisRef);
            assert.strictEqual(refs.length, 2);
            assert.strictEqual(refs[0], refs[1], "the master's updates delete the keys the slaves cached");
            assert.match(
                refs[0],
                /^arn:aws:secretsmanager:us-east-1:123456789012:secret:onehub-prod-cache-conn-string-AbCdEf:::v-[0-9a-f]+$/,
            );
            for (const task of ofType(run, TASK)) {
                const env = envOf(task);
                assert.strictEqual(env.REDIS_CONN_STRING, undefined);
                assert.strictEqual(env.REDIS_DB, undefined);
                assert.ok(Number(env.SYNC_FREQUENCY) > 0, "OneHub ignores Redis with SYNC_FREQUENCY 0");
            }
        });

        it("admits only the two task security groups, on 6379–6380: each service adds its own rule (no back-reference)", () => {
            const run = runs.prod;
            const cacheSg = `${one(run, SG, "-cache-sg").name}-id`;
            const rules = ofType(run, INGRESS).filter((r) => r.inputs.securityGroupId === cacheSg);
            assert.deepStrictEqual(rules.map((r) => r.name).sort(), ["onehub-prod-master-to-cache", "onehub-prod-slave-to-cache"]);
            for (const node of NODES) {
                const rule = one(run, INGRESS, `${node}to-cache`).inputs;
                assert.deepStrictEqual([rule.ipProtocol, rule.fromPort, rule.toPort], ["tcp", 6379, 6380]);
                assert.strictEqual(rule.referencedSecurityGroupId, `${one(run, SG, `${node}sg`).name}-id`);
                assert.strictEqual(rule.cidrIpv4, undefined);
            }
        });

        it("services start only once the cache, its user group and the connection string exist, and after their own cache rule", () => {
            const run = runs.prod;
            for (const node of NODES) {
                const service = one(run, SERVICE, node);
                assertWaitsFor(run, service, one(run, CACHE), "OneHub exits when its first PING fails");
                assertWaitsFor(run, service, one(run, GROUP), "the cache must accept the user");
                assertWaitsFor(run, service, one(run, VERSION, "-cache-conn-string"), "the secret has no value before its version");
                assert.ok(dependsDirectlyOn(service, one(run, INGRESS, `${node}to-cache`)), "its own dependency");
            }
            assertWaitsFor(run, one(run, CACHE), one(run, USER, "-default-user"), "the group holds the users");
        });

        it("a change of subnets (or engine version) gives the cache a new name: the replacement is created before the old cache is deleted", async () => {
            const keepers = (run: StackRun) => one(run, RANDOM, "-cache-name").inputs.keepers;
            assert.deepStrictEqual(Object.keys(keepers(runs.prod)).sort(), ["engine", "majorEngineVersion", "subnetIds"]);
            const twoZones = await fixtureRun("prod", { config: { "onehub:azCount": 2 } });
            assert.notStrictEqual(keepers(twoZones).subnetIds, keepers(runs.prod).subnetIds, "random replaces the name with its keepers");
            assert.strictEqual(
                one(runs.prod, CACHE).deleteBeforeReplace,
                false,
                "create first: the services move to the new cache, then the old one goes",
            );
            assert.deepStrictEqual(one(runs.prod, CACHE).replaceOnChanges, []);
        });

        it("new usage caps change the cache in place: the name, users and group stay", async () => {
            const raised = await fixtureRun("prod", {
                config: { "onehub:redisMaxDataStorageGb": 10, "onehub:redisMaxEcpuPerSecond": 100000 },
            });
            assert.deepStrictEqual(one(raised, CACHE).inputs.cacheUsageLimits, {
                dataStorage: { maximum: 10, unit: "GB" },
                ecpuPerSeconds: [{ maximum: 100000 }],
            });
            assert.deepStrictEqual(one(raised, RANDOM, "-cache-name").inputs, one(runs.prod, RANDOM, "-cache-name").inputs);
            assert.strictEqual(redisRef(one(raised, TASK, "-slave-")), redisRef(one(runs.prod, TASK, "-slave-")), "no redeploy");
        });

        it("the ids never change once created: their random part has no keepers, so users and group are never replaced onto a taken id", () => {
            assert.strictEqual(one(runs.prod, RANDOM, "-cache-id").inputs.keepers, undefined);
        });

        it("keeps nothing on destroy: the cache holds only data rebuilt from the database", () => {
            for (const r of runs.prod.resources.filter((x) => x.name.startsWith("onehub-prod-cache"))) {
                assert.strictEqual(r.retainOnDelete, false, r.name);
            }
        });

        it("OneHubCache on its own refuses a name its ElastiCache ids cannot fit, and caps AWS would refuse", async () => {
            await fixtureRun("dev", {}, () => {
                assert.throws(
                    () => new OneHubCache("a-very-long-cache-name-for-valkey", { vpcId: "vpc-1", subnetIds: ["subnet-1"] }),
                    /OneHubCache name = "a-very-long-cache-name-for-valkey" is invalid: must be at most 28 characters/,
                );
                assert.throws(
                    () => new OneHubCache("cache", { vpcId: "vpc-1", subnetIds: ["subnet-1"], maxEcpuPerSecond: 500 }),
                    /OneHubCache args\.maxEcpuPerSecond = 500 is invalid: must be a whole number from 1000 to 15000000/,
                );
                assert.throws(
                    () => new OneHubCache("cache", { vpcId: "vpc-1", subnetIds: ["subnet-1"], majorEngineVersion: "6" }),
                    /OneHubCache args\.majorEngineVersion = "6" is invalid: must be one of "7", "8"/,
                );
            });
            assert.deepStrictEqual(lastRun, []);
        });
    });

    describe('redisMode "Existing"', () => {
        it("injects the given secret into both node types (unpinned: its owner rotates it) and creates no cache", async () => {
            const run = await fixtureRun("dev", { config: { "onehub:redisMode": "Existing", "onehub:redisSecretArn": EXISTING_ARN } });
            assert.strictEqual(ofType(run, CACHE).length, 0);
            for (const task of ofType(run, TASK)) {
                assert.strictEqual(redisRef(task), EXISTING_ARN);
                assert.strictEqual(envOf(task).GLOBAL_API_RATE_LIMIT, "300", "shared counters: the limit is set on every node");
            }
            for (const node of NODES) {
                const policy = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", `${node}execution`).inputs.policy);
                assert.ok(policy.Statement[0].Resource.includes(EXISTING_ARN), "the execution role may read it");
            }
            assert.strictEqual(
                run.resources.filter((r) => r.name.endsWith("-to-cache")).length,
                0,
                "no security group given: its owner admits the tasks",
            );
        });

        it("with redisSecurityGroupId, each service adds its ingress rule to the existing cache's group", async () => {
            const run = await fixtureRun("dev", {
                config: {
                    "onehub:redisMode": "Existing",
                    "onehub:redisSecretArn": EXISTING_ARN,
                    "onehub:redisSecurityGroupId": "sg-0abc1234def567890",
                },
            });
            for (const node of NODES) {
                const rule = one(run, INGRESS, `${node}to-cache`);
                assert.strictEqual(rule.inputs.securityGroupId, "sg-0abc1234def567890");
                assert.ok(dependsDirectlyOn(one(run, SERVICE, node), rule));
            }
        });
    });

    describe("bad input, refused before anything is registered", () => {
        it("an unknown redisMode", () =>
            expectConfigError(
                "dev",
                { "onehub:redisMode": "Cluster" },
                /onehub:redisMode = "Cluster" is invalid: must be one of "None", "Serverless", "Existing"/,
            ));

        it("Existing without redisSecretArn", () =>
            expectConfigError(
                "dev",
                { "onehub:redisMode": "Existing" },
                /onehub:redisSecretArn = "" is invalid: with onehub:redisMode "Existing", must be the full ARN of a Secrets Manager secret/,
            ));

        it("Existing with an ARN that is not a Secrets Manager secret's", () =>
            expectConfigError(
                "dev",
                { "onehub:redisMode": "Existing", "onehub:redisSecretArn": "arn:aws:ssm:us-east-1:123456789012:parameter/redis" },
                /onehub:redisSecretArn = "arn:aws:ssm:us-east-1:123456789012:parameter\/redis" is invalid: .*Secrets Manager secret/,
            ));

        it("a secret or security group without Existing", async () => {
            await expectConfigError(
                "prod",
                { "onehub:redisSecretArn": EXISTING_ARN },
                /onehub:redisSecretArn = .* only applies to onehub:redisMode "Existing"/,
            );
            await expectConfigError(
                "dev",
                { "onehub:redisSecurityGroupId": "sg-0abc1234def567890" },
                /onehub:redisSecurityGroupId = .* only applies to onehub:redisMode "Existing"/,
            );
        });

        it("usage caps outside ElastiCache's ranges", async () => {
            await expectConfigError(
                "prod",
                { "onehub:redisMaxDataStorageGb": 0 },
                /onehub:redisMaxDataStorageGb = 0 is invalid: must be a whole number from 1 to 5000/,
            );
            await expectConfigError(
                "prod",
                { "onehub:redisMaxEcpuPerSecond": 999 },
                /onehub:redisMaxEcpuPerSecond = 999 is invalid: must be a whole number from 1000 to 15000000/,
            );
        });

        it("SYNC_FREQUENCY 0 (OneHub would silently ignore the Redis)", () =>
            expectConfigError(
                "prod",
                { "onehub:syncFrequency": 0 },
                /onehub:syncFrequency = 0 is invalid: must be a whole number from 1 to 86400/,
            ));

        it("REDIS_DB or REDIS_CONN_STRING in a service's extra environment, REDIS_DB in its secrets", async () => {
            const args = serviceArgs();
            await fixtureRun("dev", {}, () => {
                assert.throws(
                    () => new OneHubMasterService("master", { ...args, environment: { REDIS_DB: "1" } }),
                    /OneHubMasterService args\.environment\.REDIS_DB = "1" is invalid: is set by the component itself/,
                );
                assert.throws(
                    () => new OneHubMasterService("master", { ...args, environment: { REDIS_CONN_STRING: "rediss://u:p@h:6379" } }),
                    /environment\.REDIS_CONN_STRING = "\(hidden\)" is invalid: looks like a credential/,
                );
                assert.throws(
                    () => new OneHubMasterService("master", { ...args, secrets: { ...args.secrets, REDIS_DB: EXISTING_ARN } }),
                    /OneHubMasterService args\.secrets\.REDIS_DB = "\(reference\)" is invalid/,
                );
            });
            assert.deepStrictEqual(lastRun, []);
        });
    });
});
