"""Deterministic generator of realistic, labelled sample log lines.

Used to train the default model bundle (everything comes from this package's own
templates, written from general knowledge of what such logs look like, so the output
may be redistributed) and as the demo's sample logs. Pure Python (stdlib only); no
network, no global random state.

    >>> from logtriage.samples import generate
    >>> lines = generate(1000, seed=7, families=["sshd", "nginx_access"])

Labels follow ``LABELING.md`` of the shared data (the seven categories, decided in
the order Security Alert, Critical Error, Error, HTTP Status, Resource Usage, User
Action, System Notification; ``anomaly`` is true exactly for the first three).

Choices worth knowing:

- **HTTP access lines with 4xx/5xx statuses are labelled HTTP Status.** The status
  code is a variable of the access-log template and a template carries one label (the
  same decision the shared OpenStack labelling notes take for its wsgi access lines).
  LABELING.md decides Error before HTTP Status, so a request line whose *text* states
  a failure (envoy ``503 UF upstream_reset_before_response_started``, nginx/apache
  error-log "upstream timed out ... request: GET ...") is Error, and one that states a
  denial (WAF/RBAC/JWT ``403``/``401`` with "denied") is Security Alert; a bare status
  code, 5xx included, leaves the line HTTP Status.
- **Error vs Critical Error**: one request/operation failing (timeout, refused
  connection, exception, retry) is Error; a process/node/service/data being lost
  (OOM kill, panic, abort, FATAL, corruption, node declared dead) is Critical Error.
- **Security Alert vs User Action**: failed logins, invalid users, denials, firewall
  blocks, escalation attempts are Security Alert; successful logins, sessions, sudo
  that was allowed, user requests and settings changes are User Action.
- **Resource Usage vs System Notification**: a line that exists to report a
  quantity (memory, CPU, disk, pool/cache/queue size, quota, bandwidth, battery) is
  Resource Usage, also at WARN level ("disk usage 91% above watermark"); timing and
  progress lines ("took 3.2s", "processed 500 records") are System Notification.
  A limit that makes a request fail ("too many clients", "table full, dropping
  packet", a circuit breaker rejecting a request) is Error, decided first; a line that
  reports the level or the limit itself (quota used N of M, throttled at N B/s) stays
  Resource Usage.
- Multi-line stack traces (Java ``at ...`` frames, ``Caused by:`` lines, Python
  ``Traceback``/``File`` lines) are emitted as separate lines, all labelled Error.
"""

from __future__ import annotations

import csv
import json
import random
import re
from bisect import bisect
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path

from logtriage.samples._headers import HEADERS, TS
from logtriage.samples._templates import FAMILY_SPECS, FOLLOW_SPECS, FamilySpec
from logtriage.samples._vars import SAMPLERS, Sampler

__all__ = [
    "ANOMALY_LABELS",
    "FAMILIES",
    "LABELS",
    "LABEL_SHARES",
    "SampleLine",
    "Template",
    "generate",
    "templates",
    "write_csv",
    "write_jsonl",
]

LABELS: tuple[str, ...] = (
    "Critical Error",
    "Error",
    "Security Alert",
    "User Action",
    "HTTP Status",
    "Resource Usage",
    "System Notification",
)
ANOMALY_LABELS = frozenset({"Critical Error", "Error", "Security Alert"})
_CODES = {
    "C": "Critical Error",
    "E": "Error",
    "S": "Security Alert",
    "U": "User Action",
    "H": "HTTP Status",
    "R": "Resource Usage",
    "N": "System Notification",
}
# Target share of each label when all families are drawn from (stack-trace continuation
# lines add a little to Error).
LABEL_SHARES: dict[str, float] = {
    "Critical Error": 0.09,
    "Error": 0.065,
    "Security Alert": 0.11,
    "User Action": 0.11,
    "HTTP Status": 0.15,
    "Resource Usage": 0.10,
    "System Notification": 0.375,
}
_LEVELS = {
    "syslog": {"C": "crit", "E": "err", "S": "warning", "": "info"},
    "std": {"C": "FATAL", "E": "ERROR", "S": "WARN", "": "INFO"},
    "py": {"C": "CRITICAL", "E": "ERROR", "S": "WARNING", "": "INFO"},
    "pg": {"C": "FATAL", "E": "ERROR", "S": "FATAL", "": "LOG"},
    "win": {
        "C": "Critical",
        "E": "Error",
        "S": "Audit Failure",
        "U": "Audit Success",
        "": "Information",
    },
    "ras": {"C": "FATAL", "E": "ERROR", "S": "WARNING", "": "INFO"},
}
_VAR = re.compile(r"\{(\w+)\}")
_LINE = re.compile(
    r"^([CESUHRN])(?:\*(\d+(?:\.\d+)?))?(?:!([\w ]+))?(?:@([^|+]+))?(?:\+(\w+))?\|(.*)$"
)
_TIME_VARS = ("clf", "clfms", "auditts", "epoch")


