"""Loading: every notebook Jupyter opens is read (repaired in memory, one warning line); lint, convert
and check accept and refuse the same files, with the same one-line message, and never a traceback."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from nb2prod.cli import main

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def _nb(cells, minor=4, **top):
    return {"cells": cells, "metadata": dict(KERNEL), "nbformat": 4, "nbformat_minor": minor, **top}


def _code(source="x = 1", **extra):
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None, **extra}


def _md(source="# title", **extra):
    return {"cell_type": "markdown", "metadata": {}, "source": source, **extra}


#: notebooks Jupyter opens although the nbformat schema rejects them (what real notebooks have)
ACCEPTED = {
    "markdown_with_execution_count_and_outputs": _nb([_md(execution_count=3, outputs=[]), _code()]),
    "duplicate_cell_ids": _nb([_code(id="a"), _code("y = 2", id="a")], minor=5),
    "missing_cell_ids": _nb([_code(), _md()], minor=5),
    "integer_tags": _nb([_code(metadata={"tags": [1, 2]})]),
    "execution_count_as_text": _nb([_code(execution_count="3")]),
    "stream_output_without_name": _nb([_code(outputs=[{"output_type": "stream", "text": "hi\n"}], execution_count=1)]),
    "unknown_output_type": _nb([_code(outputs=[{"output_type": "widget"}], execution_count=1)]),
    "code_cell_without_outputs_or_count": _nb([{"cell_type": "code", "metadata": {}, "source": "x = 1"}]),
    "null_source": _nb([_code(None)]),
    "invalid_notebook_metadata": _nb([_code()], metadata={"kernelspec": {"name": "python3", "language": "python"}, "language_info": 3}),
    "no_notebook_metadata": {"cells": [_code()], "nbformat": 4, "nbformat_minor": 4},
}

#: files that are not notebooks: (content, what the message says)
REFUSED = {
    "not_json": (b"{not json", "invalid JSON"),
    "json_nested_too_deeply": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "number_too_long": (json.dumps(_nb([_code()])).replace('"execution_count": null', '"execution_count": ' + "9" * 5000).encode(), "Python cannot read"),
    "nbformat_minor_as_text": (json.dumps(_nb([_code()], minor="5")).encode(), "nbformat_minor is '5', not an integer"),
    "unknown_cell_type": (json.dumps(_nb([{"cell_type": "widget", "source": ""}])).encode(), "not a code, markdown or raw cell"),
    "cells_not_a_list": (json.dumps(_nb({"a": 1})).encode(), "'cells' is not a list"),
    "not_utf8": (b'{"cells": ["\xff"]}', "not UTF-8"),
    "no_cells": (b"[1, 2]", "no 'cells'"),
}


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out and "internal error" not in err + out, err
    return code, out, err


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_notebooks_jupyter_opens_are_accepted_by_lint_convert_and_check(tmp_path: Path, capsys, case: str) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(ACCEPTED[case]), encoding="utf-8")
    before = path.read_bytes()
    code, _, err = _run(capsys, "lint", str(path))
    assert code in (0, 1), err
    code, _, err = _run(capsys, "convert", str(path), "-o", str(tmp_path / "out"))
    assert code == 0, err
    warnings = [line for line in err.splitlines() if "warning: repaired" in line]
    assert len(warnings) <= 1 and len(err.strip().splitlines()) <= 1, err
    code, out, err = _run(capsys, "check", str(tmp_path / "out"))
    assert code in (0, 1) and "not a notebook" not in err and "invalid notebook" not in err, out + err
    assert path.read_bytes() == before  # repairs are in memory only


def test_repairs_are_said_in_one_warning_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(ACCEPTED["markdown_with_execution_count_and_outputs"]), encoding="utf-8")
    code, _, err = _run(capsys, "convert", str(path), "-o", str(tmp_path / "out"))
    assert code == 0
    assert err.count("\n") == 1 and "warning: repaired" in err and "'execution_count' removed from markdown cells" in err


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_files_that_are_not_notebooks_are_refused_alike(tmp_path: Path, capsys, case: str) -> None:
    """lint and convert give the same one line and exit 2; check, on a package whose notebook became this, too."""
    content, needle = REFUSED[case]
    good = tmp_path / "nb.ipynb"
    good.write_text(json.dumps(_nb([_code()])), encoding="utf-8")
    assert _run(capsys, "convert", str(good), "-o", str(tmp_path / "out"))[0] == 0
    good.write_bytes(content)
    lines = []
    for args in (["lint", str(good)], ["convert", str(good), "-o", str(tmp_path / "out2")], ["check", str(tmp_path / "out")]):
        code, _, err = _run(capsys, *args)
        assert code == 2, (args, err)
        assert len(err.strip().splitlines()) == 1 and needle in err, (args, err)
        lines.append(err.strip().split("nb.ipynb", 1)[1])
    assert lines[0] == lines[1]
    assert not (tmp_path / "out2").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_devices_and_directories_are_refused_at_once(tmp_path: Path, capsys) -> None:
    """A named pipe would block a reader forever: it is refused without being opened for a blocking read."""
    fifo = tmp_path / "pipe.ipynb"
    os.mkfifo(fifo)
    for args in (["lint", str(fifo)], ["convert", str(fifo), "-o", str(tmp_path / "o")], ["lint", os.devnull]):
        code, _, err = _run(capsys, *args)
        assert code == 2 and "not a regular file" in err, err
    from nb2prod.errors import NotebookError
    from nb2prod.notebook import load_notebook

    with pytest.raises(NotebookError, match="is a directory"):
        load_notebook(tmp_path)


def test_file_name_that_is_not_utf8_gets_a_message(tmp_path: Path, capsys) -> None:
    name = os.fsdecode(b"bad\xff.ipynb")
    path = tmp_path / name
    try:
        path.write_text(json.dumps(_nb([_code()])), encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("the file system does not take such names")
    for args in (["lint", str(path)], ["convert", str(path), "-o", str(tmp_path / "o")]):
        code, _, err = _run(capsys, *args)
        assert code == 2 and "bad\\xff.ipynb" in err and "not valid UTF-8" in err, err
    shutil.rmtree(tmp_path / "o", ignore_errors=True)
