#!/usr/bin/env bash
# Installs what is missing (Debian packages, the Python environment, the web console's front-end
# files) and starts the infrastructure: PostgreSQL (primary + standby), Redis, RabbitMQ, Keycloak;
# then provisions schemas and roles, runs migrations and syncs the realm.
# Idempotent: safe to run any number of times. Used by both `./sd up` and `./sd test`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$SD_ROOT/scripts/lib/system.sh"
source "$SD_ROOT/scripts/lib/postgres.sh"
source "$SD_ROOT/scripts/lib/redis.sh"
source "$SD_ROOT/scripts/lib/rabbitmq.sh"
source "$SD_ROOT/scripts/lib/keycloak.sh"
source "$SD_ROOT/scripts/lib/web.sh"

OPS="$SD_ROOT/.venv/bin/servicedesk-ops"

bootstrap_infrastructure() {
  install_debian_packages
  install_python_env
  web_install_assets
  keycloak_install
  pg_start_primary
  pg_start_standby
  "$OPS" provision-db
  "$OPS" migrate
  redis_start
  rabbitmq_start
  keycloak_start
  keycloak_wait
  "$OPS" sync-realm
}

stop_infrastructure() {
  keycloak_stop
  rabbitmq_stop
  redis_stop
  pg_stop_all
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-start}" in
    start) bootstrap_infrastructure ;;
    stop) stop_infrastructure ;;
    *) die "usage: bootstrap.sh [start|stop]" ;;
  esac
fi
