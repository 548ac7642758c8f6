// Deploy-time steps: a small Lambda function that `pulumi up` invokes once per change of its
// input, through `aws.lambda.Invocation`, and whose failure fails the update with its message.
//
// Why Lambda and not a Pulumi dynamic provider: a Node dynamic provider resolves its modules from
// the consumer's program directory (pulumi/pulumi #5455), so it breaks for Python, Go or .NET
// programs that use this library as a component package, and it runs with whatever credentials the
// machine running `pulumi up` has, in whatever region they point at. A function created by the
// component runs in the account and region of the component's AWS provider, with a role that
// holds exactly the permissions the step needs, from any consumer language; Lambda's Node runtime
// ships the AWS SDK v3, so the handler is one self-contained file (components/lifecycle/handlers).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";

/** Node 24 LTS: supported by Lambda well beyond this release's lifetime, with the AWS SDK v3 built in. */
const STEP_RUNTIME = "nodejs24.x";
/** Lambda's hard limit on one invocation. */
const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

interface PolicyStatement {
    Effect: "Allow";
    Action: string[];
    Resource: pulumi.Input<string> | pulumi.Input<string>[];
    Condition?: Record<string, Record<string, pulumi.Input<string>>>;
}

interface HandlerFunctionArgs {
    /** File name (without .js) under components/lifecycle/handlers. */
    handler: string;
    /** What the function does, for its description. */
    description: string;
    /** Everything the handler may call, and nothing more. */
    statements: PolicyStatement[];
    /** Lambda timeout, ≤ 900 s; the handler must give up (with a message) before it. */
    timeoutSeconds: number;
    logRetentionDays: number;
    /** Environment variables of the function (a runtime function's configuration). */
    environment?: Record<string, pulumi.Input<string>>;
    tags?: Record<string, string>;
}

interface DeployStepArgs extends Omit<HandlerFunctionArgs, "environment"> {
    /** The event the function is invoked with. A change of it invokes the function again. */
    input: pulumi.Input<Record<string, unknown>>;
    /** Resources that must be ready before the step runs, beyond those behind `input`. */
    dependsOn?: pulumi.Resource[];
}

interface DeployStep {
    function: aws.lambda.Function;
    invocation: aws.lambda.Invocation;
}

/** The handler's source, shipped as the function's index.js. */
export function handlerSource(handler: string): string {
    return fs.readFileSync(path.join(__dirname, "handlers", `${handler}.js`), "utf8");
}

/** Builds the step's function, role and log group under `parent`, and the invocation. */
export function createDeployStep(parent: pulumi.Resource, name: string, args: DeployStepArgs): DeployStep {
    const fn = createHandlerFunction(parent, name, args);
    const invocation = new aws.lambda.Invocation(
        `${name}-run`,
        {
            functionName: fn.name,
            // A new input replaces the invocation, which invokes the function again; an unchanged one does nothing.
            input: pulumi.jsonStringify(args.input),
        },
        { parent, dependsOn: args.dependsOn },
    );
    return { function: fn, invocation };
}

/**
 * A handler file as a Lambda function under `parent`: its log group (with a retention), its own role
 * with exactly `statements` (and its log stream), the function on Node 24. Deploy-time steps invoke it
 * once per input; runtime functions (an EventBridge rule's target) are invoked by AWS.
 */
export function createHandlerFunction(parent: pulumi.Resource, name: string, args: HandlerFunctionArgs): aws.lambda.Function {
    const opts = { parent };
    const tags = args.tags;
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays, tags }, opts);
    const role = new aws.iam.Role(
        `${name}-role`,
        {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags,
        },
        opts,
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-policy`,
        {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    ...args.statements,
                    {
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                        Resource: pulumi.interpolate`${logGroup.arn}:*`,
                    },
                ],
            }),
        },
        opts,
    );
    return new aws.lambda.Function(
        `${name}-fn`,
        {
            description: args.description,
            runtime: STEP_RUNTIME,
            architectures: ["arm64"],
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(handlerSource(args.handler)) }),
            role: role.arn,
            timeout: Math.min(args.timeoutSeconds, LAMBDA_MAX_TIMEOUT_SECONDS),
            memorySize: 128,
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            environment: args.environment ? { variables: args.environment } : undefined,
            tags,
        },
        // The first invocation follows at once: the role's permissions must exist before it.
        { parent, dependsOn: [policy] },
    );
}
