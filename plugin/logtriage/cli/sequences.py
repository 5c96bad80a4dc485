"""``logtriage sequences train|eval``: sequence anomaly models over sessions.

Input is a session file (one session per line, template ids separated by spaces)
or, with ``--log-format``/``--key-regex``/``--key-field``, a log file whose lines
are mined into template ids and grouped by a session key.
"""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from logtriage.cli.model import import_exporters
from logtriage.cli.options import ConfigOption, LogFormatOption
from logtriage.cli.progress import note
from logtriage.cli.state_file import check_state_target, load_state
from logtriage.config import load_settings
from logtriage.config.sessions import SessionsSettings
from logtriage.core import build_miner
from logtriage.errors import ConfigError, StateError
from logtriage.pipeline import Pipeline
from logtriage.sessions import (
    NgramDetector,
    SessionKeyer,
    load_detector,
    read_session_file,
)
from logtriage.sinks.tabular import OutputFormat, RowSink
from logtriage.wording import counted

sequences_app = typer.Typer(
    help="Sequence anomaly detection over sessions of template ids.", no_args_is_help=True
)

VERDICT_COLUMNS = ("session", "anomalous", "position", "template_id", "misses", "score")


class Detector(str, Enum):
    NGRAM = "ngram"
    LSTM = "lstm"


KeyRegexOption = typer.Option(
    None, "--key-regex", help="Read a log file; session key = this regex's group in a line."
)
KeyFieldOption = typer.Option(
    None, "--key-field", help="Read a log file; session key = this header field."
)
StateOption = typer.Option(
    None,
    "--state",
    help="Miner state for log input: train loads it if present and saves it; eval needs it.",
)


def _sessions(
    file: str,
    settings: SessionsSettings,
    log_format: str | None,
    key_regex: str | None,
    key_field: str | None,
    state: Path | None,
    config: Path | None,
    *,
    train: bool,
) -> tuple[list[str], list[list[int]]]:
    from_logs = log_format is not None or key_regex is not None or key_field is not None
    if not from_logs:
        sessions = read_session_file(file)
        return [str(i) for i in range(1, len(sessions) + 1)], sessions
    from logtriage.sessions.logs import sessions_from_log

    if key_regex is None and key_field is None:  # the command line's key replaces the config's
        key_regex, key_field = settings.key_regex, settings.key_field
    if key_regex is None and key_field is None:
        raise ConfigError("log input needs --key-regex or --key-field (or sessions: in config)")
    full = load_settings(config)
    if train:
        check_state_target(state)
    if state is not None and state.exists():
        miner = load_state(state, full)
    elif state is not None and not train:
        raise StateError(
            f"state file {state} does not exist (write it with `logtriage sequences train "
            "... --state FILE` on the training log, then pass the same file here)"
        )
    else:
        if not train:
            note("warning: no --state given; template ids may differ from training")
        miner = build_miner(full.mining, full.masking)
    keyer = SessionKeyer(key_field=key_field, key_regex=key_regex)
    result = sessions_from_log(file, log_format, keyer, miner, train=train or state is None)
    if train and state is not None:
        try:
            Pipeline.save_miner(miner, state)
        except OSError as exc:
            raise StateError(f"cannot write state file {state}: {exc.strerror}") from exc
    note(
        f"{counted(result.lines, 'line')} -> {counted(len(result.sessions), 'session')}"
        f" ({counted(result.keyless_lines, 'line')} without a session key)"
    )
    return result.keys, result.sessions


