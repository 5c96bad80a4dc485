"""logtriage: label log lines where they live."""

from logtriage._core import __version__

__all__ = ["__version__"]
