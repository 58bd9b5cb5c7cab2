#!/usr/bin/env bash
# A secured local Apache Kafka (KRaft, loopback) for testing kafka_queue as a locked-down
# cluster's run-time principal: SASL_SSL with SCRAM-SHA-512, the StandardAuthorizer with
# allow.everyone.if.no.acl.found=false, and the ACLs of scripts/kafka/secure-acls.txt.
#
# Usage: scripts/kafka/secure.sh COMMAND
#
#   start    from scratch unless it is running: a new CA and broker certificate (openssl), new
#            random passwords, storage formatted with the SCRAM users, the broker started, then
#            the ACLs created as admin and checked; waits until all of that is done
#   stop     stop the broker (SIGTERM, then SIGKILL after a deadline)
#   status   print running/starting/stopped (exit 0 running, 3 otherwise)
#   reset    stop the broker and delete its data
#
# State (git-ignored) in .kafka/data/secure/:
#   tls/ca.pem, tls/broker.pem  the CA and the broker's key and certificate (127.0.0.1, localhost)
#   tls/other-ca.pem            a CA that signed nothing here (tests of a wrong CA)
#   users.ini                   where to connect and every user's password (read by the tests)
#   admin.properties            Kafka's Java tools as admin (kafka.sh tool ... --command-config)
#   authorizer.log              Kafka's authorizer log at INFO: every denied request
#   server.properties, server.log, broker.out, kafka-logs/
#
# Users (SCRAM-SHA-512): admin (super user, also the broker's own principal), and the users of
# secure-acls.txt plus mysite-nobody (no ACL).
#
# Environment:
#   KAFKA_QUEUE_SECURE_PORT             SASL_SSL listener, default 19095
#   KAFKA_QUEUE_SECURE_CONTROLLER_PORT  controller listener (SASL_SSL, PLAIN), default 19096
#   KAFKA_QUEUE_START_TIMEOUT, KAFKA_QUEUE_STOP_TIMEOUT, KAFKA_HEAP_OPTS: as kafka.sh
#   KAFKA_OPTS                          default -XX:TieredStopAtLevel=1 (see select_secure)
set -euo pipefail

# shellcheck source=scripts/kafka/kafka.sh
source "$(dirname "${BASH_SOURCE[0]}")/kafka.sh"

TEMPLATE=$SCRIPT_DIR/server-secure.properties.in
LOG4J=$SCRIPT_DIR/log4j2-secure.properties
ACLS=$SCRIPT_DIR/secure-acls.txt
SETUP_SRC=$SCRIPT_DIR/SecureSetup.java
LOCK_FILE=$KAFKA_DIR/.lock-secure
EXTRA_USERS=(admin mysite-nobody)

say() { printf 'kafka-secure: %s\n' "$*"; }
die() { printf 'kafka-secure: error: %s\n' "$*" >&2; exit 1; }

select_secure() {
    NODE_ID=1
    BROKER_PORT=${KAFKA_QUEUE_SECURE_PORT:-19095}
    CONTROLLER_PORT=${KAFKA_QUEUE_SECURE_CONTROLLER_PORT:-19096}
    INSTANCE=secure
    DATA_DIR=$KAFKA_DIR/data/secure
    HEAP=${KAFKA_HEAP_OPTS:--Xmx384m -Xms128m}
    # A test broker serves a few hundred requests: the C1 compiler alone halves its start-up CPU
    # (measured: 8 s instead of 15 s on 2 shared cores). The plain broker keeps the defaults,
    # since the benchmarks run on it.
    KAFKA_OPTS=${KAFKA_OPTS:--XX:TieredStopAtLevel=1}
    set_paths
    TLS_DIR=$DATA_DIR/tls
    USERS_INI=$DATA_DIR/users.ini
    ADMIN_PROPS=$DATA_DIR/admin.properties
}

# Every user: admin, those with ACLs, the one without.
users() {
    {
        printf '%s\n' "${EXTRA_USERS[@]}"
        grep -v '^[[:space:]]*\(#\|$\)' "$ACLS" | awk '{ print $1 }'
    } | awk '!seen[$0]++'
}

# A CA, the broker's certificate signed by it (PEM: key, then certificate), a second CA.
make_tls() {
    local subj='/O=kafka_queue local test/CN'
    mkdir -p "$TLS_DIR"
    (
        cd "$TLS_DIR"
        umask 077
        ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
        openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 7 -subj "$subj=local CA" 2>/dev/null
        openssl req -x509 "${ec[@]}" -keyout other-ca.key -out other-ca.pem -days 7 \
            -subj "$subj=a CA that signed nothing here" 2>/dev/null
        openssl req "${ec[@]}" -keyout broker.key -out broker.csr -subj "$subj=localhost" 2>/dev/null
        openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 7 \
            -out broker.crt -extfile <(printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
                'extendedKeyUsage=serverAuth,clientAuth') 2>/dev/null
        # Kafka's PEM key store wants PKCS#8; it cannot read PBES2-encrypted keys, so the key is
        # left unencrypted (mode 600, in the ignored data dir).
        openssl pkcs8 -topk8 -nocrypt -in broker.key -out broker.p8
        cat broker.p8 broker.crt >broker.pem
        rm -f broker.key broker.p8 broker.csr broker.crt ca.key ca.srl other-ca.key
    ) || die "openssl could not make the certificates in $TLS_DIR"
}

password() { openssl rand -hex 16; }

# A random cluster id (a Kafka Uuid: 16 bytes, URL-safe base64) without a JVM to print it. One
# that begins with '-' is drawn again, as Kafka's Uuid.randomUuid does: the format command would
# read it as an option ("argument --cluster-id/-t: expected one argument"; 1 start in 64).
cluster_id() {
    local id
    while id=$(openssl rand 16 | base64 | tr '+/' '-_' | tr -d '=\n') && [[ $id == -* ]]; do :; done
    echo "$id"
}

