// The package's entry point (package.json `main` is its compiled form). Pulumi's component
// analyzer looks for the components here: it maps `main` from .js to .ts at the same path, which
// does not exist (the build goes to dist/), and then falls back to a root index.ts.
export * from "./components";
