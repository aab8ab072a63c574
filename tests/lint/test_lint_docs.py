"""docs/rules.md is generated from the rule docstrings and must match them."""

from __future__ import annotations

from lint_helpers import REPO

from nb2prod.lint.docs import generate
from nb2prod.lint.rules import all_rules

RULES = all_rules()


def test_docs_rules_md_is_generated_from_the_docstrings() -> None:
    """docs/rules.md is `python -m nb2prod.lint.docs` output: regenerate it when a rule changes."""
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == generate()


def test_docs_list_every_rule_with_its_sections() -> None:
    text = generate()
    for code_, cls in RULES.items():
        assert f"### {code_} {cls.name}" in text
        assert f"[{code_}](#{code_.lower()}-{cls.name})" in text
    assert text.count("#### What it does") == len(RULES)
