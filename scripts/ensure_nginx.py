"""Make sure Debian's nginx exists for the production test (tests/test_nginx_browser.py), as
scripts/ensure_chromium.py does for Chromium: installed with apt when missing, never started as a service."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")


def main() -> int:
    if NGINX.exists() or shutil.which("nginx"):
        return 0
    if Path("/etc/debian_version").exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing Debian's nginx package for the production test", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "RUNLEVEL": "1"}
        subprocess.check_call(["apt-get", "update", "-qq"], env=env)
        # policy-rc.d keeps the package from starting nginx as a service on port 80: the test runs its own.
        policy = Path("/usr/sbin/policy-rc.d")
        existed = policy.exists()
        if not existed:
            policy.write_text("#!/bin/sh\nexit 101\n")
            policy.chmod(0o755)
        try:
            subprocess.check_call(["apt-get", "install", "-y", "-qq", "nginx"], env=env)
        finally:
            if not existed:
                policy.unlink()
        return 0
    print("nginx is missing: install it (e.g. apt-get install nginx) for the production test", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
