// `npm run cost -- <stack> [--requests N] [--request-kb N] [--response-kb N] [--gb-out N]
// [--rps-per-vcpu N] [--spot-discount N] [--bedrock-share N]`: monthly and daily cost of a stack at
// idle and under a stated load.
import { ASSUMPTIONS, CostLine, costNotes, DEFAULT_LOAD, estimate, freeTierValue, Load, totals } from "./costModel";
import { knownStacks, loadStackConfig, placeholderNotes, runStack } from "./offlineStack";
import { DAYS_PER_MONTH, PRICES_AS_OF, REGION } from "./pricing";

const FLAGS: Record<string, keyof Load> = {
    "--requests": "requestsPerMonth",
    "--request-kb": "requestKb",
    "--response-kb": "responseKb",
    "--gb-out": "gbOut",
    "--rps-per-vcpu": "rpsPerVcpu",
    "--bedrock-share": "bedrockShare",
    "--spot-discount": "spotDiscountPercent",
};

/** Parses the CLI flags over the default load; an unknown flag or a bad number is an error. */
export function parseLoad(args: string[]): Load {
    const load: Load = { ...DEFAULT_LOAD };
    for (let i = 0; i < args.length; i += 2) {
        const key = FLAGS[args[i]];
        if (!key) {
            throw new Error(`unknown option ${args[i]}: allowed are ${Object.keys(FLAGS).join(", ")}`);
        }
        const value = Number(args[i + 1]);
        if (args[i + 1] === undefined || !Number.isFinite(value) || value < 0 || (key === "rpsPerVcpu" && value === 0)) {
            throw new Error(
                `${args[i]} = ${JSON.stringify(args[i + 1] ?? null)} is invalid: must be a number ≥ 0${key === "rpsPerVcpu" ? " (and not 0)" : ""}`,
            );
        }
        if (key === "bedrockShare" && value > 1) {
            throw new Error(`${args[i]} = ${JSON.stringify(args[i + 1])} is invalid: must be a share from 0 to 1`);
        }
        if (key === "spotDiscountPercent" && value > 90) {
            throw new Error(`${args[i]} = ${JSON.stringify(args[i + 1])} is invalid: must be a percentage from 0 to 90`);
        }
        load[key] = value;
    }
    return load;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The note a stack outside us-east-1 gets: the table holds us-east-1's prices only. */
export function regionNote(region: string | undefined): string[] {
    return region && region !== REGION
        ? [
              `Note: the stack's region is ${region}, but these are ${REGION}'s prices (tools/pricing.ts); ${region}'s differ, often by 5–30 %.`,
          ]
        : [];
}

export function renderCost(stack: string, lines: CostLine[], load: Load, notes: string[] = [], region: string = REGION): string {
    const t = totals(lines);
    const free = freeTierValue(lines, load);
    const width = Math.max(...lines.map((l) => l.item.length), "total per month".length);
    const out = [
        `Estimated cost of stack "${stack}" (${PRICES_AS_OF})`,
        ...regionNote(region),
        `Load: ${load.requestsPerMonth.toLocaleString("en-US")} requests/month, ${load.requestKb} KB in / ${load.responseKb} KB out each` +
            (load.gbOut === undefined ? "" : `, ${load.gbOut} GB out`),
        "",
        `${"item".padEnd(width)}  ${"idle/month".padStart(11)}  ${"load/month".padStart(11)}  detail`,
        ...lines.map((l) => `${l.item.padEnd(width)}  ${usd(l.idle).padStart(11)}  ${usd(l.load).padStart(11)}  ${l.detail}`),
        `${"total per month".padEnd(width)}  ${usd(t.idleMonth).padStart(11)}  ${usd(t.loadMonth).padStart(11)}`,
        `${"total per day".padEnd(width)}  ${usd(t.idleDay).padStart(11)}  ${usd(t.loadDay).padStart(11)}  (${DAYS_PER_MONTH.toFixed(2)} days a month)`,
        ...(notes.length > 0 ? ["", ...notes] : []),
        "",
        `Free tiers (per account, not subtracted above): worth up to ${usd(free.idle)} idle / ${usd(free.load)} under load a month to a stack that has the account to itself.`,
        "",
        "Assumptions:",
        ...ASSUMPTIONS.map((a) => `  - ${a}`),
    ];
    return out.join("\n");
}

export const COST_USAGE = `usage: npm run cost -- <stack> [${Object.keys(FLAGS).join(" N] [")} N]`;

/** The command line of `npm run cost`: a stack, then the load flags; anything else is an error with the usage. */
export function parseCostArgs(argv: readonly string[]): { stack: string; load: Load } {
    const [stack, ...rest] = argv;
    if (!stack || !knownStacks().includes(stack)) {
        const problem = !stack || stack.startsWith("-") ? "a stack is required" : `unknown stack "${stack}"`;
        throw new Error(`${problem}\n${COST_USAGE}; stacks: ${knownStacks().join(", ")}`);
    }
    try {
        return { stack, load: parseLoad(rest) };
    } catch (e) {
        throw new Error(`${e instanceof Error ? e.message : e}\n${COST_USAGE}`);
    }
}

async function main(argv: string[]): Promise<void> {
    const { stack, load } = parseCostArgs(argv);
    // What `pulumi up` would build: encrypted secrets as placeholders (a supplied secret has a cost too).
    const run = await runStack(stack, { encryptedSecrets: "placeholder" });
    for (const note of placeholderNotes(run, "estimate")) {
        console.log(note);
    }
    console.log(renderCost(stack, estimate(run, load), load, costNotes(run, load), loadStackConfig(stack).config["aws:region"]));
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e) => {
        console.error(e instanceof Error ? e.message : e);
        process.exit(1);
    });
}
