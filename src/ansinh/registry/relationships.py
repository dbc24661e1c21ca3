"""The relationship to the head as the residence database codes it (MoiQuanHe), from the dated code list
``data/relationship_codes.yaml`` (its source and what it does not cover: docs/adr/0013-relationship-codes.md).

- ``code_for(relationship, on)``: the two-digit code of a registry relationship, "" where the list has none.
- ``exact(relationship, sex)``: a lumped value ("spouse", "parent", "grandparent": what older clients and
  files send) made exact from the member's sex (Vợ/Chồng, Bố/Mẹ, Ông/Bà); any other value unchanged.
- ``from_code(code, on)``: the registry relationship of a MoiQuanHe code, or None for a code the list lacks.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ansinh.registry.models import Relationship

FILE = Path(__file__).resolve().parent / "data" / "relationship_codes.yaml"
# a lumped value → (for a man, for a woman)
LUMPED = {"spouse": (Relationship.HUSBAND, Relationship.WIFE), "parent": (Relationship.FATHER, Relationship.MOTHER),
          "grandparent": (Relationship.GRANDFATHER, Relationship.GRANDMOTHER)}


@cache
def _versions() -> list[dict[str, Any]]:
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    return sorted(data["versions"], key=lambda v: v["valid_from"])


def version(on: date | None = None) -> dict[str, Any]:
    """The code list in force on ``on`` (today's when None): the latest version that began by then, or the first."""
    versions = _versions()
    if on is None:
        return versions[-1]
    started = [v for v in versions if v["valid_from"] <= on]
    return started[-1] if started else versions[0]


def code_for(relationship: str, on: date | None = None) -> str:
    for entry in version(on)["codes"]:
        if entry["relationship"] == relationship:
            return str(entry["code"] or "")
    return ""


def from_code(code: str, on: date | None = None) -> str | None:
    code = code.strip().zfill(2) if code.strip() else ""
    for entry in version(on)["codes"]:
        if entry["code"] is not None and entry["code"] == code:
            return str(entry["relationship"])
    return None


def exact(relationship: str, sex: str) -> str:
    if relationship in LUMPED:
        man, woman = LUMPED[relationship]
        return str(man if sex == "male" else woman)
    return relationship
