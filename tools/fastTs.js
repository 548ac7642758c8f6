// `node -r ./tools/fastTs.js tools/<tool>.ts`: runs the offline tools (plan, cost, policy, schema)
// from the TypeScript sources, fast, and never from a stale build:
// - each .ts file is transpiled by sucrase (types stripped, no type check: `npm test` type-checks)
//   and the result cached under node_modules/.cache/onehub-ts by a hash of the source, so a changed
//   file is always transpiled again and an unchanged one costs a file read;
// - @pulumi/pulumi loads npm's arborist, normalize-package-data and the TypeScript compiler at
//   start (~0.65 s of CPU) for closure serialization and plugin discovery, which a mocked run never
//   uses; so is @pulumi/awsx's `classic` namespace (Docker, the AWS SDK's ECS client: ~0.2 s), of
//   which the components use nothing. Each is replaced in the module cache by a proxy that loads
//   the real module on first use.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "onehub-ts");
let transform;

require.extensions[".ts"] = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    const key = crypto.createHash("sha1").update(filename).update("\0").update(source).digest("hex");
    const cached = path.join(CACHE, `${key}.js`);
    let code;
    try {
        code = fs.readFileSync(cached, "utf8");
    } catch {
        transform = transform || require("sucrase").transform;
        code = transform(source, { transforms: ["typescript", "imports"], filePath: filename, production: true }).code;
        fs.mkdirSync(CACHE, { recursive: true });
        fs.writeFileSync(cached, code);
    }
    module._compile(code, filename);
};

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [ROOT] }));
const awsxDir = path.dirname(require.resolve("@pulumi/awsx/package.json", { paths: [ROOT] }));
for (const [request, from] of [
    ["@npmcli/arborist", pulumiDir],
    ["normalize-package-data", pulumiDir],
    ["typescript", pulumiDir],
    ["./classic", awsxDir],
]) {
    const resolved = require.resolve(request, { paths: [from] });
    let real;
    const load = () => {
        if (!real) {
            delete require.cache[resolved];
            real = require(resolved);
        }
        return real;
    };
    const placeholder = new Module(resolved);
    placeholder.filename = resolved;
    placeholder.loaded = true;
    // `__esModule` keeps TypeScript's __importStar from copying (and so loading) every export, and
    // __importDefault from wrapping; `default` of a CommonJS module is then the module itself.
    const get = (prop) => {
        const mod = load();
        return prop === "default" && !mod.__esModule && !("default" in mod) ? mod : mod[prop];
    };
    placeholder.exports = new Proxy(
        {},
        {
            get: (_, prop) => (prop === "__esModule" ? true : get(prop)),
            has: (_, prop) => prop in load(),
            ownKeys: () => Reflect.ownKeys(load()),
            getOwnPropertyDescriptor: (_, prop) => Reflect.getOwnPropertyDescriptor(load(), prop),
        },
    );
    require.cache[resolved] = placeholder;
}
