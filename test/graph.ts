// Questions about the recorded dependency graph: what the engine waits for before it creates or
// updates a resource. Dependencies are the union of `dependsOn` and the resources behind a
// resource's inputs (components expanded to their children), so "waits for" is the transitive
// closure over them.
import * as assert from "assert";
import { RegisteredResource, StackRun } from "../tools/offlineStack";

/** True if the engine finishes `target` before it starts `resource`. */
export function waitsFor(run: StackRun, resource: RegisteredResource, target: RegisteredResource): boolean {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const stack = [...resource.dependencies];
    while (stack.length > 0) {
        const urn = stack.pop()!;
        if (urn === target.urn) {
            return true;
        }
        if (!seen.has(urn)) {
            seen.add(urn);
            stack.push(...(byUrn.get(urn)?.dependencies ?? []));
        }
    }
    return false;
}

export function assertWaitsFor(run: StackRun, resource: RegisteredResource, target: RegisteredResource, why: string): void {
    assert.ok(waitsFor(run, resource, target), `${resource.name} must wait for ${target.name}: ${why}`);
}

/** True if `target` is among `resource`'s own dependencies (its dependsOn or an input), not only further down. */
export function dependsDirectlyOn(resource: RegisteredResource, target: RegisteredResource): boolean {
    return resource.dependencies.includes(target.urn);
}
