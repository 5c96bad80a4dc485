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
    "SequenceModel",
    "__version__",
    "default_masks",
    "disable_parallelism",
    "feature_names",
    "features_batch",
    "header_presets",
    "json_integers_only",
    "message_problem",
    "parse_search_page",
]

__version__: Final[str]

def default_masks() -> list[tuple[str, str, str]]:
    """The built-in masks as ``(name, regex, placeholder)``, in the order they are applied."""

def disable_parallelism() -> None:
    """Run every batch on the calling thread from now on, in this process. ``logtriage``
    calls it in a forked child (``os.register_at_fork``): the parent's thread pool is
    not there."""

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

    With the default masks a built-in token classifier (numbers, ips, hex,
    uuids, paths, urls, e-mails, key=value values, dotted names, dates,
    booleans) marks variables; with custom ``masks`` their regexes run first and
    their placeholders become ``<*>``. Templates that differ in one word
    position get merged once that position has shown 4 distinct values; the
    merged ids then resolve to the oldest one (:meth:`resolve_batch`).

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
        created or generalized by this batch (final text, each id once; a template
        merged into another is reported as the survivor; one evicted later in the same
        batch, beyond ``max_templates``, with its text when it was evicted)."""
    def resolve_batch(self, ids: list[int]) -> npt.NDArray[np.uint32]:
        """Current id for each id: ids of merged templates give the template they joined.
        Between batches the miner forgets merges into templates it has since evicted
        (bounded memory); such an id then gives itself. Resolve a batch's ids before
        the next :meth:`train_batch`."""
    def match_batch(self, lines: list[str]) -> npt.NDArray[np.int64]:
        """Read-only lookup: template id per line, or -1 when no template matches."""
    def template_text(self, template_id: int) -> str:
        """Current text of a template (``<*>`` for variables; merged ids resolve).
        Raises KeyError if unknown or evicted."""
    def templates(self) -> list[tuple[int, str, str, int, int, int]]:
        """``(id, string_id, text, count, first_seen_s, last_seen_s)`` for every live template."""
    def __len__(self) -> int: ...
    def to_bytes(self) -> bytes:
        """Serialized state (versioned); ids survive :meth:`from_bytes`."""
    @staticmethod
    def from_bytes(data: bytes) -> Miner:
        """Restore a miner. Raises logtriage.errors.StateError on a bad or newer format."""
    def memory_bytes(self) -> int:
        """Approximate heap bytes held by the miner (templates, tree, interned tokens,
        aliases, repeat cache); bounded by the live templates, not the ids ever given."""

@final
class RuleSet:
    """Regex rules compiled into one ``RegexSet`` pass per target (the message, or
    each named field); the highest priority match wins (ties: earlier rule).

    Arguments:
        rules: ``(id, pattern, label, anomaly, priority, field)``; ``anomaly`` and
            ``field`` may be ``None``. Patterns use Rust ``regex`` syntax and are
            searched (unanchored). A rule with a ``field`` matches against
            ``fields[field]`` in :meth:`match_batch` instead of the line.

    Raises:
        logtriage.errors.RuleError: a pattern does not compile, is empty or is too
            large (``rule_id``, ``pattern``; the message has the regex error).
        logtriage.errors.ConfigError: duplicate or empty id, empty label, or the
            whole set exceeds the compiled-size limit.
    """

    def __new__(cls, rules: list[tuple[str, str, str, bool | None, int, str | None]]) -> Self: ...
    def match_batch(
        self, lines: list[str], *, fields: dict[str, list[str]] | None = None
    ) -> npt.NDArray[np.int32]:
        """Index of the winning rule per line, -1 when none matches.

        ``fields`` maps a field name to one value per line; rules on a field that
        is not given do not fire. Raises ConfigError if a column's length differs
        from ``len(lines)``."""
    @property
    def ids(self) -> list[str]: ...
    @property
    def patterns(self) -> list[str]: ...
    @property
    def labels(self) -> list[str]: ...
    @property
    def anomalies(self) -> list[bool | None]: ...
    @property
    def priorities(self) -> list[int]: ...
    @property
    def fields(self) -> list[str | None]:
        """Per rule, the field it looks at (``None``: the line)."""
    def __len__(self) -> int: ...

def header_presets() -> dict[str, str]:
    """Named log formats (``name -> format``): the twelve LogHub systems in lower
    case (``hdfs``, ``linux``, ...), ``syslog`` and ``raw`` (``<Content>``)."""

def json_integers_only(data: bytes) -> bool:
    """``True`` when every number in the JSON text ``data`` (strings skipped) is an
    integer with no fraction or exponent, not ``-0``, within ``i64``/``u64``: what
    ``orjson.loads`` decodes exactly. Does not validate the rest of the text."""

def message_problem(message: str, field: str, max_bytes: int) -> tuple[str, str] | None:
    """What is wrong with the string ``message`` (the value of ``field``) as a message
    to label: ``(reason, detail)`` for more than ``max_bytes`` UTF-8 bytes
    (``message_too_large``), a C0 control character other than tab, line breaks and
    ESC, or DEL (``message_control_chars``, with its character offset), or nothing
    but whitespace (``message_empty``); ``None`` when it is fine. The checks
    :func:`parse_search_page` applies to the messages it returns.

    Raises:
        UnicodeEncodeError: ``message`` holds a lone surrogate."""

def parse_search_page(
    body: bytes, message_field: str, max_message_bytes: int
) -> (
    tuple[
        str | None,
        list[
            tuple[
                str,
                str,
                int,
                int,
                list[int | str | bool | None],
                str | None,
                bytes | None,
                bytes | None,
                str | None,
            ]
        ],
    ]
    | None
):
    """Read a search response for labelling: ``(pit_id, hits)``, each hit as the
    positional arguments of ``logtriage.sources.search.Hit``: index, id, seq_no,
    primary_term, sort values, routing; then the ``_source``, either as the exact
    text sent, or, when the labels can be appended to it (an object with no
    ``logtriage`` key and no line break), as the head of its guarded re-index: the
    ``_bulk`` action line ``{"index":{"_index":…,"_id":…,"if_seq_no":…,
    "if_primary_term":…[,"routing":…]}}`` and its line break, then that text without
    its closing brace plus a comma (``{`` when empty), the other one ``None``; and the
    value at the dotted ``message_field`` when it is a JSON string that
    :func:`message_problem` finds nothing wrong with (with ``max_message_bytes``);
    ``None`` otherwise, so the caller finds out what is wrong with it.

    ``None`` when the response is not the plain shape (shard failures, sort values
    other than integers, strings, booleans or null, malformed JSON): decode it the
    exact way instead."""

@final
class HeaderParser:
    """Splits raw lines by a LogPAI-style format such as
    ``<Date> <Time> <Pid> <Level> <Component>: <Content>``.

    Exactly as logparser: each ``<Field>`` becomes ``(?P<Field>.*?)``, each run of
    spaces ``\\s+``, other text is regex text, the whole is anchored ``^...$`` and
    matched against the stripped line.

    Raises:
        logtriage.errors.ConfigError: the format has no ``<Content>`` field or is not valid.
    """

    def __new__(cls, log_format: str) -> Self: ...
    @staticmethod
    def from_preset(name: str) -> HeaderParser:
        """A parser for a name of :func:`header_presets` (case-insensitive).
        Raises ConfigError for an unknown name."""
    @property
    def fields(self) -> list[str]:
        """Field names in format order (``Content`` included)."""
    @property
    def log_format(self) -> str: ...
    def parse_batch(
        self, lines: list[str], *, fields: list[str] | None = None
    ) -> tuple[dict[str, list[str]], npt.NDArray[np.bool_]]:
        """Columns per field and a matched flag per line. A line that does not match
        keeps the whole (stripped) line as ``Content`` and empty strings elsewhere;
        count them with ``(~matched).sum()``. ``fields`` limits the returned
        columns (ConfigError for an unknown name)."""

def feature_names() -> list[str]:
    """Column names of :func:`features_batch`."""

def features_batch(lines: list[str]) -> tuple[npt.NDArray[np.float32], list[str]]:
    """Text-complexity features: ``float32[n, k]`` (C order) and the ``k`` column names.

    ``length`` (chars), ``tokens``, ``mean_token_length`` and ``max_token_length``
    look at the whole line; the other columns at its first 64 KiB (``truncated``
    is 1 when cut): char-class ratios (``digit``, ``alpha``, ``upper``, ``punct``,
    ``whitespace``, ``non_ascii``), ``replacement_chars`` (U+FFFD), byte
    ``entropy`` (bits), ``digit_token_ratio``, ``leading_whitespace``, one
    ``mask_<name>`` count per default mask, ``kw_*`` keyword counts,
    ``exception_class``, ``stack_markers``, ``kv_count``, ``json_valid``,
    ``json_pairs``, ``http_method``, ``http_version``, ``http_status``,
    ``url_scheme``. Decode bytes with ``errors="replace"`` first."""

@final
class SequenceModel:
    """Count / n-gram next-template model over sessions of template ids, with
    DeepLog's top-g rule (the fast baseline of ``logtriage.sessions``).

    Train on normal sessions only. A session is padded with a start marker and
    closed with an end marker; a position is a *miss* when its template is not
    among the ``top_g`` most frequent successors of the previous ``history``
    templates (or was seen fewer than ``min_count`` times there). Unseen
    template ids and unseen contexts are always misses. Every setting left as
    ``None`` takes the Rust default (equal to the ``sessions`` config section).

    Arguments:
        history: templates of context (n-gram order minus one), 1..64.
        top_g: successors ranked by count that count as normal.
        min_count: least training count of a normal transition.
        check_end: also predict the end of the session (truncation is a finding).

    Raises:
        logtriage.errors.ConfigError: invalid settings.
    """

    def __new__(
        cls,
        *,
        history: int | None = None,
        top_g: int | None = None,
        min_count: int | None = None,
        check_end: bool | None = None,
    ) -> Self: ...
    def train_batch(self, sessions: list[list[int]]) -> None:
        """Count the transitions of normal sessions (incremental).

        Raises:
            logtriage.errors.ConfigError: a template id is a reserved marker (>= 2**32 - 2).
        """
    def score_batch(
        self, sessions: list[list[int]]
    ) -> tuple[
        npt.NDArray[np.bool_],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.uint32],
        npt.NDArray[np.float32],
    ]:
        """Per session: anomalous flag, first offending position (-1 none; ``len`` means
        the session ended unexpectedly), template id there (-1 none or end), misses,
        and misses / checked positions."""
    def to_json(self) -> str:
        """Serialized model (versioned JSON)."""
    @staticmethod
    def from_json(text: str) -> SequenceModel:
        """Restore a model. Raises logtriage.errors.StateError on a bad or newer format."""
    @property
    def history(self) -> int: ...
    @property
    def top_g(self) -> int: ...
    @property
    def min_count(self) -> int: ...
    @property
    def check_end(self) -> bool: ...
    @property
    def vocab(self) -> list[int]:
        """Template ids seen in training, ascending."""
    @property
    def contexts(self) -> int:
        """Distinct contexts learned."""
    @property
    def sessions_trained(self) -> int: ...
