"""Counts in text shown to users."""

from __future__ import annotations

__all__ = ["counted"]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``"1 line"``, ``"2 lines"``; the plural is ``noun + "s"`` unless given."""
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"