# users.ini (for the tests) and admin.properties (for Kafka's tools), with fresh passwords.
write_credentials() {
    local u
    (umask 077 && : >"$USERS_INI" && : >"$ADMIN_PROPS")
    {
        echo "; The secured local broker, written by scripts/kafka/secure.sh at its start."
        echo "[broker]"
        echo "bootstrap = \"127.0.0.1:$BROKER_PORT\""
        echo "ca = \"$TLS_DIR/ca.pem\""
        echo "other_ca = \"$TLS_DIR/other-ca.pem\""
        echo "authorizer_log = \"$DATA_DIR/authorizer.log\""
        echo "[passwords]"
        for u in $(users); do echo "$u = \"$(password)\""; done
    } >"$USERS_INI"
    {
        echo "bootstrap.servers=127.0.0.1:$BROKER_PORT"
        echo "security.protocol=SASL_SSL"
        echo "sasl.mechanism=SCRAM-SHA-512"
        echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$(user_password admin)\";"
        echo "ssl.truststore.type=PEM"
        echo "ssl.truststore.location=$TLS_DIR/ca.pem"
    } >"$ADMIN_PROPS"
}

user_password() { sed -n "s/^$1 = \"\\(.*\\)\"\$/\\1/p" "$USERS_INI"; }

# Overrides kafka.sh's render_props (launch calls it): the secure template's placeholders.
render_props() {
    sed -e "s|@BROKER_PORT@|$BROKER_PORT|g" \
        -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
        -e "s|@DATA_DIR@|$DATA_DIR|g" \
        -e "s|@ADMIN_PASSWORD@|$(user_password admin)|g" \
        "$TEMPLATE" >"$PROPS.tmp"
    if grep -v "^#" "$PROPS.tmp" | grep -q "@[A-Z_]*@"; then
        die "unreplaced placeholder in $TEMPLATE"
    fi
    mv "$PROPS.tmp" "$PROPS"
}

# Overrides kafka.sh's ensure_formatted (launch calls it): the SCRAM users are created at format.
ensure_formatted() {
    local TOOL u
    local -a scram=()
    [[ -f $LOG_DIR/meta.properties ]] && return 0
    for u in $(users); do
        scram+=(--add-scram "SCRAM-SHA-512=[name=$u,password=$(user_password "$u")]")
    done
    tool_cmd
    if ! "${TOOL[@]}" kafka.tools.StorageTool format -t "$(cluster_id)" -c "$PROPS" \
        "${scram[@]}" >"$DATA_DIR/format.out" 2>&1; then
        cat "$DATA_DIR/format.out" >&2
        die "formatting $LOG_DIR failed"
    fi
}

# SecureSetup.java, compiled once per version of its source into .kafka/classes/.
setup_classes() {
    local dir
    dir=$KAFKA_DIR/classes/secure-$(sha256sum "$SETUP_SRC" | cut -c 1-12)
    if [[ ! -f $dir/SecureSetup.class ]]; then
        need javac
        rm -rf "$dir.tmp"
        mkdir -p "$dir.tmp"
        javac -nowarn -d "$dir.tmp" -cp "$LIBS_DIR/*" "$SETUP_SRC" >&2 || die "javac $SETUP_SRC failed"
        rm -rf "$dir"
        mv "$dir.tmp" "$dir"
    fi
    echo "$dir"
}

cmd_start() {
    local t0 deadline pid classes n TOOL setup
    t0=$(now)
    deadline=$(($(date +%s) + START_TIMEOUT))
    lock
    cmd_fetch quiet
    need openssl
    select_secure
    if pid=$(running_pid) && port_open "$BROKER_PORT"; then
        say "already running (pid $pid) on 127.0.0.1:$BROKER_PORT (SASL_SSL)"
        return 0
    fi
    if ! running_pid >/dev/null; then
        rm -rf "$DATA_DIR"
        mkdir -p "$DATA_DIR"
        make_tls
        write_credentials
    fi
    classes=$(setup_classes)
    # The helper's JVM starts first and retries until the broker answers, so that its start-up
    # overlaps the formatting and the broker's; it dies with this script.
    tool_cmd
    # tool_cmd's java command ends with -cp "$LIBS_DIR/*": add the helper's classes.
    "${TOOL[@]:0:${#TOOL[@]}-1}" "$LIBS_DIR/*:$classes" SecureSetup "$ADMIN_PROPS" "$ACLS" \
        $((deadline - $(date +%s))) >"$DATA_DIR/setup.out" 2>"$DATA_DIR/setup.err" &
    setup=$!
    trap 'kill "$setup" 2>/dev/null || true' EXIT
    launch
    wait_port "$deadline" || exit 1
    if ! wait "$setup"; then
        cat "$DATA_DIR/setup.err" >&2
        show_log_tail
        stop_current
        die "the ACLs could not be set up: the broker is stopped"
    fi
    trap - EXIT
    n=$(<"$DATA_DIR/setup.out")
    say "started on 127.0.0.1:$BROKER_PORT (SASL_SSL, SCRAM-SHA-512, $n ACLs) (pid $(running_pid)) in $(since "$t0") s"
}

cmd_stop() {
    lock
    select_secure
    stop_current
}

cmd_status() {
    select_secure
    status_current
}

cmd_reset() {
    lock
    select_secure
    stop_current
    rm -rf "$DATA_DIR"
    say "deleted ${DATA_DIR#"$REPO_DIR"/}"
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
reset) cmd_reset ;;
-h | --help | help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" ;;
*)
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
esac
