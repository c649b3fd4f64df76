# PostgreSQL 15: a primary (port 5432) and a streaming-replication standby (port 5433).
PG_VERSION=15
PG_PRIMARY=main
PG_STANDBY=standby
PG_PRIMARY_PORT="${SD_PG_PORT:-5432}"
PG_STANDBY_PORT="${SD_PG_STANDBY_PORT:-5433}"
PG_ADMIN_ROLE=servicedesk_admin
PG_ADMIN_PASSWORD="${SD_PG_ADMIN_PASSWORD:-local-servicedesk_admin}"
PG_REPLICATION_PASSWORD="${SD_PG_REPLICATION_PASSWORD:-local-replicator}"

pg_cluster_exists() { pg_lsclusters -h 2>/dev/null | awk '{print $2}' | grep -qx "$1"; }
pg_cluster_online() { pg_lsclusters -h 2>/dev/null | awk -v c="$1" '$2==c {print $4}' | grep -q online; }
pg_psql() { as_root su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -p $PG_PRIMARY_PORT $*"; }

# pg_configure CLUSTER: writes our settings; restarts a running cluster whose settings changed.
pg_configure() {
  local cluster="$1" conf="/etc/postgresql/$PG_VERSION/$1/conf.d/servicedesk.conf"
  local wanted; wanted="$(pg_settings)"
  [ -f "$conf" ] && [ "$(cat "$conf")" = "$wanted" ] && return 0
  printf '%s\n' "$wanted" | as_root tee "$conf" >/dev/null
  if pg_cluster_online "$cluster"; then
    log "restarting PostgreSQL cluster $cluster for changed settings"
    as_root pg_ctlcluster "$PG_VERSION" "$cluster" restart
  fi
}

pg_settings() {
  cat <<CONF
# written by the servicedesk bootstrap
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = '256MB'
wal_level = replica
max_wal_senders = 10
wal_keep_size = '512MB'
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = '5s'
CONF
}

pg_start_primary() {
  if ! pg_cluster_exists "$PG_PRIMARY"; then
    log "creating the PostgreSQL primary cluster"
    as_root pg_createcluster "$PG_VERSION" "$PG_PRIMARY" --port "$PG_PRIMARY_PORT" >/dev/null
  fi
  pg_configure "$PG_PRIMARY"
  if ! pg_cluster_online "$PG_PRIMARY"; then
    log "starting the PostgreSQL primary on port $PG_PRIMARY_PORT"
    as_root pg_ctlcluster "$PG_VERSION" "$PG_PRIMARY" start
  fi
  wait_until 60 "the PostgreSQL primary" pg_isready -q -h 127.0.0.1 -p "$PG_PRIMARY_PORT"
  pg_psql <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ADMIN_ROLE') THEN
    CREATE ROLE $PG_ADMIN_ROLE LOGIN SUPERUSER;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator') THEN
    CREATE ROLE replicator LOGIN REPLICATION;
  END IF;
END \$\$;
ALTER ROLE $PG_ADMIN_ROLE PASSWORD '$PG_ADMIN_PASSWORD';
ALTER ROLE replicator PASSWORD '$PG_REPLICATION_PASSWORD';
SQL
}

pg_start_standby() {
  if ! pg_cluster_exists "$PG_STANDBY"; then
    log "creating the PostgreSQL standby from a base backup of the primary"
    as_root pg_createcluster "$PG_VERSION" "$PG_STANDBY" --port "$PG_STANDBY_PORT" >/dev/null
    local data="/var/lib/postgresql/$PG_VERSION/$PG_STANDBY"
    as_root rm -rf "$data"
    as_root su postgres -c "PGPASSWORD='$PG_REPLICATION_PASSWORD' pg_basebackup \
      -h 127.0.0.1 -p $PG_PRIMARY_PORT -U replicator -D '$data' -R -X stream -c fast"
  fi
  pg_configure "$PG_STANDBY"
  if ! pg_cluster_online "$PG_STANDBY"; then
    log "starting the PostgreSQL standby on port $PG_STANDBY_PORT"
    as_root pg_ctlcluster "$PG_VERSION" "$PG_STANDBY" start
  fi
  wait_until 60 "the PostgreSQL standby" pg_isready -q -h 127.0.0.1 -p "$PG_STANDBY_PORT"
  # A standby paused by an interrupted test run would never catch up again.
  as_root su postgres -c "psql -X -q -p $PG_STANDBY_PORT -c 'select pg_wal_replay_resume()'" \
    >/dev/null
}

pg_stop_all() {
  local cluster
  for cluster in "$PG_STANDBY" "$PG_PRIMARY"; do
    pg_cluster_online "$cluster" && as_root pg_ctlcluster "$PG_VERSION" "$cluster" stop
  done
  return 0
}
