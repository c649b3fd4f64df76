# shellcheck shell=bash
# Mail for local runs and CI: a Postfix instance (SMTP on 127.0.0.1:2525) that takes every address
# of example.com and servicedesk.local and hands it by LMTP to a Dovecot instance (IMAP on
# 127.0.0.1:1143, LMTP on 127.0.0.1:24245), which keeps one Maildir per address under
# $SD_VAR/mail/boxes/<domain>/<localpart>/. Mail to any other domain stays in the queue: nothing
# leaves the machine. docs/mail.md tells the rest.
#
# Both run with their own configuration, queue and state under $SD_VAR/mail, written here on every
# start; /etc/postfix and /etc/dovecot (a system mail server's) are neither read nor changed, and
# a system Postfix or Dovecot may run beside ours. Sourced by the bootstrap, which defines
# SD_VAR, log(), die(), as_root() and wait_until().
#
# Knobs (all optional; the services' defaults assume the default ports):
#   SD_MAIL_SMTP_PORT   Postfix's SMTP listener (2525)
#   SD_MAIL_IMAP_PORT   Dovecot's IMAP listener (1143)
#   SD_MAIL_LMTP_PORT   Dovecot's LMTP listener, Postfix delivers there (24245)

MAIL_SMTP_PORT="${SD_MAIL_SMTP_PORT:-2525}"
MAIL_IMAP_PORT="${SD_MAIL_IMAP_PORT:-1143}"
MAIL_LMTP_PORT="${SD_MAIL_LMTP_PORT:-24245}"
MAIL_DOMAINS="example.com servicedesk.local"
# Every mailbox's password: local only, the listeners answer on loopback alone (docs/mail.md).
MAIL_PASSWORD="local-mail"
# Owner of the Maildirs when the checkout belongs to root (CI): a system user of our own.
MAIL_SYSTEM_USER="sdmail"

MAIL_DIR="$SD_VAR/mail"
MAIL_POSTFIX_CONFIG="$MAIL_DIR/postfix/etc"       # config_directory: main.cf, master.cf
MAIL_POSTFIX_QUEUE="$MAIL_DIR/postfix/queue"      # queue_directory (owned by root)
MAIL_POSTFIX_DATA="$MAIL_DIR/postfix/data"        # data_directory (owned by postfix)
MAIL_DOVECOT_CONF="$MAIL_DIR/dovecot/dovecot.conf"
MAIL_DOVECOT_RUN="$MAIL_DIR/dovecot/run"          # base_dir: sockets, master.pid
MAIL_DOVECOT_STATE="$MAIL_DIR/dovecot/state"      # state_dir
MAIL_BOXES="$MAIL_DIR/boxes"
MAIL_LOG="$SD_VAR/log/mail.log"

# Debian's postfix asks how to configure the system's mail server: "No configuration" leaves
# /etc/postfix without a main.cf, so the system instance stays off; ours has its own. Run before
# install_debian_packages. Refuses to replace another installed mail server (apt would remove it).
mail_preseed_debconf() {
  dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q "install ok installed" && return 0
  local other
  other=$(dpkg-query -W -f='${Package} ${Provides} ${Status}\n' 2>/dev/null \
    | awk '/mail-transport-agent/ && /install ok installed/ {print $1}' | paste -sd' ' -)
  [ -z "$other" ] || die "the mail server '$other' is installed and installing postfix would remove" \
    "it; install postfix yourself (apt-get install postfix, 'No configuration') and run again"
  printf '%s\n' \
    'postfix postfix/main_mailer_type select No configuration' \
    'postfix postfix/mailname string servicedesk.local' | as_root debconf-set-selections
}

# The user who owns the Maildirs: the owner of the checkout's var/ (a person reads their own
# files), or the system user sdmail when that is root (Dovecot never delivers as root).
_mail_owner() {
  local owner
  owner=$(stat -c %U "$SD_VAR")
  if [ "$owner" = root ]; then
    if ! getent passwd "$MAIL_SYSTEM_USER" >/dev/null; then
      log "mail: creating the system user $MAIL_SYSTEM_USER (owner of the Maildirs)"
      as_root useradd --system --user-group --no-create-home --home-dir "$MAIL_BOXES" \
        --shell /usr/sbin/nologin "$MAIL_SYSTEM_USER"
    fi
    owner="$MAIL_SYSTEM_USER"
  fi
  printf '%s\n' "$owner"
}

