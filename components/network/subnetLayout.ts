import { checkInteger, checkMatches, fail } from "../common/validation";

/** AZ counts we support: an ALB needs 2 AZs; 6 is the most any AWS region offers. */
const MIN_AZS = 2;
const MAX_AZS = 6;

/** Per-AZ subnet sizes (prefix lengths) for a VPC CIDR split into `azCount` equal AZ blocks. */
interface SubnetMasks {
    /** Half of each AZ block: ECS tasks and the ALB, the subnets that grow with load. */
    private: number;
    /** A quarter: NAT gateways and the internet gateway's route only. */
    public: number;
    /** A quarter: Aurora, with no route to the internet. */
    isolated: number;
}

/**
 * Splits a VPC CIDR the way awsx's "Auto" subnet strategy lays it out: one block per AZ
 * (rounded up to a power of two), then private 1/2, public 1/4, isolated 1/4 of each block.
 * The smallest subnet must stay ≥ /28, the smallest subnet AWS allows.
 */
export function subnetMasks(key: string, cidrBlock: string, azCount: number): SubnetMasks {
    checkMatches(
        key,
        cidrBlock,
        /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/\d{1,2}$/,
        "must be an IPv4 CIDR block such as 10.0.0.0/16",
    );
    const prefix = Number(cidrBlock.split("/")[1]);
    const azBits = Math.ceil(Math.log2(azCount));
    const azPrefix = prefix + azBits;
    // AWS allows VPC CIDRs from /16 to /28; the quarter-size subnets must still be ≥ /28.
    const maxPrefix = 28 - 2 - azBits;
    if (prefix < 16 || prefix > maxPrefix) {
        fail(key, cidrBlock, `prefix must be from /16 to /${maxPrefix} so ${azCount} AZs each get /28 or larger subnets`);
    }
    return { private: azPrefix + 1, public: azPrefix + 2, isolated: azPrefix + 2 };
}

export function checkAzCount(key: string, azCount: number): number {
    return checkInteger(key, azCount, MIN_AZS, MAX_AZS);
}
