// ECS Exec: what a task role needs so an operator can open a shell in a task, and nothing more.
// A shell sees every secret ECS injected, so ECS Exec is a choice (onehub:ecsExec) and, when on,
// audited: CloudTrail records each ExecuteCommand call (who, which task), and the cluster's
// executeCommandConfiguration sends the session's output to a CloudWatch log group.
// See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
import * as pulumi from "@pulumi/pulumi";
import { checkMatches } from "../common/validation";

/** A KMS key ARN (IAM grants kms:Decrypt on ARNs, not on aliases or key ids). */
const KMS_KEY_ARN_RE =
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** "" (no key), or the ARN of the KMS key that encrypts ECS Exec sessions. */
export function checkExecKmsKeyArn(key: string, arn: string): string {
    if (arn !== "") {
        checkMatches(
            key,
            arn,
            KMS_KEY_ARN_RE,
            'must be "" or a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias: the task role is granted kms:Decrypt on exactly this ARN)',
        );
    }
    return arn;
}

/** The SSM agent in the task opens its control and data channels with these (no resource-level scoping exists). */
export const SSM_CHANNEL_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

interface Statement {
    Effect: "Allow";
    Action: string[];
    Resource: pulumi.Input<string>;
}

/**
 * The task role's statements for ECS Exec: the SSM channels; with a session log group, what the
 * SSM agent needs to write the session's output there (DescribeLogGroups has no resource-level
 * permissions, so it is "*": it lists names, never log data; the writes are scoped to the group);
 * with a KMS key, kms:Decrypt on exactly that key.
 * See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-required-logging-permissions
 */
export function execTaskRoleStatements(logGroupArn: string, kmsKeyArn: string): Statement[] {
    const statements: Statement[] = [{ Effect: "Allow", Action: SSM_CHANNEL_ACTIONS, Resource: "*" }];
    if (logGroupArn !== "") {
        statements.push(
            { Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*" },
            {
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                Resource: `${logGroupArn}:*`,
            },
        );
    }
    if (kmsKeyArn !== "") {
        statements.push({ Effect: "Allow", Action: ["kms:Decrypt"], Resource: kmsKeyArn });
    }
    return statements;
}
