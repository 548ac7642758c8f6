"""OneHub on AWS from Python: the whole system through the `onehub` component package.

    pulumi package add github.com/<owner>/onehub-aws@v0.2.0   # generates sdks/onehub
    pip install -e sdks/onehub                                         # or let `pulumi install` do it
    pulumi up
"""

import pulumi
import pulumi_onehub as onehub

gateway = onehub.OneHub(
    "llm-gateway",
    az_count=3,
    nat_strategy="OnePerAz",
    db_max_capacity=16,
    db_rebooted_max_capacity=16,
    slave_min_count=2,
    slave_max_count=10,
    waf_enabled=True,
    tags={"team": "llm-platform"},
)

pulumi.export("url", gateway.url)
pulumi.export("master_log_group", gateway.master_log_group_name)
