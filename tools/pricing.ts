// AWS list prices for us-east-1 (N. Virginia), USD, as published on each service's pricing
// page. One table, dated, so a price change is one reviewed diff. Sources:
//   https://aws.amazon.com/vpc/pricing/               NAT gateway, public IPv4 (every address, Elastic IPs too)
//   https://aws.amazon.com/ec2/pricing/on-demand/     t4g instances, data transfer out, across AZs
//   https://aws.amazon.com/ebs/pricing/               gp3 volumes
//   https://aws.amazon.com/elasticloadbalancing/pricing/
//   https://aws.amazon.com/fargate/pricing/           on-demand x86 and ARM; Spot floats (see SPOT_DISCOUNT_PERCENT)
//   https://aws.amazon.com/rds/aurora/pricing/        Serverless v2, Aurora Standard storage and I/O
//   https://aws.amazon.com/cloudfront/pricing/        North America/Europe, always-free tier
//   https://aws.amazon.com/waf/pricing/
//   https://aws.amazon.com/secrets-manager/pricing/
//   https://aws.amazon.com/cloudwatch/pricing/        logs, custom metrics (Container Insights)
//   https://aws.amazon.com/privatelink/pricing/       interface endpoints: per endpoint per AZ-hour, per GB processed (first PB)
//   https://aws.amazon.com/elasticache/pricing/       ElastiCache Serverless for Valkey: GB-hours stored
//                                                     (metered at 100 MB at least) and ECPUs (2026 list prices)
//   https://aws.amazon.com/cloudfront/pricing/        CloudFront Functions invocations (2 M a month in the free tier)
//   https://aws.amazon.com/cloudwatch/pricing/        logs, custom metrics (Container Insights), free tier
//   https://aws.amazon.com/lambda/pricing/            requests, GB-seconds (Arm) — the deploy-time steps
//   https://aws.amazon.com/rds/aurora/pricing/        RDS Data API requests — the database-user step

export const PRICES_AS_OF = "2025-11, us-east-1 list prices";
export const REGION = "us-east-1";

export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

export const PRICES = {
    natGatewayHour: 0.045,
    natGatewayGb: 0.045,
    /** Every public IPv4 address, in use or not (NAT gateways' and Elastic IPs alike), since 2024-02. */
    publicIpv4Hour: 0.005,
    /** EC2 data transfer out to the internet (the first 10 TB a month), whichever NAT sends it. */
    dataTransferOutGb: 0.09,
    /** Data between AZs in one region, charged in each direction (so 0.02 per GB that crosses). */
    interAzGbEachWay: 0.01,
    albHour: 0.0225,
    albLcuHour: 0.008,
    fargateVcpuHour: 0.04048,
    fargateGbHour: 0.004445,
    /** Fargate on Graviton (ARM64): 20 % below x86. */
    fargateArmVcpuHour: 0.03238,
    fargateArmGbHour: 0.00356,
    auroraAcuHour: 0.12,
    auroraStorageGbMonth: 0.1,
    auroraIoPerMillion: 0.2,
    /** gp3 volumes (the NAT instance's root volume). */
    ebsGp3GbMonth: 0.08,
    cloudfrontGbOut: 0.085,
    cloudfrontHttpsPer10k: 0.01,
    wafWebAclMonth: 5,
    wafRuleMonth: 1,
    wafPerMillionRequests: 0.6,
    secretMonth: 0.4,
    logsIngestGb: 0.5,
    logsStorageGbMonth: 0.03,
    /** Vended logs (WAF's among them) delivered to CloudWatch Logs, first 10 TB a month. */
    vendedLogsIngestGb: 0.5,
    /** The first 10,000 custom metrics a month (Container Insights' metrics are custom metrics). */
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
    lambdaPerMillionRequests: 0.2,
    lambdaArmGbSecond: 0.0000133334,
    dataApiPerMillionRequests: 0.35,
};

/** EC2 on-demand Linux prices per hour of the Graviton types a NAT instance is likely to use. */
export const EC2_INSTANCE_HOUR: Readonly<Record<string, number>> = {
    "t4g.nano": 0.0042,
    "t4g.micro": 0.0084,
    "t4g.small": 0.0168,
    "t4g.medium": 0.0336,
    "t4g.large": 0.0672,
    "c6gn.medium": 0.0432,
    "c7gn.medium": 0.0624,
};

/**
 * Fargate Spot's discount on on-demand, in percent. AWS advertises "up to 70 %"; the current Spot
 * price moves with supply and demand and is often a few points less, so the model assumes 60 %
 * unless told otherwise (`npm run cost -- <stack> --spot-discount N`).
 */
export const SPOT_DISCOUNT_PERCENT = 60;

/**
 * Free tiers, per account and month (https://aws.amazon.com/free/, the pricing pages above). The
 * model never subtracts them: they are shared by everything in the account, and dev usually
 * shares one. `npm run cost` shows what they could be worth to a stack that had them alone.
 */
export const FREE_TIER = {
    customMetrics: 10,
    logsGb: 5,
    cloudfrontGbOut: 1024,
    cloudfrontRequests: 10_000_000,
    dataTransferOutGb: 100,
};
