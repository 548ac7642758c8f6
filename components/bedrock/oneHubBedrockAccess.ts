import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkComponentName } from "../common/validation";
import { checkBedrockAccount } from "./bedrockChecks";
import {
    BEDROCK_INVOKE_ACTIONS,
    checkAccessKeySlots,
    checkBedrockRegions,
    checkModelArns,
    DEFAULT_ACCESS_KEY_SLOTS,
    defaultModelArns,
    oneHubBedrockKey,
} from "./bedrockSettings";

export interface OneHubBedrockAccessArgs {
    /**
     * The regions OneHub's Bedrock channels call (the first field of each channel key), each an AWS
     * region name such as "us-east-1", at least one. Every key slot gets one Secrets Manager secret
     * per region, holding the whole channel key. Checked at preview against the partition's regions;
     * whether Bedrock offers a model there is not checked (model availability is per region).
     * See https://docs.aws.amazon.com/bedrock/latest/userguide/models-regions.html
     */
    regions: string[];
    /**
     * The Bedrock resources the key may invoke: foundation-model and inference-profile ARNs, in the
     * stack's partition. Default []: Anthropic's foundation models in every region (and in the
     * region-less form global profiles are authorized against) and this account's inference profiles
     * in every region — a cross-region profile needs its own ARN and the model in each destination
     * region. Narrow it to the models you relay, e.g.
     * "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0".
     * See https://docs.aws.amazon.com/bedrock/latest/userguide/geographic-cross-region-inference.html
     */
    modelArns?: string[];
    /**
     * Access-key slots, from "a" and "b" (IAM allows two keys per user). Default ["a"]. Each slot is
     * its own key and its own secrets, so adding a slot creates a key without touching the other,
     * and removing one deletes only its key: rotate with ["a"] → ["a", "b"] (move the channels to the
     * new key) → ["b"]. [] keeps no key in Pulumi: create one outside it (`aws iam create-access-key`)
     * if its secret must not be in Pulumi state.
     */
    accessKeySlots?: string[];
    /** Tags for the user and the secrets. */
    tags?: Record<string, string>;
}

/**
 * Credentials for OneHub's Amazon Bedrock channel: an IAM user that may only invoke models
 * (bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream, the only calls OneHub makes) on the
 * given models, up to two access keys for rotation without an outage, and per key and region a
 * Secrets Manager secret holding OneHub's channel key, "region|AccessKeyId|SecretAccessKey". OneHub
 * signs Bedrock requests with the key stored in its channel and reads no default credentials, so a
 * task role cannot stand in for it.
 */
export class OneHubBedrockAccess extends pulumi.ComponentResource {
    /** The IAM user the keys belong to. */
    public readonly user: aws.iam.User;
    /** Its only permissions: invoking the models. */
    public readonly policy: aws.iam.UserPolicy;
    /** The IAM user's name. */
    public readonly userName: pulumi.Output<string>;
    /** The IAM user's ARN. */
    public readonly userArn: pulumi.Output<string>;
    /**
     * The secret holding each channel key, by "<slot>/<region>" (e.g. "a/us-east-1"): ARNs only; the
     * value is read with `aws secretsmanager get-secret-value --secret-id <arn>`.
     */
    public readonly keySecretArns: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: OneHubBedrockAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        // IAM user names are at most 64 characters; ours is "<name>-user-<7 random>".
        checkComponentName("OneHubBedrockAccess", name, "-user", 64);
        const k = (field: keyof OneHubBedrockAccessArgs) => `OneHubBedrockAccess args.${field}`;
        const regions = checkBedrockRegions(k("regions"), args.regions ?? [], true);
        const modelArns = checkModelArns(k("modelArns"), args.modelArns ?? []);
        const slots = checkAccessKeySlots(k("accessKeySlots"), args.accessKeySlots ?? DEFAULT_ACCESS_KEY_SLOTS);
        super("onehub:index:OneHubBedrockAccess", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags;

        // The regions and ARNs are checked against the account at preview, before the policy names them.
        const checked = pulumi.output(
            checkBedrockAccount({ regions: k("regions"), modelArns: k("modelArns") }, regions, modelArns, parent),
        );
        const partition = aws.getPartitionOutput({}, parent).partition;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const resources = pulumi
            .all([checked, partition, account])
            .apply(([, p, a]) => (modelArns.length > 0 ? modelArns : defaultModelArns(p, a)));

        const user = new aws.iam.User(
            `${name}-user`,
            {
                path: "/onehub/",
                // A key created outside Pulumi (accessKeySlots []) must not block deleting the user.
                forceDestroy: true,
                tags,
            },
            parent,
        );
        const policy = new aws.iam.UserPolicy(
            `${name}-invoke`,
            {
                user: user.name,
                // Exactly what OneHub calls, on exactly these models; nothing else, no wildcard action.
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "InvokeModels", Effect: "Allow", Action: [...BEDROCK_INVOKE_ACTIONS], Resource: resources }],
                }),
            },
            parent,
        );

        const secretArns: Record<string, pulumi.Output<string>> = {};
        for (const slot of slots) {
            // Its own resource per slot: adding or removing one never replaces another's key.
            const key = new aws.iam.AccessKey(`${name}-key-${slot}`, { user: user.name, status: "Active" }, parent);
            for (const region of regions) {
                const secret = new aws.secretsmanager.Secret(
                    `${name}-${slot}-${region}`,
                    {
                        description: `OneHub Amazon Bedrock channel key for ${region} (region|AccessKeyId|SecretAccessKey), key slot ${slot}`,
                        tags,
                    },
                    parent,
                );
                new aws.secretsmanager.SecretVersion(
                    `${name}-${slot}-${region}`,
                    {
                        secretId: secret.id,
                        secretString: pulumi.secret(
                            pulumi.all([checked, key.id, key.secret]).apply(([, id, secretKey]) => oneHubBedrockKey(region, id, secretKey)),
                        ),
                    },
                    // Published only once the key may invoke: whoever copies it into OneHub gets a working key.
                    { parent: this, dependsOn: [policy] },
                );
                secretArns[`${slot}/${region}`] = secret.arn;
            }
        }

        this.user = user;
        this.policy = policy;
        this.userName = user.name;
        this.userArn = user.arn;
        this.keySecretArns = pulumi.output(secretArns);
        this.registerOutputs({ userName: this.userName, userArn: this.userArn, keySecretArns: this.keySecretArns });
    }
}
