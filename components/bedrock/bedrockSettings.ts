// What OneHub's Bedrock channel needs from AWS, as pure rules: the only actions it calls, the
// resources those may reach, the regions a channel key may name, the key slots, and the key's
// format. Read from OneHub v0.14.27 (unchanged on main at 387f8bf1), providers/bedrock/:
// - base.go getKeyConfig: the channel key is "region|AccessKeyId|SecretAccessKey[|SessionToken]"
//   or "region|ApiKey"; the provider signs with that key itself (sigv4.WithCredential), it never
//   reads a default credential chain, so the task role cannot serve;
// - chat.go, relay_claude.go: POST https://bedrock-runtime.<region>.amazonaws.com/model/<id>/invoke
//   and …/invoke-with-response-stream, i.e. InvokeModel and InvokeModelWithResponseStream only;
// - category/base.go: model names map to Bedrock ids (claude-sonnet-4-5-20250929 →
//   anthropic.claude-sonnet-4-5-20250929-v1:0), a "global."/"us."/"eu."/"apac." prefix is kept (a
//   system-defined cross-region inference profile), and only ids containing "anthropic" are relayed.
import { fail } from "../common/validation";

export const BEDROCK_ACCESS_MODES = ["None", "IamUser"] as const;

/** The only Bedrock actions OneHub v0.14.27 calls. */
export const BEDROCK_INVOKE_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"] as const;

/** IAM allows two access keys per user: two slots, so a new key exists before the old one goes. */
export const ACCESS_KEY_SLOTS = ["a", "b"] as const;
export const DEFAULT_ACCESS_KEY_SLOTS = ["a"];

/**
 * An AWS region name: area, optional gov/iso partition marker, direction, number (us-east-1,
 * eu-central-2, ap-southeast-7, us-gov-west-1, cn-north-1, mx-central-1). Whether the partition
 * has the region is looked up at preview; whether Bedrock and a model are offered there is not.
 */
const REGION_RE =
    /^(us|eu|ap|sa|ca|me|af|il|mx|cn)(-gov|-iso[a-z]?)?-(east|west|north|south|central|northeast|northwest|southeast|southwest)-[1-9]\d?$/;

/** Partitions, as ARNs name them. */
const PARTITION_RE = "aws|aws-cn|aws-us-gov";
/** A region in an ARN's Resource: a name or an IAM wildcard pattern over one. */
const ARN_REGION = "[a-z0-9*?-]+";
/** A model or profile id: "anthropic.claude-3-5-haiku-20241022-v1:0", "us.anthropic.*", "*". */
const ARN_ID = "[A-Za-z0-9.:_*?-]+";
/**
 * The Bedrock resources OneHub's channel can reach: foundation models (no account; the region may
 * be a wildcard, or empty for the region-less form a global inference profile is authorized
 * against) and system-defined inference profiles (a region and the account). Application
 * inference profiles, provisioned and custom models have ids without "anthropic", which OneHub
 * v0.14.27 refuses to relay, so granting them would only widen the key.
 */
const FOUNDATION_MODEL_ARN = new RegExp(`^arn:(${PARTITION_RE}):bedrock:(${ARN_REGION})?::foundation-model/${ARN_ID}$`);
const INFERENCE_PROFILE_ARN = new RegExp(`^arn:(${PARTITION_RE}):bedrock:${ARN_REGION}:(\\d{12}|\\*):inference-profile/${ARN_ID}$`);

/**
 * The default resources: Anthropic's foundation models in every region and in the region-less
 * form, and this account's inference profiles in every region. A cross-region profile needs its own
 * ARN in the calling region and the model in every destination region; a global profile
 * ("global.anthropic…") is also authorized against the region-less model ARN
 * (arn:aws:bedrock:::foundation-model/…, AWS's global cross-Region inference IAM example), which is
 * listed on its own rather than trusted to the "*" region wildcard.
 * See https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html
 */
