"""Which sources a compiled module was built from, and their digest (standard library only).

``setup.py`` loads this file by its path at build time (the package's dependencies
are not installed there) to record, in the compiled replay ``lots._fastreplay_native``,
the files of ``lots`` it was compiled and typed against and their digest;
``lots.washsale.fast_module`` computes the digest again at run time and uses the
compiled module only when the two agree.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

_IMPORT = re.compile(r"^from lots\.(\w+) import|^import lots\.(\w+)", re.MULTILINE)


def source_files(package: str | os.PathLike[str], source: str) -> list[str]:
    """``source`` and the modules of ``package`` it imports, directly or not, sorted."""
    found: set[str] = set()
    waiting = [source]
    while waiting:
        name = waiting.pop()
        if name in found:
            continue
        found.add(name)
        for match in _IMPORT.finditer(Path(package, name).read_text(encoding="utf-8")):
            waiting.append(f"{match.group(1) or match.group(2)}.py")
    return sorted(found)


def source_digest(directory: str | os.PathLike[str], names: Sequence[str]) -> str:
    """SHA-256, in hex, of each file's name, a NUL, and its own SHA-256 in hex, then a
    newline, for the ``names`` (files of ``directory``) in sorted order."""
    digest = hashlib.sha256()
    for name in sorted(names):
        own = hashlib.sha256(Path(directory, name).read_bytes()).hexdigest()
        digest.update(f"{name}\0{own}\n".encode())
    return digest.hexdigest()
