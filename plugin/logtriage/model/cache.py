"""Template-level label cache: (model version, template id) → label, bounded LRU, persistable.

An entry also keeps the template text it was computed from, so a template that the
miner generalised (or a miner restored from other state) is recomputed rather than
served stale, and how many lines it has labelled (template rarity).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from logtriage.errors import StateError
from logtriage.replacing import write_replacing

__all__ = ["CACHE_FORMAT_VERSION", "CacheEntry", "TemplateCache"]

CACHE_FORMAT_VERSION = 1


@dataclass(slots=True)
class CacheEntry:
    """What the model said about one template."""

    text: str
    label_idx: int
    confidence: float
    anomaly_prob: float
    count: int = 0


class TemplateCache:
    """Bounded LRU of :class:`CacheEntry` keyed by ``(model_version, template_id)``.

    Arguments:
        max_entries: entries kept; the least recently used goes first beyond it.
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be >= 1")
        self.max_entries = max_entries
        self._data: OrderedDict[tuple[str, int], CacheEntry] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def __len__(self) -> int:
        return len(self._data)

    def get(self, version: str, template_id: int, text: str) -> CacheEntry | None:
        """The entry if present and computed from the same template text (counts a hit)."""
        key = (version, template_id)
        entry = self._data.get(key)
        if entry is None or entry.text != text:
            self.misses += 1
            return None
        self._data.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, version: str, template_id: int, entry: CacheEntry) -> None:
        key = (version, template_id)
        self._data[key] = entry
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)
            self.evictions += 1

    def drop(self, version: str, template_id: int) -> None:
        self._data.pop((version, template_id), None)

    def clear(self) -> None:
        self._data.clear()

    def save(self, path: Path) -> None:
        """Write all entries as JSON atomically (temp file + rename), oldest first."""
        rows = [
            [v, t, e.text, e.label_idx, e.confidence, e.anomaly_prob, e.count]
            for (v, t), e in self._data.items()
        ]
        doc = {"format_version": CACHE_FORMAT_VERSION, "entries": rows}
        write_replacing(path, json.dumps(doc).encode("utf-8"))

    def load(self, path: Path, *, version: str | None = None) -> int:
        """Add entries saved by :meth:`save`; only those of ``version`` when given.

        Returns the number of entries loaded.

        Raises:
            StateError: the file is unreadable, not a cache file, or of a newer format.
        """
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise StateError(f"cannot read cache file {path}: {exc.strerror}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StateError(f"cache file {path} is not valid JSON: {exc}") from exc
        found = doc.get("format_version") if isinstance(doc, dict) else None
        if found != CACHE_FORMAT_VERSION:
            raise StateError(
                f"cache file {path}: format_version {found!r} is not {CACHE_FORMAT_VERSION}"
            )
        n = 0
        try:
            for v, t, text, idx, conf, anom, count in doc["entries"]:
                if version is not None and v != version:
                    continue
                self.put(
                    str(v),
                    int(t),
                    CacheEntry(str(text), int(idx), float(conf), float(anom), int(count)),
                )
                n += 1
        except (KeyError, TypeError, ValueError) as exc:
            raise StateError(f"cache file {path}: malformed entries ({exc})") from exc
        return n