@sequences_app.command("train")
def train(
    file: str = typer.Argument(..., help="Normal sessions (session file or log), - for stdin."),
    out: Path = typer.Option(..., "--out", "-o", help="Bundle directory to write."),
    detector: Detector | None = typer.Option(
        None, "--detector", help="Model kind [default: sessions.detector, ngram]."
    ),
    history: int | None = typer.Option(None, help="n-gram: templates of context."),
    top_g: int | None = typer.Option(None, "--top-g", help="Top-g candidates (DeepLog's g)."),
    window: int = typer.Option(10, help="lstm: templates of context."),
    epochs: int = typer.Option(60, help="lstm: training epochs."),
    seed: int = typer.Option(0, help="lstm: random seed."),
    log_format: str | None = LogFormatOption,
    key_regex: str | None = KeyRegexOption,
    key_field: str | None = KeyFieldOption,
    state: Path | None = StateOption,
    config: Path | None = ConfigOption,
) -> None:
    """Train on normal sessions only and write a model bundle."""
    settings = load_settings(config).sessions
    if detector is None:
        detector = Detector(settings.detector)
    _keys, sessions = _sessions(
        file, settings, log_format, key_regex, key_field, state, config, train=True
    )
    if not any(sessions):
        name = "<stdin>" if file == "-" else file
        raise ConfigError(
            f"{name}: no session with a template id to train on; a model trained on nothing "
            "would flag every session, so none was written"
        )
    start = time.perf_counter()
    if detector is Detector.NGRAM:
        overrides: dict[str, Any] = {}
        if history is not None:
            overrides["history"] = history
        if top_g is not None:
            overrides["top_g"] = top_g
        ngram = NgramDetector.from_settings(settings.model_copy(update=overrides)).fit(sessions)
        train_s = time.perf_counter() - start
        ngram.save(out, metrics={"train_s": round(train_s, 3), "sessions": len(sessions)})
    else:
        try:
            import_exporters("LSTM training")
            from exporters.sequences import LstmTrainConfig, build_lstm_bundle

            cfg = LstmTrainConfig(
                window=window,
                epochs=epochs,
                seed=seed,
                top_g=top_g if top_g is not None else settings.top_g,
                check_end=settings.check_end,
            )
            build_lstm_bundle(sessions, out, cfg)
        except ImportError as exc:
            if exc.name is None:  # require_torch's own error: it names what to install
                raise ConfigError(str(exc)) from exc
            raise ConfigError(
                f"LSTM training needs the train extra (pip install 'logtriage[train]'): {exc}"
            ) from exc
        train_s = time.perf_counter() - start
    trained_on = counted(len(sessions), "session")
    note(f"trained {detector.value} on {trained_on} in {train_s:.2f}s -> {out}")


def _f1(normal_flags: list[bool], abnormal_flags: list[bool]) -> dict[str, float | int]:
    tp = sum(abnormal_flags)
    fp = sum(normal_flags)
    fn = len(abnormal_flags) - tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": len(normal_flags) - fp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


@sequences_app.command("eval")
def evaluate(
    model: Path = typer.Argument(..., help="Bundle directory written by `sequences train`."),
    file: str | None = typer.Argument(None, help="Sessions to score (one verdict row each)."),
    normal: Path | None = typer.Option(None, help="Normal session file (for precision/recall)."),
    abnormal: Path | None = typer.Option(None, help="Abnormal session file (for recall)."),
    top_g: int | None = typer.Option(None, "--top-g", help="lstm: override the bundle's g."),
    out: str = typer.Option("-", "--out", "-o", help="Output file, or - for stdout."),
    fmt: OutputFormat = typer.Option(OutputFormat.JSONL, "--format", help="Output format."),
    log_format: str | None = LogFormatOption,
    key_regex: str | None = KeyRegexOption,
    key_field: str | None = KeyFieldOption,
    state: Path | None = StateOption,
    config: Path | None = ConfigOption,
) -> None:
    """Score sessions: a verdict row per session, or precision/recall/F1.

    FILE gives one row per session; --normal/--abnormal session files give one row of
    precision/recall/F1 instead."""
    if file is None and normal is None and abnormal is None:
        raise typer.BadParameter("give FILE, or --normal/--abnormal session files")
    if file is not None and (normal is not None or abnormal is not None):
        raise typer.BadParameter(
            "give FILE (a verdict per session) or --normal/--abnormal (precision/recall/F1), "
            "not both"
        )
    detector = load_detector(model, top_g=top_g)
    settings = load_settings(config).sessions
    if file is not None:
        keys, sessions = _sessions(
            file, settings, log_format, key_regex, key_field, state, config, train=False
        )
        start = time.perf_counter()
        verdicts = detector.score(sessions)
        elapsed = time.perf_counter() - start
        with RowSink(out, VERDICT_COLUMNS, fmt, source=file) as sink:
            sink.write_rows(
                (key, v.anomalous, v.position, v.template_id, v.misses, round(v.score, 4))
                for key, v in zip(keys, verdicts, strict=True)
            )
        flagged = int(verdicts.anomalous.sum())
        note(f"{flagged} of {counted(len(sessions), 'session')} anomalous ({elapsed:.2f}s)")
        return
    normal_flags = detector.score(read_session_file(normal)).anomalous.tolist() if normal else []
    abnormal_flags = (
        detector.score(read_session_file(abnormal)).anomalous.tolist() if abnormal else []
    )
    scores = {"model": str(model), **_f1(normal_flags, abnormal_flags)}
    with RowSink(out, list(scores), fmt) as sink:
        sink.write_rows([list(scores.values())])
