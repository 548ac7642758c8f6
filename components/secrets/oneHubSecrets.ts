import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { checkComponentName, fail } from "../common/validation";

/** Generated secrets are 48 letters and digits: ≥ 32 as OneHub's docs ask, nothing to escape. */
const GENERATED_LENGTH = 48;

export interface OneHubSecretsArgs {
    /**
     * SESSION_SECRET, the cookie-session key. Default: generated. Supply the existing one
     * (8+ characters) when migrating, or every user is logged out.
     */
    sessionSecret?: pulumi.Input<string>;
    /**
     * USER_TOKEN_SECRET, the HMAC key of every API key OneHub issues. Default: generated.
     * Supply the existing one (8+ characters) when migrating, or every issued API key breaks.
     */
    userTokenSecret?: pulumi.Input<string>;
    /** Tags for the secrets. */
    tags?: Record<string, string>;
}

/**
 * OneHub's shared secrets in Secrets Manager. Every task, master and slave, reads the same
 * two secrets, so cookie sessions and API keys validate on whichever node a request reaches.
 */
export class OneHubSecrets extends pulumi.ComponentResource {
    public readonly sessionSecretArn: pulumi.Output<string>;
    public readonly userTokenSecretArn: pulumi.Output<string>;

    constructor(name: string, args: OneHubSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentName("OneHubSecrets", name, "-user-token-secret", 512);
        checkSuppliedSecret("OneHubSecrets args.sessionSecret", args.sessionSecret);
        checkSuppliedSecret("OneHubSecrets args.userTokenSecret", args.userTokenSecret);
        super("onehub:index:OneHubSecrets", name, {}, opts);

        const store = (suffix: string, description: string, supplied: pulumi.Input<string> | undefined) => {
            const value = supplied
                ? pulumi.secret(supplied)
                : new random.RandomPassword(`${name}-${suffix}`, { length: GENERATED_LENGTH, special: false }, { parent: this }).result;
            const secret = new aws.secretsmanager.Secret(`${name}-${suffix}`, { description, tags: args.tags }, { parent: this });
            new aws.secretsmanager.SecretVersion(`${name}-${suffix}`, { secretId: secret.id, secretString: value }, { parent: this });
            return secret.arn;
        };
        this.sessionSecretArn = store("session-secret", "OneHub SESSION_SECRET (cookie sessions)", args.sessionSecret);
        this.userTokenSecretArn = store("user-token-secret", "OneHub USER_TOKEN_SECRET (API key HMAC)", args.userTokenSecret);
        this.registerOutputs({ sessionSecretArn: this.sessionSecretArn, userTokenSecretArn: this.userTokenSecretArn });
    }
}

/** A supplied secret must be usable; the message never shows it. */
export function checkSuppliedSecret(key: string, value: pulumi.Input<string> | undefined): void {
    if (typeof value === "string" && (value.length < 8 || /\s/.test(value))) {
        fail(key, "(secret)", "must be at least 8 characters with no whitespace (generated ones are 48)");
    }
}
