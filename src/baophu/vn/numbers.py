"""Numbers as Vietnamese users type them: ``1.115.590`` (dots, or commas, grouping thousands)."""

from __future__ import annotations

import re

# A whole number written with thousands separators: ``1.115.590``, ``1,115,590``.
GROUPED_NUMBER = re.compile(r"^\d{1,3}([.,]\d{3})+$")
