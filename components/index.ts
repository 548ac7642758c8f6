// The public surface of the library: every component and its args.
export * from "./oneHub";
export * from "./cluster/oneHubCluster";
export * from "./database/oneHubDatabase";
export * from "./services/oneHubMasterService";
export * from "./network/oneHubNetwork";
export * from "./secrets/oneHubSecrets";
export * from "./services/oneHubSlaveService";
export * from "./edge/privateEdge";
export { OneHubServiceArgs } from "./services/serviceBase";
export { InvalidArgumentError } from "./common/validation";
