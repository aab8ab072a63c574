"""Every rule is a small self-documenting module: unique code and name, complete docstring, examples that work."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lint_helpers import code, write_notebook

from nb2prod.lint.rule import SECTIONS, Rule
from nb2prod.lint.rules import all_rules

RULES = all_rules()
#: rules whose example is not a few cells: a file name, a 31-line cell, 51 cells, files next to the notebook
NOT_SELF_CONTAINED = {"NB205", "NB206", "NB308", "NB404"}
#: what `nb2prod convert` resolves by itself (the brief for issue 4)
FIXABLE_BY_CONVERT = {"NB301", "NB302", "NB303", "NB304", "NB305", "NB401", "NB403", "NB503", "NB504"}
_FENCE = re.compile(r"```(python|json)\n(.*?)```", re.DOTALL)
_IN = re.compile(r"^# In\[( |\d+)\]:$")


def test_there_are_at_least_25_rules_in_five_families() -> None:
    assert len(RULES) >= 25
    assert {code[:3] for code in RULES} == {"NB1", "NB2", "NB3", "NB4", "NB5"}


def test_codes_and_names_are_unique_and_well_formed() -> None:
    names = [cls.name for cls in RULES.values()]
    assert len(set(names)) == len(names)
    for code_, cls in RULES.items():
        assert cls.code == code_
        assert re.fullmatch(r"NB[1-5]\d\d", code_)
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)+", cls.name), cls.name


def test_a_rule_asking_for_contexts_or_operators_is_refused() -> None:
    """The engine hands rules the nodes the name analysis meets, which leaves out Load(), Add() and the like."""
    import ast

    from nb2prod.lint.rules import register

    class AskForLoads(Rule):
        code, name, node_types = "NB599", "ask-for-loads", (ast.Name, ast.Load)

    with pytest.raises(ValueError, match="expression context or operator"):
        register(AskForLoads)
    assert "NB599" not in all_rules()


@pytest.mark.parametrize("cls", RULES.values(), ids=lambda c: c.code)
def test_rule_lives_in_a_module_named_after_it(cls: type[Rule]) -> None:
    module = cls.__module__
    assert module == f"nb2prod.lint.rules.{cls.name.replace('-', '_')}"
    assert cls.__name__.lower() == cls.name.replace("-", "").lower()


@pytest.mark.parametrize("cls", RULES.values(), ids=lambda c: c.code)
def test_docstring_has_every_section_in_order(cls: type[Rule]) -> None:
    sections = cls.sections()
    assert list(sections)[: len(SECTIONS)] == list(SECTIONS)
    assert all(sections[s] for s in SECTIONS)
    assert cls.summary().endswith(".")
    assert re.search(r"^Fixable by convert: (yes|no)$", cls.doc(), re.MULTILINE)


def test_fixable_by_convert_marks_exactly_what_convert_resolves() -> None:
    assert {code_ for code_, cls in RULES.items() if cls.fixable_by_convert()} == FIXABLE_BY_CONVERT


def _notebook_from_example(block: tuple[str, str], path: Path) -> Path:
    kind, text = block
    if kind == "json":
        cell = json.loads(text)
        cell.setdefault("metadata", {})
        nb = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
              "nbformat": 4, "nbformat_minor": 4}
        path.write_text(json.dumps(nb), encoding="utf-8")
        return path
    cells, source, count, started = [], [], None, False
    for line in text.splitlines():
        marker = _IN.match(line)
        if marker:
            if started:
                cells.append(code("\n".join(source).strip("\n"), count))
            source, started = [], True
            count = None if marker.group(1) == " " else int(marker.group(1))
        else:
            source.append(line)
    cells.append(code("\n".join(source).strip("\n"), count))
    return write_notebook(path, cells)


def _blocks(section: str) -> list[tuple[str, str]]:
    return _FENCE.findall(section)


@pytest.mark.parametrize("cls", [c for c in RULES.values() if c.code not in NOT_SELF_CONTAINED], ids=lambda c: c.code)
def test_example_triggers_the_rule_and_use_instead_does_not(cls: type[Rule], project: Path, run) -> None:
    sections = cls.sections()
    example = _blocks(sections["Example"])
    assert len(example) == 1, "the Example section has one code block"
    bad = _notebook_from_example(example[0], project / "example.ipynb")
    result = run("lint", "--select", cls.code, bad.name)
    assert result.code == 1 and f" {cls.code} " in result.out, result.out + result.err
    for block in _blocks(sections["Use instead"]):
        good = _notebook_from_example(block, project / "use_instead.ipynb")
        result = run("lint", "--select", cls.code, good.name)
        assert (result.code, result.out) == (0, ""), result.out
