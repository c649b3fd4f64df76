# The web console's front-end packages. Sourced by bootstrap.sh, after system.sh.
#
# web/package.json pins htmx and SortableJS (exact versions). npm installs them into var/web
# (no lock file, nothing saved), their dist files are copied into var/web/static/vendor, where the
# web service serves them, and checked against web/vendor.sha256. Nothing is ever loaded from a
# CDN. Runs npm only when a vendored file is missing or differs from its checksum.

# Node.js (for npm) only where npm is missing; Debian's chromium drives the browser tests.
command -v npm >/dev/null 2>&1 || DEBIAN_PACKAGES+=(nodejs npm)
DEBIAN_PACKAGES+=(chromium fonts-dejavu-core)

WEB_VENDOR_DIR="$SD_VAR/web/static/vendor"
# package file inside node_modules -> name served under /static/vendor/
WEB_VENDOR_FILES=(
  "htmx.org/dist/htmx.min.js:htmx.min.js"
  "sortablejs/Sortable.min.js:Sortable.min.js"
)

web_vendor_ok() {
  [ -d "$WEB_VENDOR_DIR" ] \
    && (cd "$WEB_VENDOR_DIR" && sha256sum --check --quiet --strict "$SD_ROOT/web/vendor.sha256") \
      >/dev/null 2>&1
}

web_install_assets() {
  if web_vendor_ok; then return 0; fi
  command -v npm >/dev/null 2>&1 || die "npm is missing (the bootstrap installs nodejs and npm)"
  local prefix="$SD_VAR/web" entry source target
  log "installing the web console's front-end packages (web/package.json) with npm"
  mkdir -p "$prefix" "$WEB_VENDOR_DIR"
  cp "$SD_ROOT/web/package.json" "$prefix/package.json"
  npm install --prefix "$prefix" --no-save --package-lock=false --no-audit --no-fund \
    --ignore-scripts --loglevel=error --cache "$SD_CACHE/npm" >"$SD_VAR/log/npm.log" 2>&1 \
    || die "npm install failed: see $SD_VAR/log/npm.log"
  for entry in "${WEB_VENDOR_FILES[@]}"; do
    source="$prefix/node_modules/${entry%%:*}"
    target="$WEB_VENDOR_DIR/${entry##*:}"
    [ -f "$source" ] || die "npm installed no $source: does web/package.json match?"
    cp "$source" "$target"
  done
  if ! (cd "$WEB_VENDOR_DIR" && sha256sum --check --strict "$SD_ROOT/web/vendor.sha256") >&2
  then
    rm -f "$WEB_VENDOR_DIR"/*
    die "the front-end files differ from web/vendor.sha256 (removed): a changed package?"
  fi
}
