// Which prefix list ids mean "CloudFront only". A security group rule names a prefix list only
// by id, and a customer-managed list can hold any range, so the pack recognises CloudFront's
// AWS-managed origin-facing list by its id, which differs per region.

/** The AWS-managed list of CloudFront's origin-facing servers (the components look it up by this name). */
export const CLOUDFRONT_ORIGIN_FACING_NAME = "com.amazonaws.global.cloudfront.origin-facing";

/**
 * The id of `com.amazonaws.global.cloudfront.origin-facing` (IPv4) in each region. AWS-managed
 * prefix list ids are fixed per region, not per account. Sources (no AWS account was available
 * to check them with `aws ec2 describe-managed-prefix-lists`):
 * - the region → id mapping `AWSRegions2PrefixListID`, the same 16 regions in more than five
 *   independent public repositories (CloudFormation, CDK, Terraform; ap-northeast-3 added in
 *   three of them). One says it was collected from the AWS blog post
 *   https://aws.amazon.com/blogs/networking-and-content-delivery/limit-access-to-your-origins-using-the-aws-managed-prefix-list-for-amazon-cloudfront/
 *   and a three-region version of it (us-east-1, us-west-2, ap-southeast-1) carries Amazon's
 *   MIT-0 copyright header;
 * - single-region uses in public code: us-east-1 `pl-3b927c52` (many, one next to the
 *   describe-managed-prefix-lists command that finds it), us-east-2 `pl-b6a144df` and us-west-2
 *   `pl-82a045eb` (a CDK stack noting both "verified live"), eu-north-1 `pl-fab65393` (several,
 *   commented com.amazonaws.global.cloudfront.origin-facing).
 * One public table disagrees for us-west-1 and ap-south-1, but it also gives eu-west-1's id to
 * us-west-1, so it is taken for a copy error. Regions not listed (ap-east-1, me-south-1,
 * af-south-1, eu-south-1, ap-southeast-3 and newer) were not found; name their id in the
 * `allowedPrefixListIds` config. The IPv6 list `com.amazonaws.global.ipv6.cloudfront.origin-facing`
 * has other ids and is not listed either (the components do not use it).
 */
export const CLOUDFRONT_ORIGIN_FACING_IDS: Readonly<Record<string, string>> = {
    "ap-northeast-1": "pl-58a04531",
    "ap-northeast-2": "pl-22a6434b",
    "ap-northeast-3": "pl-31a14458",
    "ap-south-1": "pl-9aa247f3",
    "ap-southeast-1": "pl-31a34658",
    "ap-southeast-2": "pl-b8a742d1",
    "ca-central-1": "pl-38a64351",
    "eu-central-1": "pl-a3a144ca",
    "eu-north-1": "pl-fab65393",
    "eu-west-1": "pl-4fa04526",
    "eu-west-2": "pl-93a247fa",
    "eu-west-3": "pl-75b1541c",
    "sa-east-1": "pl-5da64334",
    "us-east-1": "pl-3b927c52",
    "us-east-2": "pl-b6a144df",
    "us-west-1": "pl-4ea04527",
    "us-west-2": "pl-82a045eb",
};

/** The prefix lists that count as CloudFront, and how the pack decided. */
export interface AllowedPrefixLists {
    ids: string[];
    /** For messages: "CloudFront's origin-facing list in eu-west-1 (pl-4fa04526)" and the like. */
    describe: string;
}

/**
 * The prefix list ids that admit only CloudFront: the configured ones when the pack config names
 * any; otherwise the table's id for `region`; or, when the region cannot be known, any id in the
 * table (the id of another region's list does not exist in this one, so AWS would refuse it).
 */
export function cloudFrontPrefixLists(region: string | undefined, configured: readonly string[] | undefined): AllowedPrefixLists {
    if (configured && configured.length > 0) {
        return { ids: [...configured], describe: `the configured allowedPrefixListIds (${configured.join(", ")})` };
    }
    if (region !== undefined) {
        const id = CLOUDFRONT_ORIGIN_FACING_IDS[region];
        return id
            ? { ids: [id], describe: `CloudFront's origin-facing list in ${region} (${id})` }
            : { ids: [], describe: `CloudFront's origin-facing list in ${region} (not in the pack's table: set allowedPrefixListIds)` };
    }
    return {
        ids: Object.values(CLOUDFRONT_ORIGIN_FACING_IDS),
        describe: `CloudFront's origin-facing list (${CLOUDFRONT_ORIGIN_FACING_NAME})`,
    };
}
