# shellcheck shell=bash
# Sourced by scripts/serve.sh and scripts/test.sh: find a Python >= 3.11, create (or reuse) a
# virtual environment and install a lock file into it with hash checking. Works with Debian's
# system Python (PEP 668 "externally managed": we never pip-install outside a venv) and macOS.
#
#   ensure_venv DIR LOCKFILE     # then use DIR/bin/python, DIR/bin/intersections
#
# Environment: PYTHON (interpreter to build the venv with; default: the first python3.13,
# python3.12, python3.11 or python3 that is >= 3.11).

say() { printf '\n==> %s\n' "$*"; }
die() { printf '!! %s\n' "$*" >&2; exit 1; }

_py_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

find_python() {
    if [[ -n "${PYTHON:-}" ]]; then
        _py_ok "$PYTHON" || die "PYTHON=$PYTHON is not a Python >= 3.11"
        echo "$PYTHON"; return
    fi
    local c
    for c in python3.13 python3.12 python3.11 python3; do
        if command -v "$c" >/dev/null && _py_ok "$c"; then command -v "$c"; return; fi
    done
    die "Python 3.11 or newer not found. Debian/Ubuntu: sudo apt-get install python3 python3-venv;
   macOS: brew install python@3.12 (or python.org); then re-run, or set PYTHON=/path/to/python3.11+"
}

_make_venv() {  # DIR PY
    local dir="$1" py="$2" out ver
    if out="$("$py" -m venv "$dir" 2>&1)"; then return 0; fi
    rm -rf "$dir"
    if grep -q -i -E "ensurepip|No module named venv" <<<"$out"; then
        ver="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
        if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
            say "$py has no venv module: installing python3-venv (python$ver-venv) with apt-get"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                python3-venv "python$ver-venv" >/dev/null \
                || die "apt-get could not install python3-venv"
            "$py" -m venv "$dir" || die "python3 -m venv still fails after installing python3-venv"
            return 0
        fi
        die "$py cannot create a virtual environment (its venv/ensurepip module is missing).
   Debian/Ubuntu: sudo apt-get install python3-venv python$ver-venv   — then re-run this command."
    fi
    printf '%s\n' "$out" >&2
    die "could not create the virtual environment $dir"
}

# Reuse DIR when its python runs and is >= 3.11; reinstall when the lock or pyproject changed.
ensure_venv() {  # DIR LOCKFILE
    local dir="$1" lock="$2" py stamp want
    if [[ -x "$dir/bin/python" ]] && _py_ok "$dir/bin/python" \
        && "$dir/bin/python" -m pip --version >/dev/null 2>&1; then
        say "Reusing the virtual environment $dir"
    else
        py="$(find_python)"
        [[ -e "$dir" ]] && { echo "$dir is not a usable virtual environment: recreating it"; rm -rf "$dir"; }
        say "Creating the virtual environment $dir with $py ($("$py" --version 2>&1))"
        _make_venv "$dir" "$py"
    fi
    want="$("$dir/bin/python" - "$lock" pyproject.toml <<'PY'
import hashlib, sys
h = hashlib.sha256()
for p in sys.argv[1:]:
    h.update(open(p, "rb").read())
print(h.hexdigest())
PY
)"
    stamp="$dir/.intersections-installed"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        echo "dependencies up to date ($lock)"
        return 0
    fi
    say "Installing $lock into $dir (hash-checked; the first run downloads ~150 MB)"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
        --require-hashes --no-deps --use-pep517 -r "$lock" \
        || die "pip could not install $lock (network? see the message above)"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e . \
        || die "pip could not install this checkout into $dir"
    "$dir/bin/python" -m pip check >/dev/null \
        || { "$dir/bin/python" -m pip check >&2; die "$dir has inconsistent dependencies"; }
    echo "$want" >"$stamp"
}
