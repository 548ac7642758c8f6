import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { checkComponentName, fail } from "../common/validation";
import { notifySecretNames } from "./notify";
import { pinnedJsonKeyValueFrom, pinnedValueFrom } from "./valueFrom";

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
    /**
     * HASHIDS_SALT, the sqids alphabet API key ids are encoded with (≥ 3 printable ASCII characters,
     * none repeated). Default: unset, OneHub's built-in alphabet. Whoever knows it can decode key
     * ids, so it is kept as a secret; keep an existing installation's value, or issued keys break.
     */
    hashidsSalt?: pulumi.Input<string>;
    /** Tags for the secrets. */
    tags?: Record<string, string>;

    /**
     * OneHub's notification credentials: a JSON object of NOTIFY_* names (webhooks, tokens, signing
     * secrets, push keys, bot API keys; OneHub's other NOTIFY_* settings may be secret too) to values,
     * stored as one secret and injected key by key. Default: unset (no secret). Unknown names are refused.
     */
    notifySecrets?: pulumi.Input<string>;
}

/**
 * OneHub's shared secrets in Secrets Manager. Every task, master and slave, reads the same
 * secrets, so cookie sessions and API keys validate on whichever node a request reaches.
 */
export class OneHubSecrets extends pulumi.ComponentResource {
    /** The Secrets Manager secret holding SESSION_SECRET. */
    public readonly sessionSecretArn: pulumi.Output<string>;
    /** The Secrets Manager secret holding USER_TOKEN_SECRET. */
    public readonly userTokenSecretArn: pulumi.Output<string>;
    /** "" when no HASHIDS_SALT was given. */
    public readonly hashidsSaltSecretArn: pulumi.Output<string>;
    /** SESSION_SECRET for ECS `secrets`, pinned to the current version (a new value redeploys the tasks). */
    public readonly sessionSecretValueFrom: pulumi.Output<string>;
    /** USER_TOKEN_SECRET for ECS `secrets`, pinned to the current version. */
    public readonly userTokenSecretValueFrom: pulumi.Output<string>;
    /** HASHIDS_SALT for ECS `secrets`, pinned to the current version; "" when none was given. */
    public readonly hashidsSaltValueFrom: pulumi.Output<string>;
    /** The secret holding the notification credentials; "" when none were given. */
    public readonly notifySecretArn: pulumi.Output<string>;
    /**
     * Each NOTIFY_* name of `notifySecrets` → its ECS `valueFrom` (`<arn>:<name>::<version-id>`,
     * pinned, so a new value redeploys the tasks); {} when none were given.
     */
    public readonly notifyValueFroms: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: OneHubSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentName("OneHubSecrets", name, "-user-token-secret", 512);
        const k = (field: keyof OneHubSecretsArgs) => `OneHubSecrets args.${field}`;
        checkSuppliedSecret(k("sessionSecret"), args.sessionSecret);
        checkSuppliedSecret(k("userTokenSecret"), args.userTokenSecret);
        checkHashidsSalt(k("hashidsSalt"), args.hashidsSalt);
        if (typeof args.notifySecrets === "string" && args.notifySecrets !== "") {
            notifySecretNames(k("notifySecrets"), args.notifySecrets);
        }
        super("onehub:index:OneHubSecrets", name, {}, opts);

        const store = (suffix: string, description: string, value: pulumi.Input<string>) => {
            const secret = new aws.secretsmanager.Secret(`${name}-${suffix}`, { description, tags: args.tags }, { parent: this });
            const version = new aws.secretsmanager.SecretVersion(
                `${name}-${suffix}`,
                { secretId: secret.id, secretString: pulumi.secret(value) },
                { parent: this },
            );
            return { arn: secret.arn, valueFrom: pinnedValueFrom(secret, version) };
        };
        const generated = (suffix: string) =>
            new random.RandomPassword(`${name}-${suffix}`, { length: GENERATED_LENGTH, special: false }, { parent: this }).result;

        const session = store(
            "session-secret",
            "OneHub SESSION_SECRET (cookie sessions)",
            args.sessionSecret ?? generated("session-secret"),
        );
        const userToken = store(
            "user-token-secret",
            "OneHub USER_TOKEN_SECRET (API key HMAC)",
            args.userTokenSecret ?? generated("user-token-secret"),
        );
        const salt = args.hashidsSalt
            ? store("hashids-salt", "OneHub HASHIDS_SALT (sqids alphabet of API key ids)", args.hashidsSalt)
            : undefined;

        let notifySecretArn: pulumi.Output<string> = pulumi.output("");
        let notifyValueFroms: pulumi.Output<Record<string, string>> = pulumi.output({} as Record<string, string>);
        if (args.notifySecrets) {
            const secret = new aws.secretsmanager.Secret(
                `${name}-notify`,
                { description: "OneHub NOTIFY_* credentials (a JSON object, injected key by key)", tags: args.tags },
                { parent: this },
            );
            const version = new aws.secretsmanager.SecretVersion(
                `${name}-notify`,
                { secretId: secret.id, secretString: pulumi.secret(args.notifySecrets) },
                { parent: this },
            );
            notifySecretArn = secret.arn;
            // Checked again here for a value that was not known above (an Output); the names are not secret.
            notifyValueFroms = pulumi
                .unsecret(pulumi.output(args.notifySecrets))
                .apply((json) => notifySecretNames(k("notifySecrets"), json))
                .apply((names) =>
                    pulumi.all(Object.fromEntries(names.map((n) => [n, pinnedJsonKeyValueFrom(secret, version, n)]))),
                ) as pulumi.Output<Record<string, string>>;
        }

        this.sessionSecretArn = session.arn;
        this.userTokenSecretArn = userToken.arn;
        this.hashidsSaltSecretArn = salt?.arn ?? pulumi.output("");
        this.sessionSecretValueFrom = session.valueFrom;
        this.userTokenSecretValueFrom = userToken.valueFrom;
        this.hashidsSaltValueFrom = salt?.valueFrom ?? pulumi.output("");
        this.notifySecretArn = notifySecretArn;
        this.notifyValueFroms = notifyValueFroms;
        this.registerOutputs({
            sessionSecretArn: this.sessionSecretArn,
            userTokenSecretArn: this.userTokenSecretArn,
            hashidsSaltSecretArn: this.hashidsSaltSecretArn,
            sessionSecretValueFrom: this.sessionSecretValueFrom,
            userTokenSecretValueFrom: this.userTokenSecretValueFrom,
            hashidsSaltValueFrom: this.hashidsSaltValueFrom,
            notifySecretArn: this.notifySecretArn,
            notifyValueFroms: this.notifyValueFroms,
        });
    }
}

/** A supplied secret must be usable; the message never shows it. */
export function checkSuppliedSecret(key: string, value: pulumi.Input<string> | undefined): void {
    if (typeof value === "string" && (value.length < 8 || /\s/.test(value))) {
        fail(key, "(secret)", "must be at least 8 characters with no whitespace (generated ones are 48)");
    }
}

/** A sqids alphabet: ≥ 3 printable ASCII characters, none repeated. The message never shows it. */
export function checkHashidsSalt(key: string, value: pulumi.Input<string> | undefined): void {
    if (typeof value === "string" && value !== "") {
        const chars = [...value];
        if (chars.length < 3 || new Set(chars).size !== chars.length || !/^[\x21-\x7e]+$/.test(value)) {
            fail(key, "(secret)", "must be a sqids alphabet: at least 3 printable ASCII characters, none repeated");
        }
    }
}
