// Renders the README's config table from Pulumi.yaml and the stack files, so the README can
// never drift from the defaults: test/readme.spec.ts checks that the README holds this table.
// `npm run config-table` rewrites the README's table in place.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { CONFIG_KEYS, CONFIG_NAMESPACE } from "../stacks/config";
import { knownStacks, loadStackConfig, ROOT } from "./offlineStack";

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

const START = "<!-- config-table:start -->\n";
const END = "\n<!-- config-table:end -->";

/** The table currently in the README, or undefined if its markers are gone. */
export function readmeTable(readme: string): string | undefined {
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    return start < 0 || end < start ? undefined : readme.slice(start + START.length, end);
}

if (require.main === module) {
    const file = path.join(ROOT, "README.md");
    const readme = fs.readFileSync(file, "utf8");
    const current = readmeTable(readme);
    if (current === undefined) {
        throw new Error("README.md has no config-table markers");
    }
    fs.writeFileSync(file, readme.replace(START + current + END, START + configTable() + END));
}
