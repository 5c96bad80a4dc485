"""``logtriage model build|eval``: train a bundle, or evaluate one into a report.

Both need the ``exporters`` package (in the wheel beside ``logtriage``; at the top of a
source checkout, next to ``plugin/``) and the ``train`` extra (torch, scikit-learn, ...).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from logtriage.cli.options import ConfigOption
from logtriage.config import load_settings
from logtriage.errors import LogtriageError
from logtriage.wording import counted

__all__ = ["app", "import_exporters"]

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Build and evaluate model bundles."
)


TRAIN_EXTRA = "pip install 'logtriage[train]'"


def import_exporters(what: str = "model build/eval") -> Any:
    """Import ``exporters``: installed, or from the source checkout holding this package
    (an editable install puts only ``plugin/`` on the path)."""
    try:
        import exporters
    except ImportError:
        root = Path(__file__).resolve().parents[3]
        if not (root / "exporters" / "__init__.py").is_file():
            raise LogtriageError(
                f"{what} needs the exporters package, which is installed with logtriage "
                f"({TRAIN_EXTRA}); reinstall it, or run from a source checkout"
            ) from None
        sys.path.insert(0, str(root))
        import exporters
    return exporters


def missing_extra(exc: ImportError, what: str) -> LogtriageError:
    """The one-line error for a ``train`` extra dependency that is not installed."""
    return LogtriageError(f"{what} needs the train extra ({TRAIN_EXTRA}): {exc}")


def _fail(exc: Exception, debug: bool) -> typer.Exit:
    if debug:
        raise exc
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(1)


@app.command("build")
def build(
    data: Annotated[
        str,
        typer.Option(
            "--data", help="csv:PATH (or PATH.csv) | generated:N | es:[URL/]INDEX, joined with +"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="bundle directory to write")],
    base_model: Annotated[
        str, typer.Option("--base-model", help="local model dir, or all-MiniLM-L6-v2")
    ] = "all-MiniLM-L6-v2",
    name: Annotated[str, typer.Option("--name", help="bundle name")] = "logtriage-custom",
    epochs: Annotated[
        int, typer.Option("--epochs", min=0, help="fine-tuning epochs (0: frozen)")
    ] = 2,
    min_steps: Annotated[
        int,
        typer.Option(
            "--min-steps", min=0, help="raise --epochs until fine-tuning takes this many steps"
        ),
    ] = 100,
    lr: Annotated[
        float, typer.Option("--lr", help="fine-tuning learning rate of the encoder (head: 20x)")
    ] = 5e-5,
    max_seq_len: Annotated[
        int,
        typer.Option(
            "--max-seq-len", min=8, max=512, help="encoder tokens per template in training"
        ),
    ] = 64,
    max_templates: Annotated[
        int,
        typer.Option(
            "--max-templates", min=2, help="train on at most this many templates (stratified)"
        ),
    ] = 4000,
    line_weighted: Annotated[
        bool,
        typer.Option(
            "--line-weighted/--log-weighted",
            help="weigh each training template by its line count, or by 1 + log(count)",
        ),
    ] = False,
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence",
            min=0.0,
            max=1.0,
            help="the bundle's threshold below which lines are Unclassified",
        ),
    ] = 0.4,
    seed: Annotated[int, typer.Option("--seed", help="seed of splits, sampling and training")] = 0,
    keep_fp32: Annotated[bool, typer.Option("--keep-fp32", help="also ship the fp32 ONNX")] = False,
    fp32_copy: Annotated[
        Path | None,
        typer.Option("--fp32-copy", help="also write the fp32 ONNX here (outside the bundle)"),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", hidden=True)] = False,
) -> None:
    """Fine-tune, export (ONNX int8), train LightGBM, calibrate and write a bundle."""
    try:
        import_exporters("model build")
        from exporters.build import BuildOptions, build_bundle
        from exporters.data import load_spec

        examples = load_spec(data)
        opts = BuildOptions(
            base_model=base_model,
            name=name,
            seed=seed,
            epochs=epochs,
            min_steps=min_steps,
            lr=lr,
            max_seq_len=max_seq_len,
            max_templates=max_templates,
            line_weighted=line_weighted,
            min_confidence=min_confidence,
            data_description=data,
            keep_fp32=keep_fp32,
            fp32_copy=fp32_copy,
            log=lambda s: typer.echo(s, err=True),
        )
        manifest = build_bundle(examples, out, opts)
    except ImportError as exc:
        if debug:
            raise
        raise _fail(missing_extra(exc, "model build"), debug) from exc
    except (LogtriageError, ValueError, RuntimeError, OSError) as exc:
        raise _fail(exc, debug) from exc
    typer.echo(manifest["version"])


@app.command("eval")
def evaluate(
    bundle: Annotated[Path, typer.Argument(help="bundle directory")],
    data: Annotated[
        str, typer.Option("--data", help="csv:PATH (or PATH.csv) | generated:N | es:[URL/]INDEX")
    ],
    out: Annotated[Path, typer.Option("--out", help="report directory")],
    config: Path | None = ConfigOption,
    debug: Annotated[bool, typer.Option("--debug", hidden=True)] = False,
) -> None:
    """Per-class P/R/F1, macro-F1, anomaly F1, confusion matrix PNG, latency, report.md.

    Lines are labelled as `logtriage classify --model BUNDLE` labels them, with the same
    configuration (rules, masking, model.max_seq_len, thresholds)."""
    try:
        import_exporters("model eval")
        from exporters.data import load_spec
        from exporters.evaluate import anomaly_f1_text, evaluate_bundle

        settings = load_settings(config)
        examples = load_spec(data)
        report = evaluate_bundle(bundle, examples, out, settings=settings, data_description=data)
    except ImportError as exc:
        if debug:
            raise
        raise _fail(missing_extra(exc, "model eval"), debug) from exc
    except (LogtriageError, ValueError, RuntimeError, OSError) as exc:
        raise _fail(exc, debug) from exc
    for label, lines in report["labels_not_in_bundle"].items():
        typer.echo(
            f"warning: label {label!r} ({counted(lines, 'line')}) is not one "
            "the bundle can give; counted wrong",
            err=True,
        )
    typer.echo(
        f"macro-F1 {report['macro_f1']:.4f}  anomaly F1 {anomaly_f1_text(report['anomaly_f1'])}  "
        f"report {out / 'report.md'}"
    )
