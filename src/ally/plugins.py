"""Extension points: knowledge packs and importers from installed packages (entry points).

A legal-aid organisation can publish its jurisdiction's pack, or an importer for a new export
format, as an ordinary Python package; installing it next to Ally is enough. Two entry-point
groups, each with a one-line contract:

* ``ally.packs`` — the object is a pack folder (a path, or a module whose folder holds
  ``pack.yaml``), or a callable returning one folder or several. The folder's name is the
  pack's id.
* ``ally.importers`` — the object is an importer (see
  :class:`ally.evidence.importers.base.Importer`), an importer class, or a callable returning
  one importer or several.

Ally's own packs and importers are registered the same way (``pyproject.toml``), and come
first: a plugin cannot replace a built-in pack or importer (that would let any installed
package change the guidance a person in danger reads); a clash is left out with a warning.
A plugin that fails to load is left out with a warning too, and Ally goes on without it.

This module knows nothing about packs or importers themselves: each caller passes a function
that turns a loaded object into the items it expects, so the layers stay apart
(``knowledge`` and ``evidence`` both use it; it uses neither).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from ally.errors import AllyWarning

PACKS = "ally.packs"
IMPORTERS = "ally.importers"
ALLY = "ally"
"""The distribution name of Ally itself: its entry points are the built-ins."""

T = TypeVar("T")


class PluginWarning(AllyWarning):
    """An installed plugin was left out (it failed to load, or clashed with another)."""


@dataclass(frozen=True)
class Provided(Generic[T]):
    """One item a package provides, and which package provided it (for ``ally packs list``)."""

    item: T
    source: str
    """The distribution's name ("ally" for Ally's own)."""
    entry: str
    """The entry point's name."""

    @property
    def builtin(self) -> bool:
        return self.source == ALLY


def _distribution(entry: EntryPoint) -> str:
    dist = entry.dist
    return dist.metadata["Name"] if dist is not None else "?"


@cache
def _entries(group: str) -> tuple[tuple[str, EntryPoint], ...]:
    """The group's entry points with their distribution names: Ally's first, then by name."""
    found = [(_distribution(entry), entry) for entry in entry_points(group=group)]
    unique = {(dist, entry.name, entry.value): (dist, entry) for dist, entry in found}
    return tuple(sorted(unique.values(), key=lambda pair: (pair[0] != ALLY, pair[0], pair[1].name)))


@cache
def provided(
    group: str,
    convert: Callable[[object], Iterable[T]],
    key: Callable[[T], str],
    fallback: Callable[[], object] | None = None,
) -> tuple[Provided[T], ...]:
    """Everything the installed packages provide in ``group``, built-ins first.

    ``convert`` turns a loaded entry point into items (raising TypeError or ValueError if the
    object is not what the group's contract says); ``key`` names an item, and the first item
    with a name wins. ``fallback`` gives Ally's own items when Ally itself is not installed
    (run from a source tree, so it has no entry points). Worked out once per process.
    """
    entries = _entries(group)
    sources: list[tuple[str, str, Callable[[], object]]] = [
        (dist, entry.name, entry.load) for dist, entry in entries
    ]
    if fallback is not None and not any(dist == ALLY for dist, _ in entries):
        sources.insert(0, (ALLY, "builtin", fallback))
    result: list[Provided[T]] = []
    seen: dict[str, str] = {}
    for dist, name, load in sources:
        try:
            items = list(convert(load()))
        except Exception as error:  # a plugin's import may fail in any way; Ally goes on
            _warn(
                f"The plugin {dist} ({group} {name}) could not be loaded and was left out "
                f"({type(error).__name__}). Reinstall it or ask its authors."
            )
            continue
        for item in items:
            item_key = key(item)
            if item_key in seen:
                _warn(
                    f"The plugin {dist} ({group} {name}) offers {item_key!r}, which "
                    f"{seen[item_key]} already provides; it was left out."
                )
                continue
            seen[item_key] = dist
            result.append(Provided(item, dist, name))
    return tuple(result)


def _warn(message: str) -> None:
    warnings.warn(PluginWarning(message), stacklevel=3)


def refresh() -> None:
    """Look for installed plugins again (after installing one while Ally runs; tests)."""
    _entries.cache_clear()
    provided.cache_clear()
