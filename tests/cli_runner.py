"""Running the ``household`` command line in-process for tests."""

from __future__ import annotations

import contextlib
import io

import attrs

from household.cli import run


@attrs.frozen
class Result:
    """What one command run gave: its exit code, stdout and stderr."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(args: list[str]) -> Result:
    """Run ``household ARGS`` in this process, capturing stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(args)
    return Result(code, out.getvalue(), err.getvalue())
