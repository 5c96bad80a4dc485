"""``logtriage classify FILE|-``: parse headers, mine templates, apply rules, label the
rest with a model bundle, and write one row per line (CSV or JSONL)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from logtriage.errors import LogtriageError

__all__ = ["OUTPUT_COLUMNS", "app", "classify_command", "classify_stream"]

OUTPUT_COLUMNS = [
    "LineId",
    "Content",
    "EventId",
    "EventTemplate",
    "label",
    "confidence",
    "anomaly",
    "anomaly_score",
    "rule",
]

app = typer.Typer(add_completion=False, no_args_is_help=False)


def _read_batches(src: TextIO, batch: int) -> Iterator[list[str]]:
    """Non-empty lines (newline stripped) in batches; minimal reader kept local to this door."""
    buf: list[str] = []
    for raw in src:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        buf.append(line)
        if len(buf) >= batch:
            yield buf
            buf = []
    if buf:
        yield buf


def _open_input(path: str) -> TextIO:
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace", newline="")


def classify_stream(
    src: TextIO,
    out: TextIO,
    *,
    log_format: str = "<Content>",
    model: Path | None = None,
    fmt: str = "csv",
    config: Path | None = None,
    batch_size: int = 4096,
    progress: bool = False,
) -> dict[str, Any]:
    """Classify every line of ``src`` into ``out``; returns a small summary."""
    from logtriage.config import load_settings
    from logtriage.core import build_header_parser
    from logtriage.model import Classifier
    from logtriage.pipeline import Pipeline

    settings = load_settings(config)
    if model is not None:
        settings = settings.model_copy(
            update={"model": settings.model.model_copy(update={"bundle": model})}
        )
    labeler = Classifier.from_settings(settings.model)
    pipeline = Pipeline(settings, labeler=labeler)
    parser = build_header_parser(log_format)
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(OUTPUT_COLUMNS)
    line_id = 0
    n_unparsed = 0
    bar = _progress() if progress else None
    string_ids: dict[int, str] = {}
    for lines in _read_batches(src, batch_size):
        fields, matched = parser.parse_batch(lines)
        n_unparsed += int((~matched).sum())
        content = fields["Content"]
        res = pipeline.process_batch(content, fields=fields)
        lab = res.labels
        ids = res.template_ids.tolist()
        if any(t not in string_ids for t in set(ids)):
            string_ids = {t[0]: t[1] for t in pipeline.miner.templates()}
        conf = lab.confidence.tolist()
        anom = lab.anomaly.tolist()
        score = lab.anomaly_score.tolist()
        for i in range(len(lines)):
            line_id += 1
            row = [
                line_id,
                content[i],
                string_ids.get(ids[i], str(ids[i])),
                res.template_texts[i],
                lab.label[i],
                round(conf[i], 4),
                int(anom[i]),
                round(score[i], 4),
                res.rules[i] or "",
            ]
            if writer is not None:
                writer.writerow(row)
            else:
                doc = dict(zip(OUTPUT_COLUMNS, row, strict=True))
                doc["anomaly"] = bool(anom[i])
                doc["rule"] = res.rules[i]
                out.write(json.dumps(doc) + "\n")
        if bar is not None:
            bar[0].update(bar[1], advance=len(lines))
    if bar is not None:
        bar[0].stop()
    return {
        "lines": line_id,
        "unparsed": n_unparsed,
        "templates": len(pipeline.miner),
        "model_version": pipeline.labeler.model_version,
    }


def _progress() -> tuple[Any, Any] | None:
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    p = Progress(console=Console(stderr=True), transient=True)
    task = p.add_task("classifying", total=None)
    p.start()
    return p, task


@app.command("classify")
def classify_command(
    input: Annotated[str, typer.Argument(help="log file, or - for stdin")],
    log_format: Annotated[
        str, typer.Option("--log-format", help="header format, e.g. '<Date> <Time> <Content>'")
    ] = "<Content>",
    model: Annotated[
        Path | None, typer.Option("--model", help="bundle directory (default: shipped bundle)")
    ] = None,
    out: Annotated[str, typer.Option("--out", "-o", help="output file, - for stdout")] = "-",
    fmt: Annotated[str, typer.Option("--format", help="csv or jsonl")] = "csv",
    config: Annotated[Path | None, typer.Option("--config", help="YAML config file")] = None,
    debug: Annotated[bool, typer.Option("--debug", hidden=True)] = False,
) -> None:
    """Label each line: LineId,Content,EventId,EventTemplate,label,confidence,anomaly,
    anomaly_score,rule."""
    if fmt not in ("csv", "jsonl"):
        typer.echo(f"error: --format must be csv or jsonl, not {fmt!r}", err=True)
        raise typer.Exit(2)
    try:
        src = _open_input(input)
    except OSError as exc:
        typer.echo(f"error: cannot read {input}: {exc.strerror}", err=True)
        raise typer.Exit(1) from exc
    try:
        with src:
            if out == "-":
                summary = classify_stream(
                    src,
                    sys.stdout,
                    log_format=log_format,
                    model=model,
                    fmt=fmt,
                    config=config,
                    progress=False,
                )
            else:
                with open(out, "w", encoding="utf-8", newline="") as dst:
                    summary = classify_stream(
                        src,
                        dst,
                        log_format=log_format,
                        model=model,
                        fmt=fmt,
                        config=config,
                        progress=True,
                    )
    except LogtriageError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"{summary['lines']} lines, {summary['templates']} templates, "
        f"{summary['unparsed']} unparsed headers, model {summary['model_version']}",
        err=True,
    )
