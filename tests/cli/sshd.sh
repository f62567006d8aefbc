# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# A real OpenSSH sshd on 127.0.0.1 for the upload tests (sourced after
# lib.sh): its own config, host key, and a chrooted SFTP-only account made
# for the test and removed afterwards. Needs root (useradd, chroot).
#
#   sshd_setup [WHY]  a test's preamble: FAIL without root (CI runs as
#                   root: a skip would hide the suite), else sshd_start
#   sshd_start      sets SSHD_PORT, SSHD_USER, SSHD_FP, SSHD_KEY (client
#                   key), SSHD_DROP (the chroot), SSHD_LOG, SSHD_URL
#   sshd_stop / sshd_restart
#   sshd_kill_sessions   kill the per-connection processes (a broken link)
#   sshd_head, sshd_root_config   config of another test sshd (see below)
#
# SSHD_SFTP_OPTS, when set before sshd_start, is appended to the account's
# `ForceCommand internal-sftp` (e.g. "-P opendir,read" for a drop box).
# SSHD_LISTEN, when set, is one more address to listen on (an address of
# the test's own network namespace: the fleet's hosts reach it there).

sshd_setup() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "FAIL $TNAME: needs root (useradd, sshd chroot${1:+, $1})"
		exit 1
	fi
	sshd_start || { nok "sshd started"; exit 1; }
}

sshd_start() {
	SSHD_DIR=$T/sshd
	mkdir -p "$SSHD_DIR" /run/sshd
	SSHD_USER=ccsftp$$
	SSHD_DROP=$(mktemp -d /run/cc-sftp.XXXXXX) || return 1
	chmod 755 "$SSHD_DROP"
	useradd -M -N -g nogroup -d / -s /bin/sh "$SSHD_USER" || return 1
	usermod -p '*' "$SSHD_USER"
	at_exit "userdel '$SSHD_USER' 2>/dev/null; rm -rf '$SSHD_DROP'"
	mkdir "$SSHD_DROP/upload"
	chown "$SSHD_USER:nogroup" "$SSHD_DROP/upload"
	ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/host_key"
	ssh-keygen -q -t ed25519 -N '' -C csirt-test -f "$SSHD_DIR/client_key"
	ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/other_key"
	# Read by sshd as the user: outside the test's private directory.
	SSHD_KEYS=$(mktemp -d /run/cc-sftpkeys.XXXXXX) || return 1
	at_exit "rm -rf '$SSHD_KEYS'"
	chmod 755 "$SSHD_KEYS"
	cp "$SSHD_DIR/client_key.pub" "$SSHD_KEYS/$SSHD_USER"
	chmod 644 "$SSHD_KEYS/$SSHD_USER"
	SSHD_KEY=$SSHD_DIR/client_key
	SSHD_FP=$(ssh-keygen -lf "$SSHD_DIR/host_key.pub" | awk '{print $2}')
	SSHD_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	SSHD_LOG=$SSHD_DIR/log
	{ sshd_head "$SSHD_DIR" "$SSHD_PORT" "$SSHD_KEYS/%u" 127.0.0.1 ${SSHD_LISTEN:-}
	cat <<EOC
Subsystem sftp internal-sftp
Match User $SSHD_USER
	PasswordAuthentication yes
	ChrootDirectory $SSHD_DROP
	ForceCommand internal-sftp${SSHD_SFTP_OPTS:+ $SSHD_SFTP_OPTS}
	AllowTcpForwarding no
	X11Forwarding no
EOC
	} >"$SSHD_DIR/config"
	SSHD_URL="sftp://$SSHD_USER@127.0.0.1:$SSHD_PORT/upload"
	at_exit "sshd_stop"
	sshd_restart
}

# sshd_head DIR PORT AUTHKEYS ADDR...: the start of a test sshd's config
# on stdout: host key DIR/host_key, pid file DIR/pid, keys only, no PAM.
sshd_head() {
	_d=$1 _port=$2 _keys=$3
	shift 3
	echo "Port $_port"
	for _a; do echo "ListenAddress $_a"; done
	cat <<EOC
HostKey $_d/host_key
PidFile $_d/pid
AuthorizedKeysFile $_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
LogLevel VERBOSE
EOC
}

# sshd_root_config DIR PORT AUTHKEYS ADDR: DIR/config of a test host's
# own sshd (the Ansible tests): root logs in by key, with a shell.
sshd_root_config() {
	{ sshd_head "$@"
	echo "PermitRootLogin prohibit-password"
	echo "Subsystem sftp /usr/lib/openssh/sftp-server"
	} >"$1/config"
}

sshd_restart() {
	/usr/sbin/sshd -D -f "$SSHD_DIR/config" -E "$SSHD_LOG" &
	SSHD_PID=$!
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$SSHD_PORT),1)" \
			2>/dev/null && return 0
		sleep 0.1
	done
	echo "sshd did not start:"; cat "$SSHD_LOG"; return 1
}

# sshd_set_password PASS: let the test account log in with a password
# (its password is "*", no password at all, until then).
sshd_set_password() {
	usermod -p "$(openssl passwd -6 "$1")" "$SSHD_USER"
}

sshd_kill_sessions() {
	pkill -KILL -f "^sshd: $SSHD_USER" 2>/dev/null
}

sshd_stop() {
	[ -n "${SSHD_PID:-}" ] || return 0
	kill "$SSHD_PID" 2>/dev/null; wait "$SSHD_PID" 2>/dev/null
	sshd_kill_sessions
	SSHD_PID=
}
