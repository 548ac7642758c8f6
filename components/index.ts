// The public surface of the library: every component and its args.
export * from "./oneHub";
export * from "./oneHubCluster";
export * from "./oneHubDatabase";
export * from "./oneHubMasterService";
export * from "./oneHubNetwork";
export * from "./oneHubSecrets";
export * from "./oneHubSlaveService";
export * from "./privateEdge";
export { OneHubServiceArgs } from "./serviceBase";
export { InvalidArgumentError } from "./validation";
