import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import {
    conditionValues,
    conditionWildcards,
    ecsTaskTrustProblems,
    floatingImageReason,
    iamActionMatches,
    isCredentialName,
    isProductionStack,
    isWildcardSecretResource,
    parseImage,
    stackOfUrn,
} from "../policy/helpers";
import { familiesCovered, isPrivateCidr, isPublicCidr, parseCidr } from "../policy/cidr";
import { CLOUDFRONT_ORIGIN_FACING_IDS, cloudFrontPrefixLists } from "../policy/cloudfrontPrefixLists";
import { policies } from "../policy/policies";
import { regionOf } from "../policy/plumbing";
import { NO_RESOURCE_OPTIONS, RegisteredResource, ROOT, runStack, StackRun } from "../tools/offlineStack";
import { blockingViolations, EvaluateOptions, evaluatePolicies, PolicyResult } from "../tools/policyEval";
import { formatReport, main } from "../tools/policyReport";
import { committedRun, fixtureRun, stackRun } from "./util";

const T = {
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    cluster: "aws:rds/cluster:Cluster",
    instance: "aws:rds/clusterInstance:ClusterInstance",
    rdsInstance: "aws:rds/instance:Instance",
    parameters: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    service: "aws:ecs/service:Service",
    task: "aws:ecs/taskDefinition:TaskDefinition",
    ecsCluster: "aws:ecs/cluster:Cluster",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    role: "aws:iam/role:Role",
    iamPolicy: "aws:iam/policy:Policy",
    user: "aws:iam/user:User",
    userPolicy: "aws:iam/userPolicy:UserPolicy",
    cdn: "aws:cloudfront/distribution:Distribution",
    waf: "aws:wafv2/webAcl:WebAcl",
    scaling: "aws:appautoscaling/target:Target",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    rule: "aws:lb/listenerRule:ListenerRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
};

/** A stack run whose resources a fixture may change. */
interface Run {
    stack: string;
    resources: RegisteredResource[];
}

/** The one resource of `type` whose name contains `nameIncludes` (a fixture bug otherwise). */
function res(run: Run, type: string, nameIncludes = ""): RegisteredResource {
    const found = run.resources.filter((r) => r.type === type && r.name.includes(nameIncludes));
    assert.strictEqual(found.length, 1, `fixture expects one ${type} *${nameIncludes}*, found ${found.length}`);
    return found[0];
}

/** Registers an extra resource, as a program change would. */
function add(run: Run, type: string, name: string, inputs: Record<string, any>, dependencies: string[] = []): RegisteredResource {
    const r: RegisteredResource = {
        urn: `urn:pulumi:${run.stack}::onehub::${type}::${name}`,
        type,
        name,
        parent: "",
        custom: true,
        inputs,
        secretPaths: [],
        dependencies,
        ...NO_RESOURCE_OPTIONS,
    };
    run.resources.push(r);
    return r;
}

function remove(run: Run, r: RegisteredResource): void {
    run.resources.splice(run.resources.indexOf(r), 1);
}

/** Edits every container of the task definitions whose names contain one of `names`. */
function editContainers(run: Run, names: string[], edit: (c: any) => void): void {
    for (const name of names) {
        const task = res(run, T.task, name);
        const defs = JSON.parse(task.inputs.containerDefinitions);
        defs.forEach(edit);
        task.inputs.containerDefinitions = JSON.stringify(defs);
    }
}

function setEnv(container: any, name: string, value: string | undefined): void {
    container.environment = container.environment.filter((e: any) => e.name !== name);
    if (value !== undefined) {
        container.environment.push({ name, value });
    }
}

/** The web ACL rule named `name`. */
function wafRule(run: Run, name: string): any {
    const rule = res(run, T.waf).inputs.rules.find((r: any) => r.name === name);
    assert.ok(rule, `no web ACL rule ${name}`);
    return rule;
}

/** A policy document of one Allow statement. */
const allow = (action: string | string[], resource: string | string[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource, ...extra }] });

/** Replaces the trust policy of the one role whose name contains `nameIncludes`. */
function setTrust(run: Run, nameIncludes: string, statement: Record<string, unknown>): void {
    res(run, T.role, nameIncludes).inputs.assumeRolePolicy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", ...statement }],
    });
}

/** Gives the role whose name contains `nameIncludes` an extra role policy, as another RolePolicy would. */
function addRolePolicy(run: Run, nameIncludes: string, name: string, document: string): void {
    const role = res(run, T.role, nameIncludes);
    add(run, T.rolePolicy, name, { role: `${role.name}-id`, policy: document }, [role.urn]);
}

