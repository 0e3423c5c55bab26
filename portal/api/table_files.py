"""Tables as files: a `Table` (columns, rows, what its header block says) written as CSV for Polish Excel or as
XLSX, streamed in chunks (the formats are described in portal/api/downloads.py).

Text cells starting with = + - @ tab or CR get a leading apostrophe (formula injection, `DANGEROUS`); numbers
stay numbers, so a negative value is still a number.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from portal.pipeline.downloads import DANGEROUS, csv_number, header_block, neutralise

__all__ = ["DANGEROUS", "HEADER_LINES", "Table", "csv_cell", "csv_lines", "write_csv", "write_xlsx", "xlsx_cell"]

HEADER_LINES = 5  # information lines above the blank line and the table (Table.info)


@dataclass
class Table:
    """A table ready to write: columns, rows (str/int/float/bool/None) and what the header block says."""

    name: str
    title: str
    columns: list[str]
    rows: Iterable[list]
    synthetic: bool
    sources: list[str] = field(default_factory=list)
    version: str = ""
    downloaded: date = field(default_factory=date.today)

    def info(self) -> list[tuple[str, str]]:
        return header_block(self.title, self.sources, self.version, "Pobrano", self.downloaded.isoformat(),
                            self.synthetic)


# ------------------------------------------------------------------------------------------ writers
def csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "" if not math.isfinite(value) else csv_number(value)
    return neutralise(str(value))


def csv_lines(table: Table) -> Iterator[str]:
    """The CSV as text chunks: BOM, header block, blank line, column names, rows."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    buf.write("\ufeff")
    for key, value in table.info():
        writer.writerow([neutralise(f"{key}: {value}")])
    writer.writerow([])
    writer.writerow(table.columns)
    for i, row in enumerate(table.rows):
        writer.writerow([csv_cell(v) for v in row])
        if i % 2000 == 1999:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def write_csv(table: Table) -> str:
    return "".join(csv_lines(table))


def xlsx_cell(value: object) -> object:
    if isinstance(value, (bool, np.bool_)):
        return "tak" if value else "nie"
    if isinstance(value, numbers.Real) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return neutralise(value)
    return value


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_STATIC = {
    "[Content_Types].xml": _XML + (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/worksheets/sheet2.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'),
    "_rels/.rels": _XML + (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": _XML + (
        f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets><sheet name="dane" sheetId="1" r:id="rId1"/>'
        '<sheet name="informacje" sheetId="2" r:id="rId2"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": _XML + (
        f'<Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": _XML + (
        f'<styleSheet xmlns="{_NS}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}
# Characters XML 1.0 cannot hold (control characters other than tab, LF, CR): dropped from text cells.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _column_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _sheet_xml(rows: Iterable[list], bold_first: bool) -> Iterator[str]:
    """A worksheet as XML text chunks: numbers as numbers, text as inline strings, None as no cell."""
    from xml.sax.saxutils import escape as xml_escape

    yield _XML + f'<worksheet xmlns="{_NS}"><sheetData>'
    letters: list[str] = []
    for r, row in enumerate(rows, start=1):
        while len(letters) < len(row):
            letters.append(_column_letter(len(letters)))
        style = ' s="1"' if bold_first and r == 1 else ""
        cells = []
        for c, value in enumerate(row):
            value = xlsx_cell(value)
            if value is None:
                continue
            ref = f"{letters[c]}{r}"
            if isinstance(value, numbers.Integral):
                cells.append(f'<c r="{ref}"{style}><v>{int(value)}</v></c>')
            elif isinstance(value, numbers.Real):
                cells.append(f'<c r="{ref}"{style}><v>{float(value)!r}</v></c>')
            else:
                text = xml_escape(_XML_ILLEGAL.sub("", str(value)))
                cells.append(f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>')
        yield f'<row r="{r}">{"".join(cells)}</row>'
    yield "</sheetData></worksheet>"


def write_xlsx(table: Table) -> bytes:
    """Sheets "dane" (the table, bold header row) and "informacje" (the header block).

    Written as the few XML parts an XLSX file needs (inline strings, no shared-string table): about ten times
    faster than openpyxl's writer, which took 5 s for 300,000 cells; openpyxl reads the result in the tests."""
    import zipfile

    out = io.BytesIO()
    info = [[key, neutralise(value)] for key, value in table.info()]
    info += [[], ["Kolumny", ", ".join(table.columns)]]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, text in _XLSX_STATIC.items():
            zf.writestr(name, text)
        for name, rows, bold in (("xl/worksheets/sheet1.xml", [table.columns, *table.rows], True),
                                 ("xl/worksheets/sheet2.xml", info, False)):
            with zf.open(name, "w") as fh:
                buf: list[str] = []
                size = 0
                for chunk in _sheet_xml(rows, bold):
                    buf.append(chunk)
                    size += len(chunk)
                    if size > 1 << 20:
                        fh.write("".join(buf).encode("utf-8"))
                        buf, size = [], 0
                fh.write("".join(buf).encode("utf-8"))
    return out.getvalue()
