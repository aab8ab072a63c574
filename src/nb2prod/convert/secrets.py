"""Secrets in ``nb2prod convert``: find every secret value of a notebook, redact every file, refuse a leak.

Detection is the linter's (:mod:`nb2prod.lint.secrets`), so ``nb2prod lint`` and ``nb2prod convert``
agree on what a secret is. Three steps:

1. :func:`notebook_secrets` collects the secret *values* of a notebook: in code cells, strings stored
   under a name that says secret (variables, attributes, ``os.environ["X"] = ...``, dict keys such as
   ``{"api_key": ...}`` or ``{"Authorization": ...}``, keyword arguments), provider patterns, private-key
   blocks, URL passwords and ``Bearer`` tokens in any string or f-string part, and high-entropy named
   strings; in markdown and raw cells, stored outputs and code that does not parse, the same patterns
   in the text. The config pass (:mod:`nb2prod.convert.passes.config_pass`) replaces each one in the
   code by ``require_env("VAR")``.
2. :func:`redact_files` replaces every occurrence of every value in every generated file
   (``CONVERSION.md`` and ``conversion.json`` included), in its plain, JSON-escaped and
   Python-escaped forms, by ``<secret: read from $VAR>`` or ``<redacted secret>``. Values shorter
   than :data:`SHORT` characters are weak as substrings (``"data"``), so they are redacted as
   string literals (``"data"``) and only in the reports, the files that show the notebook's source;
   the code no longer holds them (the config pass replaced the literal).
3. :func:`scan_files` is the last line of defence, run on the files just before they are written:
   a provider pattern or a known value still present means nb2prod would leak it, and the
   conversion stops with :class:`nb2prod.errors.SecretLeakError` (exit 2), naming the file and the
   cell, never the value.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from nb2prod.errors import SecretLeakError
from nb2prod.lint import secrets as detector
from nb2prod.lint.astutil import target_name
from nb2prod.notebook import Cell, Notebook

#: environment variable for a secret that is not stored under a name, by detector label
LABEL_VARIABLES = {
    "AWS access key": "AWS_ACCESS_KEY_ID",
    "GitHub token": "GITHUB_TOKEN",
    "Slack token": "SLACK_TOKEN",
    "Slack webhook": "SLACK_WEBHOOK_URL",
    "Stripe key": "STRIPE_KEY",
    "Google API key": "GOOGLE_API_KEY",
    "private key": "PRIVATE_KEY",
    "JWT": "JWT_TOKEN",
    "URL password": "URL_PASSWORD",
    "bearer token": "BEARER_TOKEN",
}

#: what a redacted value becomes when no environment variable holds it
REDACTED = "<redacted secret>"


@dataclass(frozen=True)
class Secret:
    """One secret value found in a notebook.

    Attributes:
        value: the secret text itself (kept in memory only, never written).
        label: what the detector saw (``"Google API key"``, ``"secret"``, ``"value of 'password'"``...).
        cell: the 1-based cell number it was found in.
        name: the variable, key or argument it is stored under, or None.
        where: ``"code"``, ``"markdown"``, ``"raw"`` or ``"output"``.
    """

    value: str
    label: str
    cell: int
    name: str | None = None
    where: str = "code"


def _named_strings(tree: ast.AST) -> Iterator[tuple[str | None, str]]:
    """(name or None, string) for every string constant of a parsed cell, with the name it is stored under."""
    named: dict[int, str] = {}
    for node in ast.walk(tree):
        pairs: list[tuple[str | None, ast.AST]] = []
        if isinstance(node, ast.Assign):
            pairs = [(target_name(t), node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            pairs = [(target_name(node.target), node.value)]
        elif isinstance(node, ast.keyword) and node.arg:
            pairs = [(node.arg, node.value)]
        elif isinstance(node, ast.Dict):
            pairs = [
                (k.value, v) for k, v in zip(node.keys, node.values)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
        for name, value in pairs:
            if name and isinstance(value, ast.Constant):
                named[id(value)] = name
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            value = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            yield named.get(id(node)), value


def code_secrets(source: str, cell: int = 0) -> list[Secret] | None:
    """The secrets in one cell of plain Python, or None if it does not parse.

    Args:
        source: Python source (IPython syntax already turned into Python).
        cell: the cell number recorded in each :class:`Secret`.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None
    found: list[Secret] = []
    for name, value in _named_strings(tree):
        label = detector.named_secret(name, value) if name else None
        if label:
            found.append(Secret(value, label, cell, name))
        found.extend(Secret(v, lab, cell) for lab, v in detector.secret_values(value) if v != value or not label)
    return found


def _output_texts(cell: Cell) -> Iterator[str]:
    from nb2prod.lint.rules.secret_in_output import output_text

    for output in cell.outputs:
        try:
            yield output_text(output)
        except Exception:  # a malformed output: its raw JSON is still scanned
            yield json.dumps(output, ensure_ascii=False, default=str)


