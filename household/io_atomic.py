"""Writing outputs so that a failure never leaves a half-written or mixed result.

Two helpers, used by every command that writes files:

- :func:`write_text_atomic` writes one file: the text goes to a temporary file
  beside the target, which is renamed over it only once it is complete and
  flushed. An existing target is refused unless ``force`` (``household import
  --out FILE --force``); a missing folder or a target that is a folder is
  refused too, each as :class:`household.errors.OutputError` (exit 2).
- :func:`atomic_directory` writes a folder of files (``--out DIR``): the caller
  writes into a fresh temporary folder beside ``DIR``; when it has written
  everything, the old ``DIR`` is moved aside, the new one renamed into place and
  the old one deleted. If the caller fails midway, the temporary folder is
  removed and the old ``DIR`` is left whole. Files of an earlier run (a
  ``harvest.csv`` under a later rebalance) never survive, since the folder is
  replaced, not updated. To protect a folder that is not a report (``--out ~``),
  an existing ``DIR`` is replaced only when it is empty or holds only files this
  program writes (names in ``replaceable``, or its marker file
  :data:`MARKER`).

Example::

    with atomic_directory(Path("build/report"), replaceable={"plan.json"}) as folder:
        (folder / "plan.json").write_text("{}")
    # build/report/plan.json now exists, and nothing else from an earlier run
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

from household.errors import OutputError

__all__ = ["MARKER", "atomic_directory", "write_text_atomic"]

MARKER = ".household-output"
"""The file that marks a folder as written by ``household`` (so it may be replaced)."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: Path, text: str, *, force: bool = False, durable: bool = True) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename.

    With ``durable`` the file is flushed to disk (``fsync``) before the rename;
    a sweep's per-household files are not (thousands of them: a crash loses at
    most the last ones, which the resumed sweep plans again).

    Raises:
        OutputError: the folder does not exist, ``path`` is a folder, or ``path``
            exists and ``force`` is false.
    """
    name = str(path)
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"the folder {str(folder)!r} does not exist", file=name)
    if path.is_dir():
        raise OutputError("is a folder; give a file name", file=name)
    if path.exists() and not force:
        raise OutputError("already exists (use --force to replace it)", file=name)
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temporary, mode)  # mkstemp makes it private; give it a normal file's mode
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _replaceable(directory: Path, names: Collection[str]) -> bool:
    entries = [entry.name for entry in directory.iterdir()]
    return MARKER in entries or all(entry in names for entry in entries)


@contextlib.contextmanager
def atomic_directory(directory: Path, *, replaceable: Collection[str] = ()) -> Iterator[Path]:
    """Yield a temporary folder beside ``directory``; put it in its place on success.

    Args:
        directory: the output folder (created with its parents if missing).
        replaceable: file names an existing ``directory`` may hold and still be
            replaced (the files this program writes there).

    Raises:
        OutputError: ``directory`` is a file, or a folder holding other files.
    """
    name = str(directory)
    directory = directory.absolute()
    if directory.exists() and not directory.is_dir():
        raise OutputError("exists and is not a folder", file=name)
    if directory.is_dir() and not _replaceable(directory, replaceable):
        raise OutputError(
            "is a folder holding files this program did not write; give a new or empty folder",
            file=name,
        )
    parent = directory.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create the folder: {error.strerror}", file=name) from None
    temporary = Path(tempfile.mkdtemp(dir=parent, prefix=f".{directory.name}.", suffix=".tmp"))
    try:
        os.chmod(temporary, 0o777 & ~_umask())  # mkdtemp makes it private
        yield temporary
        (temporary / MARKER).write_text(
            "Written by household; the whole folder is replaced on the next run.\n",
            encoding="utf-8",
        )
        old = None
        if directory.exists():
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{directory.name}.", suffix=".old"))
            os.rmdir(old)
            os.rename(directory, old)
        os.rename(temporary, directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
