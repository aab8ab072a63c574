"""Rendering a lint report as text, JSON or GitHub Actions annotations (no click: the hook's fast path uses it)."""

from __future__ import annotations

import json

from nb2prod.lint.engine import Report
from nb2prod.lint.lazyre import LazyPattern
from nb2prod.lint.rule import Finding
from nb2prod.lint.rules import all_rules

FORMATS = ("text", "json", "github")


_SOURCE_KEY = LazyPattern(r'^\s*"source":\s*(\[?)\s*$|^\s*"source":')


def json_lines(path: str) -> dict[int, tuple[int, bool]]:
    """cell number -> (line of its ``"source"`` key in the .ipynb file, whether source lines follow one per line).

    Jupyter writes one source line per JSON line, so a finding at line L of a cell is at JSON line
    ``source line + L``. Returns {} (annotate line 1) when the layout is not that, or cannot be read.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        cells = json.loads(text).get("cells") or []
    except (OSError, ValueError, AttributeError):
        return {}
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _SOURCE_KEY.match(line)
        if match:
            found.append((number, bool(match.group(1))))
    if len(found) != len(cells):
        return {}
    return dict(enumerate(found, start=1))


def _escape(value: str, *, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github_line(finding: Finding, lines: dict[int, tuple[int, bool]]) -> str:
    """A GitHub Actions ``::error`` annotation; the line is the finding's line in the .ipynb JSON when knowable."""
    line = 1
    if finding.cell is not None and finding.cell in lines:
        key_line, per_line = lines[finding.cell]
        line = key_line + finding.line if per_line else key_line
    where = f"cell {finding.cell}:{finding.line}:{finding.col}" if finding.cell is not None else "notebook"
    return (
        f"::error file={_escape(finding.path, property_value=True)},line={line},col={finding.col},"
        f"title={finding.code} {finding.name}::{_escape(f'{where}: {finding.message}')}"
    )


def render(report: Report, output_format: str) -> str:
    """The findings as text lines, a JSON list, or GitHub annotations."""
    if output_format == "json":
        return json.dumps([f._asdict() for f in report.findings], indent=2, ensure_ascii=False)
    if output_format == "github":
        cache: dict[str, dict[int, tuple[int, bool]]] = {}
        out = []
        for finding in report.findings:
            if finding.path not in cache:
                cache[finding.path] = json_lines(finding.path)
            out.append(github_line(finding, cache[finding.path]))
        return "\n".join(out)
    # Finding.text() for each, unpacked here: a report can have thousands of findings
    lines = [
        f"{path}:{line}:{col}: {code} {message}" if cell is None else f"{path}:cell {cell}:{line}:{col}: {code} {message}"
        for path, cell, line, col, code, _, message in report.findings
    ]
    if report.findings:
        rules = all_rules()
        fixable_codes = {code for code, cls in rules.items() if cls.fixable_by_convert()}
        fixable = sum(1 for f in report.findings if f.code in fixable_codes)
        noun = "finding" if len(report.findings) == 1 else "findings"
        lines.append(f"Found {len(report.findings)} {noun} ({fixable} fixable by `nb2prod convert`).")
    return "\n".join(lines)
