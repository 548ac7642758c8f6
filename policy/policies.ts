// The OneHub guardrails: CrossGuard policies for the invariants in docs/architecture.md. This
// module only assembles them from the domain modules; `index.ts` serves them as a policy pack, and
// tools/policyEval.ts runs them offline against the mock runs of the dev and prod stacks.
//
// - security.ts   — what is public (only CloudFront), ingress, secrets, IAM, TLS, WAF
// - onehub.ts     — node roles, the master singleton, slave settings, routing, health checks,
//                   images, streaming timeouts, UTC
// - platform.ts   — circuit breakers, AZs, ECS Exec, logs, listener-rule limits
// - production.ts — rules only production stacks get (WAF, Aurora durability, Container Insights)
// - plumbing.ts   — what the domains share (type adapters, relating resources, stack detection)
//
// Resource policies see a resource's inputs (after the provider's Check in a real preview, before
// it under mocks), so a missing value is read as the AWS default. Stack policies see outputs and
// relate resources by the values they share (security group ids, listener ARNs) or by
// dependencies (service → task definition, cluster → instances).
//
// The pack is self-contained (it can be published on its own), so it restates the design's
// numbers and ids instead of importing them from components/; test/policyConstants.spec.ts checks
// that both sides still agree.
import { Policies } from "@pulumi/policy";
import { onehubPolicies } from "./onehub";
import { platformPolicies } from "./platform";
import { productionPolicies } from "./production";
import { securityPolicies } from "./security";

/** Every guardrail, in the order reports list them: by domain. */
export const policies: Policies = [...securityPolicies, ...onehubPolicies, ...platformPolicies, ...productionPolicies];
