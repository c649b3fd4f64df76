# RabbitMQ on 127.0.0.1:5672, vhost "servicedesk".
RABBITMQ_VHOST=servicedesk
RABBITMQ_USER=servicedesk
RABBITMQ_PASSWORD="${SD_BROKER_PASSWORD:-local-broker}"


rabbitmq_start() {
  if ! as_root rabbitmq-diagnostics -q check_running >/dev/null 2>&1; then
    if as_root rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
      log "starting the RabbitMQ application"
      as_root rabbitmqctl -q start_app
    else
      log "starting RabbitMQ"
      as_root env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 rabbitmq-server -detached
    fi
    wait_until 120 "RabbitMQ" as_root rabbitmqctl -q await_startup --timeout 5
  fi
  if ! as_root rabbitmqctl -q list_vhosts | grep -qx "$RABBITMQ_VHOST"; then
    as_root rabbitmqctl -q add_vhost "$RABBITMQ_VHOST"
  fi
  if ! as_root rabbitmqctl -q list_users | awk '{print $1}' | grep -qx "$RABBITMQ_USER"; then
    as_root rabbitmqctl -q add_user "$RABBITMQ_USER" "$RABBITMQ_PASSWORD" >/dev/null
  fi
  as_root rabbitmqctl -q set_permissions -p "$RABBITMQ_VHOST" "$RABBITMQ_USER" '.*' '.*' '.*'
  rabbitmq_esb_caller "$RABBITMQ_VHOST" monitoring "${SD_ESB_MONITORING_PASSWORD:-local-esb-monitoring}"
}

# A system calling the desk over the ESB (docs/esb.md): user esb-<name>, which may publish to
# servicedesk.esb.commands only with routing keys <name>.*, and declare, bind (to
# servicedesk.esb.events, keys <name>.*) and read only queues named <name>.*. Idempotent.
rabbitmq_esb_caller() {
  local vhost="$1" name="$2" password="$3" user="esb-$2"
  if ! as_root rabbitmqctl -q list_users | awk '{print $1}' | grep -qx "$user"; then
    as_root rabbitmqctl -q add_user "$user" "$password" >/dev/null
  fi
  as_root rabbitmqctl -q set_permissions -p "$vhost" "$user" \
    "^${name}\\..*" "^(servicedesk\\.esb\\.commands|${name}\\..*)\$" \
    "^(servicedesk\\.esb\\.events|${name}\\..*)\$"
  as_root rabbitmqctl -q set_topic_permissions -p "$vhost" "$user" \
    servicedesk.esb.commands "^${name}\\." '^$'
  as_root rabbitmqctl -q set_topic_permissions -p "$vhost" "$user" \
    servicedesk.esb.events '^$' "^${name}\\."
}

rabbitmq_stop() {
  as_root rabbitmqctl -q stop >/dev/null 2>&1 || true
}