def notebook_secrets(notebook: Notebook) -> list[Secret]:
    """Every secret value in a notebook: code (parsed when it parses, as text otherwise), markdown, outputs."""
    from nb2prod.convert.cells import python_source

    found: list[Secret] = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            python = python_source(cell.source)
            in_code = code_secrets(python, cell.number) if python is not None else None
            if in_code is not None:
                found.extend(in_code)
            # magics, shell lines, comments and unparsable code are read as text too (the source is in the report);
            # keyword pairs only where the code does not parse (`password = my_var` is no value)
            found.extend(
                Secret(v, lab, cell.number)
                for lab, v in detector.secret_values(cell.source)
                if in_code is None or not lab.startswith("value of")
            )
            for text in _output_texts(cell):
                found.extend(Secret(v, lab, cell.number, where="output") for lab, v in detector.secret_values(text))
        else:
            found.extend(Secret(v, lab, cell.number, where=cell.cell_type) for lab, v in detector.secret_values(cell.source))
    unique: dict[str, Secret] = {}
    for secret in found:
        unique.setdefault(secret.value, secret)
    return list(unique.values())


def _forms(value: str) -> list[str]:
    """The ways ``value`` can be spelled in a generated file: as is, JSON-escaped, Python-escaped, line by line."""
    forms = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1], repr(value)[1:-1]}
    if "\n" in value:  # a key block: each of its lines on its own as well (a YAML or Markdown rendering)
        forms.update(line.strip() for line in value.splitlines() if len(line.strip()) >= 16)
    return sorted((f for f in forms if f), key=len, reverse=True)


#: values shorter than this (``password="abc1"``) are redacted as whole words, and only in the reports:
#: as substrings they would also match ordinary code and data (``"data"`` in ``input_data``)
SHORT = 8
#: the files that show the notebook's own source: the reports
REPORTS = ("CONVERSION.md", "conversion.json")


def _quoted(value: str) -> list[str]:
    """How a short value is written as a string literal, as is and JSON-escaped."""
    return [f'"{value}"', f"'{value}'", f'\\"{value}\\"']


def redact_text(text: str, values: Mapping[str, str | None], report: bool = True) -> str:
    """``text`` with every form of every secret value replaced.

    Args:
        text: any generated text.
        values: secret value -> the environment variable that holds it, or None.
        report: ``text`` is a report (:data:`REPORTS`): values shorter than :data:`SHORT` are
            redacted too, as string literals.
    """
    for value, var in sorted(values.items(), key=lambda item: len(item[0]), reverse=True):
        if len(value) < 3 or len(value) < SHORT and not report:
            continue
        replacement = f"<secret: read from ${var}>" if var else REDACTED
        if len(value) < SHORT:
            for form in _quoted(value):
                text = text.replace(form, f'"{replacement}"' if form[0] in "'\"" else f'\\"{replacement}\\"')
            continue
        for form in _forms(value):
            if form in text:
                text = text.replace(form, replacement)
    return text


def _is_report(rel: str) -> bool:
    return rel in REPORTS


def redact_files(files: Mapping[str, bytes], values: Mapping[str, str | None]) -> dict[str, bytes]:
    """Every file with :func:`redact_text` applied (files that are not UTF-8 text are left as they are)."""
    out: dict[str, bytes] = {}
    for rel, content in files.items():
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            out[rel] = content
            continue
        redacted = redact_text(text, values, report=_is_report(rel))
        out[rel] = content if redacted == text else redacted.encode("utf-8")
    return out


def _cell_of(match: str, notebook: Notebook | None, secrets: Iterable[Secret]) -> int | None:
    for secret in secrets:
        if match in secret.value or secret.value in match:
            return secret.cell
    if notebook is not None:
        for cell in notebook.cells:
            if match in cell.source or any(match in text for text in _output_texts(cell)):
                return cell.number
    return None


def scan_files(
    files: Mapping[str, bytes], secrets: Iterable[Secret], notebook: Notebook | None = None, path: str = "notebook"
) -> None:
    """The last line of defence: refuse to write files that still hold a secret.

    Args:
        files: relative path -> bytes, as they are about to be written.
        secrets: the notebook's secrets (:func:`notebook_secrets`); none may appear in any form.
        notebook: the notebook, to name the cell a provider-pattern match came from.
        path: the notebook's path, for the message.

    Raises:
        SecretLeakError: a file holds a known secret value or a provider pattern (exit 2); the
            message names the file and the cell, never the value.
    """
    secrets = list(secrets)
    for rel, content in sorted(files.items()):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = content.decode("latin-1")
        for secret in secrets:
            if len(secret.value) < 3 or len(secret.value) < SHORT and not _is_report(rel):
                continue
            forms = _quoted(secret.value) if len(secret.value) < SHORT else _forms(secret.value)
            if any(form in text for form in forms):
                raise SecretLeakError(path, f"refusing to write {rel}: it would contain a secret ({secret.label})", secret.cell)
        for label, value in detector.secret_values(text) if detector.may_have_provider(text) else ():
            if label.startswith("value of"):
                continue  # keyword pairs are how secrets are found in the notebook, not a leak test for code
            cell = _cell_of(value, notebook, secrets)
            raise SecretLeakError(path, f"refusing to write {rel}: it would contain a secret ({label})", cell)
