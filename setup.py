"""The build's one compiled part: the integer wash-sale replay, compiled with mypyc.

``lots/fastreplay.py`` is the source of truth and stays importable as plain Python.
At build time it is copied to ``lots/_fastreplay_native.py`` with two constants
appended: ``SOURCE_FILES``, the files of ``lots`` it was typed against
(``fastreplay.py`` and every ``lots`` module it imports, directly or not), and
``SOURCE_DIGEST``, their digest (:func:`source_digest`, the same as
``lots.washsale.source_digest``). The copy is compiled with mypyc (part of mypy) into
the extension module ``lots._fastreplay_native``, and deleted.
``lots.washsale.fast_module`` uses the extension only when the digest of those files
as they are now is the recorded one, so an edit is never shadowed by a stale build
(an editable install puts the extension in the source tree).

The extension is optional: with ``LOTS_PURE=1`` in the environment, without mypy,
or when mypyc or the C compiler fails, the package is built without it (a
warning says why) and the replay runs as plain Python, with the same answers.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "lots"
SOURCE = "fastreplay.py"
COPY = Path("lots") / "_fastreplay_native.py"
_IMPORT = re.compile(r"^from lots\.(\w+) import|^import lots\.(\w+)", re.MULTILINE)


def source_files(package: Path = PACKAGE, source: str = SOURCE) -> list[str]:
    """``source`` and the modules of ``package`` it imports, directly or not, sorted."""
    found: set[str] = set()
    waiting = [source]
    while waiting:
        name = waiting.pop()
        if name in found:
            continue
        found.add(name)
        for match in _IMPORT.finditer((package / name).read_text(encoding="utf-8")):
            waiting.append(f"{match.group(1) or match.group(2)}.py")
    return sorted(found)


def source_digest(directory: Path, names: list[str]) -> str:
    """SHA-256 of each file's name, a NUL, its own SHA-256 and a newline, sorted."""
    digest = hashlib.sha256()
    for name in sorted(names):
        own = hashlib.sha256((directory / name).read_bytes()).hexdigest()
        digest.update(f"{name}\0{own}\n".encode())
    return digest.hexdigest()


def native_extensions() -> list[object]:
    """The mypyc extension of ``lots/fastreplay.py`` (empty: built without it)."""
    if os.environ.get("LOTS_PURE") == "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("setup.py: mypy is not installed; the replay is built as plain Python",
              file=sys.stderr)  # fmt: skip
        return []
    names = source_files()
    copy = HERE / COPY
    copy.write_bytes(
        (PACKAGE / SOURCE).read_bytes()
        + (
            "\n\n#: The files of lots this module was compiled from, and their digest.\n"
            f"SOURCE_FILES = {tuple(names)!r}\n"
            f'SOURCE_DIGEST = "{source_digest(PACKAGE, names)}"\n'
        ).encode()
    )
    previous = Path.cwd()
    try:
        os.chdir(HERE)  # (mypyc names modules by their paths)
        extensions = mypycify([str(COPY)], opt_level="3")
    except (Exception, SystemExit) as error:  # (mypyc exits on a type error)
        print(f"setup.py: mypyc failed ({error!r}); the replay is built as plain Python",
              file=sys.stderr)  # fmt: skip
        return []
    finally:
        os.chdir(previous)
        copy.unlink(missing_ok=True)
    for extension in extensions:
        extension.optional = True  # a failed C compile leaves the pure module
    return list(extensions)


if __name__ == "__main__":  # (setuptools' build backend runs this file as __main__)
    from setuptools import setup

    setup(ext_modules=native_extensions())
