"""The build's one compiled part: the integer wash-sale replay, compiled with mypyc.

``lots/fastreplay.py`` is the source of truth and stays importable as plain Python.
At build time it is copied to ``lots/_fastreplay_native.py`` with two constants
appended: ``SOURCE_FILES``, the files of ``lots`` it was typed against
(``fastreplay.py`` and every ``lots`` module it imports, directly or not), and
``SOURCE_DIGEST``, their digest (both from ``lots/sources.py``, which
``lots.washsale`` uses to check the digest again at run time). The copy is compiled
with mypyc (part of mypy) into the extension module ``lots._fastreplay_native``, and
deleted.
``lots.washsale.fast_module`` uses the extension only when the digest of those files
as they are now is the recorded one, so an edit is never shadowed by a stale build
(an editable install puts the extension in the source tree).

The extension is optional: with ``LOTS_PURE=1`` in the environment, without mypy,
or when mypyc or the C compiler fails, the package is built without it (a
warning says why) and the replay runs as plain Python, with the same answers.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "lots"
SOURCE = "fastreplay.py"
COPY = Path("lots") / "_fastreplay_native.py"


def _sources() -> ModuleType:
    """``lots/sources.py``, loaded by its path (the package's dependencies are not
    installed in the build's environment)."""
    spec = importlib.util.spec_from_file_location("_lots_sources", PACKAGE / "sources.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SOURCES = _sources()
source_digest = _SOURCES.source_digest


def source_files() -> list[str]:
    """``lots/fastreplay.py`` and every ``lots`` module it imports, directly or not."""
    return list(_SOURCES.source_files(PACKAGE, SOURCE))


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
