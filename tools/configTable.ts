// Renders the README's config table from Pulumi.yaml and the stack files, so the README can
// never drift from the defaults: test/readme.spec.ts checks that the README holds this table.
// `npm run config-table` prints it.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { knownStacks, loadStackConfig, ROOT } from "./offlineStack";

export function configTable(): string {
    const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as any;
    const stacks = knownStacks();
    const configs = Object.fromEntries(stacks.map((s) => [s, loadStackConfig(s).config]));
    const rows = [`| key | ${stacks.join(" | ")} | what it is |`, `|---|${stacks.map(() => "---|").join("")}---|`];
    for (const [key, decl] of Object.entries<any>(project.config)) {
        if (!key.startsWith("onehub:")) {
            continue;
        }
        const cell = (s: string) => {
            const v = configs[s][key];
            return v === undefined ? (decl.secret ? "*(secret, optional)*" : "—") : v === "" ? '`""`' : `\`${v}\``;
        };
        rows.push(`| \`${key}\` | ${stacks.map(cell).join(" | ")} | ${decl.description ?? ""} |`);
    }
    return rows.join("\n");
}

if (require.main === module) {
    console.log(configTable());
}
