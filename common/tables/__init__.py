"""Reading the tables people hand us (CSV, XLSX, Parquet) as text, hardened. Pure: no Django.

Every upload and command that reads a table goes through `read_table` (a list of lines,
through `read_text`); common.tables.texts
gives the caps of each kind of file (from the settings) and the problems in the reader's
language. Every cell comes back as str ("" for an empty cell) so that codes and phone numbers
keep their leading zeros. The header is row 1 and blank rows are kept, so a data row's
spreadsheet number is its position + 2.

Refused, each problem naming the file, sheet, row and column where there is one (nothing of a
library's own messages ever reaches a user):

* a file larger than the size cap or with more data rows than the row cap (both stated);
* a CSV that is not text in UTF-8 (with or without a byte-order mark), GB18030/GBK (what Excel
  in China saves) or UTF-16 with a byte-order mark, or with a quote left open;
* an XLSX that is no workbook: an old .xls, a password-protected or damaged file, or one that
  unpacks to far more than the size cap;
* a row with more or fewer cells than the header (a blank line is a blank row, and empty
  cells after the last column are ignored); a column with values but no name, or a name used
  twice;
* a formula cell without a saved value (formulas are read by the value Excel saved); control
  characters (NUL …) in a cell; a cell longer than the cell cap, whose value is never shown in
  full (messages show its first few characters).

`read_plain_csv` (arrow_csv) is the fast road for a large plain CSV that has none of these
problems: pyarrow reads it in one pass; anything else goes to `read_table`.
"""

from common.tables.arrow_csv import read_plain_csv
from common.tables.problems import KINDS, Limits, TableError, TableProblem
from common.tables.reader import Progress, Table, read_bytes, read_table, read_text
from common.tables.workbooks import sheet_names

__all__ = [
    "KINDS",
    "Limits",
    "Progress",
    "Table",
    "TableError",
    "TableProblem",
    "read_bytes",
    "read_plain_csv",
    "read_table",
    "read_text",
    "sheet_names",
]
