// The public surface of the library: every component and its args.
export * from "./oneHub";
export * from "./oneHubDatabase";
export * from "./oneHubNetwork";
export { InvalidArgumentError } from "./validation";
