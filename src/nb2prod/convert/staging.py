"""Writing the package safely: a staging directory next to OUT, moved into place only when complete.

* The staging directory is ``.OUT.nb2prod-PID-XXXXXXXX`` beside OUT. It is removed on any exit Python
  sees (an exception, KeyboardInterrupt, SIGTERM: turned into SystemExit while writing); one left by a
  run that was killed outright (SIGKILL, power loss) is removed by the next run on the same OUT, once
  its process is gone.
* ``--force``: the previous OUT is renamed aside (``.OUT.nb2prod-PID-XXXXXXXX.old``) only when the new
  package is complete, and the two renames run with SIGINT and SIGTERM blocked, so any interruption
  Python sees leaves exactly one of them as OUT. After a SIGKILL between the renames, the next run
  puts the previous OUT back first.
* Files and directories get the usual permissions (``0666`` / ``0777`` minus the umask), not the
  ``0700`` of a temporary directory.
* Every OS error (read-only parent, a file where a directory should be, a name too long, disk
  full) is one :class:`nb2prod.errors.OutputError` line naming the path.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from nb2prod.errors import OutputError

_MARK = ".nb2prod-"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _leftovers(outdir: Path) -> Iterator[tuple[Path, bool]]:
    """(path, is an ``.old`` copy) of staging directories beside OUT whose process is gone."""
    pattern = re.compile(re.escape(f".{outdir.name}{_MARK}") + r"(\d+)-[A-Za-z0-9_]+(\.old)?$")
    try:
        entries = list(os.scandir(outdir.parent))
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry.name)
        if match and entry.is_dir(follow_symlinks=False) and not _pid_alive(int(match.group(1))):
            yield Path(entry.path), bool(match.group(2))


def recover(outdir: Path) -> None:
    """Clean up after a run on ``outdir`` that was killed: put a previous OUT back if OUT is missing,
    remove stale staging directories."""
    for path, is_old in sorted(_leftovers(outdir), key=lambda item: not item[1]):
        if is_old and not os.path.lexists(outdir) and (path / "previous").is_dir():
            with contextlib.suppress(OSError):
                os.replace(path / "previous", outdir)
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While writing, SIGTERM raises SystemExit (so ``finally`` blocks clean up) instead of killing outright."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):  # noqa: ARG001 - signal handler signature
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (the two renames of --force)."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    blocked = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _os_error(path: Path | str, exc: OSError, doing: str) -> OutputError:
    return OutputError(path, f"cannot {doing}: {exc.strerror or exc}")


def write_package(outdir: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` (relative path -> bytes) as the directory ``outdir``, atomically.

    The caller has already checked that replacing ``outdir`` is allowed (empty, or ``--force``).

    Raises:
        OutputError: any OS error, naming the path.
    """
    parent = Path(os.path.abspath(outdir)).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(parent, exc, "create the output's parent directory") from None
    mask = _umask()
    with _sigterm_raises():
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}{_MARK}{os.getpid()}-", dir=parent))
        except OSError as exc:
            raise _os_error(parent, exc, "create a staging directory") from None
        old: Path | None = None
        try:
            for rel, content in files.items():
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            for root, dirs, names in os.walk(staging):
                for name in dirs:
                    os.chmod(os.path.join(root, name), 0o777 & ~mask)
                for name in names:
                    os.chmod(os.path.join(root, name), 0o666 & ~mask)
            os.chmod(staging, 0o777 & ~mask)
            with _signals_blocked():
                if os.path.lexists(outdir):
                    old = Path(f"{staging}.old")
                    old.mkdir()
                    os.replace(outdir, old / "previous")
                try:
                    os.replace(staging, outdir)
                except OSError:
                    if old is not None:
                        os.replace(old / "previous", outdir)  # put the previous package back
                    raise
        except OSError as exc:
            raise _os_error(outdir, exc, "write the package") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
