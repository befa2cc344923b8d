"""The progress callback every long step reports through: ``progress(step, done, total)``,
with ``step`` the step's Vietnamese label, ``done`` the parts finished of ``total``.

The engine, the import, the synthetic generator and the notice batch call it; the command
line's progress bar (``commands.common.progress_bar``) and the web's jobs receive it.  It
lives here, below every layer that reports or receives progress, so that one definition
serves all of them.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
