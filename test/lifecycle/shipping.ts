// Checks shared by the handler specs: a handler file is shipped as-is as a Lambda's index.js.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const HANDLERS = path.join(__dirname, "..", "..", "components", "lifecycle", "handlers");

/** The handler file's text, as the Pulumi program reads it into the Lambda zip. */
export function handlerSource(file: string): string {
    return fs.readFileSync(path.join(HANDLERS, file), "utf8");
}

/** Every module the file requires. */
export function requiredModules(source: string): string[] {
    return [...source.matchAll(/\brequire\(\s*(["'`])([^"'`]+)\1\s*\)/g)].map((m) => m[2]);
}

/**
 * Asserts the file can be the whole Lambda bundle on nodejs24.x: type-checked JavaScript that
 * requires only the runtime's built-in AWS SDK v3 clients and Node's own `node:` modules, and
 * that plain Node (no ts-node) loads.
 */
export function assertShippable(file: string, exported: string[]): void {
    const source = handlerSource(file);
    assert.ok(source.startsWith("// @ts-check\n"), `${file} must start with // @ts-check`);
    assert.doesNotMatch(source, /^\s*(import|export)\s/m, `${file} must be CommonJS`);
    const modules = requiredModules(source);
    assert.ok(modules.length > 0);
    for (const m of modules) {
        assert.match(
            m,
            /^(@aws-sdk\/client-[a-z0-9-]+|node:[a-z_]+)$/,
            `${file} requires ${m}; only @aws-sdk/client-* and node:* are in the Lambda runtime`,
        );
    }
    const probe = `const m = require(process.argv[1]); console.log(JSON.stringify(Object.keys(m).filter((k) => typeof m[k] === "function").sort()));`;
    const out = execFileSync(process.execPath, ["-e", probe, path.join(HANDLERS, file)], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
    assert.deepStrictEqual(JSON.parse(out), [...exported].sort());
}
