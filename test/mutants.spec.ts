// The mutation tool's own rules (the measurement itself is `npm run mutants`, not part of npm test).
import * as assert from "assert";
import { applyMutant, Mutant, parseMutantArgs, parseMutants, summarize } from "../tools/mutants";

describe("npm run mutants", () => {
    it("reads one mutant per tab-separated line, with \\n, \\t and \\\\ escapes, an empty replacement and an optional reason it is equivalent", () => {
        const list = [
            "# a comment",
            "",
            "a\tx.ts\tfoo\\nbar\tbaz\\tqux\\\\\tthe invariant",
            "b\ty.ts\tdeleted\t\tanother\tno test can tell",
        ].join("\n");
        assert.deepStrictEqual(parseMutants(list), [
            { id: "a", file: "x.ts", from: "foo\nbar", to: "baz\tqux\\", breaks: "the invariant", equivalent: undefined, line: 3 },
            { id: "b", file: "y.ts", from: "deleted", to: "", breaks: "another", equivalent: "no test can tell", line: 4 },
        ]);
    });

    it("refuses a line without an invariant, and a duplicate id", () => {
        assert.throws(() => parseMutants("a\tx.ts\tfoo\tbar"), /line 1: expected id, file, original, replacement/);
        assert.throws(() => parseMutants("a\tx.ts\tfoo\tbar\tinv\na\tx.ts\tbaz\tbar\tinv"), /line 2: duplicate id a/);
    });

    it("applies a mutant only where its original text occurs exactly once, and not as a no-op", () => {
        assert.deepStrictEqual(applyMutant("a = 1; b = 2;", { from: "b = 2", to: "b = 3" }), { text: "a = 1; b = 3;" });
        assert.deepStrictEqual(applyMutant("x = $1", { from: "x", to: "$&y" }), { text: "$&y = $1" }, "replacement text taken literally");
        assert.deepStrictEqual(applyMutant("a = 1;", { from: "b", to: "c" }), { problem: "original text not found" });
        assert.deepStrictEqual(applyMutant("a a", { from: "a", to: "b" }), { problem: "original text found 2 times" });
        assert.deepStrictEqual(applyMutant("a", { from: "a", to: "a" }), { problem: "replacement equals the original" });
    });

    it("counts the kill rate over the mutants that were run, leaving equivalent and unapplied ones out", () => {
        const m = { id: "m" } as Mutant;
        const outcome = (status: any) => ({ mutant: m, status, detail: "", seconds: 0 });
        assert.deepStrictEqual(
            summarize([
                outcome("killed"),
                outcome("killed"),
                outcome("killed"),
                outcome("survived"),
                outcome("equivalent"),
                outcome("not applied"),
            ]),
            { killed: 3, survived: 1, equivalent: 1, failed: 1, rate: 0.75 },
        );
    });

    it("takes --jobs, --only and --list, and refuses anything else with its usage", () => {
        assert.deepStrictEqual(parseMutantArgs(["--jobs", "3", "--only", "a,b", "--list"]), { jobs: 3, only: ["a", "b"], list: true });
        assert.throws(() => parseMutantArgs(["--jobs", "0"]), /unknown or incomplete option --jobs\nusage: npm run mutants/);
        assert.throws(() => parseMutantArgs(["--bail"]), /unknown or incomplete option --bail/);
    });
});