export function defaultModelArns(partition: string, account: string): string[] {
    return [
        `arn:${partition}:bedrock:*::foundation-model/anthropic.*`,
        `arn:${partition}:bedrock:::foundation-model/anthropic.*`,
        `arn:${partition}:bedrock:*:${account}:inference-profile/*`,
    ];
}

export function isBedrockModelArn(arn: string): boolean {
    return FOUNDATION_MODEL_ARN.test(arn) || INFERENCE_PROFILE_ARN.test(arn);
}

/** The partition an ARN names (its second field). */
export const partitionOf = (arn: string): string => arn.split(":")[1];

/** Region names, each once; `atLeastOne` when a key must be created for them. */
export function checkBedrockRegions(key: string, regions: readonly string[], atLeastOne: boolean): string[] {
    if (atLeastOne && regions.length === 0) {
        fail(
            key,
            regions,
            'must list the regions OneHub calls Bedrock in (each gets a Secrets Manager secret with its channel key), e.g. ["us-east-1"]',
        );
    }
    const bad = regions.filter((r) => !REGION_RE.test(r));
    if (bad.length > 0) {
        fail(key, regions, `${bad.map((r) => JSON.stringify(r)).join(", ")} is not an AWS region name such as us-east-1 or eu-central-1`);
    }
    if (new Set(regions).size !== regions.length) {
        fail(key, regions, "must name each region once");
    }
    return [...regions];
}

/** Foundation-model and inference-profile ARNs of Bedrock, each once. */
export function checkModelArns(key: string, arns: readonly string[]): string[] {
    const bad = arns.filter((a) => !isBedrockModelArn(a));
    if (bad.length > 0) {
        fail(
            key,
            arns,
            `${bad.map((a) => JSON.stringify(a)).join(", ")} is not a Bedrock foundation-model ARN (arn:aws:bedrock:<region or *>::foundation-model/<model id>) or inference-profile ARN (arn:aws:bedrock:<region or *>:<account>:inference-profile/<profile id>), the only resources OneHub's Bedrock channel invokes`,
        );
    }
    if (new Set(arns).size !== arns.length) {
        fail(key, arns, "must list each ARN once");
    }
    const partitions = [...new Set(arns.map(partitionOf))];
    if (partitions.length > 1) {
        fail(key, arns, `must all be in one partition (the stack's), not ${partitions.join(" and ")}`);
    }
    return [...arns];
}

/** The model ARNs' partition must be the one the stack deploys to (checked at preview). */
export function checkArnPartition(key: string, arns: readonly string[], partition: string): void {
    const other = arns.filter((a) => partitionOf(a) !== partition);
    if (other.length > 0) {
        fail(key, arns, `${other.map((a) => JSON.stringify(a)).join(", ")} is not in the stack's partition ${partition}`);
    }
}

/** Key slots from "a" and "b", each once; [] keeps no key in Pulumi (create it outside). */
export function checkAccessKeySlots(key: string, slots: readonly string[]): string[] {
    if (!slots.every((s) => (ACCESS_KEY_SLOTS as readonly string[]).includes(s)) || new Set(slots).size !== slots.length) {
        fail(
            key,
            slots,
            'must list key slots from "a" and "b", each once (IAM allows two access keys per user): ["a"], then ["a", "b"] to add a key, then ["b"] to retire the first; [] keeps no key in Pulumi',
        );
    }
    return [...slots];
}

/** OneHub's Bedrock channel key: "region|AccessKeyId|SecretAccessKey" (providers/bedrock/base.go getKeyConfig). */
export function oneHubBedrockKey(region: string, accessKeyId: string, secretAccessKey: string): string {
    return `${region}|${accessKeyId}|${secretAccessKey}`;
}

/** HTTPS: the port the Bedrock runtime endpoint listens on. */
export const BEDROCK_ENDPOINT_PORT = 443;

/** The interface endpoint service of Bedrock's runtime API (InvokeModel*) in `region`. */
export function bedrockRuntimeService(region: string): string {
    return `com.amazonaws.${region}.bedrock-runtime`;
}
