"""``logtriage parse``: mine templates from a log file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from logtriage.cli.options import ConfigOption, FlushAfterOption, LogFormatOption
from logtriage.cli.progress import byte_progress, note
from logtriage.cli.signals import cleanup_on_termination
from logtriage.cli.state_file import check_state_target, load_state
from logtriage.config import load_settings
from logtriage.core import Miner, build_miner
from logtriage.errors import StateError
from logtriage.pipeline import Pipeline
from logtriage.sinks.tabular import OutputFormat, RowSink
from logtriage.sources.files import LogFileSource
from logtriage.wording import counted

PARSE_COLUMNS = ("LineId", "Content", "EventId", "EventTemplate")


def parse(
    file: str = typer.Argument(..., help="Log file, or - for standard input."),
    log_format: str | None = LogFormatOption,
    out: str = typer.Option("-", "--out", "-o", help="Output file, or - for stdout."),
    fmt: OutputFormat = typer.Option(OutputFormat.CSV, "--format", help="Output format."),
    config: Path | None = ConfigOption,
    state: Path | None = typer.Option(
        None, "--state", help="Miner state file: loaded if present, saved at the end."
    ),
    flush_after: float | None = FlushAfterOption,
) -> None:
    """Write LineId,Content,EventId,EventTemplate for every line (<*> marks variables)."""
    with cleanup_on_termination():
        _parse(file, log_format, out, fmt, config, state, flush_after)


def _parse(
    file: str,
    log_format: str | None,
    out: str,
    fmt: OutputFormat,
    config: Path | None,
    state: Path | None,
    flush_after: float | None,
) -> None:
    settings = load_settings(config)
    check_state_target(state, out)
    if state is not None and state.exists():
        miner = load_state(state, settings)
    else:
        miner = build_miner(settings.mining, settings.masking)
    source = LogFileSource(file, log_format, flush_after=flush_after)
    if flush_after is None:
        n_templates = _parse_whole(source, miner, out, fmt)
    else:
        n_templates = _parse_streaming(source, miner, out, fmt)
    if state is not None:
        try:
            Pipeline.save_miner(miner, state)
        except OSError as exc:
            raise StateError(f"cannot write state file {state}: {exc.strerror}") from exc
    stats = source.stats
    lines, templates = counted(stats.lines, "line"), counted(n_templates, "template")
    note(f"parsed {lines} into {templates}{stats.problems()}")


def _parse_whole(source: LogFileSource, miner: Miner, out: str, fmt: OutputFormat) -> int:
    """Mine the whole input, then write every line with its template's final text.
    Returns the templates seen."""
    file = source.path
    contents: list[str] = []
    id_chunks: list[np.ndarray] = []
    texts: dict[int, str] = {tid: text for tid, _sid, text, *_ in miner.templates()}
    sink = RowSink(out, PARSE_COLUMNS, fmt, source=file)  # refuses --out = the input now
    with byte_progress("parsing", source.size_bytes()) as advance:
        seen = 0
        for batch in source:
            ids, _changes, changed = miner.train_batch(batch.contents)
            texts.update(changed)
            contents.extend(batch.contents)
            # Resolve merged ids now: the miner forgets the aliases of evicted
            # templates between batches, and `changed` has the survivors' texts.
            id_chunks.append(miner.resolve_batch(ids.tolist()) if changed else ids)
            advance(source.stats.bytes_read - seen)
            seen = source.stats.bytes_read

    # Templates only generalise, so every line gets its template's final text
    # (kept here too for templates the miner evicted since).
    string_ids = {tid: sid for tid, sid, *_ in miner.templates()}
    texts.update((tid, text) for tid, _sid, text, *_ in miner.templates())
    # Ids of templates merged into another since their batch resolve to the survivor.
    ids = miner.resolve_batch(np.concatenate(id_chunks).tolist()).tolist() if id_chunks else []
    with sink:
        sink.write_rows(
            (line_id, content, string_ids.get(tid, str(tid)), texts[tid])
            for line_id, (content, tid) in enumerate(zip(contents, ids, strict=True), start=1)
        )
    return len(texts)


def _parse_streaming(source: LogFileSource, miner: Miner, out: str, fmt: OutputFormat) -> int:
    """Write (and flush) each batch's lines once it is mined (``--flush-after``), with
    their templates as they are then: like ``classify``, an early line can show a more
    specific text than at the end. Returns the templates seen."""
    texts: dict[int, str] = {tid: text for tid, _sid, text, *_ in miner.templates()}
    string_ids = {tid: sid for tid, sid, *_ in miner.templates()}
    sink = RowSink(out, PARSE_COLUMNS, fmt, source=source.path)  # refuses --out = the input
    size = source.size_bytes()  # a bad input fails here, before the output gets a header
    with sink, byte_progress("parsing", size) as advance:
        seen = 0
        for batch in source:
            ids, _changes, changed = miner.train_batch(batch.contents)
            if changed:
                texts.update(changed)
                ids = miner.resolve_batch(ids.tolist())
            if not set(ids.tolist()) <= string_ids.keys():  # a template's string id never changes
                string_ids = {tid: sid for tid, sid, *_ in miner.templates()}
            sink.write_rows(
                (line_id, content, string_ids.get(tid, str(tid)), texts[tid])
                for line_id, (content, tid) in enumerate(
                    zip(batch.contents, ids.tolist(), strict=True), start=batch.first_line_id
                )
            )
            sink.flush()
            advance(source.stats.bytes_read - seen)
            seen = source.stats.bytes_read
    return len(texts)
