"""Meta-tests: every pandas-to-Spark rule is registered, named, documented and golden-tested."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

from nb2prod.convert import passes as passes_package
from nb2prod.convert import rules as rules_package
from nb2prod.convert.rules import explain, load_rules
from nb2prod.convert.rules._base import Rule

GOLDEN = Path(__file__).parent / "golden"
REGISTRY = load_rules()
RULE_MODULES = sorted(m.name for m in pkgutil.iter_modules(rules_package.__path__) if not m.name.startswith("_"))
PASS_MODULES = sorted(
    m.name for m in pkgutil.iter_modules(passes_package.__path__) if not m.name.startswith("_") and m.name != "base"
)


def rule_classes(module_name: str) -> list[type[Rule]]:
    module = importlib.import_module(f"{rules_package.__name__}.{module_name}")
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__
    ]


MODULE_OF = {cls.code: name for name in RULE_MODULES for cls in rule_classes(name)}


def doc(rule: Rule) -> str:
    return inspect.cleandoc(type(rule).__doc__ or "")


def test_one_registered_rule_per_module() -> None:
    """Adding a rule is adding a file: each module holds exactly one rule, and all of them are registered."""
    for name in RULE_MODULES:
        classes = rule_classes(name)
        assert len(classes) == 1, f"{name}.py defines {len(classes)} rules"
        assert REGISTRY.get(classes[0].code).__class__ is classes[0], f"{name}.py's rule is not registered"
    assert sorted(MODULE_OF) == sorted(REGISTRY)


def test_codes_are_unique_and_in_the_ps1xx_family() -> None:
    codes = [cls.code for name in RULE_MODULES for cls in rule_classes(name)]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"PS1\d\d", code), code


def test_names_are_unique_kebab_case() -> None:
    names = [rule.name for rule in REGISTRY.values()]
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name), name


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_rule_is_documented(code: str) -> None:
    """The docstring feeds `nb2prod rule CODE` and docs/conversions.md: summary, What it does, Why, Example."""
    rule = REGISTRY[code]
    text = doc(rule)
    summary = text.splitlines()[0] if text else ""
    assert summary.strip(), f"{code} has no summary line"
    for section in ("What it does:", "Why:", "Example:"):
        assert re.search(rf"^{re.escape(section)}\s*$", text, re.MULTILINE), f"{code} lacks a {section} section"
    assert rule.pandas_docs.startswith("https://"), f"{code} has no pandas documentation link"
    assert rule.spark_docs.startswith("https://"), f"{code} has no Spark documentation link"
    assert rule.spark.strip() and rule.methods, f"{code} has no Spark form or pandas method"
    assert rule.status in ("native", "partial", "fallback")
    explained = explain(code.lower())
    assert explained is not None and summary in explained and rule.pandas_docs in explained


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_example_code_parses(code: str) -> None:
    """The Before and After code of the example is Python, so a reader can paste it."""
    example = doc(REGISTRY[code]).split("Example:", 1)[1]
    before = re.findall(r"Before: ``(.+?)``", example)
    assert before, f"{code}: the example has no Before: ``code``"
    for snippet in before + re.findall(r"After: ``(.+?)``", example):
        ast.parse(snippet)


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_status_partial_when_the_rule_can_report_partial(code: str) -> None:
    """The docs table must not call a rule native when it reports some call sites as partial."""
    rule = REGISTRY[code]
    source = inspect.getsource(type(rule))
    if "tier=" in source:
        assert rule.status == "fallback", f"{code} runs through a fallback tier but has status {rule.status}"
    elif '"partial"' in source:
        assert rule.status == "partial", f"{code} can report partial but has status {rule.status}"


@pytest.mark.parametrize("module", RULE_MODULES + PASS_MODULES)
def test_module_has_a_golden_file(module: str) -> None:
    """Every rule module and pass has tests/golden/<module>.golden (see tests/test_golden.py)."""
    assert (GOLDEN / f"{module}.golden").is_file(), f"tests/golden/{module}.golden is missing"


def test_no_golden_file_without_a_module() -> None:
    """A golden file named after a module that no longer exists would test nothing it claims to."""
    stems = {p.stem for p in GOLDEN.glob("*.golden")}
    assert stems <= set(RULE_MODULES) | set(PASS_MODULES)
