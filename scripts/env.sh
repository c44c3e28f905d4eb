#!/usr/bin/env bash
# Make sure the project's Python environment exists and matches uv.lock.
# Sourced by scripts/setup and scripts/test; safe to run again (it only installs what is missing).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# Debian packages the project needs at run or test time; python3-venv lets us install uv
# without touching the system Python (Debian's is "externally managed", PEP 668).
apt_packages=()
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  apt_packages+=(python3-venv)
fi
# Java runs the PySpark backend (the national-scale parity test).
if ! command -v java >/dev/null 2>&1; then
  apt_packages+=(default-jre-headless)
fi
# The report: WeasyPrint renders PDF with Pango and needs fonts; poppler-utils gives the tests
# pdftotext/pdftoppm. The web app: PostgreSQL (the tests start a throwaway cluster with its
# initdb/pg_ctl) and Chromium for the browser tests (Playwright cannot download browsers here).
apt_packages+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils chromium)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_packages+=(postgresql)
fi
missing=()
for package in "${apt_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]} (run this script as root, or install them)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# uv, from PyPI, in a private tools environment unless one is already on the PATH.
if command -v uv >/dev/null 2>&1; then
  uv_command="uv"
else
  if [ ! -x .tools/bin/uv ]; then
    python3 -m venv .tools
    .tools/bin/python -m pip install --quiet --disable-pip-version-check uv
  fi
  uv_command="$repo_root/.tools/bin/uv"
fi
# Trust the machine's certificate store (as pip and curl do), not only uv's bundled roots.
export UV_SYSTEM_CERTS="${UV_SYSTEM_CERTS:-1}"
"$uv_command" sync --frozen --quiet
export PATH="$repo_root/.venv/bin:$PATH"
