"""Training/evaluation data: specs → labelled messages → labelled templates.

Specs:
    ``csv:PATH``                 columns ``message,label[,anomaly]``; other column names
                                 via ``csv:PATH?message=log_message&label=target_label``
    ``generated:N[?seed=S&families=a,b&templates=0]``  N lines of ``logtriage.samples.generate``
                                 (redistributable) plus each generator template once
    ``es:[http(s)://HOST:PORT/]INDEX[?message=F&label=F&anomaly=F&timestamp=F]``
                                 documents of an Elasticsearch/OpenSearch index (or data
                                 stream) that have the label field; dotted field paths ok.
                                 Hosts and credentials come from the ``search`` config
                                 section (``LOGTRIAGE_SEARCH__*``) unless the URL names a host
A plain path ending in ``.csv`` means ``csv:PATH``. Several specs can be joined with ``+``.
"""

from __future__ import annotations

import io
import logging
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from logtriage.config import MaskingSettings, MiningSettings
from logtriage.core import build_miner
from logtriage.strict_csv import CsvProblem, read_csv
from logtriage.wording import counted

__all__ = [
    "DEFAULT_ANOMALY_LABELS",
    "Example",
    "TemplateSet",
    "grouped_split",
    "load_spec",
    "mine_templates",
]

log = logging.getLogger("logtriage.exporters")

#: Labels of the default taxonomy that count as anomalies (LABELING.md).
DEFAULT_ANOMALY_LABELS = ("Critical Error", "Error", "Security Alert")


@dataclass(frozen=True)
class Example:
    """One labelled message; ``anomaly`` None when the source has no anomaly column."""

    message: str
    label: str
    anomaly: bool | None = None


def _truthy(v: str) -> bool:
    return v.strip().lower() in {"1", "true", "yes", "t", "y"}


def _load_csv(path: Path, opts: dict[str, str]) -> list[Example]:
    """Labelled rows of a CSV; a row without a message or a label teaches nothing and is
    skipped (an upload to the API, by contrast, keeps such rows)."""
    mcol = opts.get("message", "message")
    lcol = opts.get("label", "label")
    acol = opts.get("anomaly", "anomaly")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as "
            "UTF-8 (labels learnt from replaced characters would not match the logs)"
        ) from exc
    try:
        table = read_csv(io.StringIO(text, newline=""), pad_short_rows=False)
    except CsvProblem as exc:
        raise ValueError(f"{path}:{exc.line}: {exc.problem}") from exc
    cols = table.header
    if mcol not in cols or lcol not in cols:
        raise ValueError(f"{path}: needs columns {mcol!r} and {lcol!r}, has {cols}")
    m, lab = cols.index(mcol), cols.index(lcol)
    a = cols.index(acol) if acol in cols else None
    examples = [
        Example(r[m], r[lab].strip(), _truthy(r[a]) if a is not None else None)
        for r in table.rows
        if r[m].strip() and r[lab].strip()
    ]
    skipped = len(table.rows) - len(examples)
    if skipped:
        log.warning(
            "%s: %s without a message or a label skipped",
            path,
            counted(skipped, "row"),
        )
    return examples


def _anomaly_flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _truthy(value)
    if isinstance(value, int | float):
        return value != 0
    return None


def _load_index(target: str, opts: dict[str, str]) -> list[Example]:
    """Labelled documents of an index, read with point in time in timestamp order."""
    from logtriage.config import load_settings
    from logtriage.search.client import SearchClient
    from logtriage.sources.search import get_path, iter_pages

    search = load_settings(None).search
    url = urlsplit(target)
    index = target
    if url.scheme in ("http", "https"):
        index = url.path.strip("/")
        search = search.model_copy(update={"hosts": [f"{url.scheme}://{url.netloc}"]})
    if not index:
        raise ValueError(f"es:{target}: name the index, e.g. es:http://127.0.0.1:9200/logs-app")
    mfield = opts.get("message", "message")
    lfield = opts.get("label", "label")
    afield = opts.get("anomaly")
    out: list[Example] = []
    client = SearchClient.connect(search)
    try:
        pages = iter_pages(
            client,
            index=index,
            query={"exists": {"field": lfield}},
            timestamp_field=opts.get("timestamp", "@timestamp"),
            page_size=5000,
            source_fields=[f for f in (mfield, lfield, afield) if f],
        )
        for page in pages:
            for hit in page:
                message = get_path(hit.source, mfield)
                label = get_path(hit.source, lfield)
                if (
                    isinstance(message, str)
                    and message.strip()
                    and isinstance(label, str)
                    and label.strip()
                ):
                    anomaly = _anomaly_flag(get_path(hit.source, afield)) if afield else None
                    out.append(Example(message, label.strip(), anomaly))
    finally:
        client.close()
    return out


