#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the image (Ubuntu 22.04, whose
# system python3 is 3.10). It installs the pinned requirements into a virtual
# environment at $AUTOGRADER_ROOT/venv, so the system python3 that Gradescope's own
# harness needs is never modified.
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq python3-venv >/dev/null
fi
python3 -m venv "$root/venv"
"$root/venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$root/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$source_dir/requirements.txt"
"$root/venv/bin/python" -c 'import numpy, yaml, pytest, gradescope_utils; print("setup.sh: grader environment ready")'

# Student code runs as this unprivileged user (run_autograder also creates it on demand).
id ag-student >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent \
  --shell /usr/sbin/nologin --user-group ag-student
# The sandbox user may use the interpreter, never read the grader's source.
chmod -R o+rX "$root/venv"
