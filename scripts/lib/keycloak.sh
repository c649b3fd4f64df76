# shellcheck shell=bash
# Keycloak for local runs and CI: install (Maven Central zip), build, start, wait, stop.
#
# Sourced by the bootstrap, which sets `set -euo pipefail` and defines SD_ROOT, SD_VAR,
# SD_CACHE and log(). Knobs (all optional, documented defaults for local runs):
#   SD_KEYCLOAK_PORT             HTTP port, 127.0.0.1 only            (8080)
#   SD_KEYCLOAK_MANAGEMENT_PORT  health/metrics port                  (9001)
#   SD_KEYCLOAK_DB_URL           JDBC URL      (jdbc:postgresql://127.0.0.1:5432/keycloak)
#   SD_KEYCLOAK_DB_USER          database role                        (keycloak)
#   SD_KEYCLOAK_DB_PASSWORD      database password                    (local-keycloak)
#   SD_KEYCLOAK_HEAP             JVM heap options  (-Xms256m -Xmx1g)

KEYCLOAK_VERSION="26.7.3"
# Build-time options; a change here triggers `kc.sh build` again (see the marker file).
KEYCLOAK_BUILD_OPTIONS="--db=postgres --health-enabled=true --metrics-enabled=true"
KEYCLOAK_JVM_ROOT="/usr/lib/jvm"
KEYCLOAK_PREFERRED_JDK="$KEYCLOAK_JVM_ROOT/temurin-25-jdk-amd64"

keycloak_home() {
  printf '%s\n' "$SD_CACHE/keycloak-$KEYCLOAK_VERSION"
}

keycloak_ready_url() {
  printf 'http://127.0.0.1:%s/health/ready\n' "${SD_KEYCLOAK_MANAGEMENT_PORT:-9001}"
}

keycloak_pid_file() {
  printf '%s\n' "$SD_VAR/run/keycloak.pid"
}

keycloak_log_file() {
  printf '%s\n' "$SD_VAR/log/keycloak.log"
}

