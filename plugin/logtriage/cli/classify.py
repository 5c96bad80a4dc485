"""``logtriage classify FILE|-``: parse headers, mine templates, apply rules, label the
rest with a model bundle, and write one row per line (CSV or JSONL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import typer

from logtriage.cli.options import ConfigOption, FlushAfterOption, LogFormatOption
from logtriage.cli.progress import byte_progress, note
from logtriage.cli.signals import cleanup_on_termination
from logtriage.sinks.tabular import OutputFormat, RowSink
from logtriage.sources.files import LogFileSource
from logtriage.wording import counted

__all__ = ["OUTPUT_COLUMNS", "app", "classify", "classify_file"]

OUTPUT_COLUMNS = (
    "LineId",
    "Content",
    "EventId",
    "EventTemplate",
    "label",
    "confidence",
    "anomaly",
    "anomaly_score",
    "rule",
)

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def classify_file(
    file: str,
    out: str,
    *,
    log_format: str | None = None,
    model: Path | None = None,
    fmt: OutputFormat = OutputFormat.CSV,
    config: Path | None = None,
    batch_lines: int = 8192,
    flush_after: float | None = None,
) -> dict[str, Any]:
    """Classify every line of ``file`` (``-``: stdin) into ``out``; returns a summary.

    The model is ``model``, else the configured bundle, else the shipped default; with
    none, lines no rule decided are ``Unclassified``. ``flush_after``: see
    :class:`LogFileSource`; each batch's rows are then flushed to ``out``.
    """
    from logtriage.config import load_settings
    from logtriage.model import Classifier
    from logtriage.pipeline import Pipeline

    settings = load_settings(config)
    if model is not None:
        settings = settings.model_copy(
            update={"model": settings.model.model_copy(update={"bundle": model})}
        )
    labeler = Classifier.from_settings(settings.model)
    pipeline = Pipeline(settings, labeler=labeler)
    source = LogFileSource(file, log_format, batch_lines=batch_lines, flush_after=flush_after)
    size = source.size_bytes()  # a bad input fails here, before the output gets a header
    jsonl = fmt is OutputFormat.JSONL
    string_ids: dict[int, str] = {}
    with (
        RowSink(out, OUTPUT_COLUMNS, fmt, source=file) as sink,
        byte_progress("classifying", size) as advance,
    ):
        seen = 0
        for batch in source:
            res = pipeline.process_batch(batch.contents, fields=batch.fields)
            lab = res.labels
            ids = res.template_ids.tolist()
            if not set(ids) <= string_ids.keys():
                string_ids = {t[0]: t[1] for t in pipeline.miner.templates()}
            conf = lab.confidence.astype(np.float64).round(4).tolist()
            score = lab.anomaly_score.astype(np.float64).round(4).tolist()
            anom = lab.anomaly.tolist()
            sink.write_rows(
                (
                    batch.first_line_id + i,
                    content,
                    string_ids.get(tid, str(tid)),
                    res.template_texts[i],
                    lab.label[i],
                    conf[i],
                    anom[i] if jsonl else int(anom[i]),
                    score[i],
                    res.rules[i] if jsonl else (res.rules[i] or ""),
                )
                for i, (content, tid) in enumerate(zip(batch.contents, ids, strict=True))
            )
            if flush_after is not None:
                sink.flush()
            advance(source.stats.bytes_read - seen)
            seen = source.stats.bytes_read
    return {
        "lines": source.stats.lines,
        "problems": source.stats.problems(),
        "templates": len(pipeline.miner),
        "model_version": pipeline.labeler.model_version,
    }


def classify(
    file: str = typer.Argument(..., help="Log file, or - for standard input."),
    log_format: str | None = LogFormatOption,
    model: Path | None = typer.Option(
        None, "--model", "-m", help="Model bundle directory (default: the shipped bundle)."
    ),
    out: str = typer.Option("-", "--out", "-o", help="Output file, or - for stdout."),
    fmt: OutputFormat = typer.Option(OutputFormat.CSV, "--format", help="Output format."),
    config: Path | None = ConfigOption,
    flush_after: float | None = FlushAfterOption,
) -> None:
    """Label every line: rules first, then the model; Unclassified below min_confidence.

    Writes LineId,Content,EventId,EventTemplate,label,confidence,anomaly,anomaly_score,rule."""
    with cleanup_on_termination():
        s = classify_file(
            file,
            out,
            log_format=log_format,
            model=model,
            fmt=fmt,
            config=config,
            flush_after=flush_after,
        )
    note(
        f"classified {counted(s['lines'], 'line')} into {counted(s['templates'], 'template')} "
        "with model "
        f"{s['model_version']}{s['problems']}"
    )


app.command("classify")(classify)
