"""Find notebooks, run the selected rules on each, apply suppressions.

Suppression:

* ``# nb2prod: noqa: NB301,NB403`` at the end of a line suppresses those codes on that line of the
  cell (a finding's line is where its statement or expression starts); ``# nb2prod: noqa`` with no
  codes suppresses every code on that line;
* a cell tag ``nb2prod:noqa:NB105`` (or ``nb2prod:noqa:NB105,NB106``) suppresses those codes anywhere
  in the cell, and the tag ``nb2prod:noqa`` every code in the cell;
* findings about the whole notebook (its file name) are turned off with ``ignore`` in the settings.
"""

from __future__ import annotations

import ast
import functools
import marshal
import os
import re
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence

from nb2prod.errors import Nb2ProdError
from nb2prod.lint.config import (
    LintConfig,
    config_for_directory,
    resolved_directory,
    with_cli,
)
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.lazyre import LazyPattern
from nb2prod.lint.loading import read_notebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import all_rules

# typing is for annotations only: importing it (and typing.NamedTuple) costs the hook ~3 ms of start-up
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: directories never searched for notebooks (besides every hidden directory, such as .ipynb_checkpoints)
SKIP_DIRS = frozenset({".ipynb_checkpoints", ".venv", "venv", "__pycache__", "node_modules", "site-packages"})

_NOQA = LazyPattern(r"#\s*nb2prod:\s*noqa\b(?::\s*(?P<codes>[A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*))?", re.IGNORECASE)


class Report(namedtuple("Report", ["findings", "problems", "notebooks", "notes"], defaults=((),))):
    """The outcome of a lint run: findings in path order, problems (unreadable files) as one-line messages,
    and notes: what the rules could not check, each said once with the number of notebooks it concerns
    (``NB404 ... (3 notebooks)``); notes are shown on stderr and do not change the exit status."""

    __slots__ = ()

    findings: list[Finding]
    problems: list[str]
    notebooks: int
    notes: list[str]


class SelectionError(ValueError):
    """A code, prefix or rule name in ``select``/``ignore`` matches no rule."""


def resolve(patterns: Iterable[str], rules: dict[str, type[Rule]]) -> set[str]:
    """Codes matched by rule codes, code prefixes (``NB4``, ``NB40``), rule names or ``ALL``."""
    codes: set[str] = set()
    by_name = {cls.name: code for code, cls in rules.items()}
    for raw in patterns:
        pattern = raw.strip()
        if not pattern:
            continue
        if pattern.upper() == "ALL":
            codes.update(rules)
        elif pattern in by_name:
            codes.add(by_name[pattern])
        else:
            matched = {code for code in rules if code.startswith(pattern.upper())}
            if not matched:
                raise SelectionError(pattern)
            codes |= matched
    return codes


@functools.cache
def rules_for(select: tuple[str, ...], ignore: tuple[str, ...]) -> tuple[Rule, ...]:
    """Instances of the selected rules, by code."""
    rules = all_rules()
    codes = resolve(select, rules) - resolve(ignore, rules)
    return tuple(rules[code]() for code in sorted(codes))


def iter_notebooks(paths: Sequence[str]) -> Iterator[tuple[str, str] | str]:
    """Each notebook as (path, path as shown), or a one-line problem for a path that does not exist.

    Files named on the command line are linted whatever their name; directories are searched for
    ``*.ipynb``, skipping hidden directories and :data:`SKIP_DIRS`. Each file is yielded once.
    Paths are strings throughout: the hook does not import pathlib (~3.5 ms of its start-up).
    """
    seen: set[str] = set()

    def once(path: str, shown: str) -> Iterator[tuple[str, str]]:
        # the file's real path, with the directory part resolved once per directory
        if os.path.islink(path):
            key = os.path.realpath(path)
        else:
            directory, name = os.path.split(path)
            key = os.path.join(resolved_directory(directory), name)
        if key not in seen:
            seen.add(key)
            yield path, shown

    for given in paths:
        if os.path.isdir(given):
            found = []
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
                found.extend(os.path.join(root, f) for f in files if f.endswith(".ipynb"))
            for name in sorted(found):
                yield from once(name, os.path.normpath(name))
        elif os.path.exists(given):
            yield from once(given, given)
        else:
            yield f"{given}: no such file or directory"