# Prints the JAVA_HOME to run Keycloak with: Temurin 25 if present, else the first JDK >= 21
# (by JAVA_VERSION in its `release` file).
keycloak_java_home() {
  local dir version major
  if [[ -x "$KEYCLOAK_PREFERRED_JDK/bin/java" ]]; then
    printf '%s\n' "$KEYCLOAK_PREFERRED_JDK"
    return 0
  fi
  for dir in "$KEYCLOAK_JVM_ROOT"/*; do
    [[ -x "$dir/bin/java" && -f "$dir/release" ]] || continue
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$dir/release")
    major=${version%%.*}
    if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 21)); then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  log "keycloak: no JDK 21+ found under $KEYCLOAK_JVM_ROOT: Keycloak $KEYCLOAK_VERSION needs Java 21 or newer (expected $KEYCLOAK_PREFERRED_JDK)" >&2
  return 1
}

_keycloak_ensure_tools() {
  local missing=()
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  command -v unzip >/dev/null 2>&1 || missing+=(unzip)
  ((${#missing[@]} == 0)) && return 0
  local sudo=()
  (($(id -u) == 0)) || sudo=(sudo)
  log "keycloak: installing Debian packages: ${missing[*]}"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; then
    "${sudo[@]}" apt-get update -q >/dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  fi
}

_keycloak_zip() {
  printf '%s\n' "$SD_CACHE/downloads/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
}

# Fetches the distribution zip from Maven Central into $SD_CACHE/downloads (skipped if present).
_keycloak_fetch_zip() {
  local downloads="$SD_CACHE/downloads" zip
  zip=$(_keycloak_zip)
  if [[ ! -s "$zip" ]]; then
    _keycloak_ensure_tools
    mkdir -p "$downloads"
    log "keycloak: fetching org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip with Maven"
    if ! (cd "$downloads" && mvn -q -B -Dstyle.color=never \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      "-Dartifact=org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" \
      "-DoutputDirectory=$downloads") >"$SD_CACHE/keycloak-fetch.log" 2>&1; then
      tail -n 40 "$SD_CACHE/keycloak-fetch.log" >&2
      log "keycloak: Maven could not fetch the distribution (full output: $SD_CACHE/keycloak-fetch.log)"
      return 1
    fi
  fi
}

# Unzips the distribution into $SD_CACHE/keycloak-<version> (atomically: temp dir, then rename).
_keycloak_unpack() {
  local zip home tmp
  zip=$(_keycloak_zip)
  home=$(keycloak_home)
  _keycloak_ensure_tools
  tmp=$(mktemp -d "$SD_CACHE/.keycloak-unpack.XXXXXX")
  log "keycloak: unpacking $zip"
  if ! unzip -q "$zip" -d "$tmp"; then
    rm -rf "$tmp" "$zip"
    log "keycloak: $zip is damaged; removed it, run again to fetch it anew"
    return 1
  fi
  rm -rf "$home"
  mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$home"
  rm -rf "$tmp"
}

# Runs `kc.sh build` when the recorded build options differ from KEYCLOAK_BUILD_OPTIONS.
_keycloak_build() {
  local home marker java_home
  home=$(keycloak_home)
  marker="$home/.servicedesk-build-options"
  if [[ -f "$marker" && "$(<"$marker")" == "$KEYCLOAK_BUILD_OPTIONS" ]]; then
    return 0
  fi
  java_home=$(keycloak_java_home)
  log "keycloak: kc.sh build $KEYCLOAK_BUILD_OPTIONS"
  rm -f "$marker"
  # shellcheck disable=SC2086 # the option list is split on purpose
  JAVA_HOME="$java_home" "$home/bin/kc.sh" build $KEYCLOAK_BUILD_OPTIONS >"$SD_CACHE/keycloak-build.log" 2>&1 || {
    tail -n 40 "$SD_CACHE/keycloak-build.log" >&2
    log "keycloak: build failed (full output: $SD_CACHE/keycloak-build.log)"
    return 1
  }
  printf '%s' "$KEYCLOAK_BUILD_OPTIONS" >"$marker"
}

keycloak_install() {
  mkdir -p "$SD_CACHE"
  keycloak_java_home >/dev/null
  if [[ ! -x "$(keycloak_home)/bin/kc.sh" ]]; then
    _keycloak_fetch_zip
    _keycloak_unpack
  fi
  _keycloak_build
}

_keycloak_is_ready() {
  [[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$(keycloak_ready_url)" || true)" == "200" ]]
}

_keycloak_pid() {
  local pid_file pid
  pid_file=$(keycloak_pid_file)
  [[ -f "$pid_file" ]] || return 1
  pid=$(<"$pid_file")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

keycloak_start() {
  local home java_home port log_file pid_file
  if _keycloak_is_ready; then
    return 0
  fi
  if _keycloak_pid >/dev/null; then
    log "keycloak: already starting (pid $(_keycloak_pid))"
    return 0
  fi
  home=$(keycloak_home)
  java_home=$(keycloak_java_home)
  port="${SD_KEYCLOAK_PORT:-8080}"
  log_file=$(keycloak_log_file)
  pid_file=$(keycloak_pid_file)
  mkdir -p "$(dirname "$log_file")" "$(dirname "$pid_file")"
  log "keycloak: starting on http://localhost:$port (log: $log_file)"
  # --cache=local (a run-time option in 26.x): one node, so no JGroups cluster discovery through
  # the database and no cluster ports open on every interface.
  # bash -c writes its own pid and then execs kc.sh, which runs java as its child and forwards
  # TERM to it. The pid file names kc.sh, leader of its own session and process group (whatever
  # setsid had to do to get there), so keycloak_stop can KILL the whole group as a last resort.
  # shellcheck disable=SC2016 # $$ and $1 belong to the inner bash
  local write_pid_and_exec='echo $$ >"$1"; shift; exec "$@"'
  rm -f "$pid_file"
  JAVA_HOME="$java_home" \
    JAVA_OPTS_KC_HEAP="${SD_KEYCLOAK_HEAP:--Xms256m -Xmx1g}" \
    KC_BOOTSTRAP_ADMIN_USERNAME=admin \
    KC_BOOTSTRAP_ADMIN_PASSWORD=local-admin \
    setsid nohup bash -c "$write_pid_and_exec" keycloak-start "$pid_file" \
    "$home/bin/kc.sh" start --optimized --cache=local \
    --http-enabled=true --http-host=127.0.0.1 --http-port="$port" \
    --hostname="http://localhost:$port" \
    --http-management-port="${SD_KEYCLOAK_MANAGEMENT_PORT:-9001}" \
    --db-url="${SD_KEYCLOAK_DB_URL:-jdbc:postgresql://127.0.0.1:5432/keycloak}" \
    --db-username="${SD_KEYCLOAK_DB_USER:-keycloak}" \
    --db-password="${SD_KEYCLOAK_DB_PASSWORD:-local-keycloak}" \
    </dev/null >>"$log_file" 2>&1 &
  # Wait (briefly) for the pid file so that keycloak_wait/stop can find the process.
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s "$pid_file" ]] && return 0
    sleep 0.1
  done
  log "keycloak: no pid file after start ($pid_file)"
  return 1
}

keycloak_wait() {
  local timeout="${1:-180}" started=$SECONDS log_file
  log_file=$(keycloak_log_file)
  until _keycloak_is_ready; do
    if ! _keycloak_pid >/dev/null; then
      [[ -f "$log_file" ]] && tail -n 60 "$log_file" >&2
      log "keycloak: the process exited before it was ready (log: $log_file)"
      return 1
    fi
    if ((SECONDS - started >= timeout)); then
      [[ -f "$log_file" ]] && tail -n 60 "$log_file" >&2
      log "keycloak: not ready after ${timeout}s at $(keycloak_ready_url) (log: $log_file)"
      return 1
    fi
    sleep 1
  done
  log "keycloak: ready after $((SECONDS - started))s"
}

keycloak_stop() {
  local pid pid_file i
  pid_file=$(keycloak_pid_file)
  if ! pid=$(_keycloak_pid); then
    rm -f "$pid_file"
    _keycloak_stop_strays
    return 0
  fi
  log "keycloak: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 -- "-$pid" 2>/dev/null; then
    log "keycloak: process group $pid still alive after 30s, sending KILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  _keycloak_stop_strays
}

# A Keycloak of this installation started from another checkout has no pid file here.
_keycloak_stop_strays() {
  local i pattern="-Dkc.home.dir=$(keycloak_home)/"
  pgrep -f -- "$pattern" >/dev/null || return 0
  log "keycloak: stopping a Keycloak started from another checkout"
  pkill -TERM -f -- "$pattern" || true
  for ((i = 0; i < 30; i++)); do
    pgrep -f -- "$pattern" >/dev/null || return 0
    sleep 1
  done
  pkill -KILL -f -- "$pattern" || true
}
