import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as releaseCheck from "../.github/scripts/release-check";

// The GitHub workflows are not run here; these rules keep them from drifting from what README.md
// ("CI/CD: the GitHub workflows") promises.

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}
interface Job {
    if?: string;
    needs?: string | string[];
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    on: unknown;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    jobs: Record<string, Job>;
}

const files = fs
    .readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
const text = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const load = (file: string) => yaml.load(text(file)) as Workflow;
const jobsOf = (file: string) => Object.entries(load(file).jobs);

const isPulumiStep = (s: Step) => (s.uses ?? "").startsWith("pulumi/actions@") || /(^|[\s;&|(])pulumi\s+\w/m.test(s.run ?? "");
const isNpmCi = (s: Step) => /^\s*npm ci\b/m.test(s.run ?? "");
const envName = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);
const stackOf = (job: Job) => job.steps.map((s) => s.with?.["stack-name"]).find((n): n is string => typeof n === "string");
const SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository";

describe("GitHub workflows", () => {
    it("the workflows are pull_request.yml, push.yml and release.yml", () => {
        assert.deepStrictEqual(files, ["pull_request.yml", "push.yml", "release.yml"]);
    });

    for (const file of files) {
        describe(file, () => {
            it("every action is pinned to a full commit SHA with its release as a comment (uses: owner/repo@<40 hex> # vX.Y.Z)", () => {
                const lines = text(file)
                    .split("\n")
                    .filter((l) => /^\s*(-\s+)?uses:/.test(l));
                const steps = Object.values(load(file).jobs).flatMap((j) => j.steps.filter((s) => s.uses !== undefined));
                assert.ok(lines.length > 0);
                assert.strictEqual(lines.length, steps.length, "a uses: the line check did not see");
                for (const line of lines) {
                    assert.match(line, /^\s*(-\s+)?uses:\s+[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$/, line.trim());
                }
            });

            it("every job that runs npm sets up Node 22 or newer first (Node 20 is end-of-life)", () => {
                for (const [name, job] of jobsOf(file)) {
                    const setup = job.steps.findIndex((s) => (s.uses ?? "").startsWith("actions/setup-node@"));
                    const npm = job.steps.findIndex((s) => /\bnpm\b/.test(s.run ?? ""));
                    if (npm < 0) continue;
                    assert.ok(setup >= 0 && setup < npm, `${name}: npm runs before actions/setup-node`);
                }
                const versions = Object.values(load(file).jobs).flatMap((j) =>
                    j.steps.filter((s) => (s.uses ?? "").startsWith("actions/setup-node@")).map((s) => s.with?.["node-version"]),
                );
                assert.ok(versions.length > 0);
                for (const v of versions) {
                    assert.ok(Number(String(v).split(".")[0]) >= 22, `node-version ${v}`);
                }
            });

            it("every job that runs a Pulumi command has run npm ci before it (pulumi/actions installs nothing)", () => {
                for (const [name, job] of jobsOf(file)) {
                    job.steps.forEach((step, i) => {
                        if (!isPulumiStep(step)) return;
                        assert.ok(job.steps.slice(0, i).some(isNpmCi), `${name}: a Pulumi step without npm ci before it`);
                    });
                }
            });

            it("every pulumi/actions step creates a missing stack (upsert) and runs the policy pack", () => {
                for (const [name, job] of jobsOf(file)) {
                    for (const step of job.steps.filter((s) => (s.uses ?? "").startsWith("pulumi/actions@"))) {
                        assert.strictEqual(step.with?.upsert, true, `${name}: upsert`);
                        assert.strictEqual(step.with?.policyPacks, "policy", `${name}: policyPacks`);
                        assert.match(String(step.env?.PULUMI_ACCESS_TOKEN), /secrets\.PULUMI_ACCESS_TOKEN/);
                    }
                }
            });

            it("only jobs that assume an AWS role get an OIDC token, and the header documents each role's trust subject", () => {
                const wf = load(file);
                assert.ok(!wf.permissions || wf.permissions["id-token"] === undefined, "id-token: write at workflow level");
                const trigger = Object.keys(typeof wf.on === "string" ? { [wf.on]: {} } : (wf.on as object));
                for (const [name, job] of jobsOf(file)) {
                    const aws = job.steps.find((s) => (s.uses ?? "").startsWith("aws-actions/configure-aws-credentials@"));
                    if (!aws) continue;
                    assert.strictEqual(job.permissions?.["id-token"], "write", `${name}: id-token`);
                    const role = String(aws.with?.["role-to-assume"]).match(/vars\.(\w+)/)?.[1];
                    assert.ok(role, `${name}: role-to-assume from a repository variable`);
                    const env = envName(job);
                    const subject = env
                        ? `repo:<owner>/<repo>:environment:${env}`
                        : trigger.includes("pull_request")
                          ? "repo:<owner>/<repo>:pull_request"
                          : undefined;
                    assert.ok(subject, `${name}: no environment outside pull_request: the subject would be a branch or tag`);
                    const header = text(file).split(/\n(?!#)/)[0];
                    assert.ok(header.includes(role), `${name}: the header does not document ${role}`);
                    assert.ok(
                        header.includes(`"token.actions.githubusercontent.com:sub": "${subject}"`),
                        `${name}: the header lacks ${subject}`,
                    );
                }
            });
        });
    }

    describe("pull_request.yml", () => {
        const wf = load("pull_request.yml");

        it("runs the tests on every pull request, forks included", () => {
            assert.strictEqual(wf.on, "pull_request");
            const test = wf.jobs.test;
            assert.strictEqual(test.if, undefined);
            assert.ok(test.steps.some(isNpmCi) && test.steps.some((s) => s.run === "npm test"));
        });

        it("previews dev and prod, each commenting on the pull request", () => {
            const stacks = Object.values(wf.jobs)
                .map(stackOf)
                .filter((s) => s !== undefined)
                .sort();
            assert.deepStrictEqual(stacks, ["${{ vars.PULUMI_ORG }}/onehub/dev", "${{ vars.PULUMI_ORG }}/onehub/prod"]);
            for (const job of Object.values(wf.jobs).filter(stackOf)) {
                const pulumi = job.steps.find(isPulumiStep)!;
                assert.strictEqual(pulumi.with?.command, "preview");
                assert.strictEqual(pulumi.with?.["comment-on-pr"], true);
                assert.strictEqual(job.permissions?.["pull-requests"], "write");
                assert.deepStrictEqual(job.needs, "test");
            }
        });

        it("the prod preview runs only for pull requests from this repository, in the protected environment prod-preview, with its own role", () => {
            const prod = Object.values(wf.jobs).filter((j) => stackOf(j)?.endsWith("/prod"));
            const dev = Object.values(wf.jobs).filter((j) => stackOf(j)?.endsWith("/dev"));
            assert.strictEqual(prod.length, 1);
            assert.strictEqual(prod[0].if, SAME_REPO);
            assert.strictEqual(envName(prod[0]), "prod-preview");
            const role = (j: Job) => j.steps.find((s) => s.with?.["role-to-assume"])?.with?.["role-to-assume"];
            assert.strictEqual(role(prod[0]), "${{ vars.AWS_PROD_PREVIEW_ROLE_ARN }}");
            assert.notStrictEqual(role(dev[0]), role(prod[0]));
        });

        it("no job of a fork's pull request reaches for secrets or AWS", () => {
            for (const [name, job] of Object.entries(wf.jobs)) {
                const usesSecrets = /secrets\.|vars\.AWS_/.test(JSON.stringify(job.steps));
                if (usesSecrets) assert.strictEqual(job.if, SAME_REPO, `${name}`);
            }
        });
    });

    describe("push.yml", () => {
        const wf = load("push.yml");

        it("runs only on main, one update at a time, never cancelling a running one", () => {
            assert.deepStrictEqual(wf.on, { push: { branches: ["main"] } });
            assert.deepStrictEqual(wf.concurrency, { group: "pulumi-up", "cancel-in-progress": false });
        });

        it("tests, then `pulumi up` dev in environment dev, then prod in environment prod after dev", () => {
            const up = (j: Job) => j.steps.find(isPulumiStep)?.with;
            assert.ok(wf.jobs.test.steps.some((s) => s.run === "npm test"));
            assert.deepStrictEqual(
                [wf.jobs["up-dev"].needs, envName(wf.jobs["up-dev"]), up(wf.jobs["up-dev"])?.command],
                ["test", "dev", "up"],
            );
            assert.deepStrictEqual(
                [wf.jobs["up-prod"].needs, envName(wf.jobs["up-prod"]), up(wf.jobs["up-prod"])?.command],
                ["up-dev", "prod", "up"],
            );
            assert.strictEqual(stackOf(wf.jobs["up-prod"]), "${{ vars.PULUMI_ORG }}/onehub/prod");
        });
    });

    describe("release.yml", () => {
        const wf = load("release.yml");
        const steps = wf.jobs.release.steps;
        const index = (pred: (s: Step) => boolean) => steps.findIndex(pred);
        const publish = index((s) => /npm publish/.test(s.run ?? ""));
        const check = index((s) => /node \.github\/scripts\/release-check\.js/.test(s.run ?? ""));

        it("runs on a pushed tag vX.Y.Z", () => {
            assert.deepStrictEqual(wf.on, { push: { tags: ["v*.*.*"] } });
        });

        it("checks the tag against package.json's version before installing, testing or publishing", () => {
            assert.ok(check >= 0, "no release-check step");
            assert.ok(check < index(isNpmCi) && index(isNpmCi) < index((s) => s.run === "npm test"));
            assert.ok(index((s) => s.run === "npm test") < publish);
        });

        it("publishes with provenance and public access, the npm token only in the publish step", () => {
            assert.match(steps[publish].run!, /npm publish --provenance --access public/);
            assert.strictEqual(steps[publish].env?.NODE_AUTH_TOKEN, "${{ secrets.NPM_TOKEN }}");
            assert.strictEqual(text("release.yml").match(/secrets\.NPM_TOKEN/g)?.length, 1);
            assert.strictEqual(wf.jobs.release.permissions?.["id-token"], "write");
            const node = steps.find((s) => (s.uses ?? "").startsWith("actions/setup-node@"));
            assert.strictEqual(node?.with?.["registry-url"], "https://registry.npmjs.org");
            assert.strictEqual(node?.with?.["package-manager-cache"], false);
        });

        it("creates the GitHub release of the tag after publishing", () => {
            const release = index((s) => /gh release create "\$TAG"/.test(s.run ?? ""));
            assert.ok(release > publish);
            assert.match(steps[release].run!, /--verify-tag/);
            assert.strictEqual(wf.jobs.release.permissions?.contents, "write");
            assert.strictEqual(steps[release].env?.TAG, "${{ github.ref_name }}");
        });

        describe("release-check.js", () => {
            const pkg = {
                name: "onehub",
                version: "1.2.3",
                repository: { type: "git", url: "git+https://github.com/Owner/onehub-aws.git" },
            };

            it("accepts the tag v + package.json's version", () => {
                assert.deepStrictEqual(releaseCheck.releaseProblems(pkg, "v1.2.3", "owner/onehub-aws"), []);
                assert.deepStrictEqual(
                    releaseCheck.releaseProblems({ ...pkg, version: "1.2.3-rc.1" }, "v1.2.3-rc.1", "owner/onehub-aws"),
                    [],
                );
            });

            it("refuses a tag that differs from package.json's version", () => {
                for (const tag of ["v1.2.4", "1.2.3", "v1.2.3-rc.1", "v1.2"]) {
                    assert.match(
                        releaseCheck.releaseProblems(pkg, tag, "owner/onehub-aws").join(),
                        /does not match package\.json's version 1\.2\.3/,
                        tag,
                    );
                }
            });

            it('refuses a "private" package, a version that is not semver and a repository npm provenance would reject', () => {
                assert.match(releaseCheck.releaseProblems({ ...pkg, private: true }, "v1.2.3", "owner/onehub-aws").join(), /private/);
                assert.match(
                    releaseCheck.releaseProblems({ ...pkg, version: "1.2" }, "v1.2", "owner/onehub-aws").join(),
                    /not a semantic version/,
                );
                assert.match(
                    releaseCheck.releaseProblems(pkg, "v1.2.3", "someone/fork").join(),
                    /must name https:\/\/github\.com\/someone\/fork/,
                );
                assert.match(
                    releaseCheck.releaseProblems({ ...pkg, repository: undefined }, "v1.2.3", "owner/onehub-aws").join(),
                    /repository/,
                );
            });

            it("reads the GitHub repository from each form package.json may use", () => {
                for (const r of [
                    "github:owner/repo",
                    "owner/repo",
                    "https://github.com/owner/repo",
                    { url: "git+https://github.com/owner/repo.git" },
                    { url: "git+ssh://git@github.com/owner/repo.git" },
                ]) {
                    assert.strictEqual(releaseCheck.repositorySlug(r), "owner/repo", JSON.stringify(r));
                }
                assert.strictEqual(releaseCheck.repositorySlug("https://gitlab.com/owner/repo"), undefined);
            });

            it("takes the release notes from the version's CHANGELOG.md section", () => {
                const changelog =
                    "# Changelog\n\n## [1.2.4] - 2026-12-01\n\n- later\n\n## v1.2.3\n\n- this one\n- and this\n\n## 1.2.2\n\n- earlier\n";
                assert.strictEqual(releaseCheck.releaseNotes(changelog, "1.2.3"), "- this one\n- and this");
                assert.strictEqual(releaseCheck.releaseNotes(changelog, "1.2.4"), "- later");
                assert.strictEqual(releaseCheck.releaseNotes(changelog, "1.2.2"), "- earlier");
                assert.strictEqual(releaseCheck.releaseNotes(changelog, "1.2"), "");
            });
        });
    });
});
