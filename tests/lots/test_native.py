"""The compiled integer replay (``lots._fastreplay_native``) against the pure one.

``setup.py`` compiles ``lots/fastreplay.py`` with mypyc when the package is built;
``lots.washsale.fast_module`` picks the compiled module only when it was built from
the sources beside it (``fastreplay.py`` and the ``lots`` modules it imports, by their
digest). The two must give the same ledger, record for
record, and raise the same errors, on the generated histories of
``tests/strategies.py`` (every event kind, both readings of
``same_sale_replacement``) and on the benchmark's 20,000-event mixed history.

Where the compiled module is not built these comparisons skip, except under
``CI=true``, where its absence fails (CI builds it: ``make test`` installs the
package). The rest of the suite runs on whatever :data:`lots.washsale.FAST_MODULE`
is (the compiled one in CI); ``make test`` runs ``tests/lots`` once more with
``LOTS_REPLAY=python``, so both modules pass every ledger test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import importlib.util
import os
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from lots import fastreplay, washsale
from lots.errors import LotsError, NotExact
from lots.records import Account, AccountType, Action, Transaction
from lots.relief import LotMethod
from lots.washsale import Ledger, fast_module, fast_replay, source_digest
from tests.strategies import History, histories

IN_CI = os.environ.get("CI") == "true"


def _native() -> ModuleType | None:
    try:
        return fast_module("native")
    except ImportError:
        return None


NATIVE = _native()
needs_native = pytest.mark.skipif(
    NATIVE is None and not IN_CI, reason="lots._fastreplay_native is not built (pip install -e .)"
)


LOTS = Path(fastreplay.__file__).resolve().parent


def _setup() -> ModuleType:
    """The repository's ``setup.py`` as a module (not run as ``__main__``: no build)."""
    spec = importlib.util.spec_from_file_location("_setup", LOTS.parent / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replay(module: ModuleType, same_sale: bool = False, **arguments: Any) -> Ledger:
    """``lots.washsale.fast_replay`` on ``module``'s ``FastReplay``, records built."""
    with mock.patch.object(washsale, "_FastReplay", module.FastReplay):
        ledger = fast_replay(**arguments, same_sale_replacement=same_sale)
    assert isinstance(ledger.units, module.FastReplay)  # type: ignore[attr-defined]
    # Every record built now, inside the module's own code.
    return Ledger(tuple(ledger.dispositions), tuple(ledger.lots), tuple(ledger.matches))


def _outcome(module: ModuleType, same_sale: bool, arguments: dict[str, Any]) -> object:
    """The ledger, or the error's class and text."""
    try:
        return _replay(module, same_sale, **arguments)
    except (NotExact, LotsError) as error:
        return (type(error), str(error))


@needs_native
def test_the_compiled_module_is_built_and_used() -> None:
    # In CI the package is installed with its extension: the replay must run compiled
    # unless the pure engine is asked for.
    assert NATIVE is not None, "lots._fastreplay_native is not built"
    assert NATIVE is not fastreplay
    assert Path(NATIVE.__file__).suffix in (".so", ".pyd")
    # Built from fastreplay.py and the lots modules it imports, directly or not (its
    # imports read off the files by hand: errors, events, records, relief, terms; and
    # numbers, which events, records and relief import).
    names = ("errors.py", "events.py", "fastreplay.py", "numbers.py", "records.py",
             "relief.py", "terms.py")  # fmt: skip
    assert names == NATIVE.SOURCE_FILES
    assert _setup().source_files() == list(names)
    assert source_digest(LOTS, names) == NATIVE.SOURCE_DIGEST
    expected = fastreplay if os.environ.get("LOTS_REPLAY") == "python" else NATIVE
    assert washsale.FAST_MODULE is expected
    # Its classes are compiled, not the pure module's (mypyc makes native classes).
    assert NATIVE.FastReplay is not fastreplay.FastReplay
    assert NATIVE.NotExact is NotExact  # one error class for both (``lots.errors``)


def test_a_stale_build_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # An edit of lots/fastreplay.py without a rebuild: its digest no longer matches the
    # build's, so ``auto`` takes the pure module and ``native`` refuses.
    monkeypatch.setattr(washsale, "source_digest", lambda directory, names: "0" * 64)
    assert fast_module("auto") is fastreplay
    with pytest.raises(ImportError):
        fast_module("native")


def test_the_engine_is_chosen_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fast_module("python") is fastreplay
    monkeypatch.setenv("LOTS_REPLAY", "python")
    assert fast_module() is fastreplay
    with pytest.raises(ValueError, match="LOTS_REPLAY='fortran'"):
        fast_module("fortran")


def test_no_build_means_the_pure_module(monkeypatch: pytest.MonkeyPatch) -> None:
    # An install without the extension (LOTS_PURE=1, no compiler): ``auto`` is pure.
    real = importlib.import_module

    def without_native(name: str, *args: Any) -> ModuleType:
        if name == "lots._fastreplay_native":
            raise ModuleNotFoundError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_native)
    assert fast_module("auto") is fastreplay
    with pytest.raises(ImportError):
        fast_module("native")


