"""CSV that spreadsheets open as data: every CSV the service writes goes through here.

A text cell that a spreadsheet would read as a formula (OWASP "CSV injection", ASVS 1.2.10:
a first character of =, +, -, @, TAB, CR, LF or NUL, also after leading spaces, and the
full-width forms of the four signs) is written with a leading apostrophe, which spreadsheets
take as "this is text". Numbers stay numbers: an int or float cell is written bare, so that
a negative figure is still a figure; every text cell is quoted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")

Cell = str | int | float | None


def safe_cell(value: Cell) -> str | int | float:
    """The value as a spreadsheet should show it: numbers as they are, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int to Python, but not a figure
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
    return text


BOM = "\ufeff"


def csv_document(rows: Iterable[Sequence[Cell]], *, bom: bool = False) -> str:
    """RFC 4180 text (CRLF line ends) of the rows, every cell through `safe_cell`; with `bom`,
    led by a byte-order mark, so that spreadsheets open UTF-8 files as UTF-8."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    # Text cells quoted, numbers bare: a reader (or csv.QUOTE_NONNUMERIC) tells them apart.
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Sequence[Cell]], *, bom: bool = True) -> bytes:
    """The document as UTF-8 bytes, led by a byte-order mark unless `bom` is false."""
    return csv_document(rows, bom=bom).encode("utf-8")
