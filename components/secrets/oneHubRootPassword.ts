import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { checkComponentName, checkLogRetention, checkMatches, DEFAULT_LOG_RETENTION_DAYS } from "../common/validation";
import { createDeployStep } from "../lifecycle/deployStep";

/** OneHub accepts passwords of 8–20 characters (model/user.go); letters and digits need no escaping anywhere. */
const ROOT_PASSWORD_LENGTH = 20;
/** How long the edge may answer 502/503/504 (or a new distribution's name not resolve) before the step gives up. */
const BOOTSTRAP_TIMEOUT_SECONDS = 300;

export interface OneHubRootPasswordArgs {
    /**
     * The base URL the step reaches OneHub's API through: the distribution's own name,
     * `https://<id>.cloudfront.net` (PrivateEdge.distributionDomainName), which answers with or
     * without a custom domain and depends on the distribution being deployed.
     */
    url: pulumi.Input<string>;
    /**
     * The master's service name as OneHubMasterService.serviceName publishes it: it resolves only
     * after the master's rollout gate, so the step runs once OneHub has started (and created its
     * root account) on this update's task definition.
     */
    masterServiceName: pulumi.Input<string>;
    /**
     * Anything that changes when the database is a new one (OneHubDatabase.clusterArn): a new
     * database gets a new root / 123456, so the step runs again. Default: none.
     */
    database?: pulumi.Input<string>;
    /** Retention of the step's log group, a CloudWatch-allowed value. Default 7. */
    logRetentionDays?: number;
    /** Tags for the secret and the step's resources. */
    tags?: Record<string, string>;
}

/**
 * No known admin password after `pulumi up`. OneHub creates `root` / `123456` on its first start
 * with an empty database; this component generates a password (20 letters and digits) into Secrets
 * Manager and, after the master's verified rollout, a deploy-time step replaces the default with
 * it — only while `root` still logs in with 123456, so a changed password or an imported
 * installation is never touched and rerunning changes nothing. Operators read the password from
 * the secret; rotating it is done in OneHub, then stored in the secret.
 */
export class OneHubRootPassword extends pulumi.ComponentResource {
    /** The secret holding {"username": "root", "password": …}. */
    public readonly secret: aws.secretsmanager.Secret;
    /** The step's invocation: its result says SET or UNCHANGED, never the password. */
    public readonly bootstrap: aws.lambda.Invocation;
    /** The secret's ARN, for `aws secretsmanager get-secret-value`. */
    public readonly secretArn: pulumi.Output<string>;

    constructor(name: string, args: OneHubRootPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        // The longest autonamed child is the step's IAM role (64 characters).
        checkComponentName("OneHubRootPassword", name, "-bootstrap-role", 64);
        if (typeof args.url === "string") {
            checkMatches(
                "OneHubRootPassword args.url",
                args.url,
                /^https:\/\/[a-z0-9.-]+$/,
                "must be https:// and a host name, such as https://d111111abcdef8.cloudfront.net",
            );
        }
        const logRetentionDays = checkLogRetention(
            "OneHubRootPassword args.logRetentionDays",
            args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
        );
        super("onehub:index:OneHubRootPassword", name, {}, opts);
        const tags = args.tags;

        const password = new random.RandomPassword(
            name,
            { length: ROOT_PASSWORD_LENGTH, special: false, minUpper: 2, minLower: 2, minNumeric: 2 },
            { parent: this },
        );
        const secret = new aws.secretsmanager.Secret(
            name,
            { description: "OneHub admin login (root): set by the deploy-time bootstrap while the default 123456 still worked", tags },
            { parent: this },
        );
        const version = new aws.secretsmanager.SecretVersion(
            name,
            { secretId: secret.id, secretString: pulumi.secret(pulumi.jsonStringify({ username: "root", password: password.result })) },
            // The operator's put-secret-value after a rotation wins: Pulumi never writes the value again.
            { parent: this, ignoreChanges: ["secretString"] },
        );

        const step = createDeployStep(this, `${name}-bootstrap`, {
            handler: "rootPasswordBootstrap",
            description: `OneHub ${name}: replaces root's default password 123456 with the generated one, and nothing else`,
            // The password is read here, never passed in the invocation's input.
            statements: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secret.arn }],
            input: {
                url: args.url,
                secretArn: secret.arn,
                username: "root",
                masterService: args.masterServiceName,
                database: args.database ?? "",
                timeoutSeconds: BOOTSTRAP_TIMEOUT_SECONDS,
            },
            timeoutSeconds: BOOTSTRAP_TIMEOUT_SECONDS + 60,
            logRetentionDays,
            tags,
            // The secret must have its value before the step reads it.
            dependsOn: [version],
        });

        this.secret = secret;
        this.bootstrap = step.invocation;
        this.secretArn = secret.arn;
        this.registerOutputs({ secretArn: this.secretArn });
    }
}
