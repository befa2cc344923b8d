"""Renders the data contracts as Markdown (docs/data-contracts.md is this output, kept in step
by a test), so that the people who prepare exports read the same contract the code enforces."""

from __future__ import annotations

from baophu.contracts.tables import CONTRACTS, IMPORT_ORDER

_TYPES = {
    "string": "text",
    "int": "whole number",
    "float": "number",
    "date": "date (dd/mm/yyyy or yyyy-mm-dd)",
    "month": "month (mm/yyyy or yyyy-mm)",
    "bool": "yes/no",
    "datetime": "date and time (yyyymmddHHMM, yyyy-mm-dd HH:MM or dd/mm/yyyy HH:MM)",
}


def render_markdown() -> str:
    lines = [
        "# Data contracts",
        "",
        "Generated from `src/baophu/contracts/tables.py` by `baophu contracts --markdown`;",
        "a test fails if this page and the code disagree.",
        "",
        "Every file may use the Vietnamese header (column *Tiêu đề*) or the canonical name, with",
        "or without diacritics, in any case. Excel and CSV files may carry title rows above the",
        "header. Dates are accepted as `dd/mm/yyyy`, `d/m/yyyy`, `yyyy-mm-dd` or Excel dates;",
        "whole numbers may use `.` or `,` as thousands separator (`1.234.567`), and whole numbers",
        "a program stored as decimals (`29832960000.0`, `2.983296e+10`) are accepted.",
        "",
        "**Files.** A file is read as what its content is, whatever its name: a workbook renamed",
        "`.csv` is read as a workbook, with a notice. A photo, a PDF, a ZIP archive, a Word",
        "document, an `.xls` or password-protected workbook or binary data is refused saying what",
        "it is. CSV files should be UTF-8; UTF-16 (with or without a byte-order mark) and",
        "Windows-1258 are read with a notice; the TCVN3 (ABC) code and UTF-8 garbled by a Latin-1",
        "program (`Nguyá»…n`) are refused naming the first such cell. Excel's `sep=;` first line",
        "is honoured. Columns a table does not have are listed in a notice and not imported. In",
        "Excel files a formula without a computed value refuses its row, naming the cell; a cell",
        "merged down one column gives its value to the cells it covers (with a warning naming",
        "each); a file whose last line has no line ending and is shorter than every other row is",
        "imported with a warning on that row.",
        "",
        "**Which table.** A file name that contains a table's recognised name (below) allows only",
        "that table: a file missing a required column of the table its name claims is refused",
        "naming the missing columns, never read as another table. A name that claims no table is",
        "recognised by its header: the table that explains most of its columns, which must have",
        "all its required columns.",
        "",
        "**Plausible values.** Beyond its type, a column may have a plausible range (rule",
        "*plausible*): dates relative to the import date, amounts and counts between bounds. A",
        "value outside it rejects the row (or warns, where the rule says so). Text longer than",
        "1,000 characters rejects the row.",
        "",
        "**References.** A value that must exist in another table is checked when the row is",
        "imported, and again when that other table is replaced: a units file that drops a hamlet",
        "where residents, households or collectors still are is refused naming the orphans,",
        "unless `--allow-orphans` is given.",
        "",
        "**Load modes.** *full*: a file is a complete extract and replaces the whole table.",
        "*parts*: each file is one part (one commune's roster, one month's payments) and replaces",
        "only the rows imported earlier from a file of the same name; a key already imported from",
        "another file is rejected. A file that would leave a table or a part that had rows with",
        "none, or with less than half of them, is refused unless `--allow-shrink` is given.",
        "",
        "**Personal IDs** (12 digits) are checked for structure (known province code, sex and",
        "century digit, year of birth) and agreement with the row's sex and birth date. In the",
        "registers a bad ID rejects the row; in rosters, lists and enrolments (typed by hand) it",
        "is kept and reported as a warning, for the identity step to resolve.",
        "",
        "Tables in import order (a table's references must be imported first):",
        "",
    ]
    for name in IMPORT_ORDER:
        c = CONTRACTS[name]
        lines.append(f"- [`{name}`](#{name}) — {c.title_vi}")
    for name in IMPORT_ORDER:
        c = CONTRACTS[name]
        lines += [
            "",
            f"## {name}",
            "",
            f"**{c.title_vi}.** {c.description}",
            "",
            f"Key: `{', '.join(c.key)}` · load mode: *{c.load_mode}* · recognised file names: "
            + ", ".join(f"`{s}…`" for s in c.file_stems),
            "",
            "| column | Tiêu đề | type | required | rule |",
            "|---|---|---|---|---|",
        ]
        for col in c.columns:
            rules = []
            if col.allowed:
                rules.append("one of " + ", ".join(f"`{a}`" for a in col.allowed))
            if col.check:
                rules.append(
                    f"check `{col.check}`"
                    + (
                        " (kept with a warning)"
                        if col.id_policy == "keep" and col.check == "person_id"
                        else " (kept with a warning)"
                        if col.check == "phone"
                        else ""
                    )
                )
            if col.references:
                rules.append(f"must exist in `{col.references[0]}.{col.references[1]}`")
            if col.plausible:
                rules.append(f"plausible: {col.plausible.describe()}")
            if col.fraction_when:
                other, codes = col.fraction_when
                rules.append(
                    "a fraction between 0 and 1 where `"
                    + other
                    + "` is "
                    + " or ".join(f"`{c}`" for c in codes)
                )
            if col.description:
                rules.append(col.description)
            lines.append(
                f"| `{col.name}` | {col.vi} | {_TYPES[col.dtype]} | "
                f"{'yes' if col.required else 'no'} | {'; '.join(rules)} |"
            )
    return "\n".join(lines) + "\n"
