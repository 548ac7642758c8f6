import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { OneHub } from "../../components";
import { MOCK_ZONES } from "../../tools/offlineStack";
import { renderSnapshot } from "../../tools/snapshot";
import { stackTags } from "../../stacks/config";
import { FIXTURES, fixtureRun } from "../util";

describe("library defaults", () => {
    it("new OneHub(name, {}) builds exactly what Pulumi.yaml's defaults build (one source for every default)", async () => {
        assert.match(fs.readFileSync(path.join(FIXTURES, "Pulumi.dev.yaml"), "utf8"), /^config: \{\}$/m, "the dev fixture is the defaults");
        const fromConfig = await fixtureRun("dev");
        const zones = fromConfig.resources.find((r) => r.type === "awsx:ec2:Vpc")!.inputs.availabilityZoneNames;
        assert.deepStrictEqual(zones, MOCK_ZONES.names.slice(0, 2));
        // The stack program looks the zones up by ID (a library user passes them, or gets the same check
        // at preview) and tags every resource with the stack (what a budget can be scoped by).
        const fromLibrary = await fixtureRun("dev", {}, () => {
            new OneHub("onehub-dev", { availabilityZoneNames: zones, tags: stackTags("onehub", "dev") });
        });
        const render = (run: typeof fromConfig) => renderSnapshot({ ...run, stack: "defaults" });
        assert.strictEqual(render(fromLibrary), render(fromConfig));
    });
});
