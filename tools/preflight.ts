// `npm run preflight -- <stack>`: read-only checks against the AWS account the default credential
// chain points at, in the stack's aws:region, of what no offline plan can know (quotas, AZ IDs,
// engine versions, the ECS role, zone and certificate, the image). Exit code 1 when any check is
// a BLOCKER. The checks themselves are in preflightChecks.ts.
import { ACMClient } from "@aws-sdk/client-acm";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { RDSClient } from "@aws-sdk/client-rds";
import { Route53Client } from "@aws-sdk/client-route-53";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { STSClient } from "@aws-sdk/client-sts";
import { checkConfigKeys } from "../stacks/config";
import { knownStacks, loadStackConfig, RunOptions } from "./offlineStack";
import { Fetch, parsePreflightConfig, PreflightClients, PreflightConfig, renderReport, runPreflight } from "./preflightChecks";

/** CloudFront, its quotas and its certificates exist only in us-east-1; IAM and Route 53 are global. */
const GLOBAL_REGION = "us-east-1";

export function usage(): string {
    return `usage: npm run preflight -- <stack>; stacks: ${knownStacks().join(", ")}`;
}

/** The stack named on the command line; anything else is an error that carries the usage line. */
export function parseArgs(argv: string[]): string {
    const flags = argv.filter((a) => a.startsWith("-"));
    if (flags.length > 0) {
        throw new Error(`unknown option ${flags[0]}: preflight takes only a stack name — ${usage()}`);
    }
    if (argv.length !== 1) {
        throw new Error(argv.length === 0 ? `a stack is required — ${usage()}` : `one stack only, got ${argv.join(" ")} — ${usage()}`);
    }
    const stack = argv[0];
    if (!knownStacks().includes(stack)) {
        throw new Error(`unknown stack ${JSON.stringify(stack)}: known stacks are ${knownStacks().join(", ")} — ${usage()}`);
    }
    return stack;
}

/**
 * The stack's config as `pulumi up` would see it, with the program's key checks (an unknown key,
 * a plain key given as a secret). Encrypted values need the stack's secrets provider; offline they
 * are placeholders, and no check reads a secret.
 */
export function readStackConfig(stack: string, options: RunOptions = {}): PreflightConfig {
    const { config, secretKeys } = loadStackConfig(stack, options);
    checkConfigKeys(config, (key) => secretKeys.includes(key));
    return parsePreflightConfig(config);
}

/** SDK v3 clients on the default credential chain. */
export function createClients(region: string): PreflightClients {
    return {
        sts: new STSClient({ region }),
        iam: new IAMClient({ region: GLOBAL_REGION }),
        ec2: new EC2Client({ region }),
        rds: new RDSClient({ region }),
        quotas: new ServiceQuotasClient({ region }),
        globalQuotas: new ServiceQuotasClient({ region: GLOBAL_REGION }),
        cloudfront: new CloudFrontClient({ region: GLOBAL_REGION }),
        route53: new Route53Client({ region: GLOBAL_REGION }),
        acm: new ACMClient({ region: GLOBAL_REGION }),
    };
}

export interface CliDeps {
    clients?: (region: string) => PreflightClients;
    fetch?: Fetch;
    now?: Date;
    out?: (line: string) => void;
    err?: (line: string) => void;
}

/** Runs the preflight for `argv` and returns the exit code; errors are printed as one line. */
export async function runCli(argv: string[], deps: CliDeps = {}): Promise<number> {
    const out = deps.out ?? ((l: string) => console.log(l));
    const err = deps.err ?? ((l: string) => console.error(l));
    try {
        const stack = parseArgs(argv);
        const config = readStackConfig(stack);
        const report = await runPreflight({
            config,
            clients: (deps.clients ?? createClients)(config.region),
            fetch: deps.fetch ?? (fetch as unknown as Fetch),
            now: deps.now ?? new Date(),
        });
        out(renderReport(stack, report));
        return report.exitCode;
    } catch (e) {
        err((e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, " "));
        return 1;
    }
}

if (require.main === module) {
    runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