@dataclass(frozen=True)
class SampleLine:
    """One generated log line and its ground truth."""

    timestamp: str
    service: str
    host: str
    level: str
    message: str
    raw: str
    label: str
    anomaly: bool
    template: str


@dataclass(frozen=True)
class Template:
    """One message template of a family (``text`` has ``<*>`` for each variable)."""

    family: str
    label: str
    text: str
    weight: float
    level: str
    component: str | None
    follow: str | None
    parts: tuple[str, ...]
    names: tuple[str, ...]
    # (sampler or None for a time variable, variable name, literal text that follows)
    steps: tuple[tuple[Sampler | None, str, str], ...]


def _compile(
    family: str,
    code: str,
    body: str,
    weight: float,
    level: str | None,
    comp: str | None,
    follow: str | None,
    spec: FamilySpec,
) -> Template:
    pieces = _VAR.split(body)
    parts = tuple(pieces[0::2])
    names = tuple(pieces[1::2])
    for name in names:
        if name not in SAMPLERS and name not in _TIME_VARS:
            raise ValueError(f"{family}: unknown variable {{{name}}} in {body!r}")
    levels = _LEVELS[spec.levels]
    lvl = level or levels.get(code) or levels[""]
    return Template(
        family=family,
        label=_CODES[code],
        text="<*>".join(parts),
        weight=weight,
        level=lvl,
        component=comp,
        follow=follow,
        parts=parts,
        names=names,
        steps=tuple((SAMPLERS.get(name), name, parts[i + 1]) for i, name in enumerate(names)),
    )


def _parse(family: str, spec: FamilySpec, text: str) -> list[Template]:
    out: list[Template] = []
    for raw_line in text.strip("\n").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            raise ValueError(f"{family}: bad template line {line!r}")
        code, w, lvl, comp, follow, body = m.groups()
        if follow is not None and follow not in FOLLOW_SPECS:
            raise ValueError(f"{family}: unknown follow group {follow!r}")
        out.append(_compile(family, code, body, float(w) if w else 1.0, lvl, comp, follow, spec))
    return out


_TEMPLATES: dict[str, list[Template]] = {
    fam: _parse(fam, spec, spec.templates) for fam, spec in FAMILY_SPECS.items()
}
# Continuation lines of multi-line records: follow group -> list of step templates.
_FOLLOW: dict[str, dict[str, list[Template]]] = {
    fam: {
        grp: _parse(fam, spec, body)
        for grp, body in FOLLOW_SPECS.items()
        if any(t.follow == grp for t in _TEMPLATES[fam])
    }
    for fam, spec in FAMILY_SPECS.items()
}

_ROLES: dict[str, dict[str, dict[str, list[Template]]]] = {}
for _fam, _groups in _FOLLOW.items():
    for _grp, _steps in _groups.items():
        _roles = _ROLES.setdefault(_fam, {}).setdefault(_grp, {})
        for _t in _steps:
            _roles.setdefault(_t.component or "", []).append(_t)

FAMILIES: tuple[str, ...] = tuple(FAMILY_SPECS)


def templates(families: Sequence[str] | None = None) -> list[Template]:
    """Every template (sampled heads and stack-trace continuation lines) of ``families``."""
    fams = FAMILIES if families is None else tuple(families)
    out: list[Template] = []
    for fam in fams:
        out.extend(_TEMPLATES[fam])
        for steps in _FOLLOW[fam].values():
            out.extend(steps)
    return out


