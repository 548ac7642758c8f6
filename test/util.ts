// Queries over a recorded stack run, shared by the specs.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { knownStacks, lastRun, MOCK_VPC_ID, RegisteredResource, ROOT, runStack, RunOptions, StackRun } from "../tools/offlineStack";

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

/**
 * The specification tests' own stack files: a dev and a prod profile with the values the tests
 * state. The committed Pulumi.<stack>.yaml belong to whoever runs this repository; they are checked
 * by the policy pack and the snapshots, not by these tests, so changing them never breaks a spec.
 */
export const FIXTURES = path.join(ROOT, "test", "fixtures");

/**
 * What a service component (OneHubMasterService, OneHubSlaveService) needs and has no default for,
 * as a program that composes the pieces would pass it; a fresh object each call.
 */
export function serviceArgs() {
    const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    return {
        clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
        vpcId: MOCK_VPC_ID,
        subnetIds: ["subnet-01111111", "subnet-11111111"],
        secrets: { SQL_DSN: secret("dsn"), SESSION_SECRET: secret("session"), USER_TOKEN_SECRET: secret("token") } as Record<
            string,
            string
        >,
        listenerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/edge-alb/0123456789abcdef/fedcba9876543210",
        albSecurityGroupId: "sg-alb",
        databaseSecurityGroupId: "sg-db",
    };
}

/** Runs a fixture stack (test/fixtures/Pulumi.<stack>.yaml over the repository's Pulumi.yaml). */
export function fixtureRun(stack: string, options: RunOptions = {}, program?: Parameters<typeof runStack>[2]): Promise<StackRun> {
    return runStack(stack, options.projectDir ? options : { stacksDir: FIXTURES, ...options }, program);
}

const fixtures = new Map<string, Promise<StackRun>>();
/** The run of a fixture stack with its own config; shared by every spec (the program is deterministic). */
export function stackRun(stack: string): Promise<StackRun> {
    if (!fixtures.has(stack)) {
        fixtures.set(stack, fixtureRun(stack));
    }
    return fixtures.get(stack)!;
}

const committed = new Map<string, Promise<StackRun>>();
/**
 * The run of a committed stack (Pulumi.<stack>.yaml at the root), for what must hold whatever its
 * values: the policy pack and the snapshot. Encrypted optional secrets are left unset.
 */
export function committedRun(stack: string): Promise<StackRun> {
    if (!committed.has(stack)) {
        committed.set(stack, runStack(stack));
    }
    return committed.get(stack)!;
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
        await fixtureRun(stack, { ...options, config: { ...options.config, ...config } });
    } catch (e) {
        error = e;
    }
    assert.ok(error instanceof Error, `expected ${JSON.stringify(config)} to be rejected`);
    // Registrations the program started before it threw complete asynchronously: wait for them,
    // so a check that fires only inside a component, after others were registered, is caught.
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
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
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const stack of knownStacks(FIXTURES)) {
        fs.copyFileSync(path.join(FIXTURES, `Pulumi.${stack}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
    }
    for (const [file, change] of Object.entries(changes)) {
        const at = path.join(dir, file);
        fs.writeFileSync(at, typeof change === "string" ? change : change(fs.readFileSync(at, "utf8")));
    }
    return dir;
}