@functools.cache
def _dispatch_table(rules: tuple[Rule, ...]) -> dict[type[ast.AST], tuple[Callable[..., Any], ...]]:
    """Node type -> the ``check_node`` methods of the rules that asked for it, in code order."""
    table: dict[type[ast.AST], list[Callable[..., Any]]] = {}
    for rule in rules:
        for node_type in rule.node_types:
            table.setdefault(node_type, []).append(rule.check_node)
    return {node_type: tuple(checks) for node_type, checks in table.items()}


def _run_node_rules(
    cell: CodeCell, nb: LintNotebook, checks_for: dict[type[ast.AST], tuple[Callable[..., Any], ...]], findings: list[Finding]
) -> None:
    """Call each rule's ``check_node`` on the nodes of its types, every node once, parents before
    children, in the order the name analysis met them (:attr:`nb2prod.lint.context.Names.nodes`:
    the cell's tree is walked once for both). The hot loop: a rule returning nothing costs no generator."""
    get_checks = checks_for.get
    extend = findings.extend
    for node in nb.names.nodes[cell.number]:
        checks = get_checks(node.__class__)
        if checks is not None:
            for check in checks:
                found = check(node, cell, nb)
                if found:
                    extend(found)


def _line_noqa(cell: CodeCell) -> dict[int, frozenset[str] | None]:
    """line -> codes suppressed on it (None: all codes)."""
    result: dict[int, frozenset[str] | None] = {}
    if "noqa" not in cell.source.lower():
        return result
    for number, line in enumerate(cell.source.splitlines(), start=1):
        match = _NOQA.search(line)
        if match:
            codes = match.group("codes")
            result[number] = None if codes is None else frozenset(c.strip().upper() for c in codes.split(","))
    return result


def _tag_noqa(tags: Iterable[str]) -> frozenset[str] | None:
    """Codes suppressed by cell tags; None means all codes, an empty set none."""
    codes: set[str] = set()
    for tag in tags:
        compact = tag.replace(" ", "").lower()
        if compact == "nb2prod:noqa":
            return None
        if compact.startswith("nb2prod:noqa:"):
            codes.update(c.upper() for c in compact[len("nb2prod:noqa:") :].split(",") if c)
    return frozenset(codes)


def _suppressed(findings: list[Finding], nb: LintNotebook) -> list[Finding]:
    by_number = {c.number: c for c in nb.code_cells}
    tag_rules = {c.number: _tag_noqa(c.tags) for c in nb.cells if c.tags}
    line_rules: dict[int, dict[int, frozenset[str] | None]] = {}
    kept = []
    for finding in findings:
        if finding.cell is not None:
            if finding.cell in tag_rules:
                codes = tag_rules[finding.cell]
                if codes is None or finding.code in codes:
                    continue
            if finding.cell in by_number:
                if finding.cell not in line_rules:
                    line_rules[finding.cell] = _line_noqa(by_number[finding.cell])
                rule = line_rules[finding.cell].get(finding.line, frozenset())
                if rule is None or finding.code in rule:
                    continue
        kept.append(finding)
    return kept


@functools.cache
def _required_words(rules: tuple[Rule, ...]) -> tuple[str, ...]:
    """Every word some rule of ``rules`` requires (``Rule.requires``)."""
    return tuple(sorted({word for rule in rules for word in rule.requires}))


@functools.cache
def _checks_for(rules: tuple[Rule, ...], present: frozenset[str]) -> dict[type[ast.AST], tuple[Callable[..., Any], ...]]:
    """The dispatch table of the rules that can find something in code that contains the words ``present``."""
    return _dispatch_table(tuple(r for r in rules if not r.requires or not present.isdisjoint(r.requires)))


