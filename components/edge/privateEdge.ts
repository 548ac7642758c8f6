import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ALB_IDLE_TIMEOUT,
    CLOUDFRONT_ERROR_CODES,
    MANAGED_POLICY,
    ORIGIN_KEEPALIVE_TIMEOUT,
    ORIGIN_READ_TIMEOUT,
    EdgeSettings,
    validateEdgeSettings,
    WAF_LOGIN_RATE_LIMIT_DEFAULT,
    WAF_RATE_LIMIT,
} from "./edgeSettings";
import { checkComponentName, checkLogRetention, checkNonEmpty, DEFAULT_LOG_RETENTION_DAYS } from "../common/validation";
import { componentAsset } from "../common/assets";
import { checkWafCapacity, CREDENTIAL_IN_PATH_LABEL, wafRules } from "./wafRules";
import { credentialPathFilter, WAF_LOG_GROUP_PREFIX, WAF_REDACTED_FIELDS } from "./wafLogging";
import { checkRelayPaths, internalPathRules } from "../services/routing";

const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"];
const ORIGIN_ID = "alb";
/** The listener's answer to any path no service claims, and to the internal ones: a JSON 404. */
const NOT_FOUND = {
    type: "fixed-response",
    fixedResponse: { statusCode: "404", contentType: "application/json", messageBody: JSON.stringify({ error: { message: "no route" } }) },
};
/** CloudFront's origin-facing servers; the only source the ALB admits. */
const CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";
/**
 * The header every request reaching the origin carries with the viewer's address, set by the edge's
 * viewer-request function (functions/trueClientIp.js) over anything the client sent: OneHub's
 * TRUSTED_HEADER.
 */
export const CLIENT_IP_HEADER = "True-Client-IP";
/** The runtime of the viewer-request function. */
export const CLIENT_IP_FUNCTION_RUNTIME = "cloudfront-js-2.0";

/**
 * The web ACL's rules for these settings (the relay paths checked), refused, naming
 * `relayPathsKey`, when they could exceed the capacity the web ACL's price includes. OneHub calls it
 * too, so a stack refuses before it registers anything.
 */
export function checkedWafRules(
    metricPrefix: string,
    s: Pick<PrivateEdgeArgs, "wafEnabled" | "wafRateLimit" | "wafLoginRateLimit" | "wafLogging" | "extraRelayPaths">,
    relayPathsKey: string,
): aws.types.input.wafv2.WebAclRule[] {
    const rules = wafRules({
        metricPrefix,
        rateLimit: s.wafRateLimit ?? WAF_RATE_LIMIT.default,
        loginRateLimit: s.wafLoginRateLimit ?? WAF_LOGIN_RATE_LIMIT_DEFAULT,
        relayPaths: checkRelayPaths(relayPathsKey, s.extraRelayPaths ?? []),
        labelCredentialPaths: s.wafLogging ?? false,
    });
    if (s.wafEnabled) {
        checkWafCapacity(relayPathsKey, s.extraRelayPaths ?? [], rules);
    }
    return rules;
}

/** The edge's settings are EdgeSettings (edgeSettings.ts), shared with OneHubArgs. */
export interface PrivateEdgeArgs extends EdgeSettings {
    /** VPC of the internal ALB. */
    vpcId: pulumi.Input<string>;
    /** Private subnets of the internal ALB, in at least two AZs (an ALB requirement). */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Tags for every resource. */
    tags?: Record<string, string>;
    /**
     * The slaves' relay path patterns beyond OneHub's own (OneHubSlaveServiceArgs.extraRelayPaths):
     * with `wafEnabled`, the WAF's body rules let prompts through there as on the built-in relay
     * paths. Default []. Each extra pattern costs the web ACL 12–13 WCU of its 1,500.
     */
    extraRelayPaths?: string[];
    /** Days CloudWatch keeps the WAF logs (`wafLogging`), a CloudWatch-allowed value. Default 7. */
    logRetentionDays?: number;
}

/**
 * Everything between the internet and the tasks: an internal ALB that only CloudFront can reach
 * (through a VPC origin), the CloudFront distribution, and optionally WAF and a custom domain.
 * Services attach their own target groups and rules to `listenerArn`.
 */
