#!/usr/bin/env bash
# Creates the kafka-python oracle virtualenv once and prints its python's path on the last
# line of stdout (everything else goes to stderr).
#
#   venv:  ${FILKA_ORACLE_VENV:-<repo>/target/oracle-venv}
#   pins:  tests/oracle/requirements.txt
#
# Idempotent: when the venv already holds exactly these pins (a stamp file inside the venv
# records them) it does nothing. Safe to run from several processes at once (cargo test runs
# test binaries and threads in parallel): all of them serialise on an flock(1) lock file in
# <repo>/target/, and the ones that wait find the venv ready.
#
# Needs python3 with its venv module (Debian and Ubuntu ship it apart: python3-venv) and,
# the first time, access to PyPI. When something is missing it fails with one line on
# stderr saying what (the tools' own output goes to a log file it names).
set -euo pipefail

fail() {
    echo "setup.sh: $*" >&2
    exit 1
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${FILKA_ORACLE_VENV:-$repo/target/oracle-venv}"
requirements="$here/requirements.txt"
stamp="$venv/.filka-requirements"
python="${PYTHON:-python3}"

mkdir -p "$repo/target"
command -v flock >/dev/null 2>&1 || fail "flock(1) not found (util-linux): it serialises parallel test runs"
exec 9>"$repo/target/oracle-venv.lock"
flock 9

if [ -x "$venv/bin/python" ] && cmp -s "$requirements" "$stamp"; then
    echo "$venv/bin/python"
    exit 0
fi

need="the kafka-python oracle tests need python3 with its venv module and, the first time, PyPI"
command -v "$python" >/dev/null 2>&1 ||
    fail "$python not found: $need (set PYTHON to another interpreter)"
"$python" -c 'import venv, ensurepip' >/dev/null 2>&1 ||
    fail "$python has no venv module: $need (Debian/Ubuntu: apt-get install python3-venv)"

log="$repo/target/oracle-setup.log"
echo "setup.sh: preparing the kafka-python oracle in $venv (log: $log)" >"$log"
rm -f "$stamp"
"$python" -m venv "$venv" >>"$log" 2>&1 ||
    fail "cannot create a virtualenv in $venv with $python (see $log)"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
    --requirement "$requirements" >>"$log" 2>&1 ||
    fail "cannot install tests/oracle/requirements.txt from PyPI (offline? see $log); \
or point FILKA_ORACLE_VENV at a venv that has them"
# Fail here, not in a test, if a codec did not install.
"$venv/bin/python" - >>"$log" 2>&1 <<'PY' || fail "$(tail -n 1 "$log") (see $log)"
import kafka, kafka.codec as c
missing = [n for n, ok in [("snappy", c.has_snappy()), ("lz4", c.has_lz4()),
                            ("zstd", c.has_zstd())] if not ok]
if missing:
    raise SystemExit("kafka-python lacks codecs: " + ", ".join(missing))
import fastavro, grpc_tools.protoc  # the serializer oracles
PY
cp "$requirements" "$stamp"

echo "$venv/bin/python"
