// Queries over a recorded stack run, shared by the specs.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { knownStacks, lastRun, RegisteredResource, ROOT, runStack, RunOptions, StackRun } from "../tools/offlineStack";

export function ofType(run: StackRun, type: string): RegisteredResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function one(run: StackRun, type: string, nameIncludes = ""): RegisteredResource {
    const found = ofType(run, type).filter((r) => r.name.includes(nameIncludes));
    assert.strictEqual(
        found.length,
        1,
        `expected exactly one ${type} named *${nameIncludes}*, found ${found.map((r) => r.name).join(", ") || "none"}`,
    );
    return found[0];
}

/** The container definition of a task definition. */
export function container(task: RegisteredResource): any {
    const defs = JSON.parse(task.inputs.containerDefinitions);
    assert.strictEqual(defs.length, 1);
    return defs[0];
}

export function envOf(task: RegisteredResource): Record<string, string> {
    return Object.fromEntries(container(task).environment.map((e: any) => [e.name, e.value]));
}

const defaults = new Map<string, Promise<StackRun>>();
/**
 * The run of a stack with its committed config; shared by every spec (the program is deterministic).
 * Optional secrets the stack file holds encrypted are left unset (RunOptions.encryptedSecrets).
 */
export function stackRun(stack: string): Promise<StackRun> {
    if (!defaults.has(stack)) {
        defaults.set(stack, runStack(stack));
    }
    return defaults.get(stack)!;
}

/**
 * Runs `stack` with `config` and asserts the program fails with an error matching `message`
 * before registering any resource.
 */
export async function expectConfigError(
    stack: string,
    config: Record<string, unknown>,
    message: RegExp,
    options: RunOptions = {},
): Promise<void> {
    let error: unknown;
    try {
        await runStack(stack, { ...options, config: { ...options.config, ...config } });
    } catch (e) {
        error = e;
    }
    assert.ok(error instanceof Error, `expected ${JSON.stringify(config)} to be rejected`);
    assert.match(error.message, message);
    assert.ok(pulumi.RunError.isInstance(error), `a config error must be a pulumi.RunError (one line, no stack trace): ${error.message}`);
    assert.deepStrictEqual(
        lastRun.map((r) => r.type),
        [],
        "no resource may be registered before validation fails",
    );
}

/**
 * A temporary copy of the project's config files (Pulumi.yaml and every Pulumi.<stack>.yaml) for
 * RunOptions.projectDir, with `changes` applied: a file's new text, or a function of its text.
 * Remove it with fs.rmSync(dir, { recursive: true }).
 */
export function projectCopy(changes: Record<string, string | ((text: string) => string)> = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onehub-config-"));
    for (const file of ["Pulumi.yaml", ...knownStacks().map((s) => `Pulumi.${s}.yaml`)]) {
        fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    }
    for (const [file, change] of Object.entries(changes)) {
        const at = path.join(dir, file);
        fs.writeFileSync(at, typeof change === "string" ? change : change(fs.readFileSync(at, "utf8")));
    }
    return dir;
}
