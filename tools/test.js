// `npm test`: the type check, the format check and the specification run side by side, so the
// suite takes as long as its slowest part (mocha) rather than the sum; on 2 cores that keeps it
// within a minute. Each part is its own npm script (`npm run typecheck`, `format:check`, `unit`)
// and can be run alone. Mocha's report streams as it runs; the other two print when they finish.
// Fails when any part fails, naming it.
"use strict";
const { spawn } = require("child_process");

const PARTS = ["typecheck", "format:check", "unit"];
const STREAMED = "unit";

/** `npm run -s <script>` with the npm that runs this file (npm_execpath), else the one on PATH. */
function run(script) {
    const npm = process.env.npm_execpath;
    const [command, args] = npm ? [process.execPath, [npm, "run", "-s", script]] : ["npm", ["run", "-s", script]];
    return new Promise((resolve) => {
        const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], shell: !npm && process.platform === "win32" });
        const chunks = [];
        const collect = (stream, out) => stream.on("data", (chunk) => (script === STREAMED ? out.write(chunk) : chunks.push(chunk)));
        collect(child.stdout, process.stdout);
        collect(child.stderr, process.stderr);
        child.on("close", (code, signal) => {
            if (chunks.length > 0) {
                process.stdout.write(`\n--- npm run ${script} ---\n${Buffer.concat(chunks).toString()}`);
            }
            resolve({ script, ok: code === 0, why: signal ? `killed by ${signal}` : `exit code ${code}` });
        });
    });
}

Promise.all(PARTS.map(run)).then((results) => {
    const failed = results.filter((r) => !r.ok);
    for (const r of failed) {
        console.error(`npm test: npm run ${r.script} failed (${r.why})`);
    }
    process.exitCode = failed.length > 0 ? 1 : 0;
});
