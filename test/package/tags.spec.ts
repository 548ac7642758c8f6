import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { OneHub } from "../../components";
import { MOCK_ZONES, RegisteredResource, ROOT } from "../../tools/offlineStack";
import { fixtureRun } from "../util";

/** Whether a resource type's Args take `tags`, read from the provider SDK's own declarations. */
function takesTags(type: string): boolean {
    const [pkg, moduleAndFile, name] = type.split(":");
    if (pkg === "awsx") {
        return true;
    }
    if (pkg !== "aws") {
        return false; // random, our own components
    }
    const [mod, file] = moduleAndFile.split("/");
    const dts = fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "aws", mod, `${file}.d.ts`), "utf8");
    const args = dts.slice(dts.indexOf(`export interface ${name}Args {`));
    return /\n {4}tags\?:/.test(args.slice(0, args.indexOf("\n}")));
}

/** CloudFront refuses any update of a VPC origin in use, tags included: its tags are left alone on purpose. */
const DELIBERATELY_UNTAGGED = ["aws:cloudfront/vpcOrigin:VpcOrigin"];

describe("OneHub tags", () => {
    it("reach every child resource that takes tags, except where tags are deliberately ignored", async () => {
        const run = await fixtureRun("dev", {}, () => {
            new OneHub("tagged", {
                availabilityZoneNames: MOCK_ZONES.names.slice(0, 2),
                wafEnabled: true,
                bedrockAccess: "IamUser",
                bedrockRegions: ["us-east-1"],
                bedrockVpcEndpoint: true,
                redisMode: "Serverless",
                notifySecrets: JSON.stringify({ NOTIFY_LARK_TOKEN: "t" }),
                tags: { team: "llm-platform" },
            });
        });
        const taggable = run.resources.filter((r) => r.custom && takesTags(r.type) && !DELIBERATELY_UNTAGGED.includes(r.type));
        assert.ok(taggable.length > 30, "the check covers the stack");
        // Auto scaling groups take their tags as a list of { key, value, propagateAtLaunch }.
        const tagsOf = (r: RegisteredResource) =>
            Array.isArray(r.inputs.tags) ? Object.fromEntries(r.inputs.tags.map((t: any) => [t.key, t.value])) : r.inputs.tags;
        const missing = taggable.filter((r: RegisteredResource) => tagsOf(r)?.team !== "llm-platform").map((r) => `${r.type} ${r.name}`);
        assert.deepStrictEqual(missing, []);
        const origin = run.resources.find((r) => r.type === DELIBERATELY_UNTAGGED[0])!;
        assert.deepStrictEqual(origin.ignoreChanges, ["tags", "tagsAll"]);
    });
});
