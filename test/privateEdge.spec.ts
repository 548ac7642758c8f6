import * as assert from "assert";
import { StackRun } from "../tools/offlineStack";
import { summarize } from "../tools/plan";
import { assertWaitsFor, dependsDirectlyOn } from "./graph";
import { expectConfigError, fixtureRun, ofType, one, stackRun } from "./util";

const ALB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";
const CDN = "aws:cloudfront/distribution:Distribution";
const VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin";
const WAF = "aws:wafv2/webAcl:WebAcl";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const RECORD = "aws:route53/record:Record";
const CERT = "aws:acm/certificate:Certificate";
const RULE = "aws:lb/listenerRule:ListenerRule";
const CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555";

const rule = (waf: any, name: string) => waf.rules.find((r: any) => r.name === name);

describe("PrivateEdge", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    describe("internal ALB", () => {
        it("is internal, in the private subnets, with a 600 s idle timeout and invalid headers dropped", () => {
            for (const run of Object.values(runs)) {
                const alb = one(run, ALB).inputs;
                assert.strictEqual(alb.internal, true);
                assert.strictEqual(alb.loadBalancerType, "application");
                assert.ok(
                    alb.subnets.every((s: string) => s.startsWith("subnet-b")),
                    "private subnets",
                );
                assert.strictEqual(alb.idleTimeout, 600);
                assert.strictEqual(alb.dropInvalidHeaderFields, true);
                assert.strictEqual(alb.accessLogs, undefined, "access logs are opt-in");
            }
        });

        it("admits only CloudFront's origin-facing prefix list, in a security group of its own", () => {
            for (const run of Object.values(runs)) {
                const alb = one(run, ALB).inputs;
                const cloudfrontSg = one(run, SG, "-cloudfront-sg");
                assert.ok(alb.securityGroups.includes(`${cloudfrontSg.name}-id`));
                const rules = ofType(run, INGRESS).filter((r) => alb.securityGroups.includes(r.inputs.securityGroupId));
                assert.strictEqual(rules.length, 1, "one ingress rule on the ALB's groups");
                assert.strictEqual(rules[0].inputs.securityGroupId, `${cloudfrontSg.name}-id`);
                assert.strictEqual(rules[0].inputs.prefixListId, "pl-3b927c52");
                assert.strictEqual(rules[0].inputs.fromPort, 80);
                assert.strictEqual(rules[0].inputs.toPort, 80);
            }
        });

        it("opens 0.0.0.0/0 nowhere", () => {
            for (const run of Object.values(runs)) {
                for (const r of ofType(run, INGRESS)) {
                    assert.notStrictEqual(r.inputs.cidrIpv4, "0.0.0.0/0", r.name);
                    assert.notStrictEqual(r.inputs.cidrIpv6, "::/0", r.name);
                }
                for (const sg of ofType(run, SG)) {
                    assert.strictEqual(sg.inputs.ingress, undefined, `${sg.name} has no inline ingress`);
                }
            }
        });

        it("listens on HTTP 80 and answers unrouted paths with a fixed JSON 404", () => {
            const l = one(runs.dev, LISTENER).inputs;
            assert.strictEqual(l.port, 80);
            assert.strictEqual(l.protocol, "HTTP");
            assert.deepStrictEqual(
                l.defaultActions.map((a: any) => a.type),
                ["fixed-response"],
            );
            assert.strictEqual(l.defaultActions[0].fixedResponse.contentType, "application/json");
            assert.strictEqual(l.defaultActions[0].fixedResponse.statusCode, "404");
        });

        it("writes access logs to a bucket when one is configured", async () => {
            const run = await fixtureRun("dev", { config: { "onehub:albAccessLogsBucket": "my-alb-logs" } });
            assert.deepStrictEqual(one(run, ALB).inputs.accessLogs, { bucket: "my-alb-logs", prefix: "onehub-dev-edge", enabled: true });
        });

        it("serves HTTPS on 443 with https-only from CloudFront when given an ALB certificate", async () => {
            const run = await fixtureRun("dev", {
                config: {
                    "onehub:albCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                    "onehub:albOriginDomainName": "origin.example.com",
                },
            });
            const l = one(run, LISTENER).inputs;
            assert.strictEqual(l.port, 443);
            assert.strictEqual(l.protocol, "HTTPS");
            assert.match(l.sslPolicy, /TLS13/);
            assert.strictEqual(one(run, VPC_ORIGIN).inputs.vpcOriginEndpointConfig.originProtocolPolicy, "https-only");
            assert.strictEqual(one(run, CDN).inputs.origins[0].domainName, "origin.example.com");
            assert.strictEqual(one(run, INGRESS, "-from-cloudfront").inputs.fromPort, 443);
        });
    });

    describe("CloudFront", () => {
        it("reaches the ALB only through a VPC origin, with the configured read and keep-alive timeouts", () => {
            for (const run of Object.values(runs)) {
                const vo = one(run, VPC_ORIGIN).inputs;
                const alb = one(run, ALB);
                assert.strictEqual(
                    vo.vpcOriginEndpointConfig.arn,
                    `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${alb.name}/0123456789abcdef`,
                );
                assert.strictEqual(vo.vpcOriginEndpointConfig.originProtocolPolicy, "http-only");
                assert.strictEqual(vo.timeouts.create, "30m", "VPC origins take ~15 min to create");
                const [origin] = one(run, CDN).inputs.origins;
                assert.strictEqual(origin.vpcOriginConfig.vpcOriginId, `${one(run, VPC_ORIGIN).name}-id`);
                assert.strictEqual(origin.vpcOriginConfig.originReadTimeout, 60);
                assert.strictEqual(origin.vpcOriginConfig.originKeepaliveTimeout, 60);
                assert.strictEqual(origin.customOriginConfig, undefined, "no public custom origin");
            }
        });

        it("accepts read and keep-alive timeouts up to the VPC-origin limit of 120 s (above 60 after a quota increase)", async () => {
            const run = await fixtureRun("dev", { config: { "onehub:originReadTimeout": 120, "onehub:originKeepaliveTimeout": 90 } });
            const [origin] = one(run, CDN).inputs.origins;
            assert.deepStrictEqual([origin.vpcOriginConfig.originReadTimeout, origin.vpcOriginConfig.originKeepaliveTimeout], [120, 90]);
        });

        it("passes every method and header but Host, caches nothing and redirects to HTTPS by default", () => {
            const b = one(runs.dev, CDN).inputs.defaultCacheBehavior;
            assert.deepStrictEqual([...b.allowedMethods].sort(), ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]);
            assert.strictEqual(b.cachePolicyId, "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "CachingDisabled");
            assert.strictEqual(b.originRequestPolicyId, "b689b0a8-53d0-40ab-baf2-68738e2966ac", "AllViewerExceptHostHeader");
            assert.strictEqual(b.viewerProtocolPolicy, "redirect-to-https");
            assert.strictEqual(b.compress, true);
        });

        it("caches only the static web assets", () => {
            const behaviors = one(runs.dev, CDN).inputs.orderedCacheBehaviors;
            assert.deepStrictEqual(
                behaviors.map((b: any) => [b.pathPattern, b.cachePolicyId]),
                [["/assets/*", "658327ea-f89d-4fab-a63d-7e88639e58f6"]], // CachingOptimized
            );
        });

        it("never caches 4xx or 5xx responses", () => {
            const errors = one(runs.dev, CDN).inputs.customErrorResponses;
            assert.deepStrictEqual(
                errors.map((e: any) => e.errorCode),
                [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504],
            );
            assert.ok(errors.every((e: any) => e.errorCachingMinTtl === 0));
        });

        it("speaks HTTP/2 and HTTP/3 and uses the configured price class", () => {
            assert.strictEqual(one(runs.dev, CDN).inputs.httpVersion, "http2and3");
            assert.strictEqual(one(runs.dev, CDN).inputs.priceClass, "PriceClass_100");
            assert.strictEqual(one(runs.prod, CDN).inputs.priceClass, "PriceClass_All");
        });

        it("publishes the cloudfront.net URL when there is no custom domain", () => {
            assert.strictEqual(runs.dev.outputs.url, "https://d111111abcdef8.cloudfront.net");
            assert.strictEqual(one(runs.dev, CDN).inputs.viewerCertificate.cloudfrontDefaultCertificate, true);
            assert.strictEqual(ofType(runs.dev, RECORD).length, 0);
        });
    });

    describe("TLS to viewers, as the plan shows it", () => {
        it("says that without a custom domain viewers may negotiate TLS 1.0, whatever minimumProtocolVersion says", () => {
            for (const run of Object.values(runs)) {
                assert.match(
                    summarize(one(run, CDN)),
                    /, viewer TLS 1\.0\+ \(\*\.cloudfront\.net certificate: minimumProtocolVersion does not apply; a custom domain gives TLS 1\.2\+\)$/,
                );
            }
        });

        it("shows the minimum of a distribution with its own certificate", async () => {
            const run = await fixtureRun("dev", {
                config: { "onehub:customDomain": "api.example.com", "onehub:certificateArn": CERT_ARN },
            });
            assert.match(summarize(one(run, CDN)), /, viewer TLS ≥ TLSv1\.2_2021$/);
        });

        it("shows the internal-path rules as fixed 404s, and where the WAF logs go", () => {
            assert.strictEqual(summarize(one(runs.dev, RULE, "-edge-internal-0")), "priority 1: /api/metrics /api/metrics/* → fixed 404");
            assert.match(summarize(one(runs.dev, RULE, "-edge-internal-1")), /^priority 2: regex \^\/\(a\|%61\).* → fixed 404$/);
            assert.strictEqual(
                summarize(one(runs.prod, "aws:cloudwatch/logGroup:LogGroup", "-waf-logs")),
                "retention 30 d, aws-waf-logs-onehub-prod-edge-… in us-east-1",
            );
        });

        it("shows the web ACL's capacity and what its logs keep out", () => {
            assert.strictEqual(summarize(one(runs.prod, WAF)), "CLOUDFRONT, 7 rules, 1151 WCU of the 1500 included");
            assert.strictEqual(
                summarize(one(runs.prod, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")),
                "→ arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-onehub-prod-edge-20250101000000000000000001, 7 fields redacted, 1 drop filter(s)",
            );
        });
    });

    describe("custom domain", () => {
        it("uses a given us-east-1 certificate and creates alias records in the zone", async () => {
            const run = await fixtureRun("dev", {
                config: {
                    "onehub:customDomain": "api.example.com",
                    "onehub:certificateArn": CERT_ARN,
                    "onehub:hostedZoneId": "Z0123456789ABCDEFGHIJ",
                },
            });
            const cdn = one(run, CDN).inputs;
            assert.deepStrictEqual(cdn.aliases, ["api.example.com"]);
            assert.deepStrictEqual(cdn.viewerCertificate, {
                acmCertificateArn: CERT_ARN,
                sslSupportMethod: "sni-only",
                minimumProtocolVersion: "TLSv1.2_2021",
            });
            assert.strictEqual(ofType(run, CERT).length, 0);
            const records = ofType(run, RECORD);
            assert.deepStrictEqual(records.map((r) => r.inputs.type).sort(), ["A", "AAAA"]);
            for (const r of records) {
                assert.strictEqual(r.inputs.name, "api.example.com");
                assert.strictEqual(r.inputs.aliases[0].name, "d111111abcdef8.cloudfront.net");
            }
            assert.strictEqual(run.outputs.url, "https://api.example.com");
        });

        it("uses a given certificate without DNS records when there is no zone", async () => {
            const run = await fixtureRun("dev", {
                config: { "onehub:customDomain": "api.example.com", "onehub:certificateArn": CERT_ARN },
            });
            assert.strictEqual(one(run, CDN).inputs.viewerCertificate.acmCertificateArn, CERT_ARN);
            assert.strictEqual(ofType(run, RECORD).length, 0);
        });

        it("creates and DNS-validates a us-east-1 certificate when only a zone is given", async () => {
            const run = await fixtureRun("dev", {
                config: { "onehub:customDomain": "api.example.com", "onehub:hostedZoneId": "Z0123456789ABCDEFGHIJ" },
            });
            const cert = one(run, CERT).inputs;
            assert.strictEqual(cert.region, "us-east-1");
            assert.strictEqual(cert.validationMethod, "DNS");
            assert.strictEqual(cert.domainName, "api.example.com");
            const validation = one(run, "aws:acm/certificateValidation:CertificateValidation").inputs;
            assert.strictEqual(validation.region, "us-east-1");
            assert.strictEqual(one(run, RECORD, "-cert-validation").inputs.type, "CNAME");
            assert.strictEqual(one(run, CDN).inputs.viewerCertificate.acmCertificateArn, validation.certificateArn);
            assert.deepStrictEqual(
                ofType(run, RECORD)
                    .map((r) => r.inputs.type)
                    .sort(),
                ["A", "AAAA", "CNAME"],
            );
        });
    });

    describe("WAF", () => {
        it("is off in dev and on in prod", () => {
            assert.strictEqual(ofType(runs.dev, WAF).length, 0);
            assert.strictEqual(one(runs.dev, CDN).inputs.webAclId, undefined);
            assert.strictEqual(
                one(runs.prod, CDN).inputs.webAclId,
                "arn:aws:wafv2:us-east-1:123456789012:global/webacl/onehub-prod-edge-waf/0123",
            );
        });

        it("is a CLOUDFRONT-scope web ACL in us-east-1 with metrics and sampled requests", () => {
            const waf = one(runs.prod, WAF).inputs;
            assert.strictEqual(waf.scope, "CLOUDFRONT");
            assert.strictEqual(waf.region, "us-east-1");
            assert.deepStrictEqual(waf.defaultAction, { allow: {} });
            for (const r of waf.rules) {
                assert.strictEqual(r.visibilityConfig.cloudwatchMetricsEnabled, true);
                assert.strictEqual(r.visibilityConfig.sampledRequestsEnabled, true);
            }
        });

        it("uses the AWS common, known-bad-inputs and IP-reputation rule groups", () => {
            const groups = one(runs.prod, WAF)
                .inputs.rules.map((r: any) => r.statement.managedRuleGroupStatement?.name)
                .filter(Boolean);
            assert.deepStrictEqual(groups.sort(), [
                "AWSManagedRulesAmazonIpReputationList",
                "AWSManagedRulesCommonRuleSet",
                "AWSManagedRulesKnownBadInputsRuleSet",
            ]);
        });

        it("can be turned on in dev with other limits", async () => {
            const run = await fixtureRun("dev", {
                config: { "onehub:wafEnabled": true, "onehub:wafRateLimit": 500, "onehub:wafLoginRateLimit": 20 },
            });
            const waf = one(run, WAF).inputs;
            assert.strictEqual(rule(waf, "rate-limit-ip").statement.rateBasedStatement.limit, 500);
            assert.strictEqual(rule(waf, "rate-limit-login").statement.rateBasedStatement.limit, 20);
        });
    });

    it("exports the URL, distribution (and its own name, a custom domain's CNAME target) and ALB", () => {
        assert.match(runs.prod.outputs.url as string, /^https:\/\//);
        assert.strictEqual(runs.prod.outputs.distributionId, "onehub-prod-edge-cdn-id");
        assert.strictEqual(runs.prod.outputs.distributionDomainName, "d111111abcdef8.cloudfront.net");
        assert.match(runs.prod.outputs.albArn as string, /loadbalancer\/app\/onehub-prod-edge-alb\//);
    });
});

describe("PrivateEdge lifecycle", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    it("creates the internal-path 404 rules before any service rule: /api/* is never routed while /api/metrics is open", () => {
        for (const run of Object.values(runs)) {
            const rules = ofType(run, RULE);
            const internal = rules.filter((r) => r.name.includes("-edge-internal-"));
            const services = rules.filter((r) => /-(master|slave)-rule-/.test(r.name));
            assert.strictEqual(internal.length, 2);
            assert.ok(services.length >= 4);
            for (const rule of services) {
                for (const guard of internal) {
                    assertWaitsFor(run, rule, guard, "a service rule may exist only once the internal paths are closed");
                }
            }
        }
    });

    it("replaces the VPC origin instead of updating it (CloudFront refuses any update of one in use), and leaves its tags alone", () => {
        for (const run of Object.values(runs)) {
            const origin = one(run, VPC_ORIGIN);
            assert.deepStrictEqual(
                [origin.replaceOnChanges, origin.ignoreChanges, origin.deleteBeforeReplace],
                [["vpcOriginEndpointConfig"], ["tags", "tagsAll"], false],
            );
            assert.deepStrictEqual(origin.inputs.timeouts, { create: "30m", update: "30m", delete: "30m" });
            assert.strictEqual(origin.inputs.tags, undefined);
        }
    });

    it("updates the internal-path rules in place on their listener, and deletes them with it", () => {
        const run = runs.dev;
        const listener = one(run, LISTENER);
        for (const rule of ofType(run, RULE).filter((r) => r.name.includes("-edge-internal-"))) {
            assert.ok(dependsDirectlyOn(rule, listener), "its listenerArn is the listener's");
            assert.deepStrictEqual(
                [rule.replaceOnChanges, rule.ignoreChanges, rule.deleteBeforeReplace, rule.retainOnDelete],
                [[], [], false, false],
            );
        }
    });
});

describe("edge config errors", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        ["an ALB idle timeout of 30 s", { "onehub:albIdleTimeout": 30 }, /onehub:albIdleTimeout = 30 .*60 to 4000/],
        ["an ALB idle timeout of 5000 s", { "onehub:albIdleTimeout": 5000 }, /onehub:albIdleTimeout = 5000 .*60 to 4000/],
        ["an origin read timeout of 0", { "onehub:originReadTimeout": 0 }, /onehub:originReadTimeout = 0 .*1 to 120/],
        [
            "an origin read timeout above the VPC-origin limit of 120",
            { "onehub:originReadTimeout": 121 },
            /onehub:originReadTimeout = 121 .*1 to 120/,
        ],
        [
            "an origin keep-alive timeout above the VPC-origin limit of 120",
            { "onehub:originKeepaliveTimeout": 121 },
            /onehub:originKeepaliveTimeout = 121 .*1 to 120/,
        ],
        ["an unknown price class", { "onehub:priceClass": "PriceClass_50" }, /onehub:priceClass = "PriceClass_50" .*PriceClass_100/],
        [
            "a domain without a certificate or zone",
            { "onehub:customDomain": "api.example.com" },
            /onehub:customDomain = "api\.example\.com" .*needs onehub:certificateArn .* or onehub:hostedZoneId/,
        ],
        ["a certificate without a domain", { "onehub:certificateArn": CERT_ARN }, /onehub:certificateArn .*set onehub:customDomain/],
        ["a zone without a domain", { "onehub:hostedZoneId": "Z0123456789ABCDEFGHIJ" }, /onehub:hostedZoneId .*set onehub:customDomain/],
        [
            "a certificate outside us-east-1",
            { "onehub:customDomain": "api.example.com", "onehub:certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc" },
            /onehub:certificateArn .*us-east-1/,
        ],
        [
            "a domain that is not one",
            { "onehub:customDomain": "https://api.example.com", "onehub:hostedZoneId": "Z0123456789ABCDEFGHIJ" },
            /onehub:customDomain .*DNS name/,
        ],
        [
            "an ALB certificate without an origin domain",
            { "onehub:albCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc" },
            /onehub:albOriginDomainName .*required with onehub:albCertificateArn/,
        ],
        [
            "an origin domain without an ALB certificate",
            { "onehub:albOriginDomainName": "origin.example.com" },
            /onehub:albOriginDomainName .*set onehub:albCertificateArn/,
        ],
        [
            "a login rate limit above the site-wide one",
            { "onehub:wafLoginRateLimit": 5000 },
            /onehub:wafLoginRateLimit = 5000 .*must not exceed onehub:wafRateLimit/,
        ],
        ["a WAF rate limit below 10", { "onehub:wafRateLimit": 5 }, /onehub:wafRateLimit = 5 .*10 to/],
        ["an invalid log bucket", { "onehub:albAccessLogsBucket": "My_Bucket" }, /onehub:albAccessLogsBucket .*S3 bucket/],
    ];
    for (const [what, config, message] of cases) {
        it(`rejects ${what}`, () => expectConfigError("dev", config, message));
    }
});
