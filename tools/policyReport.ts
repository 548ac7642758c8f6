// `npm run policy -- <stack>`: runs the stack program offline (tools/offlineStack.ts) and
// evaluates the guardrail policy pack (policy/) against it. Prints one row per policy, then
// every violation; exits 1 on a violation of a mandatory policy, 2 on a usage error.
import { knownStacks, placeholderNotes, runStack } from "./offlineStack";
import { blockingViolations, evaluatePolicies, PolicyResult } from "./policyEval";

/** Left-aligned text columns separated by " | ". */
function table(rows: string[][]): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const line = (r: string[]) =>
        r
            .map((cell, i) => cell.padEnd(widths[i]))
            .join(" | ")
            .trimEnd();
    return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.slice(1).map(line)].join("\n");
}

/** The report for `stack`: a table of the policies, then the violations grouped by policy. */
export function formatReport(stack: string, results: readonly PolicyResult[]): string {
    const rows = [
        ["policy", "enforcement", "resources checked", "violations"],
        ...results.map((r) => [
            r.name,
            r.enforcementLevel,
            r.kind === "stack" && r.checked === 0 ? "0 (n/a)" : String(r.checked),
            String(r.violations.length),
        ]),
    ];
    const out = [`Policy pack onehub-guardrails on stack ${stack} (offline, under mocks)`, "", table(rows), ""];
    const failed = results.filter((r) => r.violations.length > 0);
    const total = failed.reduce((n, r) => n + r.violations.length, 0);
    if (total === 0) {
        out.push(`No violations: ${results.length} policies passed.`);
    } else {
        out.push(`${total} violation(s) of ${failed.length} policy(ies):`);
        for (const r of failed) {
            for (const v of r.violations) {
                out.push(`  [${r.enforcementLevel}] ${r.name}: ${v.urn || "(stack)"}`, `      ${v.message}`);
            }
        }
    }
    return out.join("\n");
}

/** Runs the report for the stack named in `argv`; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
    const stacks = knownStacks();
    const stack = argv[0];
    if (argv.length !== 1 || !stacks.includes(stack)) {
        const flag = argv.find((a) => a.startsWith("-"));
        const problem = flag
            ? `unknown option ${flag}`
            : argv.length !== 1
              ? "expected exactly one stack name"
              : `unknown stack "${stack}"`;
        console.error(`${problem}: known stacks are ${stacks.join(", ")} (Pulumi.<stack>.yaml)\nusage: npm run policy -- <stack>`);
        return 2;
    }
    // What `pulumi up` would build: encrypted secrets as placeholders.
    const run = await runStack(stack, { encryptedSecrets: "placeholder" });
    const results = await evaluatePolicies(run);
    for (const note of placeholderNotes(run, "policy run")) {
        console.log(note);
    }
    console.log(formatReport(stack, results));
    // Advisory findings are printed but, as in `pulumi preview --policy-pack`, fail nothing.
    return blockingViolations(results) > 0 ? 1 : 0;
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
