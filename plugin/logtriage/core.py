"""Typed construction of the Rust core objects from settings.

The extension (``logtriage._core``) takes plain tuples; this module turns
validated settings and rule files into them, so doors never build core objects
by hand.
"""

from __future__ import annotations

from difflib import get_close_matches
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from logtriage._core import HeaderParser, Masker, Miner, RuleSet, default_masks, header_presets
from logtriage.config import MaskingSettings, MiningSettings, RulesSettings
from logtriage.errors import ConfigError, RuleError
from logtriage.textfiles import read_user_text

__all__ = [
    "RuleSpec",
    "build_header_parser",
    "build_masker",
    "build_miner",
    "load_rules",
    "read_rule_file",
    "resolve_masks",
]

DEFAULT_RULES_RESOURCE = "default_rules.yaml"
BUILT_IN = f"(built-in) {DEFAULT_RULES_RESOURCE}"


class RuleSpec(BaseModel):
    """One rule as written in a rules YAML file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    pattern: str = Field(min_length=1)
    label: str = Field(min_length=1)
    anomaly: bool | None = None
    priority: int = 0
    field: str | None = None

    def as_tuple(self) -> tuple[str, str, str, bool | None, int, str | None]:
        return (self.id, self.pattern, self.label, self.anomaly, self.priority, self.field)


# Texts a mask regex that matches the empty string writes its placeholder into.
_EMPTY_MATCH_PROBES = ("", "a", "a 1 b=c")


def _matches_nothing_at_places(name: str, regex: str, placeholder: str) -> bool:
    """Whether the mask writes its placeholder between characters (a regex such as
    ``\\d*`` or ``\\b`` that matches the empty string) on a probe text."""
    masker = Masker(masks=[(name, regex, placeholder)])
    return any(
        masked != probe and masked.replace(placeholder, "") == probe
        for probe, masked in zip(
            _EMPTY_MATCH_PROBES, masker.mask_batch(list(_EMPTY_MATCH_PROBES)), strict=True
        )
    )


def _mask_problems(settings: MaskingSettings, defaults: list[tuple[str, str, str]]) -> list[str]:
    """Names in ``remove`` that are not among ``defaults``, names given twice in ``add``,
    then each ``add`` mask whose regex does not compile (compiled one by one: a masker
    names only its first bad one) or matches the empty string."""
    known = [name for name, _, _ in defaults]
    unknown = [name for name in settings.remove if name not in known]
    problems = []
    if unknown:
        hints = [
            f"{name} (did you mean {close[0]}?)" if close else name
            for name in unknown
            for close in [get_close_matches(name, known, n=1, cutoff=0.6)]
        ]
        problems.append(
            f"masking.remove names unknown masks: {', '.join(hints)} "
            f"(masks: {', '.join(known) or 'none, use_defaults is false'})"
        )
    names = [extra.name for extra in settings.add]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        problems.append(f"masking.add gives a mask name twice: {', '.join(twice)}")
    for extra in settings.add:
        try:
            empty = _matches_nothing_at_places(extra.name, extra.regex, extra.placeholder)
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        if empty:
            problems.append(
                f'mask "{extra.name}": regex "{extra.regex}" matches the empty string '
                "(as \\d* or \\b do), so it would write its placeholder between characters"
            )
    return problems


def resolve_masks(settings: MaskingSettings) -> list[tuple[str, str, str]]:
    """The masks to apply, in order: ``add`` entries with new names first (a default
    would otherwise mask part of what they look for, e.g. the number in ``TICKET-12``,
    before they run), then the defaults (unless disabled) minus ``remove``, where an
    ``add`` entry of the same name takes the default's place.

    Raises:
        ConfigError: every unknown name in ``remove``, name given twice in ``add``, and
            ``add`` regex that does not compile or matches the empty string, in one message.
    """
    masks = list(default_masks()) if settings.use_defaults else []
    problems = _mask_problems(settings, masks)
    if problems:
        raise ConfigError("; ".join(problems))
    removed = set(settings.remove)
    replacing = {extra.name: (extra.name, extra.regex, extra.placeholder) for extra in settings.add}
    kept = [replacing.pop(m[0], m) for m in masks if m[0] not in removed]
    return [*replacing.values(), *kept]


def build_masker(settings: MaskingSettings) -> Masker:
    return Masker(masks=resolve_masks(settings))


def build_miner(mining: MiningSettings, masking: MaskingSettings) -> Miner:
    return Miner(
        sim_threshold=mining.sim_threshold,
        depth=mining.depth,
        max_children=mining.max_children,
        max_templates=mining.max_templates,
        max_tokens=mining.max_tokens,
        masks=resolve_masks(masking),
    )


def _field_in_brackets(log_format: str) -> str | None:
    """The first ``<Field>`` written between an unescaped ``[`` and its ``]`` (``[<Time>]``
    where ``\\[<Time>\\]`` was meant), else ``None``."""
    in_class = False
    i = 0
    while i < len(log_format):
        c = log_format[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "<" and in_class:
            end = log_format.find(">", i)
            if end > i + 1 and "<" not in log_format[i + 1 : end]:
                return log_format[i + 1 : end]
        i += 1
    return None


def build_header_parser(log_format: str) -> HeaderParser:
    """A parser for a LogPAI-style format (``<Date> <Time> <Level> <Content>``), or for
    a named preset (``hdfs``, ``openssh``, ``syslog``, ``raw``, ...: :func:`header_presets`).

    Raises:
        ConfigError: an invalid format, or a name that is not a preset.
    """
    if "<" in log_format:
        try:
            return HeaderParser(log_format)
        except ConfigError as exc:
            field = _field_in_brackets(log_format)
            if field is None:
                raise
            raise ConfigError(
                f'log format "{log_format}": <{field}> stands inside [ ], which in a format '
                f"is regex (a character class): write \\[<{field}>\\] for literal brackets"
            ) from exc
    name = log_format.strip().lower()
    presets = header_presets()
    if name not in presets:
        close = get_close_matches(name, list(presets), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        raise ConfigError(
            f"log format {log_format!r} is neither a format with <Content> nor a preset "
            f"({hint}presets: {', '.join(sorted(presets))})"
        )
    return HeaderParser.from_preset(name)


def read_rule_file(text: str, source: str) -> list[RuleSpec]:
    """Rules from the YAML text of a rules file (``rules:`` list of maps)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"rules file {source} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(f"rules file {source} must have a top-level 'rules:' list")
    specs: list[RuleSpec] = []
    problems: list[str] = []
    for i, item in enumerate(data["rules"]):
        try:
            specs.append(RuleSpec.model_validate(item))
        except ValidationError as exc:
            rule_id = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"]) or "rule"
                problems.append(f"rule {rule_id}: {loc}: {err['msg']}")
    if problems:
        raise ConfigError(f"rules file {source}: " + "; ".join(problems))
    return specs


