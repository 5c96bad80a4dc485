"""Every command and option says what it is for in ``--help``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import typer
from logtriage.cli import app


def _commands(command: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield " ".join(path), command
        return
    for name, sub in subcommands.items():
        yield from _commands(sub, [*path, name])


def test_every_command_and_parameter_has_help() -> None:
    commands = dict(_commands(typer.main.get_command(app), ["logtriage"]))
    assert len(commands) >= 14, sorted(commands)
    no_summary = [name for name, cmd in commands.items() if not (cmd.help or "").strip()]
    assert no_summary == []
    no_help = [
        f"{name} {param.opts[0]}"
        for name, cmd in commands.items()
        for param in cmd.params
        if not getattr(param, "hidden", False) and not (getattr(param, "help", None) or "").strip()
    ]
    assert no_help == [], "options and arguments without help text"


def test_config_option_is_the_same_everywhere() -> None:
    commands = dict(_commands(typer.main.get_command(app), ["logtriage"]))
    helps = {
        name: param.help
        for name, cmd in commands.items()
        for param in cmd.params
        if "--config" in getattr(param, "opts", [])
        and not name.startswith(("logtriage dashboards", "logtriage demo"))
    }
    assert len(helps) >= 9, sorted(helps)
    assert set(helps.values()) == {"YAML config file; LOGTRIAGE_* variables override it."}


def test_python_dash_m_logtriage_is_the_command_line() -> None:
    """``python -m logtriage`` (as pip's ``python -m pip``) ran nothing: the package had
    no ``__main__``; only ``python -m logtriage.cli`` worked."""
    proc = subprocess.run(
        [sys.executable, "-m", "logtriage", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "classify" in proc.stdout and "run" in proc.stdout
