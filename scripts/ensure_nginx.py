"""Make sure Debian's nginx, with its brotli_static module, exists for the production test
(tests/test_nginx_browser.py), as scripts/ensure_chromium.py does for Chromium: installed with apt when missing,
never started as a service."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")
# Serves the build's pre-compressed .br files (`brotli_static on` in the generated server block).
BROTLI_STATIC = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
PACKAGES = ["nginx", "libnginx-mod-http-brotli-static"]


def main() -> int:
    if (NGINX.exists() or shutil.which("nginx")) and BROTLI_STATIC.exists():
        return 0
    if Path("/etc/debian_version").exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing Debian's nginx and its brotli_static module for the production test", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "RUNLEVEL": "1"}
        subprocess.check_call(["apt-get", "update", "-qq"], env=env)
        # policy-rc.d keeps the package from starting nginx as a service on port 80: the test runs its own.
        policy = Path("/usr/sbin/policy-rc.d")
        existed = policy.exists()
        if not existed:
            policy.write_text("#!/bin/sh\nexit 101\n")
            policy.chmod(0o755)
        try:
            subprocess.check_call(["apt-get", "install", "-y", "-qq", *PACKAGES], env=env)
        finally:
            if not existed:
                policy.unlink()
        return 0
    print(
        f"nginx is missing: install it (apt-get install {' '.join(PACKAGES)}) for the production test",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