_mail_postfix_main_cf() {
  cat <<EOF
# servicedesk's own Postfix instance: written by scripts/lib/mail.sh on every start (edits there
# are lost). Local only: loopback, no TLS, no auth; nothing leaves the machine. docs/mail.md
compatibility_level = 3.6
queue_directory = $MAIL_POSTFIX_QUEUE
data_directory = $MAIL_POSTFIX_DATA
# The package's file lists (postfix-files, dynamicmaps.cf), not configuration.
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-servicedesk
maillog_file = $MAIL_LOG
maillog_file_prefixes = $SD_VAR/log
myhostname = mail.servicedesk.local
mydomain = servicedesk.local
myorigin = servicedesk.local
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_banner = \$myhostname ESMTP servicedesk local mail
# Every address of these domains, each its own mailbox in Dovecot (no address extensions:
# agent1+sdtest@example.com is not agent1@example.com).
virtual_mailbox_domains = ${MAIL_DOMAINS// /, }
virtual_mailbox_maps =
virtual_transport = lmtp:inet:127.0.0.1:$MAIL_LMTP_PORT
recipient_delimiter =
# Any other domain: accepted and kept in the deferred queue (no internet here, and a company's
# relay is not ours to use); after a day it bounces to its sender, a mailbox here.
default_transport = smtp
relay_transport = smtp
defer_transports = smtp
local_transport = error:no-local-delivery
alias_maps =
alias_database =
local_recipient_maps =
maximal_queue_lifetime = 1d
bounce_queue_lifetime = 1d
message_size_limit = 26214400
biff = no
append_dot_mydomain = no
smtputf8_enable = yes
EOF
}

_mail_postfix_master_cf() {
  cat <<EOF
# servicedesk's own Postfix instance: written by scripts/lib/mail.sh. No chroot; SMTP on loopback.
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$MAIL_SMTP_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
smtp      unix  -       -       n       -       -       smtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

_mail_dovecot_conf() {
  local owner="$1" uid gid
  uid=$(id -u "$owner")
  gid=$(id -g "$owner")
  cat <<EOF
# servicedesk's own Dovecot instance: written by scripts/lib/mail.sh on every start (edits here
# are lost). Local only: loopback, no TLS, one password for every mailbox. docs/mail.md
instance_name = servicedesk
base_dir = $MAIL_DOVECOT_RUN
state_dir = $MAIL_DOVECOT_STATE
protocols = imap lmtp
listen = 127.0.0.1
log_path = $MAIL_LOG
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# The full address is the login; '+' belongs to it (no address extensions, see below).
auth_username_chars = abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890.-_@+
auth_default_realm = servicedesk.local
# No delimiter: agent1+sdtest@example.com is a mailbox of its own, apart from agent1@example.com.
recipient_delimiter =
lmtp_save_to_detail_mailbox = no
# One home per address, boxes/<domain>/<localpart>/, its Maildir in it (Maildir/new, cur, tmp),
# both made on the first delivery or login.
mail_location = maildir:~/Maildir
mail_uid = $uid
mail_gid = $gid
first_valid_uid = $uid
last_valid_uid = $uid
first_valid_gid = $gid
last_valid_gid = $gid
mail_max_userip_connections = 100
mailbox_idle_check_interval = 5 secs
passdb {
  driver = static
  args = password=$MAIL_PASSWORD
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$MAIL_BOXES/%d/%n allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $MAIL_IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $MAIL_LMTP_PORT
  }
}
protocol lmtp {
  postmaster_address = postmaster@servicedesk.local
}
EOF
}

# _mail_write FILE: replaces FILE with stdin when they differ; succeeds when it did.
_mail_write() {
  local file="$1" scratch
  scratch=$(mktemp)
  cat >"$scratch"
  if as_root cmp -s "$scratch" "$file" 2>/dev/null; then
    rm -f "$scratch"
    return 1
  fi
  as_root install -m 0644 "$scratch" "$file"
  rm -f "$scratch"
}

# The daemons run as postfix, dovecot and dovenull; each must reach $SD_VAR/mail (a checkout in a
# home directory of mode 0700 is out of their reach).
_mail_check_reachable() {
  local user
  for user in postfix dovecot dovenull; do
    as_root runuser -u "$user" -- test -x "$MAIL_DIR" \
      || die "mail: the user $user cannot reach $MAIL_DIR: give the directories above it o+x" \
        "(chmod o+x ...) or point SD_VAR at a directory outside your home"
  done
}

# _mail_alive PIDFILE COMMAND: prints the pid in PIDFILE when that process runs COMMAND (and is
# not a zombie left for its parent to reap). Without a pid file or process it fails.
_mail_alive() {
  local pid state comm
  pid=$(as_root cat "$1" 2>/dev/null | tr -d ' \n') || true  # root's file, mode 0600
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  read -r state comm < <(ps -o stat=,comm= -p "$pid" 2>/dev/null) || return 1
  [ "$comm" = "$2" ] && [[ "$state" != Z* ]] || return 1
  printf '%s\n' "$pid"
}

# (Not `postfix status`, which writes a line to the log on every call.)
_mail_postfix_running() {
  _mail_alive "$MAIL_POSTFIX_QUEUE/pid/master.pid" master >/dev/null
}

_mail_dovecot_pid() {
  _mail_alive "$MAIL_DOVECOT_RUN/master.pid" dovecot
}

# mail_start: writes both configurations, starts what is not running, reloads what runs with a
# changed configuration. Idempotent.
mail_start() {
  local owner postfix_changed=0 dovecot_changed=0
  if ! _mail_dovecot_pid >/dev/null && ! _mail_postfix_running \
    && _mail_greets "$MAIL_SMTP_PORT" "220" && _mail_greets "$MAIL_IMAP_PORT" "* OK"; then
    log "mail: a mail server already answers on $MAIL_SMTP_PORT and $MAIL_IMAP_PORT; using it"
    return 0
  fi
  owner=$(_mail_owner)
  as_root install -d -m 0755 "$MAIL_DIR" "$MAIL_DIR/postfix" "$MAIL_DIR/dovecot" \
    "$MAIL_POSTFIX_CONFIG" "$MAIL_POSTFIX_QUEUE" "$MAIL_DOVECOT_STATE"
  as_root install -d -m 0700 -o postfix "$MAIL_POSTFIX_DATA"
  as_root install -d -m 0750 -o "$owner" -g "$(id -gn "$owner")" "$MAIL_BOXES"
  touch "$MAIL_LOG"  # the caller's file; the daemons write it as root
  _mail_check_reachable
  _mail_postfix_main_cf | _mail_write "$MAIL_POSTFIX_CONFIG/main.cf" && postfix_changed=1
  _mail_postfix_master_cf | _mail_write "$MAIL_POSTFIX_CONFIG/master.cf" && postfix_changed=1
  _mail_dovecot_conf "$owner" | _mail_write "$MAIL_DOVECOT_CONF" && dovecot_changed=1

  if _mail_dovecot_pid >/dev/null; then
    if [ "$dovecot_changed" = 1 ]; then
      log "mail: reloading Dovecot (configuration changed)"
      as_root dovecot -c "$MAIL_DOVECOT_CONF" reload </dev/null >>"$MAIL_LOG" 2>&1 \
        || die "mail: Dovecot did not reload (log: $MAIL_LOG)"
    fi
  else
    log "mail: starting Dovecot (IMAP 127.0.0.1:$MAIL_IMAP_PORT, LMTP :$MAIL_LMTP_PORT; log: $MAIL_LOG)"
    # Its own output goes to the log: no daemon keeps the caller's stdout or stderr open.
    as_root dovecot -c "$MAIL_DOVECOT_CONF" </dev/null >>"$MAIL_LOG" 2>&1 \
      || { tail -n 20 "$MAIL_LOG" >&2; die "mail: Dovecot did not start (log: $MAIL_LOG)"; }
  fi
  if _mail_postfix_running; then
    if [ "$postfix_changed" = 1 ]; then
      log "mail: reloading Postfix (configuration changed)"
      as_root postfix -c "$MAIL_POSTFIX_CONFIG" reload </dev/null >>"$MAIL_LOG" 2>&1 \
        || die "mail: Postfix did not reload (log: $MAIL_LOG)"
    fi
  else
    log "mail: starting Postfix (SMTP 127.0.0.1:$MAIL_SMTP_PORT; log: $MAIL_LOG)"
    as_root postfix -c "$MAIL_POSTFIX_CONFIG" start </dev/null >>"$MAIL_LOG" 2>&1 \
      || { tail -n 20 "$MAIL_LOG" >&2; die "mail: Postfix did not start (log: $MAIL_LOG)"; }
  fi
}

# _mail_greets PORT PREFIX: the server on PORT greets with a line starting with PREFIX.
_mail_greets() {
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  IFS= read -r -t 5 line <&3 || { exec 3<&-; return 1; }
  if [ "$2" = "* OK" ]; then printf 'a LOGOUT\r\n' >&3; else printf 'QUIT\r\n' >&3; fi
  exec 3<&-
  [[ "$line" == "$2"* ]]
}

mail_wait() {
  wait_until 30 "Postfix SMTP on port $MAIL_SMTP_PORT (log: $MAIL_LOG)" \
    _mail_greets "$MAIL_SMTP_PORT" "220"
  wait_until 30 "Dovecot IMAP on port $MAIL_IMAP_PORT (log: $MAIL_LOG)" \
    _mail_greets "$MAIL_IMAP_PORT" "* OK"
  wait_until 30 "Dovecot LMTP on port $MAIL_LMTP_PORT (log: $MAIL_LOG)" \
    _mail_greets "$MAIL_LMTP_PORT" "220"
}

# mail_stop: stops our Postfix and Dovecot (never a system instance). Idempotent.
mail_stop() {
  local pid i
  if _mail_postfix_running; then
    log "mail: stopping Postfix"
    as_root postfix -c "$MAIL_POSTFIX_CONFIG" stop </dev/null >>"$MAIL_LOG" 2>&1 || true
    for ((i = 0; i < 30; i++)); do _mail_postfix_running || break; sleep 0.5; done
  fi
  if pid=$(_mail_dovecot_pid); then
    log "mail: stopping Dovecot (pid $pid)"
    as_root dovecot -c "$MAIL_DOVECOT_CONF" stop </dev/null >>"$MAIL_LOG" 2>&1 \
      || as_root kill -TERM "$pid" || true
    for ((i = 0; i < 30; i++)); do _mail_dovecot_pid >/dev/null || break; sleep 0.5; done
  fi
}
