import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../tools/offlineStack";
import { generatedSections, readmeSection } from "../tools/readmeTables";

describe("README", function () {
    this.timeout(60_000);
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

    it("holds the generated config and cost tables of the committed stacks as they are now (after a change: npm run readme)", async () => {
        for (const [name, text] of Object.entries(await generatedSections())) {
            const current = readmeSection(readme, name);
            assert.ok(current !== undefined, `README lost its ${name} markers`);
            assert.strictEqual(current, text, `README ${name} is stale: run \`npm run readme\``);
        }
    });

    it("shows the test command CI runs", () => {
        assert.match(readme, /npm ci && npm test/);
    });
});
