import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { configTable, readmeTable } from "../tools/configTable";
import { ROOT } from "../tools/offlineStack";

describe("README", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

    it("documents every config key with its current default per stack", () => {
        const table = readmeTable(readme);
        assert.ok(table !== undefined, "README lost its config-table markers");
        assert.strictEqual(table, configTable(), "README config table is stale: run `npm run config-table`");
    });

    it("shows the test command CI runs", () => {
        assert.match(readme, /npm ci && npm test/);
    });
});
