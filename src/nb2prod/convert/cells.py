"""From notebook cells to one libcst module, and back to cells.

Each code cell is checked on its own first (so one broken cell does not stop
the others), then all usable cells are joined into one module with a sentinel
*statement* ``__nb2prod_cell__(N)`` before cell N. A sentinel statement, unlike
a comment, survives any rewrite of the statements around it, so after the
passes :func:`split_cells` recovers exactly which generated lines came from
which cell.

IPython syntax is recognised with IPython's own ``TransformerManager``
(``%magic`` becomes ``get_ipython().run_line_magic(...)``, ``!cmd`` becomes
``get_ipython().system(...)``); :mod:`.passes.magics` then deals with those calls.
"""

from __future__ import annotations

import ast
import functools
import sys
from dataclasses import dataclass, field

import libcst as cst

from nb2prod.convert.report import Event
from nb2prod.notebook import SURROGATE_NOTE, Cell

#: codes this module reports: code -> (kebab-case name, what it means for the user)
CODES = {
    "NB001": ("null-cell-source", "The cell's source was null in the file; it is read as an empty cell."),
    "NB002": ("skipped-by-tag", "The cell is tagged nb2prod:skip and left out of the pipeline."),
    "NB003": ("empty-cell", "The cell is empty or only comments; nothing to convert."),
    "NB004": ("cell-does-not-parse", "The cell is not valid Python (after IPython syntax is handled); not converted, the parser's message says why."),
    "NB005": ("expression-too-deep", "An expression nested deeper than the converter can parse safely (MAX_DEPTH levels); the cell is not converted, the rest is."),
    "NB006": ("cell-does-not-compile", "The cell parses but Python does not compile it as module code ('return', 'yield', 'await' or 'continue' outside their place, 'global' after use, 'nonlocal' at the top level); not converted."),
    "NB007": ("not-valid-in-a-pipeline-step", "A top-level 'global' or 'nonlocal', a 'from __future__' import or a star import inside a block: valid in a notebook, not inside the pipeline's run() function; not converted."),
    "NB008": ("text-not-encodable", "The cell holds text that cannot be written as UTF-8 (a lone surrogate); not converted."),
    "MG201": ("non-python-cell-magic", "A cell magic whose body is not Python (%%bash, %%sql, %%html ...); not converted."),
    "MG202": ("python-cell-magic", "A cell magic that only times or captures Python (%%time, %%capture); the magic is dropped, the body kept."),
}

SENTINEL = "__nb2prod_cell__"

#: cell magics whose body is Python; the magic itself only times or captures it
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})


@dataclass
class PreparedCell:
    """A code cell ready to join the module, or the reason it cannot."""

    cell: Cell
    python: str | None
    events: list[Event] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def _transformer():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


def python_source(source: str) -> str | None:
    """A cell's source with IPython syntax turned into Python, or None if IPython cannot read it.

    A leading cell magic whose body is Python (``%%time``) is removed; the body of any other cell
    magic is returned as it is (the caller parses it, or not).
    """
    first, _, body = source.lstrip("\n").partition("\n")
    if first.startswith("%%"):
        source = body
    try:
        return _transformer().transform_cell(source)
    except Exception:  # IPython raises SyntaxError and friends on broken input
        return None


#: deepest expression nesting (AST levels) handed to libcst: its native parser crashes on a list
#: nested 5,000 deep, its visitors raise RecursionError from about 150 levels of calls or lists
MAX_DEPTH = 100
_DEPTH_ERRORS = ("too many nested", "too complex", "nested too deeply", "maximum recursion")


def _bracket_depth(python: str) -> int:
    """The deepest bracket nesting of ``python`` (brackets in strings and comments do not count)."""
    import io
    import tokenize

    depth = deepest = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(python).readline):
            if token.type == tokenize.OP:
                if token.string in "([{":
                    depth += 1
                    deepest = max(deepest, depth)
                elif token.string in ")]}":
                    depth -= 1
    except (tokenize.TokenError, SyntaxError) as exc:
        if any(word in str(exc) for word in _DEPTH_ERRORS):
            return MAX_DEPTH + 1
    return deepest


