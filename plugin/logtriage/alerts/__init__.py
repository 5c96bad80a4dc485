"""Built-in alerting: YAML rules evaluated by the sidecar on what it labels,
delivered to webhooks (generic JSON or Slack) from a background thread."""

from logtriage.alerts.delivery import Notifier, generic_payload, slack_payload
from logtriage.alerts.engine import AlertEngine
from logtriage.alerts.model import Notification
from logtriage.alerts.rules import (
    AlertRule,
    AnomalyRateRule,
    LabelCountRule,
    NewTemplateRule,
    load_rules_file,
    parse_rules,
)

__all__ = [
    "AlertEngine",
    "AlertRule",
    "AnomalyRateRule",
    "LabelCountRule",
    "NewTemplateRule",
    "Notification",
    "Notifier",
    "generic_payload",
    "load_rules_file",
    "parse_rules",
    "slack_payload",
]
