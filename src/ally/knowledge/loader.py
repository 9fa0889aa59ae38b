"""Load knowledge packs from folders of YAML files, merge inheritance, and validate them.

A pack is a folder named after its id holding ``pack.yaml`` and any other ``*.yaml`` files.
Ally's own packs and those of installed plugin packages are found through the ``ally.packs``
entry points (:mod:`ally.plugins`).
Loading never crashes on a bad pack: every problem is collected with its file, line and field
and raised together as one PackValidationError, so an author can fix them all in one go.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import ValidationError

from ally import plugins
from ally.errors import PackNotFoundError, PackProblem, PackValidationError
from ally.knowledge.schema import Pack, PackFile
from ally.knowledge.tailoring import check_tailoring, foreign_sources
from ally.knowledge.translate import Translation, apply, check_translation
from ally.knowledge.validate import check_references
from ally.knowledge.yamlfile import LineDict, YamlSyntaxError, line_of, read_yaml

BUILTIN_PACKS = Path(__file__).parent / "packs"
LISTS = ("questions", "steps", "contacts", "deadlines", "notices", "sources")
METADATA = (
    "id",
    "name",
    "language",
    "checked",
    "summary",
    "emergency_number",
    "date_order",
    "start_here",
)


@dataclass
class Origin:
    """Where an item of a merged pack was written, so problems can point at it."""

    file: str
    raw: Any
    pack: str = ""

    def line(self, *loc: int | str) -> int | None:
        return line_of(self.raw, loc)


@dataclass
class FolderContent:
    folder: Path
    files: list[tuple[str, PackFile, Any]] = field(default_factory=list)
    problems: list[PackProblem] = field(default_factory=list)

    @property
    def metadata(self) -> PackFile | None:
        for name, content, _ in self.files:
            if name.endswith("pack.yaml"):
                return content
        return None


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _pydantic_problems(file: str, raw: Any, error: ValidationError) -> list[PackProblem]:
    problems = []
    for item in error.errors():
        loc = [part for part in item["loc"] if isinstance(part, int | str)]
        field_name = ".".join(str(part) for part in loc)
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "this field is not part of the pack format (check the spelling)"
        elif item["type"] == "string_type" and isinstance(item.get("input"), dict):
            message = (
                "this should be text, but a ': ' in it made YAML read a mapping; quote the text"
            )
        problems.append(PackProblem(file, line_of(raw, loc), field_name, message))
    return problems


_PARSED: dict[Path, tuple[tuple[int, int], Any]] = {}


def _read_yaml(path: Path) -> Any:
    """A pack file's YAML, parsed once per process while the file is unchanged.

    With the 51 state packs, every pack load re-read the us and generic files it extends;
    parsing (with line numbers) was nearly all of the time. The parsed tree is only read.
    """
    info = path.stat()
    signature = (info.st_mtime_ns, info.st_size)
    cached = _PARSED.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    raw = read_yaml(path)
    _PARSED[path] = (signature, raw)
    return raw


def read_folder(folder: Path) -> FolderContent:
    """Read and validate each file of one pack folder on its own."""
    content = FolderContent(folder)
    if not folder.is_dir():
        content.problems.append(PackProblem(_display(folder), None, "", "this is not a folder"))
        return content
    paths = sorted(folder.glob("*.yaml"))
    if folder / "pack.yaml" not in paths:
        content.problems.append(
            PackProblem(_display(folder), None, "", "a pack folder needs a pack.yaml file")
        )
    for path in paths:
        name = _display(path)
        try:
            raw = _read_yaml(path)
        except YamlSyntaxError as error:
            content.problems.append(PackProblem(name, error.line, "", error.message))
            continue
        if raw is None:
            continue
        if not isinstance(raw, LineDict):
            content.problems.append(
                PackProblem(name, getattr(raw, "line", 1), "", "the file must be a mapping")
            )
            continue
        try:
            content.files.append((name, PackFile.model_validate(dict(raw)), raw))
        except ValidationError as error:
            content.problems.extend(_pydantic_problems(name, raw, error))
    return content


def builtin_pack_folders() -> list[Path]:
    """Ally's own packs; registered as the ``ally.packs`` entry point ``builtin``."""
    return sorted(p for p in BUILTIN_PACKS.iterdir() if (p / "pack.yaml").is_file())


def _as_folders(provided: object) -> list[Path]:
    """The pack folders an ``ally.packs`` entry point gives (see :mod:`ally.plugins`)."""
    if isinstance(provided, ModuleType):
        folders = [Path(provided.__file__ or "").parent]
    elif isinstance(provided, str | os.PathLike):
        folders = [Path(provided)]
    elif callable(provided):
        result = provided()
        is_one = isinstance(result, str | os.PathLike)
        folders = [Path(result)] if is_one else [Path(item) for item in result]
    else:
        raise TypeError("an ally.packs entry point must give a folder, a module or a function")
    for folder in folders:
        if not (folder / "pack.yaml").is_file():
            raise ValueError(f"{folder.name} has no pack.yaml")
    return folders