def test_the_source_digest(tmp_path: Path) -> None:
    # SHA-256 over each file's name, a NUL, its own SHA-256 in hex and a newline, in
    # name order; sha256(b"abc") is FIPS 180-2's example (appendix B.1).
    (tmp_path / "b.py").write_bytes(b"abc")
    (tmp_path / "a.py").write_bytes(b"")
    abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    expected = hashlib.sha256(f"a.py\0{empty}\nb.py\0{abc}\n".encode()).hexdigest()
    assert source_digest(tmp_path, ["b.py", "a.py"]) == expected
    # setup.py's digest (the one recorded in the build) is the same function.
    assert _setup().source_digest(tmp_path, ["b.py", "a.py"]) == expected
    # An edit of any file changes it.
    (tmp_path / "a.py").write_bytes(b" ")
    assert source_digest(tmp_path, ["a.py", "b.py"]) != expected


def test_an_edit_of_an_imported_module_makes_the_build_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build is typed against events.py too: a copy of the sources with one byte of
    # events.py changed no longer matches a digest recorded over the originals.
    names = _setup().source_files()
    for name in names:
        (tmp_path / name).write_bytes((LOTS / name).read_bytes())
    recorded = source_digest(LOTS, names)
    assert source_digest(tmp_path, names) == recorded
    (tmp_path / "events.py").write_bytes((LOTS / "events.py").read_bytes() + b"\n")
    assert source_digest(tmp_path, names) != recorded
    # And fast_module, looking beside such an edited lots/fastreplay.py, takes the pure one.
    monkeypatch.setattr(fastreplay, "__file__", str(tmp_path / "fastreplay.py"))
    assert fast_module("auto") is fastreplay


MIXED = histories(events=True)


@needs_native
@settings(max_examples=max(100, settings.default.max_examples // 4))
@given(st.one_of(histories(), MIXED), st.booleans())
def test_compiled_equals_pure_on_generated_histories(history: History, same_sale: bool) -> None:
    assert NATIVE is not None
    note(history.text())
    arguments = history.arguments()
    pure = _outcome(fastreplay, same_sale, arguments)
    compiled = _outcome(NATIVE, same_sale, arguments)
    assert compiled == pure


@needs_native
def test_compiled_equals_pure_on_the_benchmark_history() -> None:
    assert NATIVE is not None
    # The benchmark's generator, loaded from its file (the module puts the repository's
    # root first on ``sys.path``: the path is restored after, for the tests that follow).
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "wash_sales.py"
    spec = importlib.util.spec_from_file_location("_benchmark_wash_sales", path)
    assert spec is not None and spec.loader is not None
    wash_sales = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    try:
        spec.loader.exec_module(wash_sales)
    finally:
        sys.path[:] = saved
    transactions = wash_sales.history(20_000, mixed=True)
    arguments = {
        "transactions": transactions,
        "accounts": wash_sales.ACCOUNTS,
        "identical_group": wash_sales.GROUPS,
        "default_method": LotMethod.FIFO,
    }
    pure = _replay(fastreplay, **arguments)
    compiled = _replay(NATIVE, **arguments)
    assert len(pure.dispositions) > 5_000 and len(pure.matches) > 1_000
    assert compiled == pure


@needs_native
def test_the_compiled_module_gives_up_alike() -> None:
    # A price of 21 places does not fit the money scale: both raise ``NotExact``, the one
    # class of ``lots.errors``, and ``replay`` answers with Decimals.
    assert NATIVE is not None
    accounts = [Account("me", AccountType.INDIVIDUAL)]
    history = [
        Transaction(
            date=dt.date(2026, 1, 5),
            account_id="me",
            symbol="X",
            action=Action.BUY,
            quantity=Decimal(2),
            price=Decimal("10.000000000000000000001"),
            lot_id="L1",
        )
    ]
    arguments = {"transactions": history, "accounts": accounts,
                 "default_method": LotMethod.FIFO}  # fmt: skip
    for module in (fastreplay, NATIVE):
        with pytest.raises(NotExact):
            _replay(module, **arguments)
