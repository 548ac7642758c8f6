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
//   https://aws.amazon.com/privatelink/pricing/       interface endpoints: per endpoint per AZ-hour, per GB processed (first PB)
//   https://aws.amazon.com/elasticache/pricing/       ElastiCache Serverless for Valkey: GB-hours stored
//                                                     (metered at 100 MB at least) and ECPUs (2026 list prices)
//   https://aws.amazon.com/cloudfront/pricing/        CloudFront Functions invocations (2 M a month in the free tier)

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
    customMetricMonth: 0.3,
    // CloudWatch alarms and dashboards (https://aws.amazon.com/cloudwatch/pricing/): a standard-resolution
    // alarm is billed per metric it evaluates (a metric-math alarm per metric in its expression, an
    // anomaly-detection alarm 3: the metric and the band's two bounds); a composite alarm per alarm.
    alarmMetricMonth: 0.1,
    anomalyAlarmMetrics: 3,
    compositeAlarmMonth: 0.5,
    dashboardMonth: 3,
    /** CloudFront's additional distribution metrics: 8 metrics billed as custom metrics. */
    cloudfrontAdditionalMetrics: 8,
    vpcEndpointAzHour: 0.01,
    vpcEndpointGb: 0.01,
    valkeyServerlessGbHour: 0.084,
    valkeyServerlessPerMillionEcpu: 0.0023,
    /** ElastiCache Serverless for Valkey meters at least 100 MB of data (Redis OSS: 1 GB). */
    valkeyServerlessMinimumGb: 0.1,
    cloudfrontFunctionPerMillion: 0.1,
    cloudfrontFreeFunctionInvocations: 2_000_000,
};