def installed_packs() -> dict[str, plugins.Provided[Path]]:
    """Every pack Ally can use, by id: its own, then those installed packages provide."""
    found = plugins.provided(
        plugins.PACKS, _as_folders, key=_folder_name, fallback=builtin_pack_folders
    )
    return {entry.item.name: entry for entry in found}


def _folder_name(folder: Path) -> str:
    return folder.name


def pack_folder(pack_id: str) -> Path:
    """The folder of an installed pack (built in or from a plugin package)."""
    return _find_folder(pack_id, [])


def _find_folder(pack_id: str, near: Iterable[Path]) -> Path:
    for base in near:
        candidate = base / pack_id
        if (candidate / "pack.yaml").is_file():
            return candidate
    installed = installed_packs().get(pack_id)
    if installed is not None:
        return installed.item
    raise PackNotFoundError(
        f"There is no knowledge pack called {pack_id!r}. `ally packs list` shows the packs."
    )


def _chain(folder: Path) -> tuple[list[FolderContent], list[PackProblem]]:
    """This folder and the folders it extends, root (e.g. generic) first."""
    chain: list[FolderContent] = []
    problems: list[PackProblem] = []
    seen: set[Path] = set()
    current: Path | None = folder
    while current is not None:
        resolved = current.resolve()
        if resolved in seen:
            problems.append(
                PackProblem(
                    _display(current / "pack.yaml"), None, "extends", "packs extend in a circle"
                )
            )
            break
        seen.add(resolved)
        content = read_folder(current)
        chain.append(content)
        problems.extend(content.problems)
        meta = content.metadata
        parent = meta.extends if meta else None
        if parent is None:
            break
        try:
            current = _find_folder(parent, [folder.parent])
        except PackNotFoundError:
            file = _display(current / "pack.yaml")
            problems.append(PackProblem(file, None, "extends", f"no pack called {parent!r} exists"))
            current = None
    chain.reverse()
    return chain, problems


def _merge(
    chain: list[FolderContent],
) -> tuple[dict[str, Any], dict[tuple[str, str], Origin], list[PackProblem]]:
    merged: dict[str, Any] = {kind: {} for kind in LISTS}
    origins: dict[tuple[str, str], Origin] = {}
    problems: list[PackProblem] = []
    for content in chain:
        own: set[tuple[str, str]] = set()
        for name, pack_file, raw in content.files:
            for key in METADATA:
                value = getattr(pack_file, key)
                if value is not None:
                    merged[key] = value
                    origins[("meta", key)] = Origin(name, raw, content.folder.name)
            _apply_drops(merged, name, pack_file, raw, problems)
            for kind in LISTS:
                for index, item in enumerate(getattr(pack_file, kind)):
                    item_key = (kind, item.id)
                    if item_key in own:
                        line = line_of(raw, [kind, index])
                        problems.append(
                            PackProblem(
                                name,
                                line,
                                f"{kind}.{index}.id",
                                f"{item.id!r} is defined twice in this pack",
                            )
                        )
                        continue
                    own.add(item_key)
                    merged[kind][item.id] = item
                    origins[item_key] = Origin(name, raw[kind][index], content.folder.name)
    return merged, origins, problems


def _apply_drops(
    merged: dict[str, Any], name: str, pack_file: PackFile, raw: Any, problems: list[PackProblem]
) -> None:
    for kind in ("questions", "steps", "contacts", "deadlines", "notices"):
        for index, item_id in enumerate(getattr(pack_file.drop, kind)):
            if merged[kind].pop(item_id, None) is None:
                line = line_of(raw, ["drop", kind, index])
                problems.append(
                    PackProblem(
                        name, line, f"drop.{kind}", f"the extended pack has no {item_id!r} to drop"
                    )
                )


def _assemble(
    chain: list[FolderContent],
) -> tuple[Pack | None, dict[tuple[str, str], Origin], list[PackProblem]]:
    merged, origins, problems = _merge(chain)
    top = chain[-1]
    pack_yaml = _display(top.folder / "pack.yaml")
    document = {key: merged[key] for key in METADATA if key in merged}
    for kind in LISTS:
        document[kind] = list(merged[kind].values())
    document["lineage"] = [c.metadata.id for c in reversed(chain) if c.metadata and c.metadata.id]
    if top.metadata and top.metadata.id and top.metadata.id != top.folder.name:
        problems.append(
            PackProblem(
                pack_yaml,
                None,
                "id",
                f"the id {top.metadata.id!r} must match the folder name {top.folder.name!r}",
            )
        )
    try:
        pack = Pack.model_validate(document)
    except ValidationError as error:
        for item in error.errors():
            field_name = ".".join(str(part) for part in item["loc"])
            problems.append(PackProblem(pack_yaml, None, field_name, item["msg"]))
        return None, origins, problems
    return pack, origins, problems


