"""Every code convert can report is documented and explained by `nb2prod rule`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nb2prod.cli import main
from nb2prod.convert.rules import load_rules, pass_codes

SOURCE = Path(__file__).resolve().parents[2] / "src" / "nb2prod" / "convert"
REPORTED = sorted(
    {m for f in SOURCE.rglob("*.py") for m in re.findall(r'"((?:NB0|MG|LG|CF|PS)\d{2,3})"', f.read_text())}
)


def test_codes_are_found_in_the_source():
    assert {"NB004", "MG101", "LG101", "CF201", "PS001"} <= set(REPORTED)


@pytest.mark.parametrize("code", REPORTED)
def test_every_reported_code_is_documented(code, capsys):
    assert code in pass_codes() or code in load_rules(), f"{code} is reported but not documented"
    assert main(["rule", code]) == 0
    assert capsys.readouterr().out.startswith(code)


def test_pass_codes_do_not_collide_with_rules():
    assert not set(pass_codes()) & set(load_rules())
