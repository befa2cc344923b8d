"""Charts of the documents, rendered on the server with matplotlib (Agg) in the web's look:
its palette, DejaVu Sans, light grid, Vietnamese labels and number formats.

PNG files are written without a timestamp or software tag, so the same figures give the
same bytes (documents are reproducible).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from baophu.reports.documents.fmt import num

# The web's chart palette (app/static/app.js) and ink colours (app.css).
PALETTE = ("#0b5ea8", "#1f7a3f", "#a15c00", "#7a3fa1", "#b42318")
INK = "#1c2430"
MUTED = "#5d6878"
LINE = "#dde3ea"
DPI = 150


def _style(ax: plt.Axes) -> None:
    ax.grid(axis="y", color=LINE, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(LINE)
    ax.tick_params(colors=MUTED, labelsize=8)


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return path


def _rc() -> Any:
    return {"font.family": "DejaVu Sans", "font.size": 9, "text.color": INK}


def trend_chart(
    path: Path,
    title: str,
    dates: Sequence[dt.date],
    series: Sequence[tuple[str, Sequence[float | None]]],
    targets: Sequence[tuple[str, float]] = (),
) -> Path:
    """Rates by month-end (fractions, shown as %), one line per indicator, the year's
    targets as dashed lines of the same colour."""
    with plt.rc_context(_rc()):
        fig, ax = plt.subplots(figsize=(7.0, 3.2))
        labels = [f"{d.month:02d}/{d.year % 100:02d}" for d in dates]
        colour = {}
        for i, (name, values) in enumerate(series):
            colour[name] = PALETTE[i % len(PALETTE)]
            ys = [float("nan") if v is None else v * 100 for v in values]
            ax.plot(labels, ys, color=colour[name], linewidth=1.8, marker="o", markersize=2.5)
            ax.annotate(
                name,
                (len(labels) - 1, ys[-1] if ys else 0.0),
                textcoords="offset points",
                xytext=(4, 0),
                fontsize=7.5,
                color=colour[name],
                va="center",
            )
        for name, value in targets:
            ax.axhline(value * 100, color=colour.get(name, MUTED), linewidth=0.9, linestyle="--")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
        ax.set_title(title, fontsize=10, color=INK, loc="left")
        ax.tick_params(axis="x", labelrotation=0)
        if len(labels) > 12:  # every other month, ending on the reference month
            for i, label in enumerate(ax.get_xticklabels()):
                label.set_visible((len(labels) - 1 - i) % 2 == 0)
        _style(ax)
        return _save(fig, path)


def achievement_chart(
    path: Path, title: str, rows: Sequence[tuple[str, float | None]], threshold: float = 1.0
) -> Path:
    """Horizontal bars: each unit's or indicator's achievement ratio (achieved / target),
    the ones below ``threshold`` in the web's warning colour."""
    with plt.rc_context(_rc()):
        height = max(1.6, 0.28 * len(rows) + 0.8)
        fig, ax = plt.subplots(figsize=(7.0, height))
        names = [r[0] for r in rows][::-1]
        values = [(r[1] or 0.0) * 100 for r in rows][::-1]
        colours = [PALETTE[0] if v >= threshold * 100 else PALETTE[4] for v in values]
        ax.barh(names, values, color=colours, height=0.6)
        ax.axvline(threshold * 100, color=MUTED, linewidth=0.9, linestyle="--")
        for y, v in enumerate(values):
            ax.text(v + 0.3, y, f"{num(v, 1)}%", va="center", fontsize=7, color=INK)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
        ax.set_title(title, fontsize=10, color=INK, loc="left")
        lo = min([*values, threshold * 100])
        ax.set_xlim(max(0.0, lo - 5), max([*values, threshold * 100]) + 6)
        _style(ax)
        ax.grid(axis="x", color=LINE, linewidth=0.8)
        ax.grid(axis="y", visible=False)
        return _save(fig, path)
