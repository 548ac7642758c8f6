// The slaves' entry-point wrapper (components/services/slaveWrapper.sh), run for real: with this
// machine's sh (dash) and, where installed, busybox (the image's shell is busybox ash), around a
// stand-in for OneHub — a small node HTTP server that, like OneHub, exits at once on SIGTERM.
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../tools/offlineStack";

const SCRIPT = fs.readFileSync(path.join(ROOT, "components", "services", "slaveWrapper.sh"), "utf8");
/** The stand-in exits with this status on SIGTERM, so the wrapper's exit status is the child's, not its own. */
const TERM_STATUS = 7;

const STAND_IN = `
const http = require("http");
const server = http.createServer((req, res) => {
    if (req.url.startsWith("/exit/")) {
        res.end("bye");
        setTimeout(() => process.exit(Number(req.url.slice(6))), 20);
        return;
    }
    res.end("serving " + process.pid);
});
process.on("SIGTERM", () => {
    console.log("stand-in: SIGTERM");
    process.exit(${TERM_STATUS});
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("stand-in: listening"));
`;

function available(command: string): boolean {
    try {
        execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

const SHELLS: [string, string[]][] = [
    ["sh (dash)", ["sh"]],
    ["busybox ash", ["busybox", "sh"]],
];

function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

function get(port: number, urlPath = "/"): Promise<string> {
    return new Promise((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: urlPath, agent: false }, (res) => {
            let body = "";
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => resolve(body));
        }).on("error", reject);
    });
}

async function until<T>(probe: () => Promise<T>, ms = 5000): Promise<T> {
    const started = Date.now();
    for (;;) {
        try {
            return await probe();
        } catch (e) {
            if (Date.now() - started > ms) {
                throw e;
            }
            await new Promise((r) => setTimeout(r, 25));
        }
    }
}

interface Wrapped {
    proc: ChildProcess;
    port: number;
    output: () => string;
    exited: Promise<{ code: number | null; at: number }>;
}

/** The wrapper as ECS starts it (`/bin/sh -c <script> onehub-slave <grace>`), in a process group of its own. */
async function start(shell: string[], grace: number, binary: string): Promise<Wrapped> {
    const port = await freePort();
    const proc = spawn(shell[0], [...shell.slice(1), "-c", SCRIPT, "onehub-slave", String(grace)], {
        env: { PATH: process.env.PATH, PORT: String(port), ONEHUB_BINARY: binary },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout!.on("data", (d) => (out += d));
    proc.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
        proc.on("exit", (code) => resolve({ code, at: Date.now() })),
    );
    await until(() => get(port));
    return { proc, port, output: () => out, exited };
}

describe("the slave wrapper (components/services/slaveWrapper.sh)", function () {
    this.timeout(20_000);
    let dir: string;
    let binary: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "onehub-wrapper-"));
        binary = path.join(dir, "one-api");
        fs.writeFileSync(binary, `#!${process.execPath}\n${STAND_IN}`, { mode: 0o755 });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is POSIX sh that dash and busybox parse", () => {
        for (const [, shell] of SHELLS.filter(([, s]) => available(s[0]))) {
            execFileSync(shell[0], [...shell.slice(1), "-n", "-c", SCRIPT]);
        }
    });

    for (const [label, shell] of SHELLS) {
        describe(label, () => {
            before(function () {
                if (!available(shell[0])) {
                    this.skip(); // busybox is optional on a developer's machine (apt-get install busybox)
                }
            });

            it("on SIGTERM keeps OneHub serving for the grace period, then passes SIGTERM on and exits with OneHub's status", async () => {
                const w = await start(shell, 2, binary);
                const term = Date.now();
                // The whole process group, as an init that signals groups would: OneHub runs in a session of its own.
                process.kill(-w.proc.pid!, "SIGTERM");
                await new Promise((r) => setTimeout(r, 300));
                assert.match(await get(w.port), /^serving /, "still serving after SIGTERM");
                await new Promise((r) => setTimeout(r, 900));
                assert.match(await get(w.port), /^serving /, "still serving within the grace period");
                const { code, at } = await w.exited;
                assert.strictEqual(code, TERM_STATUS, "the child's exit status");
                assert.ok(at - term >= 1900, `exited ${at - term} ms after SIGTERM, before the 2 s grace period ended`);
                assert.ok(at - term < 6000, `exited ${at - term} ms after SIGTERM`);
                assert.match(w.output(), /keeps serving in-flight responses for 2 s/);
                assert.match(w.output(), /stand-in: SIGTERM/, "OneHub got SIGTERM after the grace period");
                await assert.rejects(get(w.port), "OneHub has stopped");
            });

            it("exits at once with OneHub's status when OneHub exits on its own", async () => {
                const w = await start(shell, 30, binary);
                const asked = Date.now();
                assert.strictEqual(await get(w.port, "/exit/3"), "bye");
                const { code, at } = await w.exited;
                assert.strictEqual(code, 3);
                assert.ok(at - asked < 3000, "no grace period without SIGTERM");
            });

            it("ends the grace period early when OneHub exits during it", async () => {
                const w = await start(shell, 30, binary);
                process.kill(w.proc.pid!, "SIGTERM");
                await new Promise((r) => setTimeout(r, 300));
                const asked = Date.now();
                await get(w.port, "/exit/5");
                const { code, at } = await w.exited;
                assert.strictEqual(code, 5);
                assert.ok(at - asked < 3000, `exited ${at - asked} ms after OneHub did, not 30 s later`);
            });

            it("with a grace period of 0 runs OneHub in place of the shell: SIGTERM reaches it at once", async () => {
                const w = await start(shell, 0, binary);
                process.kill(w.proc.pid!, "SIGTERM");
                const { code } = await w.exited;
                assert.strictEqual(code, TERM_STATUS);
            });

            it("refuses a grace period that is not whole seconds", () => {
                assert.throws(
                    () => execFileSync(shell[0], [...shell.slice(1), "-c", SCRIPT, "onehub-slave", "1.5"], { stdio: "pipe" }),
                    (e: any) => e.status === 64 && /must be whole seconds/.test(String(e.stderr)),
                );
            });
        });
    }
});
