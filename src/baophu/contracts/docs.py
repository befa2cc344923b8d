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
        "whole numbers may use `.` or `,` as thousands separator (`1.234.567`). CSV files should",
        "be UTF-8; UTF-16 and Windows-1258 are read with a notice.",
        "",
        "**Load modes.** *full*: a file is a complete extract and replaces the whole table.",
        "*parts*: each file is one part (one commune's roster, one month's payments) and replaces",
        "only the rows imported earlier from a file of the same name; a key already imported from",
        "another file is rejected.",
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
                        else ""
                    )
                )
            if col.references:
                rules.append(f"must exist in `{col.references[0]}.{col.references[1]}`")
            if col.description:
                rules.append(col.description)
            lines.append(
                f"| `{col.name}` | {col.vi} | {_TYPES[col.dtype]} | "
                f"{'yes' if col.required else 'no'} | {'; '.join(rules)} |"
            )
    return "\n".join(lines) + "\n"
