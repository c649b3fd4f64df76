# Debian packages and the Python environment. Sourced by bootstrap.sh.
DEBIAN_PACKAGES=(
  postgresql-15 postgresql-client-15 redis-server rabbitmq-server prometheus
  python3 python3-venv python3-pip maven unzip curl ca-certificates procps
  postfix dovecot-imapd dovecot-lmtpd
)
UV_VERSION="0.13.9"

install_debian_packages() {
  local missing=()
  for package in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  # Package scripts must not start daemons: the bootstrap starts each one itself.
  as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$SD_VAR/log/apt.log"
}

python_for_venv() {
  local candidate
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null \
      && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null
    then command -v "$candidate"; return 0; fi
  done
  die "Python 3.11 with venv is required (Debian 12: apt-get install python3 python3-venv)"
}

# install_uv: prints the path of the pinned uv, installing it into the cache when missing.
install_uv() {
  local python; python="$(python_for_venv)"
  local tools="$SD_CACHE/uv-$UV_VERSION"
  if [ ! -x "$tools/bin/uv" ]; then
    log "installing uv $UV_VERSION"
    "$python" -m venv "$tools"
    "$tools/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
  fi
  printf '%s\n' "$tools/bin/uv"
}

install_python_env() {
  local python uv_tool venv="$SD_ROOT/.venv"
  python="$(python_for_venv)"
  uv_tool="$(install_uv)"
  [ -x "$venv/bin/python" ] || "$uv_tool" venv -q --python "$python" "$venv"
  log "syncing the Python environment with requirements.lock"
  UV_PYTHON_DOWNLOADS=never "$uv_tool" pip sync -q --python "$venv/bin/python" \
    --require-hashes "$SD_ROOT/requirements.lock"
  UV_PYTHON_DOWNLOADS=never "$uv_tool" pip install -q --python "$venv/bin/python" \
    --no-deps -e "$SD_ROOT"
}
