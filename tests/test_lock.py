"""The lock file (issue 15, "Operate"): `make install` installs requirements.lock with --require-hashes, so
every dependency of pyproject.toml (runtime and dev) must be pinned there, with hashes, at a version its
range accepts. A dependency added to pyproject.toml without `make lock` fails here, not on a new machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, tuple[str, list[str]]]:
    text = (ROOT / "requirements.lock").read_text()
    pins = {}
    for block in re.split(r"\n(?=\S)", text):
        match = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if match:
            pins[canonicalize_name(match.group(1))] = (match.group(2), re.findall(r"--hash=sha256:[0-9a-f]{64}", block))
    return pins


def test_every_dependency_is_pinned_with_hashes_at_a_version_its_range_accepts() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    declared = [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]]
    assert len(declared) > 20
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock: run make lock"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{name}=={version} outside {requirement}"
        assert hashes, f"{name} has no hash"
    assert all(hashes for _, hashes in pins.values())
