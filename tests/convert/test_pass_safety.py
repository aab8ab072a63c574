"""A defect in one rule costs one statement, never the notebook (PS008)."""

from __future__ import annotations

from nb2prod.convert.engine import rewrite_sources
from nb2prod.convert.rules import load_rules
from nb2prod.convert.rules._base import DISPATCH


def test_a_rule_that_crashes_sends_its_statement_to_the_driver(monkeypatch):
    load_rules()
    (rule,) = [r for r in DISPATCH[("DataFrame", "dropna")]]

    def broken(site):
        raise KeyError("a bug in the rule")

    monkeypatch.setattr(rule, "convert", broken)
    result = rewrite_sources(["import pandas as pd\nflights = pd.read_csv(path)", "clean = flights.dropna()\nn = len(clean)", "late = flights[flights.dep_delay > 60]"])
    cell2, cell3 = result.cells[1], result.cells[2]
    assert "PS008" in {e.code for e in cell2.events}
    assert "clean = driver.pandas(flights, 'flights').dropna()" in cell2.generated
    assert cell3.generated == 'late = flights.filter(F.col("dep_delay") > 60)\n'
