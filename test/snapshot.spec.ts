import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { compareSnapshot, renderSnapshot, SECRET_MASK, writeSnapshot } from "../tools/snapshot";
import { committedRun, fixtureRun, ofType, stackRun } from "./util";

describe("infrastructure snapshots", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: the committed snapshot matches the program (after an intended change: npm run plan -- ${stack} --update-snapshot)`, async () => {
            assert.strictEqual(compareSnapshot(await committedRun(stack)), undefined);
        });

        it(`${stack}: holds no secret value`, async () => {
            const run = await committedRun(stack);
            const text = renderSnapshot(run);
            const secrets = [
                ...ofType(run, "aws:secretsmanager/secretVersion:SecretVersion").map((v) => v.inputs.secretString),
                ...ofType(run, "aws:rds/cluster:Cluster").map((c) => c.inputs.masterPassword),
                ...ofType(run, "aws:elasticache/user:User").flatMap((u) => u.inputs.authenticationMode.passwords),
            ];
            assert.ok(secrets.length >= 5);
            for (const secret of secrets) {
                assert.ok(!text.includes(secret), "a secret value leaked into the snapshot");
            }
            assert.ok(text.includes(SECRET_MASK));
        });
    }

    it("is deterministic", async () => {
        assert.strictEqual(renderSnapshot(await fixtureRun("dev")), renderSnapshot(await stackRun("dev")), "two separate runs");
    });

    it("fails when a resource input changes and passes once the snapshot is updated", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onehub-snapshot-"));
        try {
            writeSnapshot(await stackRun("dev"), dir);
            const changed = await fixtureRun("dev", { config: { "onehub:albIdleTimeout": 900 } });
            assert.match(compareSnapshot(changed, dir) ?? "", /committed "\s+idleTimeout: 600", now "\s+idleTimeout: 900"/);
            writeSnapshot(changed, dir);
            assert.strictEqual(compareSnapshot(changed, dir), undefined);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
