# Shared helpers for the bootstrap scripts. Sourced, never run.
SD_ROOT="${SD_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
SD_VAR="${SD_VAR:-$SD_ROOT/var}"
SD_CACHE="${SD_CACHE_DIR:-/var/cache/servicedesk}"
export SD_ROOT SD_VAR SD_CACHE
mkdir -p "$SD_VAR/log" "$SD_VAR/run" "$SD_CACHE"

log() { printf '\033[1;34m[servicedesk]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[servicedesk] error:\033[0m %s\n' "$*" >&2; exit 1; }

# as_root CMD...: runs CMD as root (directly, or through sudo for a normal user).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# wait_until SECONDS DESCRIPTION CMD...: retries CMD every half second until it succeeds.
wait_until() {
  local limit="$1" what="$2"; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${limit}s waiting for $what"
    sleep 0.5
  done
}