export class PrivateEdge extends pulumi.ComponentResource {
    /** The internal ALB, for alarms and extensions. */
    public readonly loadBalancer: aws.lb.LoadBalancer;
    /** The ALB's listener (HTTP 80, or HTTPS 443 with `albCertificateArn`). */
    public readonly listener: aws.lb.Listener;
    /** The CloudFront distribution. */
    public readonly distribution: aws.cloudfront.Distribution;
    /** The public base URL: https:// plus the custom domain or the CloudFront domain. */
    public readonly url: pulumi.Output<string>;
    /** The CloudFront distribution's id. */
    public readonly distributionId: pulumi.Output<string>;
    /** The distribution's *.cloudfront.net name (a custom domain's CNAME target). */
    public readonly distributionDomainName: pulumi.Output<string>;
    /** The internal ALB's ARN. */
    public readonly albArn: pulumi.Output<string>;
    /** "app/<name>/<id>", for ALBRequestCountPerTarget scaling. */
    public readonly albArnSuffix: pulumi.Output<string>;
    /** The internal ALB's DNS name (resolvable inside the VPC only). */
    public readonly albDnsName: pulumi.Output<string>;
    /** The listener services add their rules to, resolving once its internal-path 404 rules exist. */
    public readonly listenerArn: pulumi.Output<string>;
    /** The ALB's own security group: services allow it into their tasks, and it out to them. */
    public readonly albSecurityGroupId: pulumi.Output<string>;
    /** The WAF web ACL's ARN (us-east-1); undefined without WAF. */
    public readonly webAclArn: pulumi.Output<string | undefined>;
    /** The WAF web ACL's name; undefined without WAF. */
    public readonly webAclName: pulumi.Output<string | undefined>;
    /** The WAF web ACL's id; undefined without WAF. */
    public readonly webAclId: pulumi.Output<string | undefined>;
    /**
     * The web ACL's metric name, the `WebACL` dimension of its AWS/WAFV2 metrics (in us-east-1);
     * undefined without WAF.
     */
    public readonly webAclMetricName: pulumi.Output<string | undefined>;
    /** The viewer-request CloudFront Function that sets the client-IP header. */
    public readonly clientIpFunction: aws.cloudfront.Function;
    /**
     * "True-Client-IP": the header that carries the viewer's address on every request this edge
     * forwards, whatever the client sent. Services run OneHub with TRUSTED_HEADER set to it
     * (OneHubServiceArgs.trustedHeader), so per-IP limits and IP allow-lists see the real client.
     */
    public readonly clientIpHeader: pulumi.Output<string>;
    /** The WAF's log group (us-east-1, `aws-waf-logs-<name>-…`); undefined without `wafLogging`. */
    public readonly wafLogGroupName: pulumi.Output<string | undefined>;

