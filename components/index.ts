// The public surface of the library: the components, their argument types, the error every
// argument check throws, and the zone lookup a program composing OneHubNetwork itself may want.
// Nothing else (validators, limits, internal helpers) is part of the API.
export { OneHub } from "./oneHub";
export type { OneHubArgs } from "./oneHub";
export { OneHubNetwork } from "./network/oneHubNetwork";
export type { OneHubNetworkArgs } from "./network/oneHubNetwork";
export { NatInstance } from "./network/natInstance";
export type { NatInstanceArgs } from "./network/natInstance";
export { OneHubSecrets } from "./secrets/oneHubSecrets";
export type { OneHubSecretsArgs } from "./secrets/oneHubSecrets";
export { OneHubRootPassword } from "./secrets/oneHubRootPassword";
export type { OneHubRootPasswordArgs } from "./secrets/oneHubRootPassword";
export { OneHubDatabase } from "./database/oneHubDatabase";
export type { OneHubDatabaseArgs } from "./database/oneHubDatabase";
export { PrivateEdge } from "./edge/privateEdge";
export type { PrivateEdgeArgs } from "./edge/privateEdge";
export type { EdgeSettings } from "./edge/edgeSettings";
export { OneHubCluster } from "./cluster/oneHubCluster";
export type { OneHubClusterArgs } from "./cluster/oneHubCluster";
export { OneHubMasterService } from "./services/oneHubMasterService";
export type { OneHubMasterServiceArgs } from "./services/oneHubMasterService";
export { OneHubSlaveService } from "./services/oneHubSlaveService";
export type { OneHubSlaveServiceArgs } from "./services/oneHubSlaveService";
export type { OneHubServiceArgs } from "./services/serviceBase";
export { OneHubMonitoring } from "./monitoring/oneHubMonitoring";
export type { OneHubMonitoringArgs } from "./monitoring/oneHubMonitoring";
export { OneHubBedrockAccess } from "./bedrock/oneHubBedrockAccess";
export type { OneHubBedrockAccessArgs } from "./bedrock/oneHubBedrockAccess";
export { OneHubBedrockEndpoint } from "./bedrock/oneHubBedrockEndpoint";
export type { OneHubBedrockEndpointArgs } from "./bedrock/oneHubBedrockEndpoint";
export { OneHubCache } from "./cache/oneHubCache";
export type { OneHubCacheArgs } from "./cache/oneHubCache";
export { InvalidArgumentError } from "./common/validation";
export { vpcOriginZoneNames } from "./network/vpcChecks";