def lint_notebook(nb: LintNotebook, rules: tuple[Rule, ...]) -> list[Finding]:
    """All findings for one prepared notebook, suppressions applied, sorted by cell, line, column, code."""
    findings: list[Finding] = []
    # A rule that needs a word the code does not contain cannot find anything: it is not called.
    words = _required_words(rules)
    if words:
        code = "\n".join([cell.code for cell in nb.code_cells])
        present = frozenset([word for word in words if word in code])
    else:
        present = frozenset()
    checks_for = _checks_for(rules, present)
    if checks_for:
        for cell in nb.code_cells:
            if cell.tree is not None:
                _run_node_rules(cell, nb, checks_for, findings)
    for rule in rules:
        findings.extend(rule.check_notebook(nb))
    findings = _suppressed(findings, nb)
    findings.sort(key=lambda f: (f.cell or 0, f.line, f.col, f.code))
    return findings


def lint_file(path: str, shown: str, config: LintConfig, notes: list[str] | None = None) -> list[Finding]:
    """Load, prepare and lint one notebook. Raises :class:`Nb2ProdError` for a file that cannot be read.

    ``notes``, if given, receives what the rules left in ``nb.scratch["notes"]`` (what they could not check).
    """
    try:
        rules = rules_for(config.select, config.ignore)
    except SelectionError as exc:
        raise Nb2ProdError(config.source or shown, f"[tool.nb2prod.lint] selects or ignores unknown rule {exc}") from None
    notebook = read_notebook(path)
    nb = LintNotebook(notebook, shown, config)
    try:
        findings = lint_notebook(nb, rules)
    except RecursionError:
        raise Nb2ProdError(shown, "code nested too deeply to analyse") from None
    if notes is not None and "notes" in nb.scratch:
        notes.extend(nb.scratch["notes"])
    return findings


def _lint_item(
    path: str, shown: str, select: Sequence[str] | None, ignore: Sequence[str]
) -> tuple[list[Finding], list[str], list[str]]:
    """Findings, problems and notes for one notebook, with its directory's settings plus ``select``/``ignore``."""
    notes: list[str] = []
    try:
        config = with_cli(config_for_directory(resolved_directory(os.path.dirname(path))), select, ignore)
        return lint_file(path, shown, config, notes), [], notes
    except Nb2ProdError as exc:  # shown as the user named the file; a settings problem names pyproject.toml
        return [], [f"{shown}: {exc.message}" if os.path.normpath(exc.path) == os.path.normpath(path) else str(exc)], []
    except Exception as exc:  # a bug in a rule must not hide the other files' findings behind a traceback
        return [], [f"{shown}: internal error ({type(exc).__name__}: {exc}); please report it"], []


def jobs_for(count: int) -> int:
    """Worker processes for ``count`` notebooks: one per CPU, each with at least 8 notebooks to pay for its fork.

    ``NB2PROD_LINT_JOBS`` overrides it (``1`` turns parallel linting off).
    """
    if "NB2PROD_LINT_JOBS" in os.environ:
        try:
            return max(1, int(os.environ["NB2PROD_LINT_JOBS"]))
        except ValueError:
            return 1
    if not hasattr(os, "fork"):
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, count // 8))


Outcome = tuple[list[Finding], list[str], list[str]]


def _lint_shard(shard: list[tuple[int, str, str]], select: Sequence[str] | None, ignore: Sequence[str]) -> dict[int, Outcome]:
    return {index: _lint_item(path, shown, select, ignore) for index, path, shown in shard}


#: bytes per entry of the work queue: the index of the first notebook of a batch
_ENTRY = 4
#: at most this many entries, so that the whole queue fits in a pipe's buffer (16 KiB on macOS, 64 KiB on Linux)
_MAX_ENTRIES = 2048


