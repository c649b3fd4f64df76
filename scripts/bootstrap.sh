#!/usr/bin/env bash
# Installs what is missing (Debian packages, the Python environment, the web console's front-end
# files) and starts the infrastructure: PostgreSQL (primary + standby), Redis, RabbitMQ, mail
# (Postfix and Dovecot), Keycloak;
# then provisions schemas and roles, runs migrations and syncs the realm.
# Idempotent: safe to run any number of times. Used by both `./sd up` and `./sd test`; the latter
# also provisions the tests' own database and vhost (bootstrap_test_infrastructure).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$SD_ROOT/scripts/lib/system.sh"
source "$SD_ROOT/scripts/lib/postgres.sh"
source "$SD_ROOT/scripts/lib/redis.sh"
source "$SD_ROOT/scripts/lib/rabbitmq.sh"
source "$SD_ROOT/scripts/lib/keycloak.sh"
source "$SD_ROOT/scripts/lib/web.sh"
source "$SD_ROOT/scripts/lib/mail.sh"

OPS="$SD_ROOT/.venv/bin/servicedesk-ops"

bootstrap_infrastructure() {
  mail_preseed_debconf  # before postfix is installed
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
  mail_start
  keycloak_start
  keycloak_wait
  mail_wait
  "$OPS" sync-realm
}

# The tests' own data on the same infrastructure (tests/support/isolation.py): the database
# servicedesk_test (same roles, its own schemas, migrated like the demo's; its legacy simulator
# holds the demo's legacy customers and orders, as an external system has data, and nothing else
# is seeded) and the RabbitMQ vhost servicedesk_test. Redis needs nothing: the tests use its db 1.
# Used by `./sd test`.
SD_TEST_DATABASE=servicedesk_test
SD_TEST_VHOST=servicedesk_test

bootstrap_test_infrastructure() {
  SD_DATABASE="$SD_TEST_DATABASE" "$OPS" provision-db
  SD_DATABASE="$SD_TEST_DATABASE" "$OPS" migrate
  SD_DATABASE="$SD_TEST_DATABASE" "$OPS" seed-legacy demo  # only where none is yet
  if ! as_root rabbitmqctl -q list_vhosts | grep -qx "$SD_TEST_VHOST"; then
    as_root rabbitmqctl -q add_vhost "$SD_TEST_VHOST"
  fi
  as_root rabbitmqctl -q set_permissions -p "$SD_TEST_VHOST" "$RABBITMQ_USER" '.*' '.*' '.*'
  rabbitmq_esb_caller "$SD_TEST_VHOST" monitoring local-esb-monitoring
}

stop_infrastructure() {
  mail_stop
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
