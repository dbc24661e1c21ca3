"""`ansinh areas import FILE.csv`: all rows or none, idempotent, errors naming row and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ansinh.areas.models import AdministrativeUnit
from ansinh.cli import app

pytestmark = pytest.mark.django_db

GOOD = """code,name,level,parent_code,valid_from
99,Tỉnh Thử Nghiệm,province,,
990,Thành phố Thử Nghiệm,city,99,
99001,Phường Test,ward,990,
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_it_imports_a_province_tree_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    before = AdministrativeUnit.objects.count()
    first = CliRunner().invoke(app, ["areas", "import", str(write(tmp_path, GOOD))])
    assert first.exit_code == 0, first.output
    assert AdministrativeUnit.objects.count() == before + 3
    assert AdministrativeUnit.objects.get(code="99001").parent.code == "990"  # type: ignore[union-attr]
    again = CliRunner().invoke(app, ["areas", "import", str(write(tmp_path, GOOD))])
    assert again.exit_code == 0 and "0 mới" in again.output
    assert AdministrativeUnit.objects.count() == before + 3


def test_a_bad_row_refuses_the_whole_file_and_names_row_and_column(tmp_path: Path) -> None:
    before = AdministrativeUnit.objects.count()
    text = GOOD + "99002,Phường Sai,hamlet,990,\n99003,Phường Mồ Côi,ward,999,\n"
    result = CliRunner().invoke(app, ["areas", "import", str(write(tmp_path, text))])
    assert result.exit_code == 2
    assert "dòng 5, cột level" in result.stderr
    assert "dòng 6, cột parent_code" in result.stderr
    assert AdministrativeUnit.objects.count() == before


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["areas", "import", str(write(tmp_path, "ma,ten\n1,x\n"))])
    assert result.exit_code == 2 and "thiếu cột" in result.stderr
