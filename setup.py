"""The build's one compiled part: the integer wash-sale replay, compiled with mypyc.

``lots/fastreplay.py`` is the source of truth and stays importable as plain Python.
At build time it is copied to ``lots/_fastreplay_native.py`` with its SHA-256
appended as ``SOURCE_DIGEST``, the copy is compiled with mypyc (part of mypy) into
the extension module ``lots._fastreplay_native``, and the copy is deleted.
:func:`lots.washsale.fast_module` uses the extension only when its digest is that
of the ``lots/fastreplay.py`` beside it, so an edit of the source is never shadowed
by a stale build (an editable install puts the extension in the source tree).

The extension is optional: with ``LOTS_PURE=1`` in the environment, without mypy,
or when mypyc or the C compiler fails, the package is built without it (a
warning says why) and the replay runs as plain Python, with the same answers.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
SOURCE = Path("lots") / "fastreplay.py"
COPY = Path("lots") / "_fastreplay_native.py"


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
    source = (HERE / SOURCE).read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    copy = HERE / COPY
    copy.write_bytes(
        source
        + f"\n\n#: SHA-256 of the lots/fastreplay.py this was built from.\n"
        f'SOURCE_DIGEST = "{digest}"\n'.encode()
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


setup(ext_modules=native_extensions())
