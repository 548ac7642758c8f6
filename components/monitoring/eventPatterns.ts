// EventBridge patterns of the ECS events that no metric announces. Pure: the patterns are plain
// JSON of resolved ids, tested as values. Shapes from the ECS developer guide:
// - task state change, Fargate Spot interruption: detail.stopCode "SpotInterruption", stoppedReason
//   "Your Spot Task was interrupted." (ecs_task_events.html, fargate-capacity-providers.html);
// - deployment state change: SERVICE_DEPLOYMENT_FAILED (sent only with the circuit breaker or
//   deployment alarms on), and SERVICE_DEPLOYMENT_IN_PROGRESS whose reason names a rollback
//   ("ECS deployment circuit breaker: rolling back to deploymentId …") (ecs_service_deployment_events.html);
// - service action: SERVICE_TASK_PLACEMENT_FAILURE (no capacity, e.g. no Fargate Spot capacity) and
//   SERVICE_TASK_START_IMPAIRED (tasks keep failing to start) (ecs_service_events.html).
// The service ARN is in an event's `resources` for both service kinds of event.

type Pattern = Record<string, unknown>;

/** Slave (or any) tasks of the cluster stopped because Fargate Spot reclaimed their capacity. */
export function spotInterruptionPattern(clusterArn: string): Pattern {
    return {
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: {
            clusterArn: [clusterArn],
            // The notice comes while the task still runs; the task is reported once, when it stopped.
            lastStatus: ["STOPPED"],
            stopCode: ["SpotInterruption"],
        },
    };
}

/** A deployment of one of the services failed, or started to roll back (circuit breaker or alarms). */
export function deploymentFailedPattern(serviceArns: string[]): Pattern {
    return {
        source: ["aws.ecs"],
        "detail-type": ["ECS Deployment State Change"],
        resources: serviceArns,
        detail: {
            $or: [
                { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
                { eventName: ["SERVICE_DEPLOYMENT_IN_PROGRESS"], reason: [{ wildcard: "*rolling back*" }] },
            ],
        },
    };
}

/** ECS could not place, or keeps failing to start, tasks of one of the services. */
export function taskPlacementPattern(serviceArns: string[]): Pattern {
    return {
        source: ["aws.ecs"],
        "detail-type": ["ECS Service Action"],
        resources: serviceArns,
        detail: { eventName: ["SERVICE_TASK_PLACEMENT_FAILURE", "SERVICE_TASK_START_IMPAIRED"] },
    };
}