def _build(
    folder: Path,
) -> tuple[Pack | None, dict[tuple[str, str], Origin], list[FolderContent], list[PackProblem]]:
    chain, problems = _chain(folder)
    if problems:
        # A file that failed on its own would make the merged pack look incomplete too;
        # report only the real problems, not their echoes.
        return None, {}, chain, problems
    pack, origins, merge_problems = _assemble(chain)
    problems.extend(merge_problems)
    if pack is not None:
        problems.extend(check_references(pack, origins))
        problems.extend(_translation_problems(pack, origins, chain))
    return (pack if not problems else None), origins, chain, problems


def _read_translation(path: Path) -> tuple[Translation | None, list[PackProblem]]:
    name = _display(path)
    try:
        raw = _read_yaml(path)
    except YamlSyntaxError as error:
        return None, [PackProblem(name, error.line, "", error.message)]
    if not isinstance(raw, LineDict):
        return None, [PackProblem(name, getattr(raw, "line", 1), "", "the file must be a mapping")]
    try:
        return Translation.model_validate(dict(raw)), []
    except ValidationError as error:
        return None, _pydantic_problems(name, raw, error)


def _translation_problems(
    pack: Pack, origins: dict[tuple[str, str], Origin], chain: list[FolderContent]
) -> list[PackProblem]:
    defined_in = {key: origin.pack for key, origin in origins.items()}
    problems: list[PackProblem] = []
    for content in chain:
        for path in sorted((content.folder / "i18n").glob("*.yaml")):
            translation, found = _read_translation(path)
            problems.extend(found)
            if translation is None:
                continue
            if translation.language != path.stem:
                problems.append(
                    PackProblem(
                        _display(path),
                        None,
                        "language",
                        f"must be {path.stem!r}, as the file name says",
                    )
                )
            problems.extend(
                check_translation(
                    pack, translation, defined_in, content.folder.name, _display(path)
                )
            )
    return problems


def validate_folder(folder: Path) -> tuple[Pack | None, list[PackProblem]]:
    """Everything that is wrong with the pack in ``folder``; never raises for a bad pack.

    Beyond what loading checks, a jurisdiction's pack must not leak generic wording into its
    plans (``tailoring.check_tailoring``)."""
    pack, origins, _, problems = _build(folder)
    if pack is not None:
        problems = check_tailoring(pack, origins)
    return (pack if not problems else None), problems


def source_warnings(folder: Path) -> list[PackProblem]:
    """Sources about another country that the pack in ``folder`` cites (warnings)."""
    pack, origins, _, problems = _build(folder)
    return foreign_sources(pack, origins) if pack is not None and not problems else []


def load_folder(folder: Path, language: str | None = None) -> Pack:
    """The pack in ``folder`` (translated where translations exist), or PackValidationError."""
    if not (folder / "pack.yaml").is_file():
        raise PackNotFoundError(
            f"{_display(folder)} is not a knowledge pack (it has no pack.yaml)."
        )
    pack, origins, chain, problems = _build(folder)
    if problems or pack is None:
        raise PackValidationError(problems)
    if language is None or language == pack.language:
        return pack
    layers = []
    for content in chain:
        path = content.folder / "i18n" / f"{language}.yaml"
        if path.is_file():
            translation, _ = _read_translation(path)
            if translation is not None:
                layers.append((content.folder.name, translation))
    defined_in = {key: origin.pack for key, origin in origins.items()}
    return apply(pack, layers, defined_in)


_CACHE: dict[tuple[str, str | None], Pack] = {}


def load_pack(pack_id: str, language: str | None = None) -> Pack:
    """A built-in pack by id, in ``language`` where translated (English otherwise).

    Loaded once per process and language: packs do not change while Ally runs.
    """
    key = (pack_id, language)
    if key not in _CACHE:
        _CACHE[key] = load_folder(_find_folder(pack_id, []), language)
    return _CACHE[key]


def pack_languages(pack_id: str) -> list[str]:
    """Languages a pack (or one it extends) has translations for, its own language first."""
    pack = load_pack(pack_id)
    found = {pack.language}
    for ancestor in pack.lineage:
        folder = _find_folder(ancestor, [])
        found |= {path.stem for path in (folder / "i18n").glob("*.yaml")}
    return [pack.language, *sorted(found - {pack.language})]


def pack_ids() -> list[str]:
    """The ids of every installed pack: Ally's own and those from plugin packages."""
    return sorted(installed_packs())


builtin_pack_ids = pack_ids
"""The older name, from before packs could come from plugins; it lists those too."""
