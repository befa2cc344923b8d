"""The three-province synthetic nation the cross-province tests read: Đồng Nai (75), Hồ Chí
Minh City (79) and Tây Ninh (80), which send workers to each other, at scale 0.0005, seed 7,
no claims and no sample forms (no test of the three reads them), as of 31/10/2026.  Generated once for every test worker (``shared_builds``) and
read only: a test that imports it makes workspaces of its own."""

from __future__ import annotations

from pathlib import Path

SCALE = 0.0005
SEED = 7
CODES = [75, 79, 80]


def _generate(folder: Path) -> None:
    from baophu.synth.nation import generate_nation

    generate_nation(
        SCALE, SEED, folder / "nation", workers=2, claims=False, codes=CODES, forms=False
    )


def three_provinces() -> Path:
    """The generated nation's folder (``nation.json``, ``truth/``, ``provinces/<code>/``)."""
    from shared_builds import shared_build

    built = shared_build("nation3", repr((SCALE, SEED, CODES)), _generate, Path(__file__))
    return built / "nation"
