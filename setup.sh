#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the image (Ubuntu 22.04, whose
# system python3 is 3.10). It installs the pinned requirements into a virtual
# environment at $AUTOGRADER_ROOT/venv, so the system python3 that Gradescope's own
# harness needs is never modified.
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# python3-venv for the environment; libseccomp2 for the worker's system-call filter
# (Ubuntu's base image has it, as apt itself uses it; a slimmer image may not).
missing=()
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || missing+=(libseccomp2)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -m venv "$root/venv"
"$root/venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$root/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$source_dir/requirements.txt"
"$root/venv/bin/python" -c 'import numpy, yaml, pytest, gradescope_utils; print("setup.sh: grader environment ready")'
# Bytecode now, in the image: each submission runs in a fresh container, which would
# otherwise compile the grader's modules again (about 0.1 s) before grading.
"$root/venv/bin/python" -m compileall -q -j 0 "$source_dir/autograder" "$source_dir/questions" >/dev/null

# Student code runs as this unprivileged user (run_autograder also creates it on demand).
id ag-student >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent \
  --shell /usr/sbin/nologin --comment "autograder sandbox" --user-group ag-student
# The sandbox user may use the interpreter, never read the grader's source.
chmod -R o+rX "$root/venv"
