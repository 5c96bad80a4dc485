"""Reading the text files a user points logtriage at (config, rules, alert rules)."""

from __future__ import annotations

from pathlib import Path

from logtriage.errors import ConfigError

__all__ = ["read_user_text"]


def read_user_text(path: Path, what: str) -> str:
    """The UTF-8 text of ``path``.

    Raises:
        ConfigError: the file cannot be read, or is not UTF-8 (``what`` names the file's
            role, e.g. ``"config file"``; the line of the first bad byte is given).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{what} {path} is not UTF-8 text: line {line} has byte "
            f"0x{data[exc.start]:02x}; save it as UTF-8"
        ) from exc