def _time_var(name: str, r: random.Random, dt: TS) -> str:
    if name == "clf":
        return f"{dt.day:02d}/{dt.mon}/{dt.year}:{dt.hms} +0000"
    if name == "clfms":
        return f"{dt.day:02d}/{dt.mon}/{dt.year}:{dt.hms}.{dt.ms}"
    if name == "auditts":
        return f"{dt.epoch_ms // 1000}.{dt.ms}:{r.randint(1000, 999999)}"
    return str(dt.epoch_ms // 1000)  # epoch


def _render(t: Template, r: random.Random, dt: TS) -> str:
    if not t.steps:
        return t.parts[0]
    buf = [t.parts[0]]
    append = buf.append
    for fn, name, lit in t.steps:
        append(fn(r) if fn is not None else _time_var(name, r, dt))
        append(lit)
    return "".join(buf)


def _follow_lines(fam: str, group: str, r: random.Random) -> list[Template]:
    """The continuation templates that follow a head line, in order."""
    by_role = _ROLES[fam][group]
    seq: list[Template] = []
    if group == "java":
        seq += [by_role["frame"][0]] * r.randint(2, 6)
        if r.random() < 0.5:
            seq.append(r.choice(by_role["cause"]))
            seq += [by_role["frame"][0]] * r.randint(1, 3)
            seq.append(by_role["more"][0])
    else:  # python
        seq.append(by_role["tb"][0])
        for _ in range(r.randint(1, 4)):
            seq.append(by_role["file"][0])
            seq.append(r.choice(by_role["code"]))
        seq.append(r.choice(by_role["exc"]))
    return seq


def generate(
    n: int,
    *,
    seed: int = 0,
    families: Sequence[str] | None = None,
    start: datetime | None = None,
) -> list[SampleLine]:
    """Generate ``n`` labelled log lines, identical for the same ``n``, ``seed``, ``families``.

    Labels are drawn with :data:`LABEL_SHARES` (renormalised over the labels the chosen
    families have), then a template of that label, then its variables. Timestamps are
    ISO-8601 UTC with milliseconds and strictly increasing, from ``start`` (a naive
    datetime is taken as UTC; default 2026-01-01 plus ``seed % 1000`` days) onwards at
    about 2.5 lines per second.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    fams = FAMILIES if families is None else tuple(dict.fromkeys(families))
    unknown = [f for f in fams if f not in FAMILY_SPECS]
    if unknown:
        raise ValueError(f"unknown families {unknown}; known: {', '.join(FAMILIES)}")
    if not fams:
        raise ValueError("families must not be empty")
    r = random.Random(seed)
    pools: dict[str, tuple[list[Template], list[float]]] = {}
    for t in (t for f in fams for t in _TEMPLATES[f]):
        if t.weight <= 0:
            continue
        pool = pools.setdefault(t.label, ([], []))
        pool[0].append(t)
        pool[1].append(t.weight * FAMILY_SPECS[t.family].weight)
    labels = [lab for lab in LABELS if lab in pools]
    label_cum = list(accumulate(LABEL_SHARES[lab] for lab in labels))
    cums = {lab: (pools[lab][0], list(accumulate(pools[lab][1]))) for lab in labels}

    if start is None:
        t_ms = 1_767_225_600_000 + (seed % 1000) * 86_400_000  # 2026-01-01 UTC + seed days
    else:
        if start.tzinfo is None:
            start = start.replace(tzinfo=timezone.utc)
        t_ms = int(start.timestamp() * 1000)
    epoch = date(1970, 1, 1)
    day_cache: dict[int, tuple[int, int, int, int, str]] = {}
    last_sec = -1
    hms = ""
    out: list[SampleLine] = []
    append = out.append
    rand = r.random
    total = label_cum[-1]
    new = object.__new__
    anomalous = ANOMALY_LABELS
    while len(out) < n:
        tpls, cum = cums[labels[bisect(label_cum, rand() * total)]]
        head = tpls[bisect(cum, rand() * cum[-1])]
        fam = head.family
        spec = FAMILY_SPECS[fam]
        hp = spec.hosts
        host = hp[int(rand() * len(hp))]
        pid = 300 + int(rand() * 64700)
        seq = [head] if head.follow is None else [head, *_follow_lines(fam, head.follow, r)]
        t_ms += 1 + int(r.expovariate(0.0025))
        level = head.level
        for k, t in enumerate(seq):
            if len(out) >= n:
                break
            if k:
                t_ms += 1
            dn = t_ms // 86_400_000
            ymd = day_cache.get(dn)
            if ymd is None:
                d = epoch + timedelta(days=dn)
                ymd = day_cache[dn] = (d.year, d.month, d.day, d.weekday(), d.isoformat())
            sec = t_ms // 1000
            if sec != last_sec:
                last_sec = sec
                x = sec % 86400
                hms = f"{x // 3600:02d}:{x % 3600 // 60:02d}:{x % 60:02d}"
            dt = TS(t_ms, *ymd, hms)
            msg = _render(t, r, dt)
            if k:
                raw = msg
            else:
                comp = t.component
                if comp is None:
                    cp = spec.components
                    comp = cp[int(rand() * len(cp))]
                raw = HEADERS[spec.style](dt, host, spec.proc, pid, level, comp, msg)
            # Fast construction of the frozen dataclass (its __init__ costs a
            # object.__setattr__ per field); equality/hash/repr are unaffected.
            line = new(SampleLine)
            line.__dict__.update(
                timestamp=dt.iso,
                service=fam,
                host=host,
                level=level,
                message=msg,
                raw=raw,
                label=t.label,
                anomaly=t.label in anomalous,
                template=t.text,
            )
            append(line)
    return out


def write_csv(lines: Sequence[SampleLine], path: str | Path) -> None:
    """Write ``message,label,anomaly`` (the user CSV training format; anomaly as 0/1)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(("message", "label", "anomaly"))
        for line in lines:
            w.writerow((line.message, line.label, int(line.anomaly)))


def write_jsonl(lines: Sequence[SampleLine], path: str | Path) -> None:
    """Write one JSON object per line with every :class:`SampleLine` field."""
    with open(path, "w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps(asdict(line), ensure_ascii=False))
            fh.write("\n")
