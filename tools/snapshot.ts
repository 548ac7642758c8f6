// A normalized, deterministic, secret-free rendering of a stack's resources and inputs. It is
// committed under test/snapshots/ so every infrastructure change shows up as a readable diff in
// review; `npm run plan -- <stack> --update-snapshot` records an intentional change.
import { createHash } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { deriveVpcChildren } from "./awsxVpcLayout";
import { RegisteredResource, ROOT, StackRun } from "./offlineStack";

export const SNAPSHOT_DIR = path.join(ROOT, "test", "snapshots");
export const SECRET_MASK = "[secret]";

/** Inputs that AWS takes as JSON strings: shown parsed, so a diff shows the changed field. */
const JSON_INPUTS = ["containerDefinitions", "policy", "assumeRolePolicy", "input", "eventPattern"];

export interface SnapshotResource {
    /** Parent chain and name, e.g. "onehub-dev > onehub-dev-db > onehub-dev-db-cluster". */
    path: string;
    type: string;
    /** Set on the children awsx will create inside its Vpc, derived from the Vpc's arguments (not registered here). */
    derived?: true;
    /** What the engine waits for and how it replaces: only the options a resource sets. */
    options?: SnapshotOptions;
    inputs: unknown;
}

export interface SnapshotOptions {
    /** The resources it waits for (its dependsOn and the resources behind its inputs), by path. */
    dependsOn?: string[];
    deleteBeforeReplace?: true;
    replaceOnChanges?: string[];
    ignoreChanges?: string[];
    retainOnDelete?: true;
    /** Existing resources it takes over in place, by URN. */
    aliases?: string[];
}

/** The resource options worth reviewing, by the paths of the resources they name; undefined when none is set. */
export function optionsOf(run: StackRun, r: RegisteredResource): SnapshotOptions | undefined {
    const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
    const options: SnapshotOptions = {};
    const deps = r.dependencies.map((urn) => byUrn.get(urn)).filter((d): d is RegisteredResource => d !== undefined);
    if (deps.length > 0) {
        options.dependsOn = deps.map((d) => resourcePath(run, d).join(" > ")).sort();
    }
    if (r.deleteBeforeReplace) {
        options.deleteBeforeReplace = true;
    }
    if (r.replaceOnChanges.length > 0) {
        options.replaceOnChanges = [...r.replaceOnChanges];
    }
    if (r.ignoreChanges.length > 0) {
        options.ignoreChanges = [...r.ignoreChanges];
    }
    if (r.retainOnDelete) {
        options.retainOnDelete = true;
    }
    if (r.aliases.length > 0) {
        options.aliases = [...r.aliases];
    }
    return Object.keys(options).length > 0 ? options : undefined;
}

function setAt(target: any, dotted: string, value: unknown): void {
    const keys = dotted.split(".");
    let node = target;
    for (const key of keys.slice(0, -1)) {
        if (node?.[key] === undefined) {
            return;
        }
        node = node[key];
    }
    node[keys[keys.length - 1]] = value;
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .filter((k) => (value as any)[k] !== undefined)
                .map((k) => [k, sortKeys((value as any)[k])]),
        );
    }
    return value;
}

/** The chain of names from the top-level component down to `r`. */
export function resourcePath(run: StackRun, r: RegisteredResource): string[] {
    const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
    const names = [r.name];
    for (let p = byUrn.get(r.parent); p; p = byUrn.get(p.parent)) {
        names.unshift(p.name);
    }
    return names;
}

/**
 * Pulumi assets and archives as a reviewer needs them: an archive's file names with each file's
 * SHA-256 and size (the handler sources themselves live in the repository and are reviewed there).
 */
function summarizeAssets(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(summarizeAssets);
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const v = value as Record<string, any>;
    if (v.__pulumiAsset && typeof v.text === "string") {
        return `text asset, ${Buffer.byteLength(v.text)} bytes, sha256 ${createHash("sha256").update(v.text).digest("hex").slice(0, 16)}`;
    }
    if (v.__pulumiArchive && v.assets) {
        return { archive: Object.fromEntries(Object.entries(v.assets).map(([file, asset]) => [file, summarizeAssets(asset)])) };
    }
    return Object.fromEntries(Object.entries(v).map(([k, child]) => [k, summarizeAssets(child)]));
}

/** Inputs with secrets masked and JSON-string inputs parsed. */
export function normalizedInputs(r: RegisteredResource): Record<string, unknown> {
    const inputs = JSON.parse(JSON.stringify(r.inputs));
    for (const secretPath of r.secretPaths) {
        setAt(inputs, secretPath, SECRET_MASK);
    }
    for (const key of JSON_INPUTS) {
        if (typeof inputs[key] === "string" && !r.secretPaths.includes(key)) {
            inputs[key] = JSON.parse(inputs[key]);
        }
    }
    return sortKeys(summarizeAssets(inputs)) as Record<string, unknown>;
}

export function snapshotOf(run: StackRun): SnapshotResource[] {
    const registered = run.resources.map((r) => {
        const options = optionsOf(run, r);
        return { path: resourcePath(run, r).join(" > "), type: r.type, ...(options ? { options } : {}), inputs: normalizedInputs(r) };
    });
    const derived = run.resources
        .filter((r) => r.type === "awsx:ec2:Vpc")
        .flatMap((vpc) =>
            deriveVpcChildren(vpc).map((child) => ({
                path: `${resourcePath(run, vpc).join(" > ")} > ${child.name}`,
                type: child.type,
                derived: true as const,
                inputs: sortKeys(child.inputs),
            })),
        );
    return [...registered, ...derived].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.type < b.type ? -1 : 1));
}

export function renderSnapshot(run: StackRun): string {
    const header = `# Resources and inputs of the ${run.stack} stack, rendered offline by \`npm run plan -- ${run.stack} --update-snapshot\`.\n# Secrets are masked; "derived: true" marks what awsx creates inside its Vpc (derived from its arguments).\n# Review this diff like code: it is the infrastructure change.\n`;
    return header + yaml.dump(snapshotOf(run), { lineWidth: 120, noRefs: true, sortKeys: false });
}

export function snapshotFile(stack: string, dir = SNAPSHOT_DIR): string {
    return path.join(dir, `${stack}.yaml`);
}

export function writeSnapshot(run: StackRun, dir = SNAPSHOT_DIR): string {
    const file = snapshotFile(run.stack, dir);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, renderSnapshot(run));
    return file;
}

/** undefined when the committed snapshot matches the run; otherwise a short description of the first difference. */
export function compareSnapshot(run: StackRun, dir = SNAPSHOT_DIR): string | undefined {
    const file = snapshotFile(run.stack, dir);
    if (!fs.existsSync(file)) {
        return `no snapshot ${path.relative(ROOT, file)}`;
    }
    const expected = fs.readFileSync(file, "utf8").split("\n");
    const actual = renderSnapshot(run).split("\n");
    const line = expected.findIndex((l, i) => l !== actual[i]);
    if (line < 0 && expected.length === actual.length) {
        return undefined;
    }
    const at = line < 0 ? Math.min(expected.length, actual.length) : line;
    return `${path.relative(ROOT, file)} line ${at + 1}: committed ${JSON.stringify(expected[at] ?? "(end)")}, now ${JSON.stringify(actual[at] ?? "(end)")}`;
}