class _Queue:
    """The notebooks still to lint, shared by forked processes: a pipe holding one fixed-size entry
    per batch of consecutive notebooks, written in full before any process reads it.

    Each process takes the next batch when it is free (``os.read`` of one entry: the kernel hands
    each entry to exactly one reader), so a process slowed down by the machine's other work takes
    fewer notebooks instead of keeping everybody waiting. Static shares were 5-20 ms apart at the end
    of a 100-notebook run.
    """

    def __init__(self, work: list[tuple[int, str, str]]) -> None:
        self.work = work
        self.batch = max(1, -(-len(work) // _MAX_ENTRIES))
        self.read, write = os.pipe()
        entries = b"".join(start.to_bytes(_ENTRY, "little") for start in range(0, len(work), self.batch))
        try:
            os.write(write, entries)  # fits: at most _MAX_ENTRIES entries
        finally:
            os.close(write)

    def drain(self, select: Sequence[str] | None, ignore: Sequence[str]) -> dict[int, Outcome]:
        """Lint batches until the queue is empty; the outcomes of this process's batches."""
        outcomes: dict[int, Outcome] = {}
        while True:
            entry = os.read(self.read, _ENTRY)
            if len(entry) != _ENTRY:  # empty (or, never seen, a partial entry: the parent lints what is left)
                return outcomes
            start = int.from_bytes(entry, "little")
            outcomes.update(_lint_shard(self.work[start : start + self.batch], select, ignore))

    def close(self) -> None:
        os.close(self.read)


def _forked(queue: _Queue, select: Sequence[str] | None, ignore: Sequence[str]) -> tuple[int, int]:
    """Lint from ``queue`` in a forked child that writes its outcomes to a pipe (``marshal``: the same
    interpreter reads them); returns (pid, read end)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's clean-up
        status = 1
        try:
            os.close(read)
            outcomes = queue.drain(select, ignore)
            payload = marshal.dumps({i: ([tuple(f) for f in found], problems, notes) for i, (found, problems, notes) in outcomes.items()})
            with os.fdopen(write, "wb") as out:
                out.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return pid, read


def _collect(pid: int, read: int) -> dict[int, Outcome]:
    """The child's outcomes; empty if it failed (what it took is then linted again in this process)."""
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return {}
    try:
        raw = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return {}
    new = tuple.__new__  # Finding._make without its Python-level call, for each finding
    return {i: ([new(Finding, f) for f in found], problems, notes) for i, (found, problems, notes) in raw.items()}


def lint_paths(
    paths: Sequence[str], select: Sequence[str] | None = None, ignore: Sequence[str] = (), jobs: int | None = None
) -> Report:
    """Lint every notebook under ``paths`` with each notebook's settings plus ``select``/``ignore``.

    With several notebooks and CPUs the work is split across forked processes (the rules are pure
    functions of one notebook); the report is the same, in the same order, as a sequential run.
    """
    resolved_directory.cache_clear()  # relative paths: resolved against this run's working directory
    items = list(iter_notebooks(paths))
    outcomes: dict[int, Outcome] = {i: ([], [item], []) for i, item in enumerate(items) if isinstance(item, str)}
    work = [(i, item[0], item[1]) for i, item in enumerate(items) if not isinstance(item, str)]
    jobs = jobs_for(len(work)) if jobs is None else jobs
    if jobs > 1 and len(work) > jobs:
        # Warm up before forking, so that the children share what the first notebook loads and
        # caches (the settings and declared dependencies of the directory, lookup tables, lazily
        # compiled patterns) instead of each doing it again.
        outcomes.update(_lint_shard(work[:1], select, ignore))
        queue = _Queue(work[1:])
        children = []
        try:
            for _ in range(jobs - 1):
                try:
                    children.append(_forked(queue, select, ignore))
                except OSError:  # cannot fork (resource limits): this process does more
                    break
            outcomes.update(queue.drain(select, ignore))
        finally:
            queue.close()
        for pid, read in children:
            outcomes.update(_collect(pid, read))
        # whatever a failed child took, and never reported, is linted here
        outcomes.update(_lint_shard([item for item in work if item[0] not in outcomes], select, ignore))
    else:
        outcomes.update(_lint_shard(work, select, ignore))
    findings = [f for i in sorted(outcomes) for f in outcomes[i][0]]
    problems = [p for i in sorted(outcomes) for p in outcomes[i][1]]
    return Report(findings, problems, len(work), _counted([n for i in sorted(outcomes) for n in outcomes[i][2]]))


def _counted(notes: list[str]) -> list[str]:
    """Each distinct note once, in first-seen order, with the number of notebooks it was made for."""
    counts: dict[str, int] = {}
    for note in notes:
        counts[note] = counts.get(note, 0) + 1
    return [f"{note} ({n} notebook{'s' if n > 1 else ''})" for note, n in counts.items()]