const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret/${name}`;
const BOTH = ["-master-task", "-slave-task"];
const SLAVE = ["-slave-task"];
const MASTER = ["-master-task"];

interface Fixture {
    /** The policy this fixture is about. */
    policy: string;
    title: string;
    base: "dev" | "prod";
    mutate: (run: Run) => void;
    /** Exactly the policies that must report; default [policy]. [] proves an allowed variant passes. */
    fires?: string[];
    /** Matches one of `policy`'s messages when it fires. */
    message?: RegExp;
    /** Matches no message of any policy (a secret value must never be echoed). */
    forbid?: RegExp;
    options?: EvaluateOptions;
}

const PROD_POLICIES = [
    "prod-waf-attached",
    "prod-aurora-reader-in-other-az",
    "prod-aurora-backup-retention",
    "prod-aurora-deletion-protection",
    "prod-ecs-container-insights",
    "prod-viewer-tls-custom-domain",
];

/** The policies that only report: everything else blocks. */
const ADVISORY_POLICIES = ["prod-viewer-tls-custom-domain"];

const FIXTURES: Fixture[] = [
    {
        policy: "no-world-open-ingress",
        title: "an ingress rule from 0.0.0.0/0",
        base: "dev",
        mutate: (run) =>
            add(run, T.ingress, "open", {
                securityGroupId: "onehub-dev-master-sg-id",
                cidrIpv4: "0.0.0.0/0",
                ipProtocol: "tcp",
                fromPort: 3000,
                toPort: 3000,
            }),
        message: /0\.0\.0\.0\/0/,
    },
    {
        policy: "no-world-open-ingress",
        title: "inline ingress from ::/0 on a security group",
        base: "dev",
        mutate: (run) => {
            res(run, T.sg, "-master-sg").inputs.ingress = [{ protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] }];
        },
        message: /inline ingress from ::\/0/,
    },
    {
        policy: "no-world-open-ingress",
        title: "a legacy SecurityGroupRule of type ingress from 0.0.0.0/0",
        base: "dev",
        mutate: (run) =>
            add(run, T.sgRule, "legacy", {
                type: "ingress",
                securityGroupId: "onehub-dev-master-sg-id",
                cidrBlocks: ["0.0.0.0/0"],
                protocol: "tcp",
                fromPort: 22,
                toPort: 22,
            }),
    },
    {
        policy: "no-world-open-ingress",
        title: "0.0.0.0/1 and 128.0.0.0/1 in one rule (as wide as 0.0.0.0/0)",
        base: "dev",
        mutate: (run) =>
            add(run, T.sgRule, "halves", {
                type: "ingress",
                securityGroupId: "sg-0other",
                cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"],
                protocol: "tcp",
                fromPort: 22,
                toPort: 22,
            }),
        message: /"0\.0\.0\.0\/1", "128\.0\.0\.0\/1" together opens the group to the whole internet, as 0\.0\.0\.0\/0 would/,
    },
    {
        policy: "no-world-open-ingress",
        title: "every public range but 10.0.0.0/8 (the private ranges do not count as a gap)",
        base: "dev",
        mutate: (run) =>
            add(run, T.sgRule, "all-but-ten", {
                type: "ingress",
                securityGroupId: "sg-0other",
                cidrBlocks: ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2", "128.0.0.0/1"],
                protocol: "tcp",
                fromPort: 443,
                toPort: 443,
            }),
        message: /together opens the group to the whole internet/,
    },
    {
        policy: "no-world-open-ingress",
        title: "inline ::/1 and 8000::/1 on another security group",
        base: "prod",
        mutate: (run) =>
            add(run, T.sg, "bastion-sg", {
                vpcId: "vpc-0123456789abcdef0",
                ingress: [
                    { protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/1"] },
                    { protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["8000::/1"] },
                ],
            }),
        message: /inline ingress from "::\/1", "8000::\/1" together .* as ::\/0 would/,
    },
    {
        policy: "no-world-open-ingress",
        title: "0.0.0.0/1 and 128.0.0.0/2 leave a quarter of the internet out and pass",
        base: "dev",
        mutate: (run) =>
            add(run, T.sgRule, "three-quarters", {
                type: "ingress",
                securityGroupId: "sg-0other",
                cidrBlocks: ["0.0.0.0/1", "128.0.0.0/2"],
                protocol: "tcp",
                fromPort: 22,
                toPort: 22,
            }),
        fires: [],
    },
    {
        policy: "no-world-open-ingress-combined",
        title: "0.0.0.0/1 and 128.0.0.0/1 in two rules on the same group",
        base: "dev",
        mutate: (run) => {
            for (const [i, cidr] of ["0.0.0.0/1", "128.0.0.0/1"].entries()) {
                add(run, T.ingress, `half-${i}`, {
                    securityGroupId: "sg-0other",
                    cidrIpv4: cidr,
                    ipProtocol: "tcp",
                    fromPort: 22,
                    toPort: 22,
                });
            }
        },
        message: /half-0, half-1 together admit "0\.0\.0\.0\/1", "128\.0\.0\.0\/1" into security group sg-0other: the whole internet/,
    },
    {
        policy: "no-world-open-ingress-combined",
        title: "four /2 rules on the same group",
        base: "prod",
        mutate: (run) => {
            for (const [i, cidr] of ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"].entries()) {
                add(run, T.ingress, `quarter-${i}`, { securityGroupId: "sg-0other", cidrIpv4: cidr, ipProtocol: "-1" });
            }
        },
        message: /as 0\.0\.0\.0\/0 would/,
    },
    {
        policy: "no-world-open-ingress-combined",
        title: "::/1 and 8000::/1 in two rules on the same group",
        base: "dev",
        mutate: (run) => {
            for (const [i, cidr] of ["::/1", "8000::/1"].entries()) {
                add(run, T.ingress, `v6-half-${i}`, {
                    securityGroupId: "sg-0other",
                    cidrIpv6: cidr,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                });
            }
        },
        message: /as ::\/0 would/,
    },
    {
        policy: "no-world-open-ingress-combined",
        title: "the two halves on different groups pass",
        base: "dev",
        mutate: (run) => {
            for (const [i, cidr] of ["0.0.0.0/1", "128.0.0.0/1"].entries()) {
                add(run, T.ingress, `half-${i}`, {
                    securityGroupId: `sg-0other${i}`,
                    cidrIpv4: cidr,
                    ipProtocol: "tcp",
                    fromPort: 22,
                    toPort: 22,
                });
            }
        },
        fires: [],
    },
    {
        policy: "no-public-cidr-ingress",
        title: "a public range into the slave tasks' group",
        base: "dev",
        mutate: (run) =>
            add(run, T.ingress, "office-to-slaves", {
                securityGroupId: "onehub-dev-slave-sg-id",
                cidrIpv4: "203.0.113.0/24",
                ipProtocol: "tcp",
                fromPort: 3000,
                toPort: 3000,
            }),
        message:
            /admits the public range 203\.0\.113\.0\/24 into the security group of the tasks of onehub-dev-slave-service; tasks admit only the ALB's security group/,
    },
    {
        policy: "no-public-cidr-ingress",
        title: "a public address into the database group (which admits only task groups anyway)",
        base: "prod",
        mutate: (run) =>
            add(run, T.ingress, "laptop-to-db", {
                securityGroupId: "onehub-prod-db-sg-id",
                cidrIpv4: "198.51.100.7/32",
                ipProtocol: "tcp",
                fromPort: 3306,
                toPort: 3306,
            }),
        fires: ["db-ingress-only-from-tasks", "no-public-cidr-ingress"],
        message: /public range 198\.51\.100\.7\/32 into the security group of the database/,
    },
    {
        policy: "no-public-cidr-ingress",
        title: "an inline public IPv6 range on the ALB's group",
        base: "dev",
        mutate: (run) => {
            res(run, T.sg, "-edge-alb-sg").inputs.ingress = [
                { protocol: "tcp", fromPort: 80, toPort: 80, ipv6CidrBlocks: ["2001:db8::/32"] },
            ];
        },
        fires: ["alb-ingress-only-from-cloudfront", "no-public-cidr-ingress"],
        message: /public range 2001:db8::\/32 into the security group of the ALB onehub-dev-edge-alb; only CloudFront's prefix list/,
    },
    {
        policy: "no-public-cidr-ingress",
        title: "a private, CGNAT or link-local range into a task group is not public and passes",
        base: "dev",
        mutate: (run) => {
            for (const [i, cidr] of ["10.0.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "172.31.0.0/16"].entries()) {
                add(run, T.ingress, `private-${i}`, {
                    securityGroupId: "onehub-dev-master-sg-id",
                    cidrIpv4: cidr,
                    ipProtocol: "tcp",
                    fromPort: 3000,
                    toPort: 3000,
                });
            }
        },
        fires: [],
    },
    {
        policy: "alb-internal",
        title: "an internet-facing ALB",
        base: "dev",
        mutate: (run) => {
            res(run, T.lb).inputs.internal = false;
        },
    },
    {
        policy: "alb-internal",
        title: "an ALB without `internal` (AWS default: internet-facing)",
        base: "prod",
        mutate: (run) => {
            delete res(run, T.lb).inputs.internal;
        },
    },
    {
        policy: "alb-ingress-only-from-cloudfront",
        title: "the CloudFront rule replaced by a private CIDR",
        base: "dev",
        mutate: (run) => {
            const rule = res(run, T.ingress, "-from-cloudfront").inputs;
            delete rule.prefixListId;
            rule.cidrIpv4 = "10.0.0.0/8";
        },
        message: /admits "10\.0\.0\.0\/8"/,
    },
    {
        policy: "alb-ingress-only-from-cloudfront",
        title: "the ALB's own group admitting the tasks' group",
        base: "dev",
        mutate: (run) =>
            add(run, T.ingress, "tasks-to-alb", {
                securityGroupId: "onehub-dev-edge-alb-sg-id",
                referencedSecurityGroupId: "onehub-dev-master-sg-id",
                ipProtocol: "tcp",
                fromPort: 80,
                toPort: 80,
            }),
        message: /admits security group "onehub-dev-master-sg-id"/,
    },
    {
        policy: "alb-ingress-only-from-cloudfront",
        title: "no prefix-list rule at all",
        base: "prod",
        mutate: (run) => remove(run, res(run, T.ingress, "-from-cloudfront")),
        message: /cannot reach it/,
    },
    {
        policy: "alb-ingress-only-from-cloudfront",
        title: "inline CIDR ingress on an ALB group (matched through the ALB's dependency)",
        base: "dev",
        mutate: (run) => {
            res(run, T.sg, "-edge-alb-sg").inputs.ingress = [{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["10.1.0.0/16"] }];
        },
        message: /admits "10\.1\.0\.0\/16"/,
    },
    {
        policy: "alb-ingress-only-from-cloudfront",
        title: "a configured CloudFront VPC origins group is allowed",
        base: "dev",
        mutate: (run) =>
            add(run, T.ingress, "vpc-origins", {
                securityGroupId: "onehub-dev-edge-cloudfront-sg-id",
                referencedSecurityGroupId: "sg-0vpcorigins",
                ipProtocol: "tcp",
                fromPort: 80,
                toPort: 80,
            }),
        options: { config: { "alb-ingress-only-from-cloudfront": { allowedSourceSecurityGroupIds: ["sg-0vpcorigins"] } } },
        fires: [],
    },
    {
        policy: "alb-ingress-only-from-cloudfront",
        title: "a customer-managed prefix list instead of CloudFront's",
        base: "dev",
        mutate: (run) => {
            res(run, T.ingress, "-from-cloudfront").inputs.prefixListId = "pl-0123456789abcdef0";
        },
        message:
            /admits prefix list "pl-0123456789abcdef0" into onehub-dev-edge-alb's security group, which is not CloudFront's origin-facing list/,
    },
    {
        policy: "alb-ingress-only-from-cloudfront",
        title: "us-east-1's CloudFront list named in a rule in eu-west-1",
        base: "dev",
        mutate: (run) => {
            res(run, T.ingress, "-from-cloudfront").inputs.region = "eu-west-1";
        },
        message: /"pl-3b927c52" .* which is not CloudFront's origin-facing list in eu-west-1 \(pl-4fa04526\)/,
    },
    {
        policy: "alb-ingress-only-from-cloudfront",
        title: "eu-west-1's own CloudFront list in eu-west-1 passes",
        base: "prod",
        mutate: (run) => {
            const rule = res(run, T.ingress, "-from-cloudfront").inputs;
            rule.region = "eu-west-1";
            rule.prefixListId = "pl-4fa04526";
        },
        fires: [],
    },
    {
        policy: "alb-ingress-only-from-cloudfront",
        title: "a region the pack's table lacks, without allowedPrefixListIds",
        base: "dev",
        mutate: (run) => {
            res(run, T.ingress, "-from-cloudfront").inputs.region = "ap-east-1";
        },
        message: /not in the pack's table: set allowedPrefixListIds/,
    },
    {
        policy: "alb-ingress-only-from-cloudfront",
        title: "allowedPrefixListIds replaces the table",
        base: "dev",
        mutate: () => undefined,
        options: { config: { "alb-ingress-only-from-cloudfront": { allowedPrefixListIds: ["pl-0feedc0ffee000000"] } } },
        message: /"pl-3b927c52" .* which is not the configured allowedPrefixListIds \(pl-0feedc0ffee000000\)/,
    },
    {
        policy: "alb-ingress-only-from-cloudfront",
        title: "a configured prefix list passes",
        base: "dev",
        mutate: (run) => {
            res(run, T.ingress, "-from-cloudfront").inputs.prefixListId = "pl-0feedc0ffee000000";
        },
        options: { config: { "alb-ingress-only-from-cloudfront": { allowedPrefixListIds: ["pl-0feedc0ffee000000"] } } },
        fires: [],
    },
    {
        policy: "db-storage-encrypted",
        title: "an unencrypted Aurora cluster",
        base: "dev",
        mutate: (run) => {
            res(run, T.cluster).inputs.storageEncrypted = false;
        },
    },
    {
        policy: "db-storage-encrypted",
        title: "an Aurora cluster without storageEncrypted (AWS default: unencrypted)",
        base: "prod",
        mutate: (run) => {
            delete res(run, T.cluster).inputs.storageEncrypted;
        },
    },
    {
        policy: "db-storage-encrypted",
        title: "an extra RDS instance without encryption",
        base: "dev",
        mutate: (run) => add(run, T.rdsInstance, "side-db", { engine: "mysql", instanceClass: "db.t4g.micro", publiclyAccessible: false }),
    },
    {
        policy: "db-not-publicly-accessible",
        title: "a publicly accessible writer",
        base: "dev",
        mutate: (run) => {
            res(run, T.instance, "-writer").inputs.publiclyAccessible = true;
        },
    },
    {
        policy: "db-ingress-only-from-tasks",
        title: "the master's database rule replaced by a CIDR",
        base: "dev",
        mutate: (run) => {
            const rule = res(run, T.ingress, "-master-to-db").inputs;
            delete rule.referencedSecurityGroupId;
            rule.cidrIpv4 = "10.0.0.0/16";
        },
        message: /admits "10\.0\.0\.0\/16"/,
    },
    {
        policy: "db-ingress-only-from-tasks",
        title: "the database admitting the ALB's group",
        base: "prod",
        mutate: (run) =>
            add(run, T.ingress, "alb-to-db", {
                securityGroupId: "onehub-prod-db-sg-id",
                referencedSecurityGroupId: "onehub-prod-edge-alb-sg-id",
                ipProtocol: "tcp",
                fromPort: 3306,
                toPort: 3306,
            }),
        message: /which no ECS service uses/,
    },
    {
        policy: "db-ingress-only-from-tasks",
        title: "inline prefix-list ingress on the database group",
        base: "dev",
        mutate: (run) => {
            res(run, T.sg, "-db-sg").inputs.ingress = [{ protocol: "tcp", fromPort: 3306, toPort: 3306, prefixListIds: ["pl-0123"] }];
        },
        message: /admits prefix list "pl-0123"/,
    },
    {
        policy: "db-ingress-only-from-tasks",
        title: "a cluster on the VPC's default group",
        base: "dev",
        mutate: (run) => {
            delete res(run, T.cluster).inputs.vpcSecurityGroupIds;
        },
        message: /default group/,
    },
    {
        policy: "ecs-tasks-no-public-ip",
        title: "tasks with public IPs",
        base: "dev",
        mutate: (run) => {
            res(run, T.service, "-master-").inputs.networkConfiguration.assignPublicIp = true;
        },
    },
    {
        policy: "secrets-not-in-environment",
        title: "an API key in plain environment",
        base: "dev",
        mutate: (run) => editContainers(run, MASTER, (c) => setEnv(c, "OPENAI_API_KEY", "sk-not-a-real-key")),
        message: /OPENAI_API_KEY/,
        forbid: /sk-not-a-real-key/,
    },
    {
        policy: "secrets-not-in-environment",
        title: "SQL_DSN in plain environment (besides secrets)",
        base: "prod",
        mutate: (run) => editContainers(run, SLAVE, (c) => setEnv(c, "SQL_DSN", "onehub:pw@tcp(db:3306)/onehub")),
        message: /SQL_DSN in plain environment/,
    },
    {
        policy: "secrets-not-in-environment",
        title: "a DSN with a password under an innocent name",
        base: "dev",
        mutate: (run) => editContainers(run, MASTER, (c) => setEnv(c, "DATABASE_URL", "onehub:pw@tcp(db:3306)/onehub")),
        message: /DSN with a password in DATABASE_URL/,
    },
    {
        policy: "secrets-not-in-environment",
        title: "a proxy URL with a password under an innocent name (never echoed)",
        base: "dev",
        mutate: (run) => editContainers(run, SLAVE, (c) => setEnv(c, "TG_HTTP_PROXY", "http://relay:hunter2-secret@proxy.example:3128")),
        message: /container onehub has a URL with a password in TG_HTTP_PROXY; pass it through ECS secrets/,
        forbid: /hunter2-secret/,
    },
    {
        policy: "secrets-not-in-environment",
        title: "a Redis URL with only a password",
        base: "prod",
        mutate: (run) => editContainers(run, BOTH, (c) => setEnv(c, "CACHE_URL", "rediss://:s3cr3t-value@cache.example:6379/0")),
        message: /a URL with a password in CACHE_URL/,
        forbid: /s3cr3t-value/,
    },
    {
        policy: "secrets-not-in-environment",
        title: "a PEM private key in plain environment",
        base: "dev",
        mutate: (run) =>
            editContainers(run, MASTER, (c) =>
                setEnv(c, "SIGNING_PEM", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow-not-a-real-key\n-----END RSA PRIVATE KEY-----"),
            ),
        message: /a PEM private key in SIGNING_PEM/,
        forbid: /MIIEow-not-a-real-key/,
    },
    {
        policy: "secrets-not-in-environment",
        title: "names ending in _PASS or _AUTH",
        base: "dev",
        mutate: (run) =>
            editContainers(run, MASTER, (c) => {
                setEnv(c, "SMTP_PASS", "x");
                setEnv(c, "PROXY_AUTH", "y");
            }),
        message: /SMTP_PASS in plain environment/,
    },
    {
        policy: "secrets-not-in-environment",
        title: "a URL without a password and a proxy with a port pass",
        base: "dev",
        mutate: (run) =>
            editContainers(run, BOTH, (c) => {
                setEnv(c, "SEARCH_SEARXNG_URL", "https://search.example/?q=a:b@c");
                setEnv(c, "TG_HTTP_PROXY", "http://proxy.example:3128");
            }),
        fires: [],
    },
    {
        policy: "secrets-not-in-environment",
        title: "OneHub's TIKTOKEN_CACHE_DIR is not a token and passes",
        base: "dev",
        mutate: (run) => editContainers(run, BOTH, (c) => setEnv(c, "TIKTOKEN_CACHE_DIR", "/data/tiktoken")),
        fires: [],
    },
    {
        policy: "secrets-from-secrets-manager",
        title: "USER_TOKEN_SECRET missing from secrets on every node",
        base: "dev",
        mutate: (run) => editContainers(run, BOTH, (c) => (c.secrets = c.secrets.filter((s: any) => s.name !== "USER_TOKEN_SECRET"))),
        message: /does not get USER_TOKEN_SECRET/,
    },
    {
        policy: "secrets-from-secrets-manager",
        title: "a secret whose valueFrom is not an ARN",
        base: "dev",
        mutate: (run) =>
            editContainers(run, BOTH, (c) => (c.secrets.find((s: any) => s.name === "SESSION_SECRET").valueFrom = "plain-value")),
        message: /not a Secrets Manager or SSM ARN/,
    },
    {
        policy: "secret-read-scoped",
        title: 'GetSecretValue on Resource "*"',
        base: "dev",
        mutate: (run) => {
            const policy = res(run, T.rolePolicy, "-master-execution");
            const doc = JSON.parse(policy.inputs.policy);
            doc.Statement[0].Resource = "*";
            policy.inputs.policy = JSON.stringify(doc);
        },
        message: /every secret/,
    },
    {
        policy: "secret-read-scoped",
        title: "secretsmanager:* on every secret of the account",
        base: "prod",
        mutate: (run) => {
            const policy = res(run, T.rolePolicy, "-slave-execution");
            const doc = JSON.parse(policy.inputs.policy);
            doc.Statement[0] = {
                Effect: "Allow",
                Action: "secretsmanager:*",
                Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
            };
            policy.inputs.policy = JSON.stringify(doc);
        },
    },
    {
        policy: "secret-read-scoped",
        title: "SecretsManagerReadWrite attached to an execution role",
        base: "dev",
        mutate: (run) =>
            add(run, T.attachment, "broad", {
                role: "onehub-dev-master-execution-id",
                policyArn: "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
            }),
        message: /SecretsManagerReadWrite/,
    },
    {
        policy: "secret-read-scoped",
        title: "PutSecretValue on arn:aws:secretsmanager:*:*:secret:* in a customer-managed policy",
        base: "dev",
        mutate: (run) =>
            add(run, T.iamPolicy, "rotator", { policy: allow("secretsmanager:PutSecretValue", "arn:aws:secretsmanager:*:*:secret:*") }),
        message: /allows "secretsmanager:PutSecretValue" on every secret \(arn:aws:secretsmanager:\*:\*:secret:\*\)/,
    },
    {
        policy: "secret-read-scoped",
        title: "DescribeSecret on the account's secret:* in a role's inline policy",
        base: "prod",
        mutate: (run) => {
            res(run, T.role, "-master-gate-role").inputs.inlinePolicies = [
                { name: "peek", policy: allow("secretsmanager:DescribeSecret", "arn:aws:secretsmanager:us-east-1:123456789012:secret:*") },
            ];
        },
        message: /inline policy peek allows "secretsmanager:DescribeSecret" on every secret/,
    },
    {
        policy: "secret-read-scoped",
        title: "ListSecrets on * (AWS grants it on * only) and secrets under a name prefix pass",
        base: "dev",
        mutate: (run) =>
            add(run, T.iamPolicy, "lister", {
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: "secretsmanager:ListSecrets", Resource: "*" },
                        {
                            Effect: "Allow",
                            Action: "secretsmanager:DescribeSecret",
                            Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:onehub/*",
                        },
                    ],
                }),
            }),
        fires: [],
    },
    {
        policy: "ecs-roles-trust-only-ecs-tasks",
        title: "a task role anyone may assume",
        base: "dev",
        mutate: (run) => setTrust(run, "-master-task", { Principal: { AWS: "*" } }),
        message:
            /onehub-dev-master-task \(the task role of onehub-dev-master-task\): its trust policy lets anyone assume it \(Principal AWS "\*"\)/,
    },
    {
        policy: "ecs-roles-trust-only-ecs-tasks",
        title: "an execution role that also trusts another account",
        base: "prod",
        mutate: (run) =>
            setTrust(run, "-slave-execution", { Principal: { Service: "ecs-tasks.amazonaws.com", AWS: "arn:aws:iam::210987654321:root" } }),
        message: /the execution role of onehub-prod-slave-task\): its trust policy trusts AWS arn:aws:iam::210987654321:root/,
    },
    {
        policy: "ecs-roles-trust-only-ecs-tasks",
        title: "a task role that Lambda may assume too",
        base: "dev",
        mutate: (run) => setTrust(run, "-slave-task", { Principal: { Service: ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"] } }),
        message: /trusts Service lambda\.amazonaws\.com; only the ecs-tasks\.amazonaws\.com service/,
    },
    {
        policy: "ecs-roles-trust-only-ecs-tasks",
        title: "NotPrincipal in a trust policy",
        base: "dev",
        mutate: (run) => setTrust(run, "-master-execution", { NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" } }),
        message: /NotPrincipal/,
    },
    {
        policy: "ecs-roles-trust-only-ecs-tasks",
        title: "aws:SourceAccount naming another account",
        base: "dev",
        mutate: (run) =>
            setTrust(run, "-master-task", {
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Condition: { StringEquals: { "aws:SourceAccount": "210987654321" } },
            }),
        message: /aws:SourceAccount "210987654321" is not this account \(123456789012\)/,
    },
    {
        policy: "ecs-roles-trust-only-ecs-tasks",
        title: "aws:SourceArn in another account",
        base: "prod",
        mutate: (run) =>
            setTrust(run, "-master-execution", {
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Condition: { ArnLike: { "aws:SourceArn": "arn:aws:ecs:us-east-1:210987654321:*" } },
            }),
        message: /aws:SourceArn "arn:aws:ecs:us-east-1:210987654321:\*" is not this account/,
    },
    {
        policy: "ecs-roles-trust-only-ecs-tasks",
        title: "aws:SourceAccount naming this account passes",
        base: "dev",
        mutate: (run) =>
            setTrust(run, "-master-task", {
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
            }),
        fires: [],
    },
    {
        policy: "ecs-roles-trust-only-ecs-tasks",
        title: "a task role without a source condition (the confused deputy)",
        base: "prod",
        mutate: (run) => setTrust(run, "-slave-task", { Principal: { Service: "ecs-tasks.amazonaws.com" } }),
        message:
            /onehub-prod-slave-task \(the task role of onehub-prod-slave-task\): its trust policy has no enforced aws:SourceAccount or aws:SourceArn condition naming this account/,
    },
    {
        policy: "ecs-roles-trust-only-ecs-tasks",
        title: "a task role whose source condition is only …IfExists",
        base: "dev",
        mutate: (run) =>
            setTrust(run, "-master-task", {
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Condition: { StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } },
            }),
        message: /no enforced aws:SourceAccount or aws:SourceArn condition/,
    },
    {
        policy: "ecs-roles-trust-only-ecs-tasks",
        title: "an execution role without a source condition",
        base: "dev",
        mutate: (run) => setTrust(run, "-slave-execution", { Principal: { Service: "ecs-tasks.amazonaws.com" } }),
        message:
            /the execution role of onehub-dev-slave-task\): its trust policy has no aws:SourceAccount or aws:SourceArn condition naming this account/,
    },
    {
        policy: "ecs-roles-trust-only-ecs-tasks",
        title: "an execution role with aws:SourceArn of this account's ECS tasks passes",
        base: "dev",
        mutate: (run) =>
            setTrust(run, "-master-execution", {
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Condition: { ArnLike: { "aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*" } },
            }),
        fires: [],
    },
    {
        policy: "task-role-no-secret-access",
        title: "the master's task role may read a secret",
        base: "dev",
        mutate: (run) =>
            addRolePolicy(run, "-master-task", "read-dsn", allow("secretsmanager:GetSecretValue", secretArn("onehub-dev-sql-dsn-AbCdEf"))),
        message:
            /onehub-dev-master-task \(the task role of onehub-dev-master-task\): role policy read-dsn allows "secretsmanager:GetSecretValue"; secrets reach the container through ECS secrets/,
    },
    {
        policy: "task-role-no-secret-access",
        title: "the slaves' task role may read SSM parameters",
        base: "prod",
        mutate: (run) => {
            res(run, T.role, "-slave-task").inputs.inlinePolicies = [
                { name: "params", policy: allow("ssm:GetParameter*", "arn:aws:ssm:us-east-1:123456789012:parameter/onehub/*") },
            ];
        },
        message: /inline policy params allows ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath, ssm:GetParameterHistory/,
    },
    {
        policy: "task-role-no-secret-access",
        title: "kms:Decrypt on every key",
        base: "dev",
        mutate: (run) => addRolePolicy(run, "-slave-task", "decrypt", allow("kms:Decrypt", "*")),
        message: /allows kms:Decrypt on "\*"; the task role may use only the ECS Exec key/,
    },
    {
        policy: "task-role-no-secret-access",
        title: "kms:Decrypt on the configured ECS Exec key passes",
        base: "dev",
        mutate: (run) =>
            addRolePolicy(
                run,
                "-slave-task",
                "exec-key",
                allow(["kms:Decrypt", "kms:GenerateDataKey"], "arn:aws:kms:us-east-1:123456789012:key/exec"),
            ),
        options: { config: { "task-role-no-secret-access": { ecsExecKmsKeyArns: ["arn:aws:kms:us-east-1:123456789012:key/exec"] } } },
        fires: [],
    },
    {
        policy: "task-role-no-secret-access",
        title: "kms:Decrypt on the stack cluster's own ECS Exec key passes without config",
        base: "dev",
        mutate: (run) => {
            const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            res(run, T.ecsCluster).inputs.configuration.executeCommandConfiguration.kmsKeyId = key;
            addRolePolicy(run, "-slave-task", "exec-key", allow("kms:Decrypt", key));
        },
        fires: [],
    },
    {
        policy: "task-role-no-secret-access",
        title: "kms:Decrypt on another key than the cluster's ECS Exec key",
        base: "dev",
        mutate: (run) => {
            res(run, T.ecsCluster).inputs.configuration.executeCommandConfiguration.kmsKeyId =
                "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            addRolePolicy(run, "-slave-task", "other-key", allow("kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/other"));
        },
        message: /allows kms:Decrypt on "arn:aws:kms:us-east-1:123456789012:key\/other"/,
    },
    {
        policy: "task-role-no-secret-access",
        title: "AmazonSSMManagedInstanceCore attached to a task role",
        base: "prod",
        mutate: (run) => {
            const role = res(run, T.role, "-slave-task");
            add(
                run,
                T.attachment,
                "ssm-core",
                { role: `${role.name}-id`, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" },
                [role.urn],
            );
        },
        message: /gets arn:aws:iam::aws:policy\/AmazonSSMManagedInstanceCore, which reads secrets, SSM parameters or KMS keys/,
    },
    {
        policy: "task-role-no-secret-access",
        title: "a customer-managed policy of the stack attached to a task role",
        base: "dev",
        mutate: (run) => {
            const role = res(run, T.role, "-master-task");
            const reader = add(run, T.iamPolicy, "reader", {
                policy: allow("secretsmanager:GetSecretValue", secretArn("onehub-dev-session-secret-AbCdEf")),
            });
            add(run, T.attachment, "reader-to-task", { role: `${role.name}-id`, policyArn: "arn:aws:iam::123456789012:policy/reader" }, [
                role.urn,
                reader.urn,
            ]);
        },
        message: /policy reader allows "secretsmanager:GetSecretValue"/,
    },
    {
        policy: "task-role-not-execution-role",
        title: "one role as the master's task and execution role (so the task role reads secrets too)",
        base: "dev",
        mutate: (run) => {
            const task = res(run, T.task, "-master-task").inputs;
            task.taskRoleArn = task.executionRoleArn;
        },
        // The execution role's trust (…IfExists) is not enough for a task role either.
        fires: ["ecs-roles-trust-only-ecs-tasks", "task-role-no-secret-access", "task-role-not-execution-role"],
        message: /as both task role and execution role/,
    },
    {
        policy: "sql-dsn-format",
        title: "a DSN with parseTime",
        base: "dev",
        mutate: (run) => {
            res(run, T.secretVersion, "-sql-dsn").inputs.secretString += "?parseTime=true";
        },
        message: /parseTime/,
    },
    {
        policy: "sql-dsn-format",
        title: "a password with # (never echoed)",
        base: "prod",
        mutate: (run) => {
            res(run, T.secretVersion, "-sql-dsn").inputs.secretString = "onehub:pa#ss-w0rd@tcp(db.example:3306)/onehub";
        },
        message: /password contains/,
        forbid: /pa#ss-w0rd/,
    },
    {
        policy: "sql-dsn-format",
        title: "a DSN without user:pass",
        base: "dev",
        mutate: (run) => {
            res(run, T.secretVersion, "-sql-dsn").inputs.secretString = "onehub@tcp(db.example:3306)/onehub";
        },
        message: /not user:pass@tcp/,
    },
    {
        policy: "cloudfront-viewer-https",
        title: "plain HTTP allowed on /assets/*",
        base: "dev",
        mutate: (run) => {
            res(run, T.cdn).inputs.orderedCacheBehaviors[0].viewerProtocolPolicy = "allow-all";
        },
        message: /\/assets\/\*/,
    },
    {
        policy: "cloudfront-tls-minimum",
        title: "a custom certificate without a minimum protocol (AWS default TLSv1)",
        base: "dev",
        mutate: (run) => {
            res(run, T.cdn).inputs.viewerCertificate = {
                acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                sslSupportMethod: "sni-only",
            };
        },
        message: /TLSv1;/,
    },
    {
        policy: "cloudfront-tls-minimum",
        title: "TLSv1.2_2025 is newer than the minimum and passes",
        base: "dev",
        mutate: (run) => {
            res(run, T.cdn).inputs.viewerCertificate = {
                acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                sslSupportMethod: "sni-only",
                minimumProtocolVersion: "TLSv1.2_2025",
            };
        },
        fires: [],
    },
    {
        policy: "waf-cloudfront-scope",
        title: "a REGIONAL web ACL",
        base: "prod",
        mutate: (run) => {
            res(run, T.waf).inputs.scope = "REGIONAL";
        },
    },
    {
        policy: "waf-cloudfront-scope",
        title: "a web ACL outside us-east-1",
        base: "prod",
        mutate: (run) => {
            res(run, T.waf).inputs.region = "eu-west-1";
        },
    },
    {
        policy: "waf-body-size-counted",
        title: "the common rule set blocking large bodies",
        base: "prod",
        mutate: (run) => {
            const common = res(run, T.waf).inputs.rules.find(
                (r: any) => r.statement.managedRuleGroupStatement?.name === "AWSManagedRulesCommonRuleSet",
            );
            delete common.statement.managedRuleGroupStatement.ruleActionOverrides;
        },
        message: /SizeRestrictions_BODY/,
    },
    {
        policy: "waf-body-size-counted",
        title: "no common rule set",
        base: "prod",
        mutate: (run) => {
            const acl = res(run, T.waf).inputs;
            acl.rules = acl.rules.filter((r: any) => r.statement.managedRuleGroupStatement?.name !== "AWSManagedRulesCommonRuleSet");
        },
        message: /does not run AWSManagedRulesCommonRuleSet/,
    },
    {
        policy: "waf-rules-not-in-count-mode",
        title: "the common rule set in count mode",
        base: "prod",
        mutate: (run) => {
            wafRule(run, "aws-AWSManagedRulesCommonRuleSet").overrideAction = { count: {} };
        },
        message: /rule aws-AWSManagedRulesCommonRuleSet runs AWS's AWSManagedRulesCommonRuleSet in count mode/,
    },
    {
        policy: "waf-rules-not-in-count-mode",
        title: "the login rate limit only counting",
        base: "prod",
        mutate: (run) => {
            wafRule(run, "rate-limit-login").action = { count: {} };
        },
        message: /rate-based rule rate-limit-login only counts/,
    },
    {
        policy: "waf-rules-not-in-count-mode",
        title: "a header rule overridden to count",
        base: "prod",
        mutate: (run) => {
            wafRule(run, "aws-AWSManagedRulesCommonRuleSet").statement.managedRuleGroupStatement.ruleActionOverrides.push({
                name: "NoUserAgent_HEADER",
                actionToUse: { count: {} },
            });
        },
        message: /overrides NoUserAgent_HEADER to count; only the body rules may count/,
    },
    {
        policy: "waf-rules-not-in-count-mode",
        title: "a managed rule overridden to allow",
        base: "prod",
        mutate: (run) => {
            wafRule(run, "aws-AWSManagedRulesKnownBadInputsRuleSet").statement.managedRuleGroupStatement.ruleActionOverrides = [
                { name: "Log4JRCE_QUERYSTRING", actionToUse: { allow: {} } },
            ];
        },
        message: /overrides Log4JRCE_QUERYSTRING to allow/,
    },
    {
        policy: "waf-rules-not-in-count-mode",
        title: "a counted body rule without the rule that blocks its label",
        base: "prod",
        mutate: (run) => {
            const acl = res(run, T.waf).inputs;
            acl.rules = acl.rules.filter((r: any) => r.name !== "body-rules-outside-prompt-paths");
        },
        message:
            /rule aws-AWSManagedRulesCommonRuleSet counts SizeRestrictions_BODY, and no later rule blocks its label awswaf:managed:aws:core-rule-set:SizeRestrictions_Body/,
    },
    {
        policy: "waf-rules-not-in-count-mode",
        title: "the label-blocking rule only counting",
        base: "prod",
        mutate: (run) => {
            wafRule(run, "body-rules-outside-prompt-paths").action = { count: {} };
        },
        message: /counts Log4JRCE_BODY, and no later rule blocks its label/,
    },
    {
        policy: "waf-rules-not-in-count-mode",
        title: "the label-blocking rule evaluated before the groups that add the labels",
        base: "prod",
        mutate: (run) => {
            wafRule(run, "body-rules-outside-prompt-paths").priority = 0;
            wafRule(run, "credential-in-path").priority = 7;
        },
        message: /counts GenericRFI_BODY, and no later rule blocks its label/,
    },
    {
        policy: "waf-rules-not-in-count-mode",
        title: "a label-blocking rule that blocks only requests without the labels (under a NOT)",
        base: "prod",
        mutate: (run) => {
            const rule = wafRule(run, "body-rules-outside-prompt-paths");
            const [labels, exempt] = rule.statement.andStatement.statements;
            rule.statement.andStatement.statements = [{ notStatement: { statement: labels } }, exempt];
        },
        message: /counts CrossSiteScripting_BODY, and no later rule blocks its label/,
    },
    {
        policy: "waf-rules-not-in-count-mode",
        title: "a later rule blocking the labels by their namespace passes",
        base: "prod",
        mutate: (run) => {
            const rule = wafRule(run, "body-rules-outside-prompt-paths");
            rule.statement.andStatement.statements[0] = {
                orStatement: {
                    statements: [
                        { labelMatchStatement: { scope: "NAMESPACE", key: "awswaf:managed:aws:core-rule-set:" } },
                        { labelMatchStatement: { scope: "NAMESPACE", key: "awswaf:managed:aws:known-bad-inputs" } },
                    ],
                },
            };
        },
        fires: [],
    },
    {
        policy: "waf-rules-not-in-count-mode",
        title: "every body rule overridden to count passes with the rule that blocks their labels (the component's layout)",
        base: "prod",
        mutate: (run) => {
            const count = (names: string[]) => names.map((name) => ({ name, actionToUse: { count: {} } }));
            wafRule(run, "aws-AWSManagedRulesCommonRuleSet").statement.managedRuleGroupStatement.ruleActionOverrides = count([
                "CrossSiteScripting_BODY",
                "GenericLFI_BODY",
                "GenericRFI_BODY",
                "EC2MetaDataSSRF_BODY",
                "SizeRestrictions_BODY",
            ]);
            wafRule(run, "aws-AWSManagedRulesKnownBadInputsRuleSet").statement.managedRuleGroupStatement.ruleActionOverrides = count([
                "Log4JRCE_BODY",
                "JavaDeserializationRCE_BODY",
            ]);
        },
        fires: [],
    },
    {
        policy: "prod-waf-attached",
        title: "a production distribution without a web ACL",
        base: "prod",
        mutate: (run) => {
            delete res(run, T.cdn).inputs.webAclId;
        },
    },
    {
        policy: "prod-viewer-tls-custom-domain",
        title: "a production distribution on the *.cloudfront.net certificate (advisory)",
        base: "prod",
        mutate: () => undefined,
        message: /\*\.cloudfront\.net certificate, with which viewers may still negotiate TLS 1\.0 or 1\.1; set onehub:customDomain/,
    },
    {
        policy: "prod-viewer-tls-custom-domain",
        title: "a production distribution with its own certificate passes",
        base: "prod",
        mutate: (run) => {
            res(run, T.cdn).inputs.viewerCertificate = {
                acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                sslSupportMethod: "sni-only",
                minimumProtocolVersion: "TLSv1.2_2021",
            };
        },
        fires: [],
    },
    {
        policy: "prod-viewer-tls-custom-domain",
        title: "a stack tagged onehub:production=false is not production",
        base: "prod",
        mutate: () => undefined,
        options: { stackTags: { "onehub:production": "false" } },
        fires: [],
    },
    {
        policy: "master-singleton",
        title: "two master tasks",
        base: "dev",
        mutate: (run) => {
            res(run, T.service, "-master-").inputs.desiredCount = 2;
        },
        message: /desiredCount 2/,
    },
    {
        policy: "master-singleton",
        title: "a rolling master deployment (minimum healthy 100 %)",
        base: "dev",
        mutate: (run) => {
            res(run, T.service, "-master-").inputs.deploymentMinimumHealthyPercent = 100;
        },
        message: /minimum healthy 100 %/,
    },
    {
        policy: "master-singleton",
        title: "the master on Fargate Spot",
        base: "prod",
        mutate: (run) => {
            res(run, T.service, "-master-").inputs.capacityProviderStrategies.push({ capacityProvider: "FARGATE_SPOT", weight: 1 });
        },
        message: /FARGATE_SPOT/,
    },
    {
        policy: "master-singleton",
        title: "an autoscaled master",
        base: "dev",
        mutate: (run) =>
            add(
                run,
                T.scaling,
                "master-scaling",
                {
                    serviceNamespace: "ecs",
                    scalableDimension: "ecs:service:DesiredCount",
                    resourceId: "service/c/m",
                    minCapacity: 1,
                    maxCapacity: 3,
                },
                [res(run, T.service, "-master-").urn],
            ),
        message: /autoscales the master/,
    },
    {
        policy: "master-singleton",
        title: "a slave task without NODE_TYPE (a second master)",
        base: "dev",
        mutate: (run) => editContainers(run, SLAVE, (c) => setEnv(c, "NODE_TYPE", undefined)),
        message: /2 ECS services run OneHub masters/,
    },
    {
        policy: "slave-node-settings",
        title: 'NODE_TYPE "Slave": a master to OneHub, so the singleton breaks too',
        base: "dev",
        mutate: (run) => editContainers(run, SLAVE, (c) => setEnv(c, "NODE_TYPE", "Slave")),
        fires: ["master-singleton", "slave-node-settings"],
        message: /exactly "slave"/,
    },
    {
        policy: "slave-node-settings",
        title: "slaves without the memory cache",
        // dev: the prod fixture's slaves have a Redis, which stands in for the memory cache.
        base: "dev",
        mutate: (run) => editContainers(run, SLAVE, (c) => setEnv(c, "MEMORY_CACHE_ENABLED", "false")),
        message: /MEMORY_CACHE_ENABLED "false"/,
    },
    {
        policy: "slave-node-settings",
        title: "SYNC_FREQUENCY 0",
        base: "dev",
        mutate: (run) => editContainers(run, SLAVE, (c) => setEnv(c, "SYNC_FREQUENCY", "0")),
        message: /SYNC_FREQUENCY "0"/,
    },
    {
        policy: "slave-node-settings",
        title: "a Redis cache instead of the memory cache passes",
        base: "dev",
        mutate: (run) => {
            editContainers(run, SLAVE, (c) => setEnv(c, "MEMORY_CACHE_ENABLED", undefined));
            // On every node: a Redis on the slaves only is a violation of its own (nodes-share-secrets-and-image).
            editContainers(run, [...SLAVE, ...MASTER], (c) => c.secrets.push({ name: "REDIS_CONN_STRING", valueFrom: secretArn("redis") }));
        },
        fires: [],
    },
    {
        policy: "nodes-share-secrets-and-image",
        title: "slaves on another image tag than the master",
        base: "dev",
        mutate: (run) => editContainers(run, SLAVE, (c) => (c.image = "ghcr.io/martialbe/one-api:v0.14.26")),
        message: /disagree on image/,
    },
    {
        policy: "nodes-share-secrets-and-image",
        title: "slaves reading another SESSION_SECRET",
        base: "prod",
        mutate: (run) =>
            editContainers(run, SLAVE, (c) => (c.secrets.find((s: any) => s.name === "SESSION_SECRET").valueFrom = secretArn("other"))),
        message: /disagree on secret SESSION_SECRET/,
    },
    {
        policy: "nodes-share-secrets-and-image",
        title: "a master without the slaves' Redis",
        base: "prod",
        mutate: (run) => editContainers(run, MASTER, (c) => (c.secrets = c.secrets.filter((s: any) => s.name !== "REDIS_CONN_STRING"))),
        message: /disagree on secret REDIS_CONN_STRING/,
    },
    {
        policy: "nodes-share-secrets-and-image",
        title: "slaves trusting another client-IP header than the master",
        base: "dev",
        mutate: (run) => editContainers(run, SLAVE, (c) => setEnv(c, "TRUSTED_HEADER", "X-Real-IP")),
        message: /disagree on TRUSTED_HEADER/,
    },
    {
        policy: "nodes-share-secrets-and-image",
        title: "a master with a stricter API limit than the slaves on the shared Redis",
        base: "prod",
        mutate: (run) => editContainers(run, MASTER, (c) => setEnv(c, "GLOBAL_API_RATE_LIMIT", "300")),
        message: /disagree on GLOBAL_API_RATE_LIMIT/,
    },
    {
        policy: "slaves-deploy-after-master",
        title: "a master that does not wait for a steady state",
        base: "dev",
        mutate: (run) => {
            res(run, T.service, "-master-").inputs.waitForSteadyState = false;
        },
        message: /waitForSteadyState/,
    },
    {
        policy: "slaves-deploy-after-master",
        title: "slaves that do not depend on the master",
        base: "prod",
        mutate: (run) => {
            const master = res(run, T.service, "-master-").urn;
            const slave = res(run, T.service, "-slave-");
            slave.dependencies = slave.dependencies.filter((d) => d !== master);
        },
        message: /does not depend on the master/,
    },
    {
        policy: "ecs-circuit-breaker-rollback",
        title: "a circuit breaker without rollback",
        base: "dev",
        mutate: (run) => {
            res(run, T.service, "-slave-").inputs.deploymentCircuitBreaker.rollback = false;
        },
    },
    {
        policy: "ecs-circuit-breaker-rollback",
        title: "no circuit breaker",
        base: "prod",
        mutate: (run) => {
            delete res(run, T.service, "-master-").inputs.deploymentCircuitBreaker;
        },
    },
    {
        policy: "ecs-multi-az-subnets",
        title: "a service in one subnet",
        base: "dev",
        mutate: (run) => {
            const net = res(run, T.service, "-master-").inputs.networkConfiguration;
            net.subnets = net.subnets.slice(0, 1);
        },
    },
    {
        policy: "ecs-exec-audited",
        title: "ECS Exec switched on in a production stack",
        base: "prod",
        mutate: (run) => {
            res(run, T.service, "-master-").inputs.enableExecuteCommand = true;
        },
        message: /onehub-prod-master-service has ECS Exec on \(enableExecuteCommand\) in a production stack/,
    },
    {
        policy: "ecs-exec-audited",
        title: "ECS Exec on where the cluster records no sessions",
        base: "dev",
        mutate: (run) => {
            delete res(run, T.ecsCluster).inputs.configuration;
        },
        message:
            /onehub-dev-slave-service has ECS Exec on, but its cluster onehub-dev-ecs-cluster records no session output \(executeCommandConfiguration logging "DEFAULT", no log group or bucket\)/,
    },
    {
        policy: "ecs-exec-audited",
        title: "session output only in the application's log group (logging DEFAULT)",
        base: "dev",
        mutate: (run) => {
            res(run, T.ecsCluster).inputs.configuration.executeCommandConfiguration.logging = "DEFAULT";
        },
        message: /logging "DEFAULT"\)/,
    },
    {
        policy: "ecs-exec-audited",
        title: "ECS Exec allowed in production on purpose, and audited, passes",
        base: "dev",
        mutate: () => undefined,
        options: { stackTags: { "onehub:production": "true" }, config: { "ecs-exec-audited": { allowInProduction: true } } },
        fires: PROD_POLICIES,
    },
    {
        policy: "prod-ecs-container-insights",
        title: "a production cluster without Container Insights",
        base: "prod",
        mutate: (run) => {
            res(run, T.ecsCluster).inputs.settings = [];
        },
    },
    {
        policy: "prod-ecs-container-insights",
        title: "a production cluster with Container Insights disabled",
        base: "prod",
        mutate: (run) => {
            res(run, T.ecsCluster).inputs.settings = [{ name: "containerInsights", value: "disabled" }];
        },
        message: /"disabled"/,
    },
    {
        policy: "prod-aurora-reader-in-other-az",
        title: "production without a reader",
        base: "prod",
        mutate: (run) => remove(run, res(run, T.instance, "-reader-")),
        message: /1 instance/,
    },
    {
        policy: "prod-aurora-reader-in-other-az",
        title: "the reader in the writer's AZ",
        base: "prod",
        mutate: (run) => {
            res(run, T.instance, "-reader-").inputs.availabilityZone = res(run, T.instance, "-writer").inputs.availabilityZone;
        },
        message: /two AZs/,
    },
    {
        policy: "prod-aurora-reader-in-other-az",
        title: "dev tagged onehub:production=true gets every production rule",
        base: "dev",
        mutate: () => undefined,
        options: { stackTags: { "onehub:production": "true" } },
        // dev's ECS Exec, too: production allows it only on purpose.
        fires: [...PROD_POLICIES, "ecs-exec-audited"],
    },
    {
        policy: "prod-aurora-reader-in-other-az",
        title: "prod tagged onehub:production=false gets none",
        base: "prod",
        mutate: (run) => remove(run, res(run, T.instance, "-reader-")),
        options: { stackTags: { "onehub:production": "false" } },
        fires: [],
    },
    {
        policy: "prod-alarms-master-and-5xx",
        title: "production with monitoring off (no alarm but the slaves' rollback alarms, which have no actions)",
        base: "prod",
        mutate: (run) => {
            for (const r of run.resources.filter((x) => x.name.includes("-mon-"))) {
                remove(run, r);
            }
        },
        message: /no alarm with an action watches onehub-prod-master-service's availability/,
    },
    {
        policy: "prod-alarms-master-and-5xx",
        title: "production whose 5xx alarms notify nobody",
        base: "prod",
        mutate: (run) => {
            for (const r of run.resources.filter(
                (x) => x.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && /5xx|50[234]/.test(x.name),
            )) {
                r.inputs.alarmActions = [];
            }
        },
        message: /no alarm with an action watches 5xx answers/,
    },
    {
        policy: "prod-alarms-master-and-5xx",
        title: "a master-availability alarm on another target group does not count",
        base: "prod",
        mutate: (run) => {
            const alarm = res(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "-mon-master-down");
            const slaveTg = res(run, "aws:lb/targetGroup:TargetGroup", "-slave-");
            const masterTg = res(run, "aws:lb/targetGroup:TargetGroup", "-master-");
            alarm.dependencies = alarm.dependencies.map((d) => (d === masterTg.urn ? slaveTg.urn : d));
            remove(run, res(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "-mon-master-unhealthy-hosts"));
        },
        message: /availability/,
    },
    {
        policy: "prod-aurora-backup-retention",
        title: "3 days of backups in production",
        base: "prod",
        mutate: (run) => {
            res(run, T.cluster).inputs.backupRetentionPeriod = 3;
        },
    },
    {
        policy: "prod-aurora-backup-retention",
        title: "no backupRetentionPeriod (AWS default 1 day)",
        base: "prod",
        mutate: (run) => {
            delete res(run, T.cluster).inputs.backupRetentionPeriod;
        },
        message: /1 day/,
    },
    {
        policy: "prod-aurora-deletion-protection",
        title: "production without deletion protection",
        base: "prod",
        mutate: (run) => {
            res(run, T.cluster).inputs.deletionProtection = false;
        },
        message: /deletionProtection/,
    },
    {
        policy: "prod-aurora-deletion-protection",
        title: "production skipping the final snapshot",
        base: "prod",
        mutate: (run) => {
            res(run, T.cluster).inputs.skipFinalSnapshot = true;
        },
        message: /final snapshot/,
    },
    {
        policy: "log-group-retention",
        title: "a log group without retention",
        base: "dev",
        mutate: (run) => {
            delete res(run, T.logGroup, "-master-logs").inputs.retentionInDays;
        },
    },
    {
        policy: "log-group-retention",
        title: "retention 0 (never expire)",
        base: "prod",
        mutate: (run) => {
            res(run, T.logGroup, "-error-log").inputs.retentionInDays = 0;
        },
    },
    {
        policy: "alb-idle-timeout-streaming",
        title: "no idleTimeout (AWS default 60 s)",
        base: "dev",
        mutate: (run) => {
            delete res(run, T.lb).inputs.idleTimeout;
        },
        message: /60 s/,
    },
    {
        policy: "alb-idle-timeout-streaming",
        title: "idleTimeout 120 s",
        base: "prod",
        mutate: (run) => {
            res(run, T.lb).inputs.idleTimeout = 120;
        },
    },
    {
        policy: "cloudfront-origin-read-timeout",
        title: "no originReadTimeout (AWS default 30 s)",
        base: "dev",
        mutate: (run) => {
            delete res(run, T.cdn).inputs.origins[0].vpcOriginConfig.originReadTimeout;
        },
        message: /30 s/,
    },
    {
        policy: "cloudfront-api-not-cached",
        title: "the API behind CachingOptimized",
        base: "dev",
        mutate: (run) => {
            res(run, T.cdn).inputs.defaultCacheBehavior.cachePolicyId = "658327ea-f89d-4fab-a63d-7e88639e58f6";
        },
        message: /CachingDisabled/,
    },
    {
        policy: "cloudfront-api-not-cached",
        title: "only GET and HEAD allowed",
        base: "prod",
        mutate: (run) => {
            res(run, T.cdn).inputs.defaultCacheBehavior.allowedMethods = ["GET", "HEAD"];
        },
        message: /DELETE, OPTIONS, PATCH, POST, PUT/,
    },
    {
        policy: "cloudfront-api-not-cached",
        title: "502s cached by CloudFront's default",
        base: "dev",
        mutate: (run) => {
            const cdn = res(run, T.cdn).inputs;
            cdn.customErrorResponses = cdn.customErrorResponses.filter((e: any) => e.errorCode !== 502);
        },
        message: /error responses 502/,
    },
    {
        policy: "listener-rule-condition-limit",
        title: "six path patterns in one rule",
        base: "dev",
        mutate: (run) => {
            res(run, T.rule, "-slave-rule-0").inputs.conditions[0].pathPattern.values.push("/extra/*");
        },
        message: /6 condition values/,
    },
    {
        policy: "listener-rule-condition-limit",
        title: "six wildcards in three patterns",
        base: "dev",
        mutate: (run) => {
            res(run, T.rule, "-slave-rule-2").inputs.conditions = [{ pathPattern: { values: ["/a*b*/*", "/c*/*", "/d*"] } }];
        },
        message: /6 wildcards/,
    },
    {
        policy: "listener-rule-priorities-unique",
        title: "two slave rules with priority 100",
        base: "dev",
        mutate: (run) => {
            res(run, T.rule, "-slave-rule-1").inputs.priority = 100;
        },
        message: /shares priority 100/,
    },
    {
        policy: "listener-rule-priorities-unique",
        title: "the same priority on another listener passes",
        base: "dev",
        mutate: (run) => {
            const rule = res(run, T.rule, "-slave-rule-1").inputs;
            rule.priority = 100;
            rule.listenerArn = "arn:aws:lb:us-east-1:123456789012:listener/other";
        },
        fires: [],
    },
    {
        policy: "target-group-health-check",
        title: "health checks on / (the web UI)",
        base: "dev",
        mutate: (run) => {
            res(run, T.targetGroup, "-master-").inputs.healthCheck.path = "/";
        },
    },
    {
        policy: "target-group-health-check",
        title: "no health check block (AWS default /)",
        base: "prod",
        mutate: (run) => {
            delete res(run, T.targetGroup, "-slave-").inputs.healthCheck;
        },
        message: /"\/"/,
    },
    {
        policy: "target-group-health-check",
        title: "health checks disabled",
        base: "dev",
        mutate: (run) => {
            res(run, T.targetGroup, "-slave-").inputs.healthCheck.enabled = false;
        },
        message: /disabled/,
    },
    {
        policy: "time-zone-utc",
        title: "Aurora in Asia/Shanghai",
        base: "dev",
        mutate: (run) => {
            res(run, T.parameters).inputs.parameters.find((p: any) => p.name === "time_zone").value = "Asia/Shanghai";
        },
        message: /time_zone "Asia\/Shanghai"/,
    },
    {
        policy: "time-zone-utc",
        title: "every container in Asia/Shanghai",
        base: "prod",
        mutate: (run) => editContainers(run, BOTH, (c) => setEnv(c, "TZ", "Asia/Shanghai")),
        message: /TZ "Asia\/Shanghai"/,
    },
    {
        policy: "image-tag-pinned",
        title: "latest on every node",
        base: "dev",
        mutate: (run) => editContainers(run, BOTH, (c) => (c.image = "ghcr.io/martialbe/one-api:latest")),
        message: /floating tag "latest"/,
    },
    {
        policy: "image-tag-pinned",
        title: "no tag behind a registry port",
        base: "prod",
        mutate: (run) => editContainers(run, BOTH, (c) => (c.image = "registry.local:5000/martialbe/one-api")),
        message: /has no tag/,
    },
    {
        policy: "image-tag-pinned",
        title: "a digest pins even a floating tag",
        base: "dev",
        mutate: (run) => editContainers(run, BOTH, (c) => (c.image = `ghcr.io/martialbe/one-api:latest@sha256:${"a".repeat(64)}`)),
        fires: [],
    },
    // ---- Amazon Bedrock ----
    {
        policy: "bedrock-invoke-only",
        title: "a Bedrock user allowed bedrock:*",
        base: "dev",
        mutate: (run) => addBedrockUser(run, allow("bedrock:*", "*")),
        message: /ops-bedrock \(IAM user\): user policy ops-bedrock-invoke allows "bedrock:\*", which covers every Bedrock action/,
    },
    {
        policy: "bedrock-invoke-only",
        title: "a Bedrock user that may also read S3",
        base: "dev",
        mutate: (run) => addBedrockUser(run, allow([...BEDROCK_INVOKE, "s3:GetObject"], "*")),
        message: /allows "s3:GetObject"; a principal that calls Bedrock may only invoke models/,
    },
    {
        policy: "bedrock-invoke-only",
        title: "an invoke-only Bedrock user with a second policy for SQS",
        base: "prod",
        mutate: (run) => {
            const user = addBedrockUser(run, allow(BEDROCK_INVOKE, BEDROCK_MODELS));
            add(run, T.userPolicy, "ops-bedrock-queue", { user: user.name, policy: allow("sqs:SendMessage", "*") }, [user.urn]);
        },
        message: /user policy ops-bedrock-queue allows "sqs:SendMessage"/,
    },
    {
        policy: "bedrock-invoke-only",
        title: "bedrock:InvokeModel* (a wildcard also grants what Bedrock adds later) in a role's inline policy",
        base: "dev",
        mutate: (run) => {
            res(run, T.role, "-master-gate-role").inputs.inlinePolicies = [
                { name: "llm", policy: allow("bedrock:InvokeModel*", BEDROCK_MODELS) },
            ];
        },
        message: /\(IAM role\): inline policy llm allows "bedrock:InvokeModel\*", which covers every Bedrock action/,
    },
    {
        policy: "bedrock-invoke-only",
        title: "AmazonBedrockFullAccess attached to a task role",
        base: "dev",
        mutate: (run) => {
            const role = res(run, T.role, "-master-task");
            add(
                run,
                T.attachment,
                "bedrock-full",
                { role: `${role.name}-id`, policyArn: "arn:aws:iam::aws:policy/AmazonBedrockFullAccess" },
                [role.urn],
            );
        },
        message: /gets arn:aws:iam::aws:policy\/AmazonBedrockFullAccess, which grants more than invoking models/,
    },
    {
        policy: "bedrock-invoke-only",
        title: "a customer policy (attached outside the stack) that may also list Bedrock's models",
        base: "dev",
        mutate: (run) => add(run, T.iamPolicy, "llm-access", { policy: allow([...BEDROCK_INVOKE, "bedrock:ListFoundationModels"], "*") }),
        message: /^llm-access: its document allows "bedrock:ListFoundationModels"/,
    },
    {
        policy: "bedrock-invoke-only",
        title: "a user that may invoke exactly the two actions, by name, on named models passes",
        base: "prod",
        mutate: (run) => addBedrockUser(run, allow(BEDROCK_INVOKE, BEDROCK_MODELS)),
        fires: [],
    },
    {
        policy: "image-tag-pinned",
        title: "a OneHub tag that is not a release (0.14.27, no v)",
        base: "prod",
        mutate: (run) => editContainers(run, BOTH, (c) => (c.image = "ghcr.io/martialbe/one-api:0.14.27")),
        message: /uses the tag "0\.14\.27", which is not a OneHub release \(vX\.Y\.Z, optionally -suffix\)/,
    },
    {
        policy: "image-tag-pinned",
        title: "OneHub's dev image pinned by its digest alone passes",
        base: "dev",
        mutate: (run) => editContainers(run, BOTH, (c) => (c.image = `ghcr.io/martialbe/one-api@sha256:${"b".repeat(64)}`)),
        fires: [],
    },
];

/** OneHub's Bedrock channel's only actions, and a foundation model and profile to grant them on. */
const BEDROCK_INVOKE = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];
const BEDROCK_MODELS = [
    "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
    "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
];

/** Adds an IAM user "ops-bedrock" with the user policy "ops-bedrock-invoke" holding `document`. */
function addBedrockUser(run: Run, document: string): RegisteredResource {
    const user = add(run, T.user, "ops-bedrock", { path: "/onehub/" });
    add(run, T.userPolicy, "ops-bedrock-invoke", { user: user.name, policy: document }, [user.urn]);
    return user;
}

const fired = (results: PolicyResult[]) =>
    results
        .filter((r) => r.violations.length > 0)
        .map((r) => r.name)
        .sort();

describe("guardrail policy pack", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    describe("the pack", () => {
        it("has at least 20 policies, all mandatory but the advisory ones named here, with unique kebab-case names and descriptions", () => {
            assert.ok(policies.length >= 20, `only ${policies.length} policies`);
            const names = policies.map((p) => p.name);
            assert.deepStrictEqual(
                names.filter((n, i) => names.indexOf(n) !== i),
                [],
                "duplicate policy names",
            );
            for (const p of policies) {
                assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
                assert.strictEqual(p.enforcementLevel, ADVISORY_POLICIES.includes(p.name) ? "advisory" : "mandatory", p.name);
                assert.ok(p.description.length > 20, `${p.name} needs a description`);
                assert.ok("validateResource" in p || "validateStack" in p, `${p.name} validates nothing`);
            }
        });

        it("cites docs/architecture.md in every description, by a heading that exists", () => {
            const doc = fs.readFileSync(path.join(ROOT, "docs", "architecture.md"), "utf8");
            // GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens.
            const anchors = [...doc.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
                m[1]
                    .toLowerCase()
                    .replace(/[^\w\- ]/g, "")
                    .replace(/ /g, "-"),
            );
            for (const p of policies) {
                const cited = [...p.description.matchAll(/docs\/architecture\.md#([\w-]+)/g)].map((m) => m[1]);
                assert.ok(cited.length > 0, `${p.name} cites no section of docs/architecture.md`);
                assert.deepStrictEqual(
                    cited.filter((a) => !anchors.includes(a)),
                    [],
                    `${p.name} cites a section docs/architecture.md does not have`,
                );
            }
        });
    });

    describe("whole stacks", () => {
        for (const stack of ["dev", "prod"]) {
            it(`the committed ${stack} stack violates no mandatory policy, whatever its values (advisory findings are allowed)`, async () => {
                const results = await evaluatePolicies(await committedRun(stack));
                assert.deepStrictEqual(
                    results
                        .filter((r) => r.enforcementLevel === "mandatory")
                        .flatMap((r) => r.violations.map((v) => `${r.name}: ${v.urn}: ${v.message}`)),
                    [],
                );
                assert.strictEqual(blockingViolations(results), 0);
            });
        }

        it("finds only the advisory TLS note in the prod profile without a custom domain, which fails nothing", async () => {
            const results = await evaluatePolicies(runs.prod);
            assert.deepStrictEqual(fired(results), ["prod-viewer-tls-custom-domain"]);
            assert.strictEqual(blockingViolations(results), 0);
            assert.deepStrictEqual(fired(await evaluatePolicies(runs.dev)), []);
        });

        it("every policy applies to some resource of the prod profile (with a custom domain), and that run passes too", async () => {
            const run = await fixtureRun("prod", {
                config: {
                    "onehub:customDomain": "api.example.com",
                    "onehub:certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0123abcd",
                    // ECS Exec on, allowed in production on purpose, so its audit is checked too.
                    "onehub:ecsExec": true,
                },
            });
            const results = await evaluatePolicies(run, undefined, { config: { "ecs-exec-audited": { allowInProduction: true } } });
            assert.deepStrictEqual(
                results.filter((r) => r.checked === 0).map((r) => r.name),
                [],
                "policies that checked nothing",
            );
            assert.deepStrictEqual(fired(results), []);
        });

        it("skips the production and WAF rules in the dev profile", async () => {
            const results = await evaluatePolicies(runs.dev);
            const idle = results
                .filter((r) => r.checked === 0)
                .map((r) => r.name)
                .sort();
            assert.deepStrictEqual(
                idle,
                [
                    ...PROD_POLICIES,
                    // Not among PROD_POLICIES: the dev profile has the alarms, so it passes when tagged production.
                    "prod-alarms-master-and-5xx",
                    "cloudfront-tls-minimum",
                    "waf-body-size-counted",
                    "waf-cloudfront-scope",
                    "waf-rules-not-in-count-mode",
                ].sort(),
            );
        });
    });

    describe("each policy fires on a violating fixture", () => {
        it("every policy has a fixture that makes it fire", () => {
            const covered = new Set(FIXTURES.filter((f) => (f.fires ?? [f.policy]).includes(f.policy)).map((f) => f.policy));
            assert.deepStrictEqual(
                policies.map((p) => p.name).filter((n) => !covered.has(n)),
                [],
            );
            assert.deepStrictEqual(
                FIXTURES.map((f) => f.policy).filter((n) => !policies.some((p) => p.name === n)),
                [],
                "fixtures of unknown policies",
            );
        });

        /** Advisory findings the unchanged profile already has (prod: no custom domain) are not a fixture's doing. */
        const inherent: Record<string, string[]> = {};
        before(async () => {
            for (const base of ["dev", "prod"]) {
                inherent[base] = fired(await evaluatePolicies(runs[base])).filter((n) => ADVISORY_POLICIES.includes(n));
            }
        });

        for (const f of FIXTURES) {
            const expected = (f.fires ?? [f.policy]).slice().sort();
            it(`${f.policy}: ${f.title} → ${expected.length === 0 ? "passes" : expected.join(" + ")}`, async () => {
                const run: Run = { stack: f.base, resources: structuredClone(runs[f.base].resources) };
                f.mutate(run);
                const results = await evaluatePolicies(run, policies, f.options);
                assert.deepStrictEqual(
                    fired(results).filter((n) => n === f.policy || !inherent[f.base].includes(n)),
                    expected,
                );
                if (f.message) {
                    const messages = results.find((r) => r.name === f.policy)!.violations.map((v) => v.message);
                    assert.ok(
                        messages.some((m) => f.message!.test(m)),
                        `no ${f.policy} message matches ${f.message}: ${messages.join(" | ")}`,
                    );
                }
                if (f.forbid) {
                    const leaked = results.flatMap((r) => r.violations).filter((v) => f.forbid!.test(v.message));
                    assert.deepStrictEqual(leaked, [], "a violation message echoes a secret value");
                }
            });
        }
    });

    describe("helpers", () => {
        it("parses image references, registry ports and digests", () => {
            assert.deepStrictEqual(parseImage("ghcr.io/martialbe/one-api:v0.14.27"), {
                repository: "ghcr.io/martialbe/one-api",
                tag: "v0.14.27",
                digest: undefined,
            });
            assert.deepStrictEqual(parseImage("localhost:5000/one-api"), { repository: "localhost:5000/one-api", digest: undefined });
            assert.strictEqual(floatingImageReason("martialbe/one-api:v0.14.27"), undefined);
            assert.match(floatingImageReason("martialbe/one-api:Latest")!, /floating tag/);
            assert.match(floatingImageReason("martialbe/one-api@sha256:short")!, /no tag/);
        });

        it("recognises credential names by word, not by substring", () => {
            for (const name of [
                "SQL_DSN",
                "SESSION_SECRET",
                "OPENAI_API_KEY",
                "GITHUB_TOKEN",
                "REDIS_CONN_STRING",
                "AWS_SECRET_ACCESS_KEY",
                "DB_PASSWORD",
                "signing_key",
            ]) {
                assert.ok(isCredentialName(name), name);
            }
            for (const name of [
                "TIKTOKEN_CACHE_DIR",
                "SYNC_FREQUENCY",
                "NODE_TYPE",
                "HASHIDS_SALT",
                "TZ",
                "MEMORY_CACHE_ENABLED",
                "SQL_MAX_OPEN_CONNS",
            ]) {
                assert.ok(!isCredentialName(name), name);
            }
        });

        it("tells private from public ranges, IPv4 and IPv6", () => {
            for (const cidr of [
                "10.0.0.0/8",
                "10.1.2.0/24",
                "172.16.0.0/12",
                "172.31.255.0/24",
                "192.168.1.1/32",
                "100.64.0.0/10",
                "169.254.169.254/32",
                "fd00::/8",
                "fe80::1/128",
            ]) {
                assert.ok(isPrivateCidr(cidr), cidr);
            }
            for (const cidr of [
                "0.0.0.0/0",
                "10.0.0.0/7",
                "172.32.0.0/16",
                "8.8.8.8/32",
                "100.128.0.0/16",
                "2001:db8::/32",
                "::/0",
                "not-a-cidr",
            ]) {
                assert.ok(isPublicCidr(cidr), cidr);
            }
            assert.deepStrictEqual(parseCidr("10.1.2.3/8"), { family: 4, first: 10n << 24n, last: (11n << 24n) - 1n });
            assert.strictEqual(parseCidr("2001:db8::/129"), undefined);
            assert.strictEqual(parseCidr("1.2.3/8"), undefined);
        });

        it("finds ranges that together cover the internet", () => {
            assert.deepStrictEqual(familiesCovered(["0.0.0.0/0"]), [4]);
            assert.deepStrictEqual(familiesCovered(["0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"]), [4, 6]);
            assert.deepStrictEqual(familiesCovered(["128.0.0.0/1", "64.0.0.0/2", "0.0.0.0/3", "32.0.0.0/3"]), [4]);
            assert.deepStrictEqual(familiesCovered(["0.0.0.0/1", "128.0.0.0/2"]), []);
            assert.deepStrictEqual(
                familiesCovered([
                    "10.0.0.0/8",
                    "0.0.0.0/5",
                    "8.0.0.0/7",
                    "11.0.0.0/8",
                    "12.0.0.0/6",
                    "16.0.0.0/4",
                    "32.0.0.0/3",
                    "64.0.0.0/2",
                ]),
                [],
            );
            assert.deepStrictEqual(familiesCovered([]), []);
        });

        it("knows CloudFront's origin-facing prefix list per region, and any of them when the region is unknown", () => {
            // The mock's lookup answers with us-east-1's id.
            assert.deepStrictEqual(cloudFrontPrefixLists("us-east-1", undefined).ids, ["pl-3b927c52"]);
            assert.deepStrictEqual(cloudFrontPrefixLists("eu-west-1", undefined).ids, ["pl-4fa04526"]);
            assert.deepStrictEqual(cloudFrontPrefixLists("ap-east-1", undefined).ids, []);
            assert.ok(cloudFrontPrefixLists(undefined, undefined).ids.includes("pl-82a045eb"));
            assert.deepStrictEqual(cloudFrontPrefixLists("us-east-1", ["pl-0abc"]).ids, ["pl-0abc"]);
            const ids = Object.values(CLOUDFRONT_ORIGIN_FACING_IDS);
            assert.strictEqual(new Set(ids).size, ids.length, "two regions share an id");
            assert.ok(ids.every((id) => /^pl-[0-9a-f]{8}$/.test(id)));
        });

        it("recognises wildcard secret resources, not name prefixes", () => {
            for (const r of [
                "*",
                "arn:aws:secretsmanager:*:*:secret:*",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
                "arn:aws:secretsmanager:*:*:*",
                "arn:aws:*:*:*:*",
                "arn:aws:secretsmanager:*",
            ]) {
                assert.ok(isWildcardSecretResource(r), r);
            }
            for (const r of [
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:onehub/*",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:dsn-AbCdEf",
                "arn:aws:s3:::*",
            ]) {
                assert.ok(!isWildcardSecretResource(r), r);
            }
        });

        it("reads a task role's trust policy", () => {
            const trust = (statement: Record<string, unknown>) => ({
                Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", ...statement }],
            });
            const ours = { StringEquals: { "aws:SourceAccount": "123456789012" } };
            assert.deepStrictEqual(
                ecsTaskTrustProblems(trust({ Principal: { Service: "ecs-tasks.amazonaws.com" }, Condition: ours }), "123456789012"),
                [],
            );
            assert.match(
                ecsTaskTrustProblems(trust({ Principal: { Service: "ecs-tasks.amazonaws.com" } }), "123456789012", "task")[0],
                /no enforced aws:SourceAccount or aws:SourceArn condition naming this account, so ECS could be made to assume it for another account's task \(confused deputy\); add StringEquals aws:SourceAccount 123456789012 and ArnLike aws:SourceArn arn:aws:ecs:<region>:123456789012:\*/,
            );
            const ifExists = { StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } };
            assert.deepStrictEqual(
                ecsTaskTrustProblems(
                    trust({ Principal: { Service: "ecs-tasks.amazonaws.com" }, Condition: ifExists }),
                    "123456789012",
                    "execution",
                ),
                [],
                "ECS documents the keys only for task roles: …IfExists is enough on an execution role",
            );
            assert.strictEqual(
                ecsTaskTrustProblems(
                    trust({ Principal: { Service: "ecs-tasks.amazonaws.com" }, Condition: ifExists }),
                    "123456789012",
                    "task",
                ).length,
                1,
                "but not on a task role",
            );
            assert.match(ecsTaskTrustProblems(trust({ Principal: "*" }), undefined)[0], /lets anyone assume it \(Principal "\*"\)/);
            assert.match(
                ecsTaskTrustProblems(
                    trust({
                        Principal: { Service: "ecs-tasks.amazonaws.com" },
                        Condition: { StringNotEquals: { "aws:SourceAccount": "123456789012" } },
                    }),
                    "123456789012",
                )[0],
                /negates aws:SourceAccount/,
            );
            // The account unknown: only an account-shaped value passes.
            assert.match(
                ecsTaskTrustProblems(
                    trust({ Principal: { Service: "ecs-tasks.amazonaws.com" }, Condition: { StringLike: { "aws:SourceAccount": "*" } } }),
                    undefined,
                )[0],
                /"\*" is not this account$/,
            );
            assert.deepStrictEqual(ecsTaskTrustProblems("{not json", "1"), ["its trust policy is not a readable IAM policy document"]);
        });

        it("finds a resource's region in its own argument, its provider or its ARN, and survives an ARN unknown during preview", () => {
            // What the policy server hands a stack policy for a resource not yet created (the
            // sentinel is internal to @pulumi/policy, hence the untyped require).
            const { unknownStringValue } = require("@pulumi/policy/proxy") as { unknownStringValue: string };
            const pending = unknownCheckingProxy({ arn: unknownStringValue });
            assert.throws(() => pending.arn, UnknownValueError);
            assert.strictEqual(regionOf({ props: pending }), undefined);
            assert.strictEqual(
                regionOf({ props: pending, provider: { type: "pulumi:providers:aws", props: { region: "eu-west-1" }, urn: "", name: "" } }),
                "eu-west-1",
            );
            assert.strictEqual(regionOf({ props: { region: "ap-northeast-3", arn: "arn:aws:ec2:us-east-1:1:x" } }), "ap-northeast-3");
            assert.strictEqual(
                regionOf({ props: {} }, { props: { arn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/x/1" } }),
                "us-west-2",
            );
        });

        it("matches IAM action wildcards case-insensitively", () => {
            assert.ok(iamActionMatches("secretsmanager:Get*", "secretsmanager:GetSecretValue"));
            assert.ok(iamActionMatches("*", "secretsmanager:GetSecretValue"));
            assert.ok(iamActionMatches("SecretsManager:getsecretvalue", "secretsmanager:GetSecretValue"));
            assert.ok(!iamActionMatches("secretsmanager:List*", "secretsmanager:GetSecretValue"));
        });

        it("decides production by stack name unless the onehub:production tag says otherwise", () => {
            assert.strictEqual(stackOfUrn("urn:pulumi:prod::onehub::aws:lb/loadBalancer:LoadBalancer::x"), "prod");
            assert.ok(isProductionStack("prod", new Map()));
            assert.ok(isProductionStack("production", new Map()));
            assert.ok(!isProductionStack("dev", new Map()));
            assert.ok(isProductionStack("eu-live", new Map([["onehub:production", "true"]])));
            assert.ok(!isProductionStack("prod", new Map([["onehub:production", "false"]])));
        });

        it("counts every kind of condition value and wildcard", () => {
            const conditions = [
                { hostHeader: { values: ["*.example.com"] }, queryStrings: [{ key: "a", value: "b*" }] },
                { httpRequestMethod: { values: ["GET", "POST"] }, sourceIp: { values: ["10.0.0.0/8"] } },
            ];
            assert.strictEqual(conditionValues(conditions).length, 5);
            assert.strictEqual(conditionWildcards(conditions), 2);
        });
    });

    describe("npm run policy", () => {
        it("prints every policy and each violation", async () => {
            const run: Run = { stack: "dev", resources: structuredClone(runs.dev.resources) };
            res(run, T.lb).inputs.internal = false;
            const text = formatReport("dev", await evaluatePolicies(run));
            for (const p of policies) {
                assert.match(text, new RegExp(`^${p.name} +\\| ${p.enforcementLevel}`, "m"));
            }
            assert.match(
                text,
                /1 violation\(s\) of 1 policy\(ies\):\n {2}\[mandatory\] alb-internal: urn:pulumi:dev::onehub::.*onehub-dev-edge-alb\n {6}is internet-facing/,
            );
        });

        it("exits 0 on the committed prod stack, whose only finding is advisory", async () => {
            const lines: string[] = [];
            const original = console.log;
            console.log = (message: string) => lines.push(message);
            try {
                assert.strictEqual(await main(["prod"]), 0);
            } finally {
                console.log = original;
            }
            assert.match(lines.join("\n"), /\[advisory\] prod-viewer-tls-custom-domain: /);
        });

        it("refuses an unknown stack and names the known ones", async () => {
            const errors: string[] = [];
            const original = console.error;
            console.error = (message: string) => errors.push(message);
            try {
                assert.strictEqual(await main(["staging"]), 2);
            } finally {
                console.error = original;
            }
            assert.match(errors.join("\n"), /unknown stack "staging": known stacks are dev, prod/);
        });
    });
});
