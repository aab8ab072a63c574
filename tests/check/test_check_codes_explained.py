"""`nb2prod rule CODE` explains every code `nb2prod check` can report."""

from __future__ import annotations

import pytest

from nb2prod.check.codes import CODES
from nb2prod.cli import main


@pytest.mark.parametrize("code", sorted(CODES))
def test_rule_explains_check_code(code, capsys):
    assert main(["rule", code.lower()]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{code} {CODES[code].name}")
    assert CODES[code].fix in out