    constructor(name: string, args: PrivateEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        // ALB names are at most 32 characters.
        checkComponentName("PrivateEdge", name, "-alb", 32);
        if (Array.isArray(args.subnetIds)) {
            checkNonEmpty("PrivateEdge args.subnetIds", args.subnetIds, "subnet");
        }
        validateEdgeSettings(args, "PrivateEdge args.");
        const rules = checkedWafRules(name, args, "PrivateEdge args.extraRelayPaths");
        const logRetentionDays = checkLogRetention(
            "PrivateEdge args.logRetentionDays",
            args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
        );
        super("onehub:index:PrivateEdge", name, {}, opts);
        for (const [key, value, limit] of [
            ["originReadTimeout", args.originReadTimeout ?? ORIGIN_READ_TIMEOUT.default, ORIGIN_READ_TIMEOUT],
            ["originKeepaliveTimeout", args.originKeepaliveTimeout ?? ORIGIN_KEEPALIVE_TIMEOUT.default, ORIGIN_KEEPALIVE_TIMEOUT],
        ] as const) {
            if (value > limit.quotaFree) {
                pulumi.log.warn(
                    `${key} ${value} s is above ${limit.quotaFree} s: CloudFront refuses the distribution unless the Service Quotas value "${limit.quota}" was raised to at least ${value} first (npm run preflight checks it)`,
                    this,
                );
            }
        }
        const tags = args.tags;
        const https = !!args.albCertificateArn;
        const port = https ? 443 : 80;

        const albSg = new aws.ec2.SecurityGroup(
            `${name}-alb-sg`,
            // No inline rules: each service adds egress from here to its own tasks.
            { vpcId: args.vpcId, description: "OneHub ALB: egress only to OneHub tasks", tags },
            { parent: this },
        );
        // The prefix list weighs ~55 rule entries against the 60-per-group quota: own group.
        const cloudfrontSg = new aws.ec2.SecurityGroup(
            `${name}-cloudfront-sg`,
            { vpcId: args.vpcId, description: `OneHub ALB: ingress only from CloudFront (${CLOUDFRONT_PREFIX_LIST})`, tags },
            { parent: this },
        );
        const prefixList = aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_PREFIX_LIST }, { parent: this });
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-from-cloudfront`,
            {
                securityGroupId: cloudfrontSg.id,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                prefixListId: prefixList.id,
                description: "CloudFront origin-facing servers (VPC origin)",
                tags,
            },
            { parent: this },
        );

        const alb = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                internal: true,
                loadBalancerType: "application",
                subnets: args.subnetIds,
                securityGroups: [albSg.id, cloudfrontSg.id],
                idleTimeout: args.albIdleTimeout ?? ALB_IDLE_TIMEOUT.default,
                dropInvalidHeaderFields: true,
                accessLogs: args.albAccessLogsBucket ? { bucket: args.albAccessLogsBucket, prefix: name, enabled: true } : undefined,
                tags,
            },
            { parent: this },
        );

        const listener = new aws.lb.Listener(
            `${name}-listener`,
            {
                loadBalancerArn: alb.arn,
                port,
                protocol: https ? "HTTPS" : "HTTP",
                certificateArn: https ? args.albCertificateArn : undefined,
                sslPolicy: https ? "ELBSecurityPolicy-TLS13-1-2-2021-06" : undefined,
                // Only paths a service claims are routed; anything else is an explicit JSON 404.
                defaultActions: [NOT_FOUND],
                tags,
            },
            { parent: this },
        );
        // OneHub paths that must stay internal (INTERNAL_PATHS) get the same 404 as an unknown path,
        // before any service rule: services attach to `listenerArn`, which resolves only once these
        // rules exist, so /api/* is never routed while /api/metrics is not yet closed.
        const internalRules = internalPathRules().map(
            (rule, i) =>
                new aws.lb.ListenerRule(
                    `${name}-internal-${i}`,
                    {
                        listenerArn: listener.arn,
                        priority: rule.priority,
                        actions: [NOT_FOUND],
                        conditions: [{ pathPattern: rule.regexValues ? { regexValues: rule.regexValues } : { values: rule.pathPatterns } }],
                        tags,
                    },
                    { parent: this },
                ),
        );

        const vpcOrigin = new aws.cloudfront.VpcOrigin(
            `${name}-vpc-origin`,
            {
                vpcOriginEndpointConfig: {
                    // A new ALB gives a new name, so replacement can create before it deletes.
                    name: alb.arnSuffix.apply((s) => `${name}-${s.split("/").pop()}`),
                    arn: alb.arn,
                    httpPort: 80,
                    httpsPort: 443,
                    originProtocolPolicy: https ? "https-only" : "http-only",
                    originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
                },
                // Creation takes ~15 min and sometimes more than the provider's default 15 min.
                timeouts: { create: "30m", update: "30m", delete: "30m" },
            },
            {
                parent: this,
                // CloudFront refuses any update (even tags) of a VPC origin in use: replace instead,
                // and leave tags alone so provider default tags cannot trigger a 409.
                replaceOnChanges: ["vpcOriginEndpointConfig"],
                ignoreChanges: ["tags", "tagsAll"],
            },
        );

        let webAclArn: pulumi.Output<string | undefined> = pulumi.output(undefined);
        let webAclName: pulumi.Output<string | undefined> = pulumi.output(undefined);
        let webAclId: pulumi.Output<string | undefined> = pulumi.output(undefined);
        let webAclMetricName: pulumi.Output<string | undefined> = pulumi.output(undefined);
        let wafLogGroupName: pulumi.Output<string | undefined> = pulumi.output(undefined);
        if (args.wafEnabled) {
            const webAcl = new aws.wafv2.WebAcl(
                `${name}-waf`,
                {
                    // CloudFront web ACLs live in us-east-1 whatever the stack's region.
                    region: "us-east-1",
                    scope: "CLOUDFRONT",
                    defaultAction: { allow: {} },
                    rules,
                    visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name },
                    tags,
                },
                { parent: this },
            );
            webAclArn = webAcl.arn;
            webAclName = webAcl.name;
            webAclId = webAcl.id;
            webAclMetricName = webAcl.visibilityConfig.metricName;
            if (args.wafLogging) {
                wafLogGroupName = this.wafLogging(name, webAcl, logRetentionDays, tags);
            }
        }

        // Every behaviour that reaches OneHub sets True-Client-IP from the address CloudFront saw.
        // The managed AllViewerExceptHostHeader policy forwards it with the viewer's other headers
        // (a custom allow-list could name it, but cannot forward Authorization).
        const clientIpFunction = new aws.cloudfront.Function(
            `${name}-client-ip`,
            {
                runtime: CLIENT_IP_FUNCTION_RUNTIME,
                comment: `OneHub ${name}: ${CLIENT_IP_HEADER} = the viewer's address, whatever the client sent`,
                code: componentAsset("edge/functions/trueClientIp.js"),
                // Published: the distribution runs the LIVE stage, so a code change takes effect on update.
                publish: true,
                tags,
            },
            { parent: this },
        );
        const functionAssociations = [{ eventType: "viewer-request", functionArn: clientIpFunction.arn }];

        const certificateArn = args.customDomain ? this.certificate(name, args) : undefined;
        const distribution = new aws.cloudfront.Distribution(
            `${name}-cdn`,
            {
                enabled: true,
                comment: `OneHub ${name}`,
                isIpv6Enabled: true,
                httpVersion: "http2and3",
                priceClass: args.priceClass ?? "PriceClass_100",
                aliases: args.customDomain ? [args.customDomain] : undefined,
                webAclId: webAclArn,
                origins: [
                    {
                        originId: ORIGIN_ID,
                        domainName: https ? args.albOriginDomainName! : alb.dnsName,
                        vpcOriginConfig: {
                            vpcOriginId: vpcOrigin.id,
                            originReadTimeout: args.originReadTimeout ?? ORIGIN_READ_TIMEOUT.default,
                            originKeepaliveTimeout: args.originKeepaliveTimeout ?? ORIGIN_KEEPALIVE_TIMEOUT.default,
                        },
                    },
                ],
                // An API gateway: Bearer tokens and POST bodies must pass and nothing is cached.
                // With caching disabled, AllViewerExceptHostHeader forwards Authorization too.
                defaultCacheBehavior: {
                    targetOriginId: ORIGIN_ID,
                    viewerProtocolPolicy: "redirect-to-https",
                    allowedMethods: ALL_METHODS,
                    cachedMethods: ["GET", "HEAD"],
                    cachePolicyId: MANAGED_POLICY.cachingDisabled,
                    originRequestPolicyId: MANAGED_POLICY.allViewerExceptHostHeader,
                    compress: true,
                    functionAssociations,
                },
                // OneHub's fingerprinted web assets: cached at the edge to spare the master.
                orderedCacheBehaviors: [
                    {
                        pathPattern: "/assets/*",
                        targetOriginId: ORIGIN_ID,
                        viewerProtocolPolicy: "redirect-to-https",
                        allowedMethods: ["GET", "HEAD"],
                        cachedMethods: ["GET", "HEAD"],
                        cachePolicyId: MANAGED_POLICY.cachingOptimized,
                        // On a cache miss the client-IP header reaches the master too (the policy is not
                        // part of the cache key, so caching is unchanged).
                        originRequestPolicyId: MANAGED_POLICY.allViewerExceptHostHeader,
                        compress: true,
                        functionAssociations,
                    },
                ],
                // Errors pass straight through: a cached 502 would outlive the deploy that caused it.
                customErrorResponses: CLOUDFRONT_ERROR_CODES.map((errorCode) => ({ errorCode, errorCachingMinTtl: 0 })),
                restrictions: { geoRestriction: { restrictionType: "none" } },
                viewerCertificate: certificateArn
                    ? { acmCertificateArn: certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }
                    : { cloudfrontDefaultCertificate: true },
                tags,
            },
            { parent: this },
        );

        if (args.customDomain && args.hostedZoneId) {
            for (const type of ["A", "AAAA"]) {
                new aws.route53.Record(
                    `${name}-alias-${type.toLowerCase()}`,
                    {
                        zoneId: args.hostedZoneId,
                        name: args.customDomain,
                        type,
                        aliases: [{ name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false }],
                    },
                    { parent: this },
                );
            }
        }

        this.loadBalancer = alb;
        this.listener = listener;
        this.distribution = distribution;
        this.url = args.customDomain
            ? pulumi.output(`https://${args.customDomain}`)
            : pulumi.interpolate`https://${distribution.domainName}`;
        this.distributionId = distribution.id;
        this.distributionDomainName = distribution.domainName;
        this.albArn = alb.arn;
        this.albArnSuffix = alb.arnSuffix;
        this.albDnsName = alb.dnsName;
        this.listenerArn = pulumi.all([listener.arn, ...internalRules.map((r) => r.arn)]).apply(([arn]) => arn);
        this.albSecurityGroupId = albSg.id;
        this.webAclArn = webAclArn;
        this.webAclName = webAclName;
        this.webAclId = webAclId;
        this.webAclMetricName = webAclMetricName;
        this.clientIpFunction = clientIpFunction;
        this.clientIpHeader = pulumi.output(CLIENT_IP_HEADER);
        this.wafLogGroupName = wafLogGroupName;
        this.registerOutputs({
            url: this.url,
            distributionId: this.distributionId,
            distributionDomainName: this.distributionDomainName,
            albArn: this.albArn,
            albArnSuffix: this.albArnSuffix,
            albDnsName: this.albDnsName,
            listenerArn: this.listenerArn,
            albSecurityGroupId: this.albSecurityGroupId,
            webAclArn: this.webAclArn,
            webAclName: this.webAclName,
            webAclId: this.webAclId,
            webAclMetricName: this.webAclMetricName,
            clientIpHeader: this.clientIpHeader,
            wafLogGroupName: this.wafLogGroupName,
        });
    }

    /**
     * The WAF's logs: a us-east-1 log group with WAF's required name prefix, and the web ACL's
     * logging configuration with every credential redacted and token-in-path requests dropped.
     * WAF writes the log group's resource policy itself when it enables logging (CloudWatch Logs
     * "vended logs"); an explicit one would count against the region's 10 account policies, or clash
     * with the one WAF creates on the log group.
     */
    private wafLogging(
        name: string,
        webAcl: aws.wafv2.WebAcl,
        retentionInDays: number,
        tags?: Record<string, string>,
    ): pulumi.Output<string> {
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-waf-logs`,
            // A prefix, not a fixed name: a replacement creates the new group before it deletes the old.
            { region: "us-east-1", namePrefix: `${WAF_LOG_GROUP_PREFIX}${name}-`, retentionInDays, tags },
            { parent: this },
        );
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        new aws.wafv2.WebAclLoggingConfiguration(
            `${name}-waf-logging`,
            {
                region: "us-east-1",
                resourceArn: webAcl.arn,
                logDestinationConfigs: [logGroup.arn],
                redactedFields: WAF_REDACTED_FIELDS,
                loggingFilter: credentialPathFilter(
                    pulumi.interpolate`awswaf:${account}:webacl:${webAcl.name}:${CREDENTIAL_IN_PATH_LABEL}`,
                ),
            },
            // A web ACL has one logging configuration, deleted by the ACL's ARN: a replacement created
            // first would be deleted by its predecessor's delete, leaving the ACL without logs.
            { parent: this, deleteBeforeReplace: true },
        );
        return logGroup.name;
    }

    /** The viewer certificate: the given ARN, or one created and DNS-validated in us-east-1. */
    private certificate(name: string, args: PrivateEdgeArgs): pulumi.Input<string> {
        if (args.certificateArn) {
            return args.certificateArn;
        }
        const cert = new aws.acm.Certificate(
            `${name}-cert`,
            { region: "us-east-1", domainName: args.customDomain!, validationMethod: "DNS", tags: args.tags },
            { parent: this },
        );
        const option = cert.domainValidationOptions[0];
        const record = new aws.route53.Record(
            `${name}-cert-validation`,
            {
                zoneId: args.hostedZoneId!,
                name: option.resourceRecordName,
                type: option.resourceRecordType,
                records: [option.resourceRecordValue],
                ttl: 300,
                allowOverwrite: true,
            },
            { parent: this },
        );
        return new aws.acm.CertificateValidation(
            `${name}-cert-validation`,
            { region: "us-east-1", certificateArn: cert.arn, validationRecordFqdns: [record.fqdn] },
            { parent: this },
        ).certificateArn;
    }
}
