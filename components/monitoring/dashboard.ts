// The CloudWatch dashboard body, from resolved ids. Pure: tested as a value. Widget format:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
// A metric is [namespace, name, dimension, value, …, {options}]; "." repeats the previous entry.

export interface DashboardIds {
    region: string;
    clusterName: string;
    masterServiceName: string;
    slaveServiceName: string;
    loadBalancer: string;
    masterTargetGroup: string;
    slaveTargetGroup: string;
    databaseClusterIdentifier: string;
    distributionId: string;
    /** The web ACL's metric name; "" without WAF. */
    webAclMetricName: string;
    natGatewayIds: string[];
    containerInsightsEnabled: boolean;
    databaseMaxCapacity: number;
    databaseMaxConnections: number;
}

type Metric = (string | Record<string, unknown>)[];

interface Widget {
    type: "metric";
    x: number;
    y: number;
    width: number;
    height: number;
    properties: Record<string, unknown>;
}

const GLOBAL = "us-east-1";

export function dashboardBody(ids: DashboardIds): string {
    const tg = (name: string, targetGroup: string, stat: string, label: string): Metric => [
        "AWS/ApplicationELB",
        name,
        "TargetGroup",
        targetGroup,
        "LoadBalancer",
        ids.loadBalancer,
        { stat, label },
    ];
    const nodes = [
        ["master", ids.masterTargetGroup, ids.masterServiceName],
        ["slaves", ids.slaveTargetGroup, ids.slaveServiceName],
    ] as const;
    const db = (name: string, stat: string, label: string): Metric => [
        "AWS/RDS",
        name,
        "DBClusterIdentifier",
        ids.databaseClusterIdentifier,
        "Role",
        "WRITER",
        { stat, label },
    ];
    const panels: { title: string; metrics: Metric[]; region?: string; annotations?: Record<string, unknown>; stat?: string }[] = [
        { title: "Requests per node type", metrics: nodes.map(([n, t]) => tg("RequestCount", t, "Sum", n)) },
        {
            title: "Time to first byte per node type (p50, p99)",
            metrics: nodes.flatMap(([n, t]) => [
                tg("TargetResponseTime", t, "p50", `${n} p50`),
                tg("TargetResponseTime", t, "p99", `${n} p99`),
            ]),
        },
        {
            title: "5xx by source: ALB and targets",
            metrics: [
                ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", ids.loadBalancer, { stat: "Sum", label: "ALB-generated" }],
                ...nodes.map(([n, t]) => tg("HTTPCode_Target_5XX_Count", t, "Sum", `${n} (OneHub)`)),
            ],
        },
        {
            title: "5xx rate at CloudFront (%)",
            region: GLOBAL,
            metrics: [
                [
                    "AWS/CloudFront",
                    "5xxErrorRate",
                    "DistributionId",
                    ids.distributionId,
                    "Region",
                    "Global",
                    { stat: "Average", label: "CloudFront 5xx %" },
                ],
            ],
        },
        {
            title: ids.containerInsightsEnabled ? "Running vs desired tasks" : "Healthy targets per node type (Container Insights off)",
            metrics: ids.containerInsightsEnabled
                ? nodes.flatMap(([n, , service]) =>
                      ["RunningTaskCount", "DesiredTaskCount"].map((m): Metric => [
                          "ECS/ContainerInsights",
                          m,
                          "ClusterName",
                          ids.clusterName,
                          "ServiceName",
                          service,
                          { stat: "Average", label: `${n} ${m === "RunningTaskCount" ? "running" : "desired"}` },
                      ]),
                  )
                : nodes.map(([n, t]) => tg("HealthyHostCount", t, "Minimum", `${n} healthy`)),
        },
        {
            title: "Aurora capacity (ACU) against dbMaxCapacity",
            metrics: [db("ServerlessDatabaseCapacity", "Maximum", "writer ACU")],
            annotations: { horizontal: [{ label: "dbMaxCapacity", value: ids.databaseMaxCapacity }] },
        },
        {
            title: "Aurora connections against the connection budget",
            metrics: [db("DatabaseConnections", "Maximum", "writer connections")],
            annotations: {
                horizontal: [
                    { label: "max_connections", value: ids.databaseMaxConnections },
                    { label: "alarm (80 %)", value: Math.floor(ids.databaseMaxConnections * 0.8) },
                ],
            },
        },
        {
            title: "NAT gateway bytes",
            metrics: ids.natGatewayIds.flatMap((id) =>
                ["BytesOutToDestination", "BytesInFromDestination"].map((m): Metric => [
                    "AWS/NATGateway",
                    m,
                    "NatGatewayId",
                    id,
                    { stat: "Sum", label: `${id} ${m}` },
                ]),
            ),
        },
        {
            title: "WAF blocked requests",
            region: GLOBAL,
            metrics: ids.webAclMetricName
                ? [["AWS/WAFV2", "BlockedRequests", "WebACL", ids.webAclMetricName, "Rule", "ALL", { stat: "Sum", label: "blocked" }]]
                : [],
        },
    ];
    const widgets: Widget[] = panels
        .filter((p) => p.metrics.length > 0)
        .map((p, i) => ({
            type: "metric",
            x: (i % 2) * 12,
            y: Math.floor(i / 2) * 6,
            width: 12,
            height: 6,
            properties: {
                title: p.title,
                region: p.region ?? ids.region,
                view: "timeSeries",
                period: 60,
                metrics: p.metrics,
                ...(p.annotations ? { annotations: p.annotations } : {}),
            },
        }));
    return JSON.stringify({ widgets });
}
