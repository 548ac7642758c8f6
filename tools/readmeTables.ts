// The README's generated tables: the config table (every key, its default per stack, from
// Pulumi.yaml and the stack files) and the cost table (each stack's estimate). They describe this
// repository's own stacks, so a team that changes its Pulumi.<stack>.yaml regenerates them with
// `npm run readme`; test/readme.spec.ts fails while they are stale.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { CONFIG_KEYS, CONFIG_NAMESPACE } from "../stacks/config";
import { DEFAULT_LOAD, estimate, IDLE, totals } from "./costModel";
import { knownStacks, loadStackConfig, ROOT, runStack, StackRun } from "./offlineStack";

export function configTable(): string {
    const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as any;
    const stacks = knownStacks();
    const configs = Object.fromEntries(stacks.map((s) => [s, loadStackConfig(s)]));
    const rows = [`| key | ${stacks.join(" | ")} | what it is |`, `|---|${stacks.map(() => "---|").join("")}---|`];
    for (const [key, decl] of Object.entries<any>(project.config)) {
        if (!key.startsWith("onehub:")) {
            continue;
        }
        const secret = (CONFIG_KEYS as Record<string, string>)[key.slice(CONFIG_NAMESPACE.length + 1)] === "secret";
        const cell = (s: string) => {
            const v = configs[s].config[key];
            if (secret) {
                return "*(secret, optional)*"; // never a value, and the same whether a stack sets it or not
            }
            return configs[s].placeholderSecrets.includes(key) ? "*(encrypted)*" : v === undefined ? "—" : v === "" ? '`""`' : `\`${v}\``;
        };
        rows.push(`| \`${key}\` | ${stacks.map(cell).join(" | ")} | ${decl.description ?? ""} |`);
    }
    return rows.join("\n");
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** Each committed stack's estimate at idle and at the default load (`runs` by stack name). */
export function costTable(runs: Record<string, StackRun>): string {
    const rows = ["| stack | idle / month | idle / day | default load / month | default load / day |", "|---|---|---|---|---|"];
    for (const [stack, run] of Object.entries(runs)) {
        const idle = totals(estimate(run, IDLE));
        const load = totals(estimate(run, DEFAULT_LOAD));
        rows.push(`| ${stack} | ${usd(idle.idleMonth)} | **${usd(idle.idleDay)}/day** | ${usd(load.loadMonth)} | ${usd(load.loadDay)} |`);
    }
    return rows.join("\n");
}

const marker = (name: string) => ({ start: `<!-- ${name}:start -->\n`, end: `\n<!-- ${name}:end -->` });

/** A generated section currently in the README, or undefined if its markers are gone. */
export function readmeSection(readme: string, name: string): string | undefined {
    const { start, end } = marker(name);
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    return from < 0 || to < from ? undefined : readme.slice(from + start.length, to);
}

/** The generated sections as they should read now. */
export async function generatedSections(): Promise<Record<string, string>> {
    const runs: Record<string, StackRun> = {};
    for (const stack of knownStacks()) {
        runs[stack] = await runStack(stack);
    }
    return { "config-table": configTable(), "cost-table": costTable(runs) };
}

if (require.main === module) {
    generatedSections()
        .then((sections) => {
            const file = path.join(ROOT, "README.md");
            let readme = fs.readFileSync(file, "utf8");
            for (const [name, text] of Object.entries(sections)) {
                const current = readmeSection(readme, name);
                if (current === undefined) {
                    throw new Error(`README.md has no ${name} markers`);
                }
                const { start, end } = marker(name);
                readme = readme.replace(start + current + end, start + text + end);
            }
            fs.writeFileSync(file, readme);
            console.log(`Updated README.md: ${Object.keys(sections).join(", ")}`);
        })
        .catch((e) => {
            console.error(e instanceof Error ? e.message : e);
            process.exit(1);
        });
}
