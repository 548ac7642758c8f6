// Real client IPs: the viewer-request CloudFront Function run in node against the event shapes of
// CloudFront Functions 2.0, and how the edge and the services are wired around it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import { MANAGED_POLICY } from "../components/edge/edgeSettings";
import { OneHubMasterService } from "../components/services/oneHubMasterService";
import { lastRun, ROOT, StackRun } from "../tools/offlineStack";
import { envOf, expectConfigError, fixtureRun, ofType, one, serviceArgs, stackRun } from "./util";

const FUNCTION_FILE = path.join(ROOT, "components", "edge", "functions", "trueClientIp.js");
const CDN = "aws:cloudfront/distribution:Distribution";
const FN = "aws:cloudfront/function:Function";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";

type Headers = Record<string, { value: string; multiValue?: { value: string }[] }>;

/**
 * The function as CloudFront runs it: the file's text, a top-level `handler`, no module system. The
 * request comes back as JSON, as CloudFront reads it (the function's objects belong to its own realm).
 */
function loadHandler(code: string): (event: unknown) => { headers: Headers } {
    const context = vm.createContext({});
    vm.runInContext(code, context);
    return (e) => JSON.parse(JSON.stringify(context.handler(e)));
}

/** A viewer-request event in the CloudFront Functions 2.0 shape: header names lower case, each { value }. */
function event(headers: Headers, ip = "203.0.113.10") {
    return {
        version: "1.0",
        context: {
            distributionDomainName: "d111111abcdef8.cloudfront.net",
            distributionId: "EDFDVBD6EXAMPLE",
            eventType: "viewer-request",
            requestId: "r-1",
        },
        viewer: { ip },
        request: {
            method: "POST",
            uri: "/v1/chat/completions",
            querystring: {},
            headers: { host: { value: "api.example.com" }, authorization: { value: "Bearer sk-test" }, ...headers },
            cookies: {},
        },
    };
}

describe("real client IPs", () => {
    const handler = loadHandler(fs.readFileSync(FUNCTION_FILE, "utf8"));
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
    });

    describe("the viewer-request function (components/edge/functions/trueClientIp.js)", () => {
        it("sets true-client-ip to the address CloudFront saw the viewer connect from", () => {
            const request = handler(event({}));
            assert.deepStrictEqual(request.headers["true-client-ip"], { value: "203.0.113.10" });
        });

        it("overwrites a True-Client-IP the client sent, every copy of it", () => {
            const forged = { value: "1.2.3.4", multiValue: [{ value: "1.2.3.4" }, { value: "5.6.7.8" }] };
            const request = handler(event({ "true-client-ip": forged }, "198.51.100.7"));
            assert.deepStrictEqual(request.headers["true-client-ip"], { value: "198.51.100.7" });
        });

        it("passes IPv6 viewers and leaves every other header, X-Forwarded-For and Authorization included, as the client sent it", () => {
            const request = handler(event({ "x-forwarded-for": { value: "1.2.3.4" } }, "2001:db8::1"));
            assert.deepStrictEqual(request.headers, {
                host: { value: "api.example.com" },
                authorization: { value: "Bearer sk-test" },
                "x-forwarded-for": { value: "1.2.3.4" },
                "true-client-ip": { value: "2001:db8::1" },
            });
        });

        it("is deployed as exactly this file, on the cloudfront-js-2.0 runtime, published", () => {
            for (const run of Object.values(runs)) {
                const fn = one(run, FN).inputs;
                assert.strictEqual(fn.code, fs.readFileSync(FUNCTION_FILE, "utf8"));
                assert.strictEqual(fn.runtime, "cloudfront-js-2.0");
                assert.strictEqual(fn.publish, true, "the distribution runs the LIVE stage");
                assert.ok(fn.comment.length <= 128, "CloudFront's limit on a function comment");
                assert.ok(Buffer.byteLength(fn.code) <= 10_240, "CloudFront Functions take at most 10 KB of code");
            }
        });
    });

    describe("the edge", () => {
        it("runs the function on viewer requests of every cache behaviour", () => {
            for (const run of Object.values(runs)) {
                const fnArn = `arn:aws:cloudfront:us-east-1:123456789012:function/${one(run, FN).name}`;
                const cdn = one(run, CDN).inputs;
                const behaviours = [cdn.defaultCacheBehavior, ...(cdn.orderedCacheBehaviors ?? [])];
                assert.ok(behaviours.length >= 2);
                for (const b of behaviours) {
                    assert.deepStrictEqual(
                        b.functionAssociations,
                        [{ eventType: "viewer-request", functionArn: fnArn }],
                        b.pathPattern ?? "default",
                    );
                }
            }
        });

        it("forwards the header with the managed AllViewerExceptHostHeader policy on every behaviour (a custom allow-list cannot forward Authorization)", () => {
            for (const run of Object.values(runs)) {
                const cdn = one(run, CDN).inputs;
                for (const b of [cdn.defaultCacheBehavior, ...(cdn.orderedCacheBehaviors ?? [])]) {
                    assert.strictEqual(b.originRequestPolicyId, MANAGED_POLICY.allViewerExceptHostHeader, b.pathPattern ?? "default");
                }
                assert.strictEqual(cdn.defaultCacheBehavior.cachePolicyId, MANAGED_POLICY.cachingDisabled);
            }
        });

        it("a change of the function's code updates the function in place; the distribution references its unversioned ARN", () => {
            for (const run of Object.values(runs)) {
                const fn = one(run, FN);
                assert.deepStrictEqual(fn.replaceOnChanges, [], "code is an in-place update of a published function");
                assert.ok(one(run, CDN).dependencies.includes(fn.urn), "the distribution is created after the function");
            }
        });
    });

    describe("the nodes", () => {
        it("both node types take the client's address from True-Client-IP", () => {
            for (const run of Object.values(runs)) {
                for (const task of ofType(run, TASK)) {
                    assert.strictEqual(envOf(task).TRUSTED_HEADER, "True-Client-IP", task.name);
                }
            }
        });

        it("TRUSTED_HEADER is the component's: refused in extra environment", async () => {
            await fixtureRun("dev", {}, () => {
                assert.throws(
                    () => new OneHubMasterService("master", { ...serviceArgs(), environment: { TRUSTED_HEADER: "X-Forwarded-For" } }),
                    /OneHubMasterService args\.environment\.TRUSTED_HEADER = "X-Forwarded-For" is invalid: is set by the component itself/,
                );
                assert.throws(
                    () => new OneHubMasterService("master", { ...serviceArgs(), trustedHeader: "True Client IP" }),
                    /OneHubMasterService args\.trustedHeader = "True Client IP" is invalid: must be an HTTP header name/,
                );
            });
            assert.deepStrictEqual(lastRun, []);
        });

        it("a service used without this edge leaves TRUSTED_HEADER unset (no header it could trust)", async () => {
            const run = await fixtureRun("dev", {}, () => {
                new OneHubMasterService("bare", serviceArgs());
            });
            assert.strictEqual(envOf(one(run, TASK, "bare")).TRUSTED_HEADER, undefined);
        });
    });

    it("a config typo cannot switch it off: there is no key for it", () =>
        expectConfigError(
            "dev",
            { "onehub:trustedHeader": "X-Forwarded-For" },
            /onehub:trustedHeader = "X-Forwarded-For" is invalid: unknown key/,
        ));
});