def _load_generated(n: int, opts: dict[str, str]) -> list[Example]:
    try:
        from logtriage.samples import generate
    except ImportError as exc:  # lands with the samples generator
        raise ValueError("generated:N needs logtriage.samples (not in this checkout)") from exc
    seed = int(opts.get("seed", "0"))
    fams = opts.get("families")
    lines = generate(n, seed=seed, families=fams.split(",") if fams else None)
    out = [Example(s.message, s.label, bool(s.anomaly)) for s in lines]
    if opts.get("templates", "1") != "0":
        # The generator's own templates (``<*>`` wildcards) too, once each: run-time
        # template texts look like these once the miner has generalised a template.
        seen: dict[str, Example] = {}
        for s in lines:
            seen.setdefault(s.template, Example(s.template, s.label, bool(s.anomaly)))
        out += list(seen.values())
    return out


_KINDS = ("csv", "generated", "es", "elasticsearch", "opensearch")


def load_spec(spec: str) -> list[Example]:
    """Examples from a data spec (see module docstring)."""
    out: list[Example] = []
    for part in spec.split("+"):
        kind, _, rest = part.partition(":")
        if kind not in _KINDS and part.partition("?")[0].lower().endswith(".csv"):
            kind, rest = "csv", part
        target, _, query = rest.partition("?")
        opts = dict(parse_qsl(query))
        if kind == "csv":
            out += _load_csv(Path(target), opts)
        elif kind == "generated":
            if not target.isdigit() or int(target) < 1:
                raise ValueError(f"{part!r}: generated:N needs a positive number of lines")
            out += _load_generated(int(target), opts)
        elif kind in ("es", "elasticsearch", "opensearch"):
            out += _load_index(target, opts)
        else:
            raise ValueError(f"unknown data spec {part!r} (csv:PATH, generated:N, es:INDEX)")
    if not out:
        raise ValueError(f"data spec {spec!r} holds no labelled messages")
    return out


@dataclass
class TemplateSet:
    """Mined templates with their majority label; ``line_template`` maps each example to
    its template index."""

    texts: list[str]
    labels: list[str]
    anomaly: list[bool | None]
    counts: list[int]
    line_template: list[int] = field(default_factory=list)


def mine_templates(examples: list[Example], *, batch: int = 4096) -> TemplateSet:
    """Mine templates with the runtime's default miner; label each by majority vote."""
    miner = build_miner(MiningSettings(), MaskingSettings())
    ids: list[int] = []
    messages = [e.message for e in examples]
    for start in range(0, len(messages), batch):
        batch_ids, _, _changed = miner.train_batch(messages[start : start + batch])
        ids += batch_ids.tolist()
    ids = miner.resolve_batch(ids).tolist()
    texts = {tid: miner.template_text(tid) for tid in set(ids)}
    order: dict[int, int] = {}
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    avotes: dict[int, Counter[bool]] = defaultdict(Counter)
    line_template: list[int] = []
    for tid, ex in zip(ids, examples, strict=True):
        k = order.setdefault(tid, len(order))
        line_template.append(k)
        votes[k][ex.label] += 1
        if ex.anomaly is not None:
            avotes[k][ex.anomaly] += 1
    inv = {k: tid for tid, k in order.items()}
    return TemplateSet(
        texts=[texts[inv[k]] for k in range(len(order))],
        labels=[votes[k].most_common(1)[0][0] for k in range(len(order))],
        anomaly=[avotes[k].most_common(1)[0][0] if avotes[k] else None for k in range(len(order))],
        counts=[sum(votes[k].values()) for k in range(len(order))],
        line_template=line_template,
    )


def grouped_split(labels: list[str], fractions: tuple[float, ...], *, seed: int) -> list[list[int]]:
    """Split item indices into parts by ``fractions``, stratified by label, deterministic.

    Every label keeps at least one item in the first part."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, y in enumerate(labels):
        by_label[y].append(i)
    parts: list[list[int]] = [[] for _ in fractions]
    for y in sorted(by_label):
        idx = by_label[y]
        rng.shuffle(idx)
        n = len(idx)
        bounds = [0]
        acc = 0.0
        for f in fractions[:-1]:
            acc += f
            bounds.append(max(1, round(acc * n)) if n > 1 else n)
        bounds.append(n)
        for p in range(len(fractions)):
            parts[p] += idx[bounds[p] : bounds[p + 1]]
    return [sorted(p) for p in parts]
