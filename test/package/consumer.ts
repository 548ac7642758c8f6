// The package as a consumer gets it: built from the current sources, packed with `npm pack`,
// unpacked into node_modules/onehub of a scratch project whose @pulumi packages are this
// repository's (the peer dependencies a consumer installs). No network is needed.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../../tools/offlineStack";

export interface Consumer {
    dir: string;
    /** The files `npm pack` put in the tarball. */
    packedFiles: string[];
    /** require() as a module in the consumer project would. */
    require(id: string): any;
}

function newestMtime(dir: string): number {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
    }
    return newest;
}

/** Builds dist/ unless it is newer than every library source (npm ci's `prepare` has just built it in CI). */
export function ensureBuilt(): void {
    const built = path.join(ROOT, "dist", "index.js");
    const sources = Math.max(newestMtime(path.join(ROOT, "components")), fs.statSync(path.join(ROOT, "index.ts")).mtimeMs);
    if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < sources) {
        execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", ROOT], { stdio: "pipe" });
    }
}

let consumer: Consumer | undefined;

export function installedPackage(): Consumer {
    if (consumer) {
        return consumer;
    }
    ensureBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onehub-consumer-"));
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const packed = JSON.parse(
        execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8" }),
    )[0];
    const target = path.join(dir, "node_modules", "onehub");
    fs.mkdirSync(target, { recursive: true });
    execFileSync("tar", ["-xzf", path.join(dir, packed.filename), "-C", target, "--strip-components=1"]);
    for (const scope of ["@pulumi", "@types"]) {
        fs.symlinkSync(path.join(ROOT, "node_modules", scope), path.join(dir, "node_modules", scope), "dir");
    }
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, dependencies: { onehub: "*" } }));
    const requireFrom = require("module").createRequire(path.join(dir, "index.js"));
    consumer = { dir, packedFiles: packed.files.map((f: { path: string }) => f.path), require: requireFrom };
    return consumer;
}
