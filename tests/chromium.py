"""Where the browser tests find Chromium: ``$MFGINDEX_CHROMIUM``, Debian's ``/usr/bin/chromium``, or PATH."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

DEBIAN = "/usr/bin/chromium"


def chromium_path() -> str | None:
    """The Chromium executable to drive, or None when there is none on this machine."""
    given = os.environ.get("MFGINDEX_CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    if Path(DEBIAN).exists():
        return DEBIAN
    return shutil.which("chromium") or shutil.which("chromium-browser")