def _ast_depth(tree: ast.AST) -> int:
    """The deepest node of ``tree``, counted without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _top_level_problem(tree: ast.Module) -> tuple[str, int] | None:
    """A statement that is valid at a notebook's top level but not inside the pipeline's ``run()``."""
    for statement in tree.body:
        if isinstance(statement, (ast.Global, ast.Nonlocal)):
            word = "global" if isinstance(statement, ast.Global) else "nonlocal"
            return f"top-level '{word}' statement: the pipeline runs each cell inside run()", statement.lineno
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            return "'from __future__' import: it can only stand at the top of the generated module", statement.lineno
        if not isinstance(statement, (ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for node in ast.walk(statement):
                if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                    return "star import inside a block: only allowed at module level, and run() is a function", node.lineno
    return None


def _libcst_parses(python: str) -> bool:
    try:
        cst.parse_module(python)
    except Exception:  # ParserSyntaxError, and whatever else libcst raises on odd text
        return False
    return True


def cell_problem(python: str) -> tuple[str, str, int | None] | None:
    """Why a cell of plain Python cannot go into the pipeline before libcst sees it, or None.

    Cheap checks, in order: text that is not UTF-8 (NB008), bracket nesting and expression depth
    beyond :data:`MAX_DEPTH` (NB005; found with the tokenizer and :mod:`ast`, never by libcst),
    Python's own ``compile()`` as module code (NB006), statements that cannot run inside a function
    (NB007). A cell with a plain syntax error returns None: libcst's message is reported (NB004).

    Returns:
        (code, message, line in the cell or None), or None.
    """
    try:
        python.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = python.count("\n", 0, exc.start) + 1
        return "NB008", f"line {line}: text that cannot be written as UTF-8 (a lone surrogate)", line
    if _bracket_depth(python) > MAX_DEPTH:
        return "NB005", f"brackets nested deeper than {MAX_DEPTH} levels", None
    try:
        tree = ast.parse(python)
    except (RecursionError, MemoryError):
        return "NB005", f"expression nested deeper than {MAX_DEPTH} levels", None
    except SyntaxError as exc:
        if any(word in str(exc.msg) for word in _DEPTH_ERRORS):
            return "NB005", f"expression nested deeper than {MAX_DEPTH} levels", None
        if _libcst_parses(python):
            # syntax of a newer Python that libcst knows (a backslash inside an f-string's braces is 3.12+)
            return "NB006", f"line {exc.lineno}: {exc.msg} (this Python, {sys.version_info[0]}.{sys.version_info[1]}, cannot run it)", exc.lineno
        return None  # libcst reports the syntax error (NB004)
    except ValueError:
        return None  # null bytes and the like: libcst reports them
    if _ast_depth(tree) > MAX_DEPTH:
        return "NB005", f"expression nested deeper than {MAX_DEPTH} levels", None
    try:
        compile(tree, "<cell>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", None)
        where = f"line {line}: " if line else ""
        return "NB006", f"{where}{getattr(exc, 'msg', None) or exc}", line
    problem = _top_level_problem(tree)
    if problem is not None:
        message, line = problem
        return "NB007", f"line {line}: {message}", line
    return None


def prepare_cells(cells: tuple[Cell, ...]) -> list[PreparedCell]:
    """Turn each code cell into plain Python, or record why it cannot be.

    Args:
        cells: the notebook's code cells.

    Returns:
        One :class:`PreparedCell` per code cell, in order. ``python`` is None
        for cells that cannot be part of the pipeline (status ``not-converted``
        or ``dropped``), with the reason in ``events``.
    """
    manager = _transformer()
    prepared = []
    for cell in cells:
        events = [Event(cell.number, "NB001", "info", note) for note in cell.notes if note != SURROGATE_NOTE]
        source = cell.source
        if SURROGATE_NOTE in " ".join(cell.notes):
            events.append(Event(cell.number, "NB008", "not-converted", "the cell held a lone surrogate (text that is not valid Unicode)"))
            prepared.append(PreparedCell(cell, None, events))
            continue
        if "nb2prod:skip" in cell.tags:
            events.append(Event(cell.number, "NB002", "dropped", "cell tagged nb2prod:skip"))
            prepared.append(PreparedCell(cell, None, events))
            continue
        if not source.strip() or all(
            not line.strip() or line.lstrip().startswith("#") for line in source.splitlines()
        ):
            events.append(Event(cell.number, "NB003", "dropped", "empty or comment-only cell"))
            prepared.append(PreparedCell(cell, None, events))
            continue
        first, _, body = source.lstrip("\n").partition("\n")
        if first.startswith("%%"):
            magic = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
            if magic not in PYTHON_BODY_CELL_MAGICS:
                events.append(
                    Event(cell.number, "MG201", "not-converted", f"cell magic %%{magic}: its body is not Python")
                )
                prepared.append(PreparedCell(cell, None, events))
                continue
            events.append(Event(cell.number, "MG202", "dropped", f"cell magic %%{magic} removed; its Python body is kept"))
            source = body
        try:
            python = manager.transform_cell(source)
        except Exception as exc:  # IPython raises SyntaxError and friends on broken input
            events.append(Event(cell.number, "NB004", "not-converted", f"cannot read IPython syntax: {exc}"))
            prepared.append(PreparedCell(cell, None, events))
            continue
        problem = cell_problem(python)
        if problem is not None:
            code, message, line = problem
            events.append(Event(cell.number, code, "not-converted", message, line=line))
            prepared.append(PreparedCell(cell, None, events))
            continue
        try:
            cst.parse_module(python)
        except cst.ParserSyntaxError as exc:
            events.append(
                Event(
                    cell.number,
                    "NB004",
                    "not-converted",
                    f"syntax error at line {exc.raw_line} column {exc.raw_column + 1}: {exc.message}",
                    line=exc.raw_line,
                )
            )
            prepared.append(PreparedCell(cell, None, events))
            continue
        prepared.append(PreparedCell(cell, python, events))
    return prepared


def join_cells(prepared: list[PreparedCell]) -> cst.Module:
    """One module holding every usable cell, each led by its sentinel statement."""
    parts = []
    for p in prepared:
        if p.python is None:
            continue
        code = p.python if p.python.endswith("\n") else p.python + "\n"
        parts.append(f"{SENTINEL}({p.cell.number})\n{code}")
    return cst.parse_module("".join(parts))


def sentinel_cell(statement: cst.CSTNode) -> int | None:
    """The cell number if ``statement`` is a sentinel statement, else None."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    expr = statement.body[0]
    if not isinstance(expr, cst.Expr) or not isinstance(expr.value, cst.Call):
        return None
    call = expr.value
    if isinstance(call.func, cst.Name) and call.func.value == SENTINEL and call.args:
        value = call.args[0].value
        if isinstance(value, cst.Integer):
            return int(value.value)
    return None


def split_cells(module: cst.Module) -> dict[int, list[cst.BaseStatement]]:
    """Group the module's top-level statements by the cell they came from."""
    out: dict[int, list[cst.BaseStatement]] = {}
    current: int | None = None
    for statement in module.body:
        number = sentinel_cell(statement)
        if number is not None:
            current = number
            out.setdefault(number, [])
            continue
        if current is not None:
            out[current].append(statement)
    return out
