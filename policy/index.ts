// The OneHub guardrails as a CrossGuard policy pack:
//     pulumi preview --policy-pack policy
// The policies live in the domain modules that policies.ts assembles, so tests can import them
// without starting the policy server that `new PolicyPack` starts.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("onehub-guardrails", {
    description:
        "Invariants of OneHub on AWS (docs/architecture.md): only CloudFront is public, secrets only through ECS secrets and never through the task role, a WAF that blocks, one master, streaming timeouts, production durability.",
    enforcementLevel: "mandatory",
    policies,
});