def _default_rule_text() -> str:
    return resources.files("logtriage.rules").joinpath(DEFAULT_RULES_RESOURCE).read_text("utf-8")


def _duplicate_ids(files: list[tuple[str, list[RuleSpec]]]) -> list[str]:
    """A problem per rule id given twice: inside one file (with both positions,
    counted from 1), or in a user's file and the built-in rules."""
    problems: list[str] = []
    first_file: dict[str, str] = {}
    for source, specs in files:
        first_at: dict[str, int] = {}
        for at, spec in enumerate(specs, start=1):
            if spec.id in first_at:
                problems.append(
                    f"rules file {source}: rule id {spec.id!r} is used twice "
                    f"(rules {first_at[spec.id]} and {at})"
                )
                continue
            first_at[spec.id] = at
            if spec.id in first_file:
                problems.append(
                    f"rules file {source}: rule id {spec.id!r} is already the id of a rule "
                    f"in {first_file[spec.id]}; choose another"
                    + (
                        " (or set rules.use_defaults: false)"
                        if first_file[spec.id] == BUILT_IN
                        else ""
                    )
                )
        for rule_id in first_at:
            first_file.setdefault(rule_id, source)
    return problems


def _pattern_problems(source: str, specs: list[RuleSpec]) -> list[RuleError]:
    """Each rule of one file whose pattern does not compile (a RuleSet names only its first)."""
    problems: list[RuleError] = []
    for spec in specs:
        try:
            RuleSet([spec.as_tuple()])
        except RuleError as exc:
            problems.append(RuleError(f"rules file {source}: {exc}", exc.rule_id, exc.pattern))
    return problems


def load_rules(settings: RulesSettings) -> RuleSet:
    """Compile the shipped rules (unless disabled) plus the user's file into one RuleSet.

    Raises:
        ConfigError: a file is unreadable or malformed, or a rule id is given twice
            (each problem names its file).
        RuleError: a pattern does not compile (names the file and the rule; with several,
            the first one's ``rule_id`` and ``pattern``, every one in the message).
    """
    files: list[tuple[str, list[RuleSpec]]] = []
    if settings.use_defaults:
        files.append((BUILT_IN, read_rule_file(_default_rule_text(), BUILT_IN)))
    if settings.path is not None:
        path = Path(settings.path)
        files.append((str(path), read_rule_file(read_user_text(path, "rules file"), str(path))))
    duplicates = _duplicate_ids(files)
    if duplicates:
        raise ConfigError("; ".join(duplicates))
    try:
        return RuleSet([spec.as_tuple() for _, specs in files for spec in specs])
    except RuleError as exc:
        bad = [problem for source, specs in files for problem in _pattern_problems(source, specs)]
        if not bad:
            raise
        first = bad[0]
        raise RuleError("; ".join(str(b) for b in bad), first.rule_id, first.pattern) from exc
