// `npm run mutants [-- --jobs N] [--only ID,…] [--list]`: how many deliberate breaks of the
// invariants (docs/architecture.md, ../shared/docs/DESIGN.md, issue 11) the specification tests
// catch without the snapshot. Not part of `npm test`: each mutant costs a full test run.
//
// The mutants are tools/mutants.tsv, one per line: id, file, original text, replacement, the
// invariant it breaks, and optionally why it is equivalent (a change no test can or should see).
// `\n` in the texts is a newline, `\t` a tab, `\\` a backslash. Each original text must occur
// exactly once in its file: a mutant that does not apply is a failure of the list, reported.
//
// Every mutant runs in a scratch copy of the working tree (never the tree itself), one copy per
// job, restored after each mutant whatever happens; the copies are removed at the end. The suite
// is mocha without test/snapshot.spec.ts (a snapshot catches everything and proves nothing) and
// without the slow package tests (test/package/), stopping at the first failure. The unmutated
// copy must pass first. Exit code 0 when the kill rate of the non-equivalent mutants is at least
// 95 % and the list applies, 1 otherwise, 2 on a usage error.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..");
export const LIST = path.join(ROOT, "tools", "mutants.tsv");
export const TARGET_KILL_RATE = 0.95;
/** Left out of every run: the snapshot (it fails on any change) and the package tests (minutes of npm pack). */
export const EXCLUDED_SPECS = ["test/snapshot.spec.ts", "test/package/**"];
const COPY_SKIP = new Set(["node_modules", ".git", "dist"]);
const RUN_TIMEOUT_MS = 10 * 60 * 1000;

export interface Mutant {
    id: string;
    file: string;
    from: string;
    to: string;
    breaks: string;
    /** Why no test can tell this mutant from the original; such mutants do not count. */
    equivalent?: string;
    /** Line in mutants.tsv. */
    line: number;
}

const unescape = (s: string) => s.replace(/\\(n|t|\\)/g, (_, c) => (c === "n" ? "\n" : c === "t" ? "\t" : "\\"));

/** Parses mutants.tsv; throws on a malformed line or a duplicate id. */
export function parseMutants(text: string): Mutant[] {
    const mutants: Mutant[] = [];
    text.split("\n").forEach((raw, i) => {
        if (raw.trim() === "" || raw.startsWith("#")) {
            return;
        }
        const cells = raw.split("\t");
        if (cells.length < 5 || cells.length > 6 || [0, 1, 2, 4].some((c) => cells[c] === "")) {
            throw new Error(
                `mutants.tsv line ${i + 1}: expected id, file, original, replacement (may be empty), invariant [, equivalent because]`,
            );
        }
        const [id, file, from, to, breaks, equivalent] = cells;
        if (mutants.some((m) => m.id === id)) {
            throw new Error(`mutants.tsv line ${i + 1}: duplicate id ${id}`);
        }
        mutants.push({ id, file, from: unescape(from), to: unescape(to), breaks, equivalent: equivalent || undefined, line: i + 1 });
    });
    return mutants;
}

/** The mutated text of `source`, or why the mutant does not apply. */
export function applyMutant(source: string, m: Pick<Mutant, "from" | "to">): { text?: string; problem?: string } {
    const count = source.split(m.from).length - 1;
    if (count !== 1) {
        return { problem: count === 0 ? "original text not found" : `original text found ${count} times` };
    }
    if (m.from === m.to) {
        return { problem: "replacement equals the original" };
    }
    return { text: source.replace(m.from, () => m.to) };
}

export interface Outcome {
    mutant: Mutant;
    status: "killed" | "survived" | "equivalent" | "not applied";
    detail: string;
    seconds: number;
}

/** Kill rate over the mutants that count (applied and not equivalent). */
export function summarize(outcomes: readonly Outcome[]): {
    killed: number;
    survived: number;
    equivalent: number;
    failed: number;
    rate: number;
} {
    const n = (s: Outcome["status"]) => outcomes.filter((o) => o.status === s).length;
    const killed = n("killed");
    const survived = n("survived");
    return {
        killed,
        survived,
        equivalent: n("equivalent"),
        failed: n("not applied"),
        rate: killed + survived === 0 ? 0 : killed / (killed + survived),
    };
}

/** A copy of the working tree (without node_modules, .git, dist) that shares node_modules. */
function scratchCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onehub-mutants-"));
    for (const entry of fs.readdirSync(ROOT)) {
        if (!COPY_SKIP.has(entry)) {
            fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
        }
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

/** Runs the suite in `dir`: whether it passed, and the first failure's title. */
function runSuite(dir: string): Promise<{ passed: boolean; detail: string }> {
    const args = [
        path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"),
        "--no-config",
        "-r",
        "./tools/fastTs.js",
        "--extension",
        "ts",
        "--timeout",
        "60000",
        "--spec",
        "test/**/*.spec.ts",
        ...EXCLUDED_SPECS.flatMap((spec) => ["--exclude", spec]),
        "--bail",
        "--reporter",
        "dot",
    ];
    return new Promise((resolve) => {
        const child = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
        child.on("close", (code) => {
            clearTimeout(timer);
            const failure = /\n\s+1\) ([^\n]+)\n\s*([^\n]*)/.exec(output);
            const title = failure
                ? `${failure[1].trim()} ${failure[2].trim()}`.trim()
                : code === null
                  ? "timed out"
                  : (output.trim().split("\n").pop() ?? "");
            resolve({ passed: code === 0, detail: title.slice(0, 160) });
        });
    });
}

