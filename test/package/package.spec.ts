// The npm package `onehub` as its users get it: installed from the packed tarball, loaded by plain
// node, type-checked by a strict TypeScript consumer, composed under mocks.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { MOCK_VPC_ID, RegisteredResource, ROOT, StackRun } from "../../tools/offlineStack";
import { dependsDirectlyOn } from "../graph";
import { container, fixtureRun, ofType, one, serviceArgs } from "../util";
import { Consumer, installedPackage } from "./consumer";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** Transpiles an example into the consumer project and returns a program that runs it there. */
function exampleProgram(consumer: Consumer, example: string): () => Promise<Record<string, any>> {
    const source = fs.readFileSync(path.join(ROOT, "examples", example, "index.ts"), "utf8");
    const js = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
    }).outputText;
    const file = path.join(consumer.dir, `${example}.js`);
    fs.writeFileSync(file, js);
    return async () => {
        delete require.cache[file];
        const exported = consumer.require(file);
        // A Pulumi program may export a function (run, and awaited, by the CLI) or values.
        return typeof exported === "function" ? await exported() : exported;
    };
}

describe("the npm package", function () {
    this.timeout(120_000);
    let consumer: Consumer;
    before(() => {
        consumer = installedPackage();
    });

    it("is publishable: a semver version, not private, Apache-2.0 with its LICENSE and a CHANGELOG", () => {
        assert.match(pkg.version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
        assert.notStrictEqual(pkg.private, true);
        assert.strictEqual(pkg.license, "Apache-2.0");
        assert.match(fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0/);
        assert.match(fs.readFileSync(path.join(ROOT, "CHANGELOG.md"), "utf8"), new RegExp(`## ${pkg.version.replace(/\./g, "\\.")}`));
    });

    it("points main, types and exports at the compiled components only, and builds on prepare", () => {
        assert.strictEqual(pkg.main, "dist/index.js");
        assert.strictEqual(pkg.types, "dist/index.d.ts");
        assert.deepStrictEqual(pkg.exports["."], { types: "./dist/index.d.ts", default: "./dist/index.js" });
        assert.strictEqual(pkg.scripts.prepare, "npm run build");
    });

    it("asks for the @pulumi packages as peer dependencies (one copy in the consumer's program) and has no other runtime dependency", () => {
        assert.deepStrictEqual(Object.keys(pkg.peerDependencies).sort(), [
            "@pulumi/aws",
            "@pulumi/awsx",
            "@pulumi/pulumi",
            "@pulumi/random",
        ]);
        assert.strictEqual(pkg.dependencies, undefined);
        for (const [name, range] of Object.entries(pkg.peerDependencies)) {
            assert.strictEqual(pkg.devDependencies[name], range, `${name}: tests run against the range consumers get`);
        }
    });

    it("ships compiled JavaScript, declarations and the plugin sources, but no tests, stacks, tools or snapshots", () => {
        const files = consumer.packedFiles;
        for (const needed of ["dist/index.js", "dist/index.d.ts", "dist/components/oneHub.js", "dist/components/oneHub.d.ts"]) {
            assert.ok(files.includes(needed), needed);
        }
        assert.ok(files.includes("dist/components/lifecycle/handlers/masterRolloutGate.js"), "the deploy-time handlers ship as files");
        for (const plugin of ["PulumiPlugin.yaml", "index.ts", "tsconfig.json", "schema.json", "components/oneHub.ts"]) {
            assert.ok(files.includes(plugin), `${plugin}: the package is also a component plugin source`);
        }
        const unwanted = files.filter(
            (f) => /^(test|stacks|tools|policy|examples|\.github)\//.test(f) || /^Pulumi\.(dev|prod)\.yaml$/.test(f),
        );
        assert.deepStrictEqual(unwanted, []);
    });

    it("loads in plain node (no ts-node), registers nothing and reads no config", () => {
        const script = `
            const pulumi = require("@pulumi/pulumi");
            const touched = [];
            for (const m of ["get", "require", "getNumber", "requireNumber", "getBoolean", "getObject", "getSecret"]) {
                const original = pulumi.Config.prototype[m];
                pulumi.Config.prototype[m] = function (...a) { touched.push("config " + m + " " + a[0]); return original.apply(this, a); };
            }
            const onehub = require("onehub");
            const exported = Object.keys(onehub).sort();
            process.stdout.write(JSON.stringify({ exported, touched, registered: pulumi.runtime.getMonitor() !== undefined }));
        `;
        const result = spawnSync(process.execPath, ["-e", script], {
            cwd: consumer.dir,
            encoding: "utf8",
            env: { PATH: process.env.PATH },
        });
        assert.strictEqual(result.status, 0, result.stderr);
        const out = JSON.parse(result.stdout);
        assert.deepStrictEqual(out.touched, [], "importing the library must not read stack config");
        assert.strictEqual(out.registered, false, "no engine was needed: nothing was registered");
        assert.deepStrictEqual(out.exported, [
            "InvalidArgumentError",
            "NatInstance",
            "OneHub",
            "OneHubBedrockAccess",
            "OneHubBedrockEndpoint",
            "OneHubCache",
            "OneHubCluster",
            "OneHubDatabase",
            "OneHubMasterService",
            "OneHubMonitoring",
            "OneHubNetwork",
            "OneHubRootPassword",
            "OneHubSecrets",
            "OneHubSlaveService",
            "PrivateEdge",
            "vpcOriginZoneNames",
        ]);
    });

    it("type-checks a strict TypeScript consumer against the shipped declarations", () => {
        const consumerTs = path.join(consumer.dir, "consumer.ts");
        fs.writeFileSync(
            consumerTs,
            [
                `import * as pulumi from "@pulumi/pulumi";`,
                `import { OneHub, OneHubArgs, OneHubDatabase, OneHubDatabaseArgs, InvalidArgumentError, vpcOriginZoneNames } from "onehub";`,
                `const args: OneHubArgs = { azCount: 2, tags: { team: "x" } };`,
                `const onehub = new OneHub("gw", args);`,
                `const url: pulumi.Output<string> = onehub.url;`,
                `const dbArgs: OneHubDatabaseArgs = { vpcId: "vpc-1", subnetIds: ["subnet-1", "subnet-2"] };`,
                `const db = new OneHubDatabase("db", dbArgs);`,
                `const conns: pulumi.Output<number> = db.maxConnections;`,
                `const zones: Promise<string[]> = vpcOriginZoneNames("azCount", 2);`,
                `const isError = (e: unknown): boolean => e instanceof InvalidArgumentError;`,
                `export { url, conns, zones, isError };`,
            ].join("\n"),
        );
        for (const example of ["whole-system", "existing-vpc"]) {
            fs.copyFileSync(path.join(ROOT, "examples", example, "index.ts"), path.join(consumer.dir, `${example}.ts`));
        }
        fs.writeFileSync(
            path.join(consumer.dir, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: {
                    strict: true,
                    exactOptionalPropertyTypes: true,
                    noUncheckedIndexedAccess: true,
                    skipLibCheck: false,
                    noEmit: true,
                    target: "es2020",
                    module: "commonjs",
                    moduleResolution: "node",
                    esModuleInterop: true,
                    types: ["node"],
                },
                files: ["consumer.ts", "whole-system.ts", "existing-vpc.ts"],
            }),
        );
        // skipLibCheck is off, and exactly our files are checked: the consumer's, the examples' and every
        // declaration the package ships (checking all of @pulumi/aws's typings would take minutes).
        const parsed = ts.getParsedCommandLineOfConfigFile(
            path.join(consumer.dir, "tsconfig.json"),
            {},
            {
                ...ts.sys,
                onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
            },
        )!;
        const dist = fs.realpathSync(path.join(consumer.dir, "node_modules", "onehub", "dist"));
        const shipped = consumer.packedFiles
            .filter((f) => f.endsWith(".d.ts"))
            .map((f) => path.join(consumer.dir, "node_modules", "onehub", f));
        const program = ts.createProgram({ rootNames: [...parsed.fileNames, ...shipped], options: parsed.options });
        const checked = program
            .getSourceFiles()
            .filter((f) => !f.fileName.includes("/node_modules/") || fs.realpathSync(f.fileName).startsWith(dist));
        assert.strictEqual(checked.filter((f) => f.isDeclarationFile).length, shipped.length, "every shipped declaration is checked");
        const ours = checked
            .flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)])
            .map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
        assert.deepStrictEqual(ours, []);
    });

    describe("examples run from the installed package, under mocks", () => {
        it("(a) the whole system in a few lines", async () => {
            const run = await fixtureRun("dev", {}, exampleProgram(consumer, "whole-system"));
            assert.strictEqual(ofType(run, "onehub:index:OneHub").length, 1);
            assert.strictEqual(one(run, "awsx:ec2:Vpc").inputs.natGateways.strategy, "OnePerAz");
            assert.strictEqual(ofType(run, "aws:rds/clusterInstance:ClusterInstance").length, 2, "writer and one reader");
        });

        it("(b) the pieces in an existing VPC and ECS cluster attach themselves to each other", async () => {
            const run: StackRun = await fixtureRun("dev", {}, exampleProgram(consumer, "existing-vpc"));
            assert.strictEqual(ofType(run, "awsx:ec2:Vpc").length, 0, "no VPC is created");
            assert.strictEqual(ofType(run, "aws:ecs/cluster:Cluster").length, 0, "the existing cluster is used");
            const listener = one(run, "aws:lb/listener:Listener");
            const rules = ofType(run, "aws:lb/listenerRule:ListenerRule");
            assert.ok(
                rules.length >= 4 && rules.every((r) => dependsDirectlyOn(r, listener)),
                "every service rule is on the edge's listener",
            );
            const dbSg = one(run, "aws:ec2/securityGroup:SecurityGroup", "llm-db-sg");
            for (const node of ["llm-master", "llm-slave"]) {
                const service = one(run, "aws:ecs/service:Service", node);
                assert.strictEqual(service.inputs.cluster, "arn:aws:ecs:us-east-1:123456789012:cluster/platform");
                const toDb = one(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `${node}-to-db`);
                assert.strictEqual(toDb.inputs.securityGroupId, `${dbSg.name}-id`);
                const secrets = container(one(run, "aws:ecs/taskDefinition:TaskDefinition", node)).secrets;
                assert.ok(
                    secrets.every((s: { valueFrom: string }) => /:::v-[0-9a-f]+$/.test(s.valueFrom)),
                    "pinned secret versions",
                );
                assert.strictEqual(one(run, "aws:ecs/service:Service", node).inputs.networkConfiguration.assignPublicIp, false);
            }
            const slave = one(run, "aws:ecs/service:Service", "llm-slave");
            assert.strictEqual(slave.inputs.tags["onehub:master"], "llm-master-service", "the slaves wait on the master's gate");
            assert.strictEqual(slave.inputs.enableExecuteCommand, false, "no shells where the cluster records no sessions");
            assert.match(
                JSON.parse(one(run, "aws:lambda/invocation:Invocation", "llm-root-password").inputs.input).url,
                /^https:\/\/.*\.cloudfront\.net$/,
            );
            assert.ok(
                ofType(run, "aws:ec2/securityGroup:SecurityGroup").every((sg: RegisteredResource) => sg.inputs.vpcId === MOCK_VPC_ID),
                "every security group is in the existing VPC",
            );
        });
    });

    describe("composed pieces keep OneHub's protections", () => {
        const pieceArgs = {
            ...serviceArgs(),
            masterServiceName: "master",
        };

        it("a slave service refuses pools a 1-ACU database cannot hold with 20 slaves, before registering anything", async () => {
            const { OneHubSlaveService } = consumer.require("onehub");
            await fixtureRun("dev", {}, () => {
                assert.throws(
                    () => new OneHubSlaveService("slave", { ...pieceArgs, maxCount: 20, databaseMaxConnections: 90 }),
                    /OneHubSlaveService args\.sqlMaxOpenConns = 20 is invalid: × 21 tasks \(OneHubSlaveService args\.maxCount \+ 1 master\) .* max_connections \(90\): lower it to 3/,
                );
            });
        });

        it("and refuses them at preview when the limit comes from OneHubDatabase.maxConnections", async () => {
            const { OneHubDatabase, OneHubSlaveService } = consumer.require("onehub");
            await assert.rejects(
                fixtureRun("dev", {}, () => {
                    const db = new OneHubDatabase("db", {
                        vpcId: MOCK_VPC_ID,
                        subnetIds: ["subnet-03333333", "subnet-14444444"],
                        maxCapacity: 1,
                        rebootedMaxCapacity: 1,
                    });
                    new OneHubSlaveService("slave", { ...pieceArgs, maxCount: 20, databaseMaxConnections: db.maxConnections });
                }),
                /OneHubSlaveService args\.sqlMaxOpenConns = 20 is invalid/,
            );
        });

        it("every component validates its own arguments with the same message as OneHub", async () => {
            const { OneHub, OneHubSlaveService } = consumer.require("onehub");
            await fixtureRun("dev", {}, () => {
                assert.throws(
                    () => new OneHub("gw", { slaveCpuTarget: 95 }),
                    /OneHub args\.slaveCpuTarget = 95 is invalid: must be a whole number from 10 to 90/,
                );
                assert.throws(
                    () => new OneHubSlaveService("slave", { ...pieceArgs, cpuTarget: 95 }),
                    /OneHubSlaveService args\.cpuTarget = 95 is invalid: must be a whole number from 10 to 90/,
                );
            });
        });
    });
});

describe("the package build", () => {
    it("is the library only: tsconfig.json compiles index.ts and components/, nothing the stacks or tests need", () => {
        const config = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
        assert.deepStrictEqual(config.include, ["index.ts", "components/**/*.ts", "components/**/*.js"]);
        assert.strictEqual(config.compilerOptions.outDir, "dist");
        assert.strictEqual(config.compilerOptions.declaration, true);
        assert.ok(!execFileSync("git", ["ls-files", "dist"], { cwd: ROOT, encoding: "utf8" }).trim(), "dist/ is built, never committed");
    });
});
