// (a) The whole system in a few lines: a new VPC, Aurora, CloudFront + internal ALB, master and
// autoscaled slaves. `pulumi up` with only this file, a Pulumi.yaml and `npm install onehub`.
import * as pulumi from "@pulumi/pulumi";
import { OneHub, vpcOriginZoneNames } from "onehub";

export = async () => {
    // Zones by ID: CloudFront VPC origins are missing in some (e.g. use1-az3), and zone names map
    // to different IDs in every account. Without this, OneHub checks the region's first zones at
    // preview and stops if one of them cannot host the origin.
    const availabilityZoneNames = await vpcOriginZoneNames("azCount", 3);
    const onehub = new OneHub("llm-gateway", {
        availabilityZoneNames,
        azCount: 3,
        natStrategy: "OnePerAz",
        // Production keeps the database awake, pooled connections and a fresh slave cache; the
        // defaults are the cheaper dev profile (a pausing database, a NAT instance, no Container Insights).
        dbMinCapacity: 0.5,
        dbSecondsUntilAutoPause: 0,
        sqlMaxIdleConns: 10,
        sqlMaxLifetime: 300,
        syncFrequency: 60,
        containerInsights: "enabled",
        dbMaxCapacity: 16,
        dbRebootedMaxCapacity: 16,
        dbReaderCount: 1,
        dbDeletionProtection: true,
        dbFinalSnapshot: true,
        slaveMinCount: 2,
        slaveMaxCount: 10,
        wafEnabled: true,
        tags: { team: "llm-platform" },
    });
    const outputs: Record<string, pulumi.Output<string>> = { url: onehub.url, masterLogGroup: onehub.masterLogGroupName };
    return outputs;
};
