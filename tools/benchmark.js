// `npm run benchmark`: what the speed budgets are measured by (never a timed test, which would
// fail on a busy machine). Prints the median user+system CPU of `npm run plan -- prod` over five runs
// (budget 1.0 s) and the wall time of one `npm test` (budget 60 s on 2 cores). Linux or macOS (bash).
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");

/** Runs a command under bash's `time`; returns { cpu, wall } in seconds. */
function timed(command) {
    const result = spawnSync("bash", ["-c", `TIMEFORMAT='%U %S %R'; time (${command} > /dev/null 2>&1)`], { cwd: ROOT, encoding: "utf8" });
    const [user, sys, wall] = result.stderr.trim().split("\n").pop().split(" ").map(Number);
    if (result.status !== 0) {
        throw new Error(`${command} failed`);
    }
    return { cpu: user + sys, wall };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

timed("node -r ./tools/fastTs.js tools/plan.ts prod"); // fills the transpile cache
const plans = Array.from({ length: 5 }, () => timed("node -r ./tools/fastTs.js tools/plan.ts prod").cpu);
console.log(`plan -- prod: median CPU ${median(plans).toFixed(2)} s (runs: ${plans.map((t) => t.toFixed(2)).join(", ")}; budget 1.0 s)`);
if (!process.argv.includes("--plan-only")) {
    const test = timed("npm test");
    console.log(`npm test: ${test.wall.toFixed(1)} s wall, ${test.cpu.toFixed(1)} s CPU (budget 60 s wall on 2 cores)`);
}
