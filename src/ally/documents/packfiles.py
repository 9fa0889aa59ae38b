"""A pack's letter files (``letters/law.yaml``, ``letters/content.yaml``, their translations)
read into their models, each parsed once per change.

Every draft reads the files of the whole pack lineage, so a parsed file is kept until the
file changes: its modification time is part of the cache key.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TypeVar, cast

import yaml
from pydantic import BaseModel, ValidationError

from ally.errors import PackError

Model = TypeVar("Model", bound=BaseModel)


def read_pack_file(path: Path, model: type[Model]) -> Model:
    """The file as ``model`` (an empty file is an empty model); a PackError naming the file,
    and the field for a wrong value, when it cannot be read or is not valid."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as error:
        raise PackError(f"{path} could not be read: {error}") from error
    return cast(Model, _parsed(path, stamp, model))


@functools.lru_cache(maxsize=512)
def _parsed(path: Path, stamp: int, model: type[BaseModel]) -> BaseModel:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return model.model_validate(raw or {})
    except (OSError, yaml.YAMLError) as error:
        raise PackError(f"{path} could not be read: {error}") from error
    except ValidationError as error:
        problems = "; ".join(
            ".".join(str(part) for part in item["loc"]) + ": " + item["msg"]
            for item in error.errors()
        )
        raise PackError(f"{path}: {problems}") from error
