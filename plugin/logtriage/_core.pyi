"""Type stubs for the compiled extension ``logtriage._core`` (rust_core/src/py).

Every hot call takes a whole batch of ``str`` and returns numpy arrays or plain
lists; nothing is created per line on the Python side.
"""

from typing import Final, final

import numpy as np
import numpy.typing as npt
from typing_extensions import Self

__all__ = [
    "HeaderParser",
    "Masker",
    "Miner",
    "RuleSet",
    "__version__",
    "default_masks",
    "feature_names",
    "features_batch",
]

__version__: Final[str]

def default_masks() -> list[tuple[str, str, str]]:
    """The built-in masks as ``(name, regex, placeholder)``, in the order they are applied."""

@final
class Masker:
    """Replaces variable parts of a message (ips, numbers, ids, ...) with typed placeholders.

    Arguments:
        masks: ``(name, regex, placeholder)`` triples; ``None`` means :func:`default_masks`.

    Raises:
        logtriage.errors.ConfigError: a regex does not compile (the message names the mask).
    """

    def __new__(cls, *, masks: list[tuple[str, str, str]] | None = None) -> Self: ...
    def mask_batch(self, lines: list[str]) -> list[str]:
        """Masked text of each line."""
    @property
    def names(self) -> list[str]:
        """Mask names in application order."""

@final
class Miner:
    """Online Drain-style template miner with stable template ids.

    Every setting left as ``None`` takes the Rust default (equal to the
    ``mining`` section defaults of the config).

    Arguments:
        sim_threshold: minimum token similarity to join an existing template.
        depth: depth of the prefix tree (including the token-count level).
        max_children: children per inner tree node before falling back to ``<*>``.
        max_templates: templates kept; the least recently used is evicted beyond it.
        max_tokens: tokens of a line the miner looks at (the rest become one ``<*>``).
        masks: as for :class:`Masker`.

    Raises:
        logtriage.errors.ConfigError: invalid settings or mask regexes.
    """

    def __new__(
        cls,
        *,
        sim_threshold: float | None = None,
        depth: int | None = None,
        max_children: int | None = None,
        max_templates: int | None = None,
        max_tokens: int | None = None,
        masks: list[tuple[str, str, str]] | None = None,
    ) -> Self: ...
    def train_batch(
        self, lines: list[str]
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint8], list[tuple[int, str]]]:
        """Mine a batch: template id per line, change code per line
        (0 unchanged, 1 created, 2 generalized) and ``(id, text)`` of every template
        created or generalized by this batch (final text, each id once)."""
    def match_batch(self, lines: list[str]) -> npt.NDArray[np.int64]:
        """Read-only lookup: template id per line, or -1 when no template matches."""
    def template_text(self, template_id: int) -> str:
        """Current text of a template (``<*>`` for variables). Raises KeyError if unknown."""
    def templates(self) -> list[tuple[int, str, str, int, int, int]]:
        """``(id, string_id, text, count, first_seen_s, last_seen_s)`` for every live template."""
    def __len__(self) -> int: ...
    def to_bytes(self) -> bytes:
        """Serialized state (versioned); ids survive :meth:`from_bytes`."""
    @staticmethod
    def from_bytes(data: bytes) -> Miner:
        """Restore a miner. Raises logtriage.errors.StateError on a bad or newer format."""
    def memory_bytes(self) -> int:
        """Approximate heap bytes held by the miner's templates and tree."""

@final
class RuleSet:
    """Regex rules compiled into one ``RegexSet`` pass; the highest priority match wins
    (ties: earlier rule).

    Arguments:
        rules: ``(id, pattern, label, anomaly, priority, field)``; ``anomaly`` and
            ``field`` may be ``None``. A rule with a ``field`` matches against
            ``fields[field]`` in :meth:`match_batch` instead of the line.

    Raises:
        logtriage.errors.RuleError: a pattern does not compile (``rule_id``, ``pattern``).
    """

    def __new__(cls, rules: list[tuple[str, str, str, bool | None, int, str | None]]) -> Self: ...
    def match_batch(
        self, lines: list[str], *, fields: dict[str, list[str]] | None = None
    ) -> npt.NDArray[np.int32]:
        """Index of the winning rule per line, -1 when none matches."""
    @property
    def ids(self) -> list[str]: ...
    @property
    def labels(self) -> list[str]: ...
    @property
    def anomalies(self) -> list[bool | None]: ...
    def __len__(self) -> int: ...

@final
class HeaderParser:
    """Splits raw lines by a LogPAI-style format such as
    ``<Date> <Time> <Pid> <Level> <Component>: <Content>``.

    Raises:
        logtriage.errors.ConfigError: the format has no ``<Content>`` field or is not valid.
    """

    def __new__(cls, log_format: str) -> Self: ...
    @property
    def fields(self) -> list[str]:
        """Field names in format order (``Content`` included)."""
    def parse_batch(self, lines: list[str]) -> tuple[dict[str, list[str]], npt.NDArray[np.bool_]]:
        """Columns per field and a matched flag per line. A line that does not match
        keeps the whole (stripped) line as ``Content`` and empty strings elsewhere."""

def feature_names() -> list[str]:
    """Column names of :func:`features_batch`."""

def features_batch(lines: list[str]) -> tuple[npt.NDArray[np.float32], list[str]]:
    """Text-complexity features: ``float32[n, k]`` and the ``k`` column names."""
