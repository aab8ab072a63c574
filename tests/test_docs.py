"""docs/conversions.md is generated from the rule registry and kept current."""

from __future__ import annotations

from pathlib import Path

from nb2prod.convert.docs import generate, main
from nb2prod.convert.rules import load_rules

DOC = Path(__file__).resolve().parents[1] / "docs" / "conversions.md"


def test_conversions_doc_is_current() -> None:
    """The committed page equals what the generator writes; regenerate with
    `python -m nb2prod.convert.docs docs/conversions.md`."""
    assert DOC.read_text(encoding="utf-8") == generate()


def test_every_rule_has_a_table_row_and_a_section() -> None:
    """A reader finds every rule in the table, linked to its section with the docs links."""
    text = generate()
    for code, rule in load_rules().items():
        assert f"| [{code}](#{code.lower()}-{rule.name}) | `{rule.name}` |" in text
        section = text.split(f"\n## {code} {rule.name}\n", 1)[1].split("\n## ", 1)[0]
        assert "**What it does**" in section and "**Why**" in section and "**Example**" in section
        assert f"<{rule.pandas_docs}>" in section and f"<{rule.spark_docs}>" in section


def test_pipes_in_spark_forms_do_not_break_the_table() -> None:
    """Each table row has exactly five cells even when a Spark form contains `|`."""
    rows = [line for line in generate().splitlines() if line.startswith("| [PS")]
    assert len(rows) == len(load_rules())
    for row in rows:
        assert row.replace("\\|", "").count("|") == 6, row


def test_main_writes_to_a_path_or_stdout(tmp_path: Path, capsys) -> None:
    """`python -m nb2prod.convert.docs PATH` writes the file; without PATH, stdout; output is deterministic."""
    target = tmp_path / "conversions.md"
    assert main([str(target)]) == 0
    assert main([]) == 0
    assert capsys.readouterr().out == target.read_text(encoding="utf-8") == generate()
    assert main(["a", "b"]) == 2
