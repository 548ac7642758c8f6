import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { COST_USAGE, parseCostArgs } from "../tools/cost";
import { main as policyMain } from "../tools/policyReport";
import { ROOT } from "../tools/offlineStack";
import { parsePlanArgs, PLAN_USAGE } from "../tools/plan";

/** Runs a tool as `npm run` does and returns its exit code and standard error. */
function runTool(tool: string, args: string[]): { status: number | null; stderr: string } {
    const result = spawnSync(process.execPath, ["-r", path.join(ROOT, "tools", "fastTs.js"), path.join(ROOT, "tools", tool), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
    });
    return { status: result.status, stderr: result.stderr };
}

describe("command lines", () => {
    describe("npm run plan", () => {
        it("takes a stack, --json FILE and --update-snapshot in any order", () => {
            assert.deepStrictEqual(parsePlanArgs(["dev"]), { stack: "dev", updateSnapshot: false });
            assert.deepStrictEqual(parsePlanArgs(["--update-snapshot", "prod", "--json", "plan.json"]), {
                stack: "prod",
                json: "plan.json",
                updateSnapshot: true,
            });
        });

        const refused: [string, string[], RegExp][] = [
            ["an unknown flag", ["dev", "--jsn", "x"], /^unknown option --jsn\n/],
            ["--json without a file", ["dev", "--json"], /^--json needs a file name\n/],
            ["--json followed by another flag", ["dev", "--json", "--update-snapshot"], /^--json needs a file name\n/],
            ["no stack", [], /^a stack is required\n/],
            ["two stacks", ["dev", "prod"], /^one stack only, got dev and prod\n/],
            ["an unknown stack", ["staging"], /^unknown stack "staging"/],
        ];
        for (const [what, argv, message] of refused) {
            it(`refuses ${what} with its usage`, () => {
                assert.throws(
                    () => parsePlanArgs(argv),
                    (e: Error) => message.test(e.message) && e.message.includes(PLAN_USAGE),
                );
            });
        }

        it("exits 1 with the usage on an unknown flag", () => {
            const { status, stderr } = runTool("plan.ts", ["dev", "--bogus"]);
            assert.strictEqual(status, 1);
            assert.match(stderr, /unknown option --bogus\nusage: npm run plan -- <stack>/);
        });
    });

    describe("npm run cost", () => {
        const refused: [string, string[], RegExp][] = [
            ["an unknown flag", ["dev", "--bogus", "1"], /^unknown option --bogus: allowed are --requests/],
            ["a flag without its number", ["dev", "--requests"], /^--requests = null is invalid/],
            ["no stack", ["--requests", "5"], /^a stack is required\n/],
            ["an unknown stack", ["staging"], /^unknown stack "staging"\n/],
        ];
        for (const [what, argv, message] of refused) {
            it(`refuses ${what} with its usage`, () => {
                assert.throws(
                    () => parseCostArgs(argv),
                    (e: Error) => message.test(e.message) && e.message.includes(COST_USAGE),
                );
            });
        }

        it("exits 1 with the usage on an unknown flag", () => {
            const { status, stderr } = runTool("cost.ts", ["dev", "--bogus", "1"]);
            assert.strictEqual(status, 1);
            assert.match(stderr, /unknown option --bogus.*\nusage: npm run cost -- <stack> \[--requests N\]/);
        });
    });

    describe("npm run policy", () => {
        it("exits 2 (a usage error, apart from 1 for violations) with the usage on an unknown flag", async () => {
            const errors: string[] = [];
            const error = console.error;
            console.error = (line: string) => errors.push(line);
            try {
                assert.strictEqual(await policyMain(["dev", "--verbose"]), 2);
            } finally {
                console.error = error;
            }
            assert.match(errors.join("\n"), /^unknown option --verbose: .*\nusage: npm run policy -- <stack>/);
        });
    });
});

describe("npm test", () => {
    /** Runs tools/test.js in a scratch project whose three parts exit with the given codes. */
    function npmTest(codes: { typecheck: number; "format:check": number; unit: number }) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onehub-npm-test-"));
        const script = (name: string, code: number) => `node -e "console.log('${name} ran'); process.exit(${code})"`;
        fs.writeFileSync(
            path.join(dir, "package.json"),
            JSON.stringify({
                name: "scratch",
                private: true,
                scripts: Object.fromEntries(Object.entries(codes).map(([k, c]) => [k, script(k, c)])),
            }),
        );
        const result = spawnSync(process.execPath, [path.join(ROOT, "tools", "test.js")], { cwd: dir, encoding: "utf8", timeout: 60_000 });
        fs.rmSync(dir, { recursive: true, force: true });
        return result;
    }

    it("runs the type check, the format check and mocha, and passes only when all three pass", () => {
        const ok = npmTest({ typecheck: 0, "format:check": 0, unit: 0 });
        assert.strictEqual(ok.status, 0);
        for (const part of ["typecheck", "format:check", "unit"]) {
            assert.match(ok.stdout, new RegExp(`${part} ran`));
        }
    });

    it("fails naming each part that failed, after every part has run", () => {
        const failed = npmTest({ typecheck: 2, "format:check": 0, unit: 1 });
        assert.strictEqual(failed.status, 1);
        assert.match(failed.stderr, /npm run typecheck failed \(exit code 2\)/);
        assert.match(failed.stderr, /npm run unit failed \(exit code 1\)/);
        assert.doesNotMatch(failed.stderr, /format:check failed/);
        assert.match(failed.stdout, /format:check ran/);
    });
});
