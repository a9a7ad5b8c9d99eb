"""Make sure a Chromium exists for the browser tests and the benchmark.

On Debian as root that is the distribution's `chromium` package (Playwright cannot download its own browser on
machines without access to its CDN); elsewhere Playwright's own Chromium.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")


def main() -> int:
    if SYSTEM_CHROMIUM.exists():
        return 0
    if Path("/etc/debian_version").exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing Debian's chromium package for the browser tests", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.check_call(["apt-get", "update", "-qq"], env=env)
        subprocess.check_call(["apt-get", "install", "-y", "-qq", "chromium"], env=env)
        return 0
    print("installing Playwright's Chromium", flush=True)
    return subprocess.call([sys.executable, "-m", "playwright", "install", "chromium"])


if __name__ == "__main__":
    raise SystemExit(main())