async function runMutant(dir: string, m: Mutant): Promise<Outcome> {
    const started = Date.now();
    const seconds = () => Math.round((Date.now() - started) / 1000);
    const file = path.join(dir, m.file);
    const original = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    if (original === undefined) {
        return { mutant: m, status: "not applied", detail: `no file ${m.file}`, seconds: 0 };
    }
    const { text, problem } = applyMutant(original, m);
    if (text === undefined) {
        return { mutant: m, status: "not applied", detail: problem!, seconds: 0 };
    }
    if (m.equivalent) {
        return { mutant: m, status: "equivalent", detail: m.equivalent, seconds: 0 };
    }
    try {
        fs.writeFileSync(file, text);
        const { passed, detail } = await runSuite(dir);
        return { mutant: m, status: passed ? "survived" : "killed", detail: passed ? "every test passed" : detail, seconds: seconds() };
    } finally {
        fs.writeFileSync(file, original);
    }
}

interface MutantArgs {
    jobs: number;
    only?: string[];
    list: boolean;
}

export const MUTANTS_USAGE = "usage: npm run mutants -- [--jobs N] [--only ID,…] [--list]";

export function parseMutantArgs(argv: readonly string[]): MutantArgs {
    const args: MutantArgs = { jobs: Math.max(1, Math.min(4, os.cpus().length)), list: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--jobs" && /^[1-9]\d*$/.test(argv[i + 1] ?? "")) {
            args.jobs = Number(argv[++i]);
        } else if (a === "--only" && argv[i + 1] && !argv[i + 1].startsWith("-")) {
            args.only = argv[++i].split(",");
        } else if (a === "--list") {
            args.list = true;
        } else {
            throw new Error(`unknown or incomplete option ${a}\n${MUTANTS_USAGE}`);
        }
    }
    return args;
}

function line(o: Outcome): string {
    const m = o.mutant;
    return `${o.status.toUpperCase().padEnd(11)} ${m.id.padEnd(28)} ${m.file} — breaks: ${m.breaks}${o.status === "killed" || o.status === "equivalent" ? "" : `\n            ${o.detail}`}${o.status === "killed" ? `  [${o.seconds} s: ${o.detail}]` : ""}`;
}

export async function main(argv: readonly string[]): Promise<number> {
    let args: MutantArgs;
    try {
        args = parseMutantArgs(argv);
    } catch (e) {
        console.error((e as Error).message);
        return 2;
    }
    const all = parseMutants(fs.readFileSync(LIST, "utf8"));
    const unknown = (args.only ?? []).filter((id) => !all.some((m) => m.id === id));
    if (unknown.length > 0) {
        console.error(`unknown mutant id(s) ${unknown.join(", ")}\n${MUTANTS_USAGE}`);
        return 2;
    }
    const mutants = args.only ? all.filter((m) => args.only!.includes(m.id)) : all;
    if (args.list) {
        // Also checks, without running anything, that every mutant applies to the working tree.
        let failed = 0;
        for (const m of mutants) {
            const file = path.join(ROOT, m.file);
            const problem = fs.existsSync(file) ? applyMutant(fs.readFileSync(file, "utf8"), m).problem : `no file ${m.file}`;
            failed += problem ? 1 : 0;
            console.log(
                `${m.id}\t${m.file}\t${m.breaks}${m.equivalent ? `\t(equivalent: ${m.equivalent})` : ""}${problem ? `\tNOT APPLIED: ${problem}` : ""}`,
            );
        }
        console.log(`${mutants.length} mutants, ${mutants.filter((m) => m.equivalent).length} marked equivalent, ${failed} not applying`);
        return failed === 0 ? 0 : 1;
    }

    const dirs: string[] = [];
    const cleanup = () => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    process.once("SIGINT", () => {
        cleanup();
        process.exit(130);
    });
    try {
        for (let i = 0; i < Math.min(args.jobs, mutants.length); i++) {
            dirs.push(scratchCopy());
        }
        console.log(`${mutants.length} mutants, ${dirs.length} job(s); the suite without ${EXCLUDED_SPECS.join(", ")}`);
        const baseline = await runSuite(dirs[0]);
        if (!baseline.passed) {
            console.error(`the unmutated suite fails (${baseline.detail}): fix it first`);
            return 1;
        }
        const outcomes: Outcome[] = [];
        let next = 0;
        await Promise.all(
            dirs.map(async (dir) => {
                while (next < mutants.length) {
                    const outcome = await runMutant(dir, mutants[next++]);
                    outcomes.push(outcome);
                    console.log(line(outcome));
                }
            }),
        );
        const s = summarize(outcomes);
        console.log(
            `\n${s.killed} killed, ${s.survived} survived, ${s.equivalent} equivalent (not counted), ${s.failed} not applied; ` +
                `kill rate ${(s.rate * 100).toFixed(1)} % of ${s.killed + s.survived} (target ${TARGET_KILL_RATE * 100} %)`,
        );
        for (const o of outcomes.filter((x) => x.status === "survived" || x.status === "not applied")) {
            console.log(`  ${o.status}: ${o.mutant.id} (mutants.tsv line ${o.mutant.line}) — ${o.detail}`);
        }
        return s.failed === 0 && s.rate >= TARGET_KILL_RATE ? 0 : 1;
    } finally {
        cleanup();
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (e: unknown) => {
            console.error(e instanceof Error ? e.message : e);
            process.exitCode = 2;
        },
    );
}
