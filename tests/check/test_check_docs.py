"""docs/ci.md and README.md tell users every code, tag and setting `nb2prod check` uses."""

from __future__ import annotations

from pathlib import Path

from nb2prod.check.codes import CODES
from nb2prod.cli import COMMANDS
from nb2prod.manifest import ACCEPT_TAG, MANIFEST_NAME, SKIP_TAG

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_code_has_a_row_in_docs_ci() -> None:
    """A user who sees CK204 in CI finds it, by code and name, in the codes table."""
    for code, info in CODES.items():
        assert f"| {code} | `{info.name}` |" in DOC, code
    rows = [line for line in DOC.splitlines() if line.startswith("| CK")]
    assert len(rows) == len(CODES)


def test_codes_are_stable_kebab_case_and_grouped_by_family() -> None:
    for code, info in CODES.items():
        assert code[:3] in ("CK1", "CK2", "CK3") and len(code) == 5 and code[2:].isdigit()
        assert info.name == info.name.lower() and " " not in info.name and "_" not in info.name


def test_docs_name_the_manifest_tags_setting_and_both_ci_systems() -> None:
    for text in (MANIFEST_NAME, ACCEPT_TAG, SKIP_TAG, "[tool.nb2prod.check]", "allow-edits", "actions/checkout",
                 ".gitlab-ci.yml", "nb2prod check --format github", "nb2prod lint", "git diff --exit-code"):
        assert text in DOC, text


def test_readme_check_section_points_to_docs_ci_and_the_command_is_registered() -> None:
    section = README.split("## `nb2prod check`\n", 1)[1].split("\n## ", 1)[0]
    assert "Not built yet" not in section and "[docs/ci.md](docs/ci.md)" in section
    assert COMMANDS["check"][0] == "nb2prod.check.cli:check"
