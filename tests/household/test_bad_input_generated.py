"""Bad input never becomes a wrong number: the bundled fixtures mutated in hundreds of ways.

Every mutation of the demo CSV set (``fixtures/csv/demo``) runs ``household
wash-sales --format json``; every mutation of a household file
(``fixtures/households/*.json``) runs ``household rebalance --format json``, in
this process (``tests/cli_runner.py``). Each mutation is declared one of:

- ``REFUSE``: the input is wrong (a decimal comma, a NaN, an ISO week date, a
  misspelt column, a NUL byte, UTF-16, a truncated file...). The command must exit
  2 with exactly one line on stderr that names the mutated file, and no traceback.
- ``SAME``: a documented equivalent of the clean input (a byte-order mark, CRLF
  line ends, lower-case symbols, ``235.000`` for ``235.00``, header case). The
  command must succeed and print exactly what it prints for the clean fixture.
- ``EITHER``: a different but legitimate input (an optional column dropped, a
  valid other value). It may be accepted or refused, but a refusal is still one
  line naming a file, and nothing ever prints a traceback.

``test_generated_set_is_large_enough`` checks there are at least 300 of them.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import Result, invoke

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "csv" / "demo"
HOUSEHOLDS = sorted((ROOT / "fixtures" / "households").glob("*.json"))

REFUSE, SAME, EITHER = "refuse", "same", "either"

# --- the CSV set ---------------------------------------------------------------

CSV_FILES = ("accounts.csv", "transactions.csv", "securities.csv")
REQUIRED = {
    "accounts.csv": {"account_id", "owner", "type"},
    "transactions.csv": {"date", "account_id", "symbol", "action", "quantity", "price"},
    "securities.csv": {"symbol", "asset_class"},
}
NUMBER_GARBLES = [
    "abc",
    "1,5",
    "$10",
    "235,00",
    "1,235.00",
    "1 000",
    "1e400",
    "1e30",
    "1e-20",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "-5",
    "0x10",
    "\u0661\u0660",  # Arabic-Indic digits: Decimal() would read them as 10
    "10%",
    "(5)",
    "5-",
    "--5",
    "1.2.3",
    "\u00bd",
    "0.0000000000000000001",
]
DATE_GARBLES = [
    "2024-W07-1",
    "2024-043",
    "9999-12-31",
    "20240212",
    "2024-02-30",
    "02/12/2024",
    "1899-12-31",
    "2024-2-12",
    "2024-02-12T00:00",
    "\u0662\u0660\u0662\u0664-\u0660\u0662-\u0661\u0662",
    "",
]
CONTROL = ["\x00", "\x1b", "\u200b", "\x0c", "\u2028"]


def read_csv(name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((DEMO / name).read_text(), newline="")))


def write_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


CsvMutation = tuple[str, str, Callable[[list[list[str]]], str | bytes]]


def _column_mutations(name: str) -> list[tuple[str, str, Any]]:
    header = read_csv(name)[0]
    cases: list[tuple[str, str, Any]] = []
    for index, column in enumerate(header):
        required = column in REQUIRED[name]

        def drop(rows: list[list[str]], i: int = index) -> str:
            return write_csv([[v for j, v in enumerate(row) if j != i] for row in rows])

        def blank_all(rows: list[list[str]], i: int = index) -> str:
            return write_csv([rows[0]] + [[*row[:i], "", *row[i + 1 :]] for row in rows[1:]])

        def blank_one(rows: list[list[str]], i: int = index) -> str:
            rows[1][i] = ""
            return write_csv(rows)

        def misspell(rows: list[list[str]], i: int = index) -> str:
            rows[0][i] = rows[0][i].replace("_", " ") if "_" in rows[0][i] else rows[0][i] + "s"
            return write_csv(rows)

        def upper_header(rows: list[list[str]], i: int = index) -> str:
            rows[0][i] = f" {rows[0][i].upper()} "
            return write_csv(rows)

        outcome = REFUSE if required else EITHER
        blank = EITHER if column == "owner" else outcome  # an owner may be empty
        cases += [
            (f"drop {column}", outcome, drop),
            (f"blank column {column}", blank, blank_all),
            (f"blank one {column}", blank, blank_one),
            (f"misspell header {column}", REFUSE, misspell),
            (f"header case {column}", SAME, upper_header),
        ]
        for char in CONTROL:

            def control(rows: list[list[str]], i: int = index, c: str = char) -> str:
                row = next(r for r in rows[1:] if r[i])
                row[i] = row[i][:1] + c + row[i][1:]
                return write_csv(rows)

            cases.append((f"control {char!r} in {column}", REFUSE, control))

        def control_header(rows: list[list[str]], i: int = index) -> str:
            rows[0][i] = rows[0][i] + "\x00"
            return write_csv(rows)

        cases.append((f"NUL in header {column}", REFUSE, control_header))
    return cases


def _set_cell(column: str, value: str, row: int = 1) -> Callable[[list[list[str]]], str]:
    def mutate(rows: list[list[str]]) -> str:
        rows[row][rows[0].index(column)] = value
        return write_csv(rows)

    return mutate


def _value_mutations() -> list[tuple[str, str, str, Any]]:
    cases: list[tuple[str, str, str, Any]] = []
    numbers = [
        ("transactions.csv", "quantity"),
        ("transactions.csv", "price"),
        ("transactions.csv", "fees"),
        ("securities.csv", "price"),
    ]
    for name, column in numbers:
        row = 3 if name == "transactions.csv" else 1  # a row with fees 4.95 / VTI's price
        for garble in NUMBER_GARBLES:
            cases.append((name, f"{column}={garble!r}", REFUSE, _set_cell(column, garble, row)))
        cases.append((name, f"{column}=0", EITHER if column == "fees" else REFUSE,
                      _set_cell(column, "0", row)))  # fmt: skip
        original = read_csv(name)[row][read_csv(name)[0].index(column)]
        zeros = original + ("000" if "." in original else ".000")
        for same in (zeros, f"+{original}", f" {original} ", f"{original}e0"):
            cases.append((name, f"{column}={same!r}", SAME, _set_cell(column, same, row)))
    for garble in DATE_GARBLES:
        cases.append(("transactions.csv", f"date={garble!r}", REFUSE, _set_cell("date", garble, 2)))
    texts = [
        ("transactions.csv", "account_id", "nobody", REFUSE),
        ("transactions.csv", "account_id", "JOINT", REFUSE),  # ids are case-sensitive
        ("transactions.csv", "action", "purchase", REFUSE),
        ("transactions.csv", "action", "bu y", REFUSE),
        ("transactions.csv", "action", "BUY", SAME),
        ("transactions.csv", "symbol", "VT I", REFUSE),
        ("transactions.csv", "symbol", "VTI$", REFUSE),
        ("transactions.csv", "symbol", "vti", SAME),
        ("transactions.csv", "lot_id", "NOPE", EITHER),
        ("accounts.csv", "type", "brokerage", REFUSE),
        ("accounts.csv", "type", "JOINT", SAME),
        ("accounts.csv", "lot_method", "random", REFUSE),
        ("accounts.csv", "lot_method", "FIFO", SAME),
        ("accounts.csv", "account_id", "joint2", EITHER),  # refused in transactions.csv
        ("securities.csv", "restricted", "maybe", REFUSE),
        ("securities.csv", "symbol", "vti", SAME),
        ("securities.csv", "identical_group", "VANGUARD_TOTAL_MARKET", SAME),
        ("securities.csv", "substitutes", "ITOT;SC HB", REFUSE),
    ]
    for name, column, value, outcome in texts:
        cases.append((name, f"{column}={value!r}", outcome, _set_cell(column, value)))
    return cases


def _file_mutations(name: str) -> list[tuple[str, str, Any]]:
    text = (DEMO / name).read_text()

    def utf16(rows: list[list[str]]) -> bytes:
        return text.encode("utf-16")

    def utf16_no_bom(rows: list[list[str]]) -> bytes:
        return text.encode("utf-16-le")

    def latin1(rows: list[list[str]]) -> bytes:
        rows[1][-1] = rows[1][-1] + "\u00e9" if rows[1][-1] else "\u00e9"
        return write_csv(rows).encode("latin-1")

    def bom(rows: list[list[str]]) -> bytes:
        return b"\xef\xbb\xbf" + text.encode()

    def crlf(rows: list[list[str]]) -> str:
        return text.replace("\n", "\r\n")

    def blank_lines(rows: list[list[str]]) -> str:
        return text + "\n\n,,\n"

    def truncated(rows: list[list[str]]) -> str:
        last = text.rstrip("\n").split("\n")[-1]
        cut = ",".join(last.split(",")[:3]) + ","
        return text[: text.rstrip("\n").rfind("\n") + 1] + cut

    def extra_value(rows: list[list[str]]) -> str:
        rows[1].append("x")
        return write_csv(rows)

    def short_row(rows: list[list[str]]) -> str:
        rows[1] = rows[1][:-1]
        return write_csv(rows)

    def duplicate_header(rows: list[list[str]]) -> str:
        return write_csv([[*row, row[0]] for row in rows])

    def extra_column(rows: list[list[str]]) -> str:
        return write_csv([rows[0] + ["commission"]] + [[*row, "1"] for row in rows[1:]])

    def empty(rows: list[list[str]]) -> str:
        return ""

    def quote_broken(rows: list[list[str]]) -> str:
        return text.replace(",", ',"', 1)

    return [
        ("UTF-16", REFUSE, utf16),
        ("UTF-16 without BOM", REFUSE, utf16_no_bom),
        ("Latin-1", REFUSE, latin1),
        ("UTF-8 BOM", SAME, bom),
        ("CRLF", SAME, crlf),
        ("blank lines", SAME, blank_lines),
        ("truncated", REFUSE, truncated),
        ("extra value", REFUSE, extra_value),
        ("short row", REFUSE, short_row),
        ("duplicate header", REFUSE, duplicate_header),
        ("unknown column", REFUSE, extra_column),
        ("empty", REFUSE, empty),
        ("broken quote", REFUSE, quote_broken),
    ]


def csv_cases() -> list[Any]:
    cases = []
    for name in CSV_FILES:
        for label, outcome, mutate in _column_mutations(name) + _file_mutations(name):
            cases.append(pytest.param(name, outcome, mutate, id=f"{name}: {label}"))
    for name, label, outcome, mutate in _value_mutations():
        cases.append(pytest.param(name, outcome, mutate, id=f"{name}: {label}"))
    return cases


def run_wash_sales(folder: Path) -> Result:
    return invoke(
        [
            "wash-sales",
            "--accounts",
            str(folder / "accounts.csv"),
            "--transactions",
            str(folder / "transactions.csv"),
            "--securities",
            str(folder / "securities.csv"),
            "--format",
            "json",
        ]
    )


@cache
def clean_wash_sales() -> str:
    result = run_wash_sales(DEMO)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def check(result: Result, outcome: str, file_name: str, clean: str) -> None:
    """The contract of every run, whatever the mutation."""
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("household: ")
        assert "internal error" not in lines[0]
    if outcome == REFUSE:
        assert result.exit_code == 2, f"accepted: {result.stdout[:300]}"
        assert file_name in result.stderr, result.stderr
        assert result.stdout == ""
    elif outcome == SAME:
        assert result.exit_code in (0, 1), result.stderr
        assert clean == "" or result.stdout == clean


@pytest.mark.parametrize(("name", "outcome", "mutate"), csv_cases())
def test_mutated_csv(
    tmp_path: Path, name: str, outcome: str, mutate: Callable[[list[list[str]]], Any]
) -> None:
    for other in CSV_FILES:
        (tmp_path / other).write_bytes((DEMO / other).read_bytes())
    content = mutate(read_csv(name))
    target = tmp_path / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8", newline="")
    check(run_wash_sales(tmp_path), outcome, name, clean_wash_sales())


# --- the household files ---------------------------------------------------------

RAW = "\u0000RAW\u0000"  # replaced by raw JSON text after dumping


def _dump(document: Any, raw: str | None = None) -> str:
    text = json.dumps(document, indent=2, default=str, ensure_ascii=False)
    return text if raw is None else text.replace(json.dumps(RAW), raw)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(), parse_float=Decimal)


def _at(document: Any, path: tuple[Any, ...]) -> tuple[Any, Any]:
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    return parent, path[-1]


def _set(path: tuple[Any, ...], value: Any, raw: str | None = None) -> Callable[[Any], str]:
    def mutate(document: Any) -> str:
        parent, key = _at(document, path)
        parent[key] = RAW if raw is not None else value
        return _dump(document, raw)

    return mutate


NUMBER_JSON = [
    ("raw", "1e400"),
    ("raw", "-1e400"),
    ("raw", "1e30"),
    ("raw", "1e-20"),
    ("raw", "NaN"),
    ("raw", "Infinity"),
    ("raw", "-Infinity"),
    ("raw", "1" * 5000),
    ("raw", "true"),
    ("raw", "[]"),
    ("raw", "{}"),
    ("value", "abc"),
    ("value", "1,000.00"),
    ("value", "$100"),
    ("value", "235,00"),
    ("value", "1 000"),
    ("value", "\u0661\u0660"),
    ("value", "NaN"),
    ("value", "1e400"),
    ("value", "-5"),
]


def household_cases() -> list[Any]:
    cases = []
    numeric = [("lots", 0, "quantity"), ("lots", 0, "cost_basis"), ("securities", 0, "price")]
    numeric += [("accounts", 0, "cash"), ("tax", "ordinary")]
    for number, path in enumerate(HOUSEHOLDS):
        document = _load(path)
        stem = path.stem
        mutations: list[tuple[str, str, Any]] = []
        # Each household gets one of the numeric fields (each of them over the set).
        for where in (numeric[number % 5],):
            try:
                parent, key = _at(document, where)
            except (KeyError, IndexError):
                continue
            label = ".".join(map(str, where))
            for kind, garble in NUMBER_JSON:
                mutate = _set(where, None, garble) if kind == "raw" else _set(where, garble)
                mutations.append((f"{label}={garble[:12]!r}", REFUSE, mutate))
            if key in parent:
                value = Decimal(str(parent[key]))
                mutations.append((f"{label} as string", SAME, _set(where, str(value))))
                trailing = f"{value:f}" + ("" if "." in f"{value:f}" else ".") + "000"
                mutations.append((f"{label} trailing zeros", SAME, _set(where, trailing)))
        for where in [("lots", 0, "purchased"), ("as_of",)][: 1 + number % 2]:
            try:
                _at(document, where)
            except (KeyError, IndexError):
                continue
            for garble in DATE_GARBLES:
                mutations.append((f"{where[-1]}={garble!r}", REFUSE, _set(where, garble)))
        for where in [("household_id",), ("accounts", 0, "owner"), ("name",)]:
            for char in (CONTROL[number % 5], CONTROL[(number + 1) % 5]):
                mutations.append(
                    (f"{where[-1]} control {char!r}", REFUSE, _set(where, f"a{char}b"))
                )
        for key in ("household_id", "tax", "accounts", "targets", "asset_classes"):

            def drop(d: Any, k: str = key) -> str:
                del d[k]
                return _dump(d)

            mutations.append((f"drop {key}", REFUSE, drop))
        mutations += [
            ("accounts={}", REFUSE, _set(("accounts",), {})),
            ("horizon_years='20'", REFUSE, _set(("horizon_years",), "20")),
            ("horizon_years=1e400", REFUSE, _set(("horizon_years",), None, "1e400")),
            ("unknown key", REFUSE, _set(("colour",), "blue")),
            ("bands inner wider", REFUSE, _set(("bands",), {"absolute": "0.5"})),
            ("lot after plan date", REFUSE, _set(("lots", 0, "purchased"), "2100-01-01")),
            ("deep nesting", REFUSE, _set(("name",), None, "[" * 100 + "]" * 100)),
            ("very deep nesting", REFUSE, _set(("name",), None, "[" * 50000 + "]" * 50000)),
        ]
        first_account = document["accounts"][0]["account_id"]

        def negative_reserve(d: Any, account: str = first_account) -> str:
            d.setdefault("constraints", {})["cash_reserve"] = {account: "-1"}
            return _dump(d)

        mutations.append(("negative cash_reserve", REFUSE, negative_reserve))
        if document.get("lots"):
            basis = Decimal(str(document["lots"][0]["cost_basis"]))
            mutations.append(
                (
                    "wash adjustment above basis",
                    REFUSE,
                    _set(("lots", 0, "wash_sale_adjustment"), str(basis + 1)),
                )
            )

            def lower_symbols(d: Any) -> str:
                for item in d.get("lots", []) + d.get("recent_transactions", []):
                    item["symbol"] = item["symbol"].lower()
                for item in d.get("securities", []):
                    item["symbol"] = item["symbol"].lower()
                return _dump(d)

            mutations.append(("lower-case symbols", SAME, lower_symbols))
        mutations.append(("adv 0", REFUSE, _set(("securities", 0, "adv"), "0")))
        mutations.append(("price 0", REFUSE, _set(("securities", 0, "price"), "0")))
        text = path.read_text()
        for fraction in (0.02, 0.25, 0.5, 0.75, 0.99):

            def cut(d: Any, f: float = fraction, t: str = text) -> str:
                return t[: int(len(t) * f)]

            mutations.append((f"truncated at {fraction}", REFUSE, cut))
        mutations += [
            ("UTF-16", REFUSE, lambda d, t=text: t.encode("utf-16")),
            ("UTF-16-LE", REFUSE, lambda d, t=text: t.encode("utf-16-le")),
            ("Latin-1", REFUSE, lambda d: _dump({**d, "name": "Andr\u00e9"}).encode("latin-1")),
            ("UTF-8 BOM", SAME, lambda d, t=text: b"\xef\xbb\xbf" + t.encode()),
            ("empty", REFUSE, lambda d: ""),
            ("a list", REFUSE, lambda d: "[]"),
        ]
        for label, outcome, mutate in mutations:
            cases.append(pytest.param(path, outcome, mutate, id=f"{stem}: {label}"))
    return cases


@cache
def clean_plan(path: Path) -> str:
    result = invoke(["rebalance", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


@pytest.mark.parametrize(("path", "outcome", "mutate"), household_cases())
def test_mutated_household(
    tmp_path: Path, path: Path, outcome: str, mutate: Callable[[Any], Any]
) -> None:
    content = mutate(_load(path))
    target = tmp_path / path.name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    result = invoke(["rebalance", str(target), "--format", "json"])
    check(result, outcome, path.name, "")
    if outcome == SAME:
        assert numbers(result.stdout) == numbers(clean_plan(path))


def numbers(plan_json: str) -> Any:
    """A plan's JSON without the exception log's sentences (which quote inputs as written)."""
    document = json.loads(plan_json)
    for note in document.get("exceptions", []):
        note.pop("message", None)
    return document


def test_generated_set_is_large_enough() -> None:
    assert len(csv_cases()) + len(household_cases()) >= 300


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("h.json", '{"household_id": "x"'.encode("utf-16")),
        ("h.json", b"[" * 100000),
    ],
)
def test_no_traceback_in_a_real_process(tmp_path: Path, name: str, content: bytes) -> None:
    target = tmp_path / name
    target.write_bytes(content)
    done = subprocess.run(
        [sys.executable, "-m", "household", "rebalance", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1 and name in done.stderr


OPTIONAL = [
    (name, column)
    for name in CSV_FILES
    for column in read_csv(name)[0]
    if column not in REQUIRED[name]
]


@pytest.mark.parametrize(("name", "column"), OPTIONAL)
def test_dropping_an_optional_column_is_blanking_it(tmp_path: Path, name: str, column: str) -> None:
    """An accepted ``EITHER`` input is a documented default, never a misread.

    Without the column, or with it empty, every row takes the documented default
    (fees 0, a generated lot id, the account's method, no group, unpriced,
    not restricted...): the two files must give the same numbers.
    """
    outputs = []
    for kind in ("drop", "blank column"):
        folder = tmp_path / kind.replace(" ", "-")
        folder.mkdir()
        for other in CSV_FILES:
            (folder / other).write_bytes((DEMO / other).read_bytes())
        mutate = next(m for label, _, m in _column_mutations(name) if label == f"{kind} {column}")
        (folder / name).write_text(mutate(read_csv(name)), encoding="utf-8")
        result = run_wash_sales(folder)
        assert "Traceback" not in result.output
        outputs.append((result.exit_code, result.stdout, result.stderr.replace(str(folder), "")))
    assert outputs[0] == outputs[1]
