"""Counts in text shown to users."""

from __future__ import annotations

__all__ = ["counted"]


def counted(count: int, noun: str) -> str:
    """``"1 line"``, ``"2 lines"`` (a plural by ``s``)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
