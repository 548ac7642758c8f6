import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { configTable } from "../tools/configTable";
import { ROOT } from "../tools/offlineStack";

describe("README", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

    it("documents every config key with its current default per stack", () => {
        const m = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
        assert.ok(m, "README lost its config-table markers");
        assert.strictEqual(m[1], configTable(), "README config table is stale: run `npm run config-table` and paste it");
    });

    it("shows the test command CI runs", () => {
        assert.match(readme, /npm ci && npm test/);
    });
});
