"""Whether the ``logtriage.*`` mappings already on an index are ones the sidecar can
work with, found without writing anything (``logtriage doctor``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logtriage.search.client import SearchClient
from logtriage.search.templates import field_mappings, label_properties

__all__ = ["MappingConflict", "mapping_conflicts", "unreadable_mappings"]


def unreadable_mappings(client: SearchClient, pattern: str, indices: list[str]) -> list[str]:
    """Those of ``indices`` (concrete, behind ``pattern``) whose mappings cannot be read
    (no ``view_index_metadata``): :func:`mapping_conflicts` does not see them, and
    :func:`unmapped_indices` counts them as unmapped."""
    if not indices:
        return []
    readable = field_mappings(client, pattern, "logtriage.processed_at")
    return [i for i in indices if i not in readable]


#: Number types that hold every value of the type the tool maps (``logtriage.session``
#: lengths and positions, scores).
_WIDER = {"integer": ("long",), "float": ("double",)}


@dataclass(frozen=True)
class MappingConflict:
    """An existing mapping of a ``logtriage.*`` field that differs from the one this
    tool installs in a way no mapping update can change."""

    index: str
    field: str
    found: str
    expected: str

    def __str__(self) -> str:
        return f"{self.index}: {self.field} is {self.found}, expected {self.expected}"


def mapping_conflicts(client: SearchClient, pattern: str) -> list[MappingConflict]:
    """Existing ``logtriage.*`` field mappings of the indices behind ``pattern`` that
    the sidecar cannot work with, compared with :func:`label_properties`:

    - another type, or an object where a field belongs (or the reverse): label writes
      fail, a ``text`` label (dynamic mapping) breaks aggregations and the re-label
      query, and :func:`ensure_field_mappings` fails on the index. Only where it will
      not put the mappings (they are there already), a wider number type (``long``
      for ``integer``, ``double`` for ``float``) holds every value and is fine;
    - on an index :func:`ensure_field_mappings` has still to put the mappings on,
      another ``index`` parameter, which it cannot change either.

    Fields not mapped yet are no conflict, nor are indices whose mappings cannot be
    read (see :func:`unreadable_mappings`).
    """
    expected = _flatten(label_properties(client.info))
    conflicts = []
    for index, found in sorted(field_mappings(client, pattern, "logtriage,logtriage.*").items()):
        mapped_already = "logtriage.processed_at" in found
        for field, want in expected.items():
            have = _mapped_as(field, found)
            if have is None or (mapped_already and have["type"] in _WIDER.get(want["type"], ())):
                continue
            if have["type"] != want["type"]:
                conflicts.append(MappingConflict(index, field, have["type"], want["type"]))
            elif not mapped_already and _indexed(have) != _indexed(want):
                conflicts.append(
                    MappingConflict(index, field, _with_index(have), _with_index(want))
                )
    return conflicts


def _flatten(properties: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    """Every field of a ``properties`` mapping by full name; objects as ``type: object``."""
    out: dict[str, dict[str, Any]] = {}
    for name, mapping in properties.items():
        full = f"{prefix}{name}"
        if "properties" in mapping:
            out[full] = {"type": "object"}
            out.update(_flatten(mapping["properties"], f"{full}."))
        else:
            out[full] = mapping
    return out


def _mapped_as(field: str, found: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """How ``field`` is mapped among ``found`` (leaf mappings by full name): its own
    mapping, an object when only fields under it are mapped, ``None`` when unmapped.
    Multi-fields (``label.keyword`` under a text ``label``) are listed under their
    field's own mapping, so they never make it an object."""
    if field in found:
        return {"type": "object", **found[field]}
    if any(name.startswith(f"{field}.") for name in found):
        return {"type": "object"}
    return None


def _indexed(mapping: dict[str, Any]) -> bool:
    return mapping.get("index", True) not in (False, "false")


def _with_index(mapping: dict[str, Any]) -> str:
    return f"{mapping['type']} ({'indexed' if _indexed(mapping) else 'index: false'})"
