// ECS `valueFrom` references to Secrets Manager secrets, and the rules for reading them back.
//
// Components publish each secret as `<arn>:::<version-id>` (empty JSON key and version stage,
// then the version id; Fargate platform 1.4.0+). Two things follow: the reference exists only once
// the secret has a value, so a task definition built from it waits for the SecretVersion; and a
// new value is a new version id, so the task definition changes and ECS starts tasks with the new
// value. ECS reads secrets only at task start: without the pin, running tasks would keep the old
// value (a rotated database password) until something else redeployed them.
// See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A Secrets Manager secret ARN (with its 6-character suffix), optionally followed by `:json-key:version-stage:version-id`. */
export const SECRET_VALUE_FROM_RE = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+(:[^:]*:[^:]*:[^:]*)?$/;

/** The secret pinned to its current version; resolves only once the version exists. */
export function pinnedValueFrom(secret: aws.secretsmanager.Secret, version: aws.secretsmanager.SecretVersion): pulumi.Output<string> {
    return pulumi.interpolate`${secret.arn}:::${version.versionId}`;
}

/** One key of a secret holding a JSON object, pinned to the current version: `<arn>:<json-key>::<version-id>`. */
export function pinnedJsonKeyValueFrom(
    secret: aws.secretsmanager.Secret,
    version: aws.secretsmanager.SecretVersion,
    jsonKey: string,
): pulumi.Output<string> {
    return pulumi.interpolate`${secret.arn}:${jsonKey}::${version.versionId}`;
}

/** The secret ARN inside a `valueFrom` (IAM policies name the secret, not the version). */
export function secretArnOf(valueFrom: string): string {
    return valueFrom.split(":").slice(0, 7).join(":");
}
