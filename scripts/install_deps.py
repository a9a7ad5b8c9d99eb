"""Install the host's pinned dependencies (pyproject.toml [project] + [dev]) into the running interpreter.

pyproject.toml says what we depend on; requirements.lock pins everything they pull in, as pip constraints.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-c",
        str(ROOT / "requirements.lock"),
        *wanted,
    ]
    return subprocess.call(cmd)


if __name__ == "__main__":
    raise SystemExit(main())
