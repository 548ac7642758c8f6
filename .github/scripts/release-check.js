// Checks run by .github/workflows/release.yml before anything is installed or published, so a
// wrong tag fails in seconds instead of after the tests (or, worse, after an npm publish of the
// wrong version). No dependencies: plain Node.
//
//   node .github/scripts/release-check.js        (GITHUB_REF_NAME=v1.2.3, GITHUB_REPOSITORY=owner/repo)
//
// Exits 1 with one `::error::` line per problem. On success it writes `version`, `name`,
// `npm-tag` (`latest`, or `next` for a prerelease such as 1.2.3-rc.1) and `prerelease` to
// $GITHUB_OUTPUT, and the CHANGELOG.md section of the version to `notes-file` (a file in
// $RUNNER_TEMP, outside the package; empty when there is none: the release then gets GitHub's
// generated notes).
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * The GitHub repository ("owner/repo", lower case) that package.json's `repository` names, or undefined.
 * @param {unknown} repository
 * @returns {string | undefined}
 */
function repositorySlug(repository) {
    const url =
        typeof repository === "string"
            ? repository
            : repository && typeof repository === "object"
              ? /** @type {{ url?: unknown }} */ (repository).url
              : undefined;
    if (typeof url !== "string") {
        return undefined;
    }
    const shorthand = url.match(/^(?:github:)?([\w.-]+\/[\w.-]+)$/);
    const full = url.match(/^(?:git\+)?(?:https|ssh|git):\/\/(?:git@)?github\.com[/:]([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/);
    const slug = (shorthand || full || [])[1];
    return slug ? slug.replace(/\.git$/, "").toLowerCase() : undefined;
}

/**
 * Every reason the tag `tag` of `githubRepository` may not be published from `pkg` (package.json).
 * An empty list means: publish.
 * @param {{ name?: unknown, version?: unknown, private?: unknown, repository?: unknown }} pkg
 * @param {string} tag
 * @param {string | undefined} githubRepository
 * @returns {string[]}
 */
function releaseProblems(pkg, tag, githubRepository) {
    const problems = [];
    if (!pkg.name) {
        problems.push("package.json has no name");
    }
    if (typeof pkg.version !== "string" || !SEMVER.test(pkg.version)) {
        problems.push(`package.json version ${JSON.stringify(pkg.version)} is not a semantic version`);
    } else if (tag !== `v${pkg.version}`) {
        problems.push(
            `the tag ${tag} does not match package.json's version ${pkg.version}: tag the commit that sets the version, as v${pkg.version}`,
        );
    }
    if (pkg.private === true) {
        problems.push('package.json has "private": true, which npm refuses to publish');
    }
    if (githubRepository) {
        const slug = repositorySlug(pkg.repository);
        if (slug !== githubRepository.toLowerCase()) {
            problems.push(
                `package.json "repository" must name https://github.com/${githubRepository} (npm's provenance check rejects the publish otherwise), found ${JSON.stringify(pkg.repository)}`,
            );
        }
    }
    return problems;
}

/**
 * The body of the CHANGELOG.md section whose `## ` heading names `version` (1.2.3, v1.2.3 or [1.2.3]), or "".
 * @param {string} changelog
 * @param {string} version
 * @returns {string}
 */
function releaseNotes(changelog, version) {
    const lines = changelog.split(/\r?\n/);
    const names = new Set([version, `v${version}`]);
    const start = lines.findIndex((line) => /^## /.test(line) && line.split(/[\s[\]()]+/).some((word) => names.has(word)));
    if (start < 0) {
        return "";
    }
    const end = lines.findIndex((line, i) => i > start && /^## /.test(line));
    return lines
        .slice(start + 1, end < 0 ? undefined : end)
        .join("\n")
        .trim();
}

function main() {
    const root = path.resolve(__dirname, "..", "..");
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    const tag = process.env.GITHUB_REF_NAME || "";
    const problems = releaseProblems(pkg, tag, process.env.GITHUB_REPOSITORY);
    for (const problem of problems) {
        console.log(`::error::${problem}`);
    }
    if (problems.length > 0) {
        process.exit(1);
    }

    const changelogPath = path.join(root, "CHANGELOG.md");
    const notes = fs.existsSync(changelogPath) ? releaseNotes(fs.readFileSync(changelogPath, "utf8"), pkg.version) : "";
    if (!notes) {
        console.log(`::warning::CHANGELOG.md has no section for ${pkg.version}; the GitHub release gets generated notes`);
    }
    const notesFile = path.join(process.env.RUNNER_TEMP || os.tmpdir(), "release-notes.md");
    fs.writeFileSync(notesFile, notes ? `${notes}\n` : "");

    const prerelease = pkg.version.includes("-");
    const outputs = {
        name: pkg.name,
        version: pkg.version,
        "npm-tag": prerelease ? "next" : "latest",
        prerelease: String(prerelease),
        "notes-file": notesFile,
    };
    const lines = Object.entries(outputs).map(([key, value]) => `${key}=${value}\n`);
    if (process.env.GITHUB_OUTPUT) {
        fs.appendFileSync(process.env.GITHUB_OUTPUT, lines.join(""));
    }
    console.log(`${pkg.name}@${pkg.version} from ${tag}: ok`);
}

module.exports = { releaseProblems, releaseNotes, repositorySlug };

if (require.main === module) {
    main();
}
