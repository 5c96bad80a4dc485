"""Alert rules in YAML, evaluated by the sidecar on what it labels.

```yaml
rules:
  - id: new-severe-template          # stable id, used in payloads and dedup keys
    kind: new_template               # a template seen for the first time ...
    labels: [Critical Error, Security Alert]   # ... with one of these labels
    group_by: [service]              # any of: service, host
    window_s: 900                    # resolved after this long without the template
  - id: critical-burst
    kind: label_count                # count of documents with `label` in the window
    label: Critical Error
    threshold: 20                    # fires when count > threshold
    window_s: 300
    group_by: [service, host]
  - id: anomaly-rate
    kind: anomaly_rate               # share of anomalies in the window
    threshold: 0.05                  # fires when rate > threshold ...
    min_count: 50                    # ... over at least this many documents
    window_s: 600
```
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from logtriage.config.hints import closest_label
from logtriage.errors import ConfigError
from logtriage.labels import UNCLASSIFIED
from logtriage.textfiles import read_user_text

__all__ = [
    "AlertRule",
    "AnomalyRateRule",
    "LabelCountRule",
    "NewTemplateRule",
    "RuleFile",
    "check_rule_labels",
    "load_rules_file",
    "parse_rules",
    "writable_labels",
]

GroupKey = Literal["service", "host"]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    summary: str = ""
    severity: Literal["critical", "warning", "info"] = "warning"
    group_by: list[GroupKey] = []
    window_s: float = Field(300.0, gt=0)


class NewTemplateRule(_Rule):
    """A template seen for the first time with a label in ``labels``."""

    kind: Literal["new_template"]
    labels: list[str] = Field(min_length=1)


class LabelCountRule(_Rule):
    """More than ``threshold`` documents labelled ``label`` within ``window_s``."""

    kind: Literal["label_count"]
    label: str = Field(min_length=1)
    threshold: int = Field(ge=0)


class AnomalyRateRule(_Rule):
    """Share of anomalous documents within ``window_s`` above ``threshold``."""

    kind: Literal["anomaly_rate"]
    threshold: float = Field(ge=0, le=1)
    min_count: int = Field(1, ge=1)


AlertRule = Annotated[
    NewTemplateRule | LabelCountRule | AnomalyRateRule, Field(discriminator="kind")
]


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[AlertRule]


def _where(loc: tuple[int | str, ...], data: object) -> str:
    """``rule 2 ('crit') threshold`` for pydantic's ``rules.1.label_count.threshold``:
    rules counted from 1 as in the file, named by id, without the kind's tag."""
    if len(loc) < 2 or loc[0] != "rules" or not isinstance(loc[1], int):
        return ".".join(map(str, loc))
    rules = data.get("rules") if isinstance(data, dict) else None
    rule = rules[loc[1]] if isinstance(rules, list) and loc[1] < len(rules) else None
    rest = list(loc[2:])
    if isinstance(rule, dict):
        if rest and rest[0] == rule.get("kind"):
            rest = rest[1:]
        named = f" ({rule['id']!r})" if isinstance(rule.get("id"), str) else ""
    else:
        named = ""
    where = f"rule {loc[1] + 1}{named}"
    return f"{where} {'.'.join(map(str, rest))}" if rest else where


def parse_rules(data: object, source: str = "<rules>") -> list[AlertRule]:
    """Validate parsed YAML; every problem is reported at once."""
    try:
        parsed = RuleFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(err['loc'], data)}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"invalid alert rules in {source}: {problems}") from exc
    ids = [r.id for r in parsed.rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(f"invalid alert rules in {source}: duplicate ids {dupes}")
    return list(parsed.rules)


def load_rules_file(path: Path) -> list[AlertRule]:
    text = read_user_text(path, "alert rules file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"alert rules {path} are not valid YAML: {exc}") from exc
    return parse_rules(data, str(path))


def writable_labels(rule_labels: Iterable[str], model_labels: Iterable[str]) -> frozenset[str]:
    """The labels a pipeline can write: its regex rules', its model's (none when the
    model is off) and ``Unclassified``."""
    return frozenset([*(x for x in rule_labels if x), *model_labels, UNCLASSIFIED])


def check_rule_labels(rules: Sequence[AlertRule], known: Collection[str], source: str) -> None:
    """Refuse rules that name a label the pipeline never writes (``known``: the model's
    labels, the regex rules' labels and ``Unclassified``): such a rule would never fire.

    Raises:
        ConfigError: every unknown label, with the closest known one.
    """
    problems = []
    for rule in rules:
        wanted = (
            rule.labels
            if isinstance(rule, NewTemplateRule)
            else [rule.label]
            if isinstance(rule, LabelCountRule)
            else []
        )
        for label in wanted:
            if label in known:
                continue
            close = closest_label(label, known)
            hint = f" (did you mean {close!r}?)" if close else ""
            problems.append(f"rule {rule.id!r}: no document is ever labelled {label!r}{hint}")
    if problems:
        raise ConfigError(
            f"invalid alert rules in {source}: {'; '.join(problems)}. The labels written "
            f"here are: {', '.join(sorted(known))}"
        )
