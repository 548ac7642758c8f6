// AWS list prices for us-east-1 (N. Virginia), USD, as published on each service's pricing
// page. One table, dated, so a price change is one reviewed diff. Sources:
//   https://aws.amazon.com/vpc/pricing/               NAT gateway, public IPv4
//   https://aws.amazon.com/elasticloadbalancing/pricing/
//   https://aws.amazon.com/fargate/pricing/           on-demand and Spot (Spot floats; a typical us-east-1 value)
//   https://aws.amazon.com/rds/aurora/pricing/        Serverless v2, Aurora Standard storage and I/O
//   https://aws.amazon.com/cloudfront/pricing/        North America/Europe, always-free tier
//   https://aws.amazon.com/waf/pricing/
//   https://aws.amazon.com/secrets-manager/pricing/
//   https://aws.amazon.com/cloudwatch/pricing/        logs, custom metrics (Container Insights)

export const PRICES_AS_OF = "2025-11, us-east-1 list prices";
export const REGION = "us-east-1";

export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

export const PRICES = {
    natGatewayHour: 0.045,
    natGatewayGb: 0.045,
    publicIpv4Hour: 0.005,
    albHour: 0.0225,
    albLcuHour: 0.008,
    fargateVcpuHour: 0.04048,
    fargateGbHour: 0.004445,
    fargateSpotVcpuHour: 0.012144,
    fargateSpotGbHour: 0.0013335,
    auroraAcuHour: 0.12,
    auroraStorageGbMonth: 0.1,
    auroraIoPerMillion: 0.2,
    cloudfrontGbOut: 0.085,
    cloudfrontHttpsPer10k: 0.01,
    /** CloudFront's always-free tier: 1 TB out and 10 million requests a month. */
    cloudfrontFreeGb: 1024,
    cloudfrontFreeRequests: 10_000_000,
    wafWebAclMonth: 5,
    wafRuleMonth: 1,
    wafPerMillionRequests: 0.6,
    secretMonth: 0.4,
    logsIngestGb: 0.5,
    logsStorageGbMonth: 0.03,
    /** Vended logs (WAF's among them) delivered to CloudWatch Logs, first 10 TB a month. */
    vendedLogsIngestGb: 0.5,
    customMetricMonth: 0.3,
};
