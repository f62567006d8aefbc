# Copyright 2026 csirt-collect developers
# SPDX-License-Identifier: Apache-2.0
#
# For the Ansible tests (sourced after lib.sh): stock ansible-playbook
# with a configuration of the test's own, nothing of the user's.
#
#   ansible_setup FORKS   writes and exports $T/ansible.cfg: inventory
#                   $T/inventory, the role from packaging/ansible, host
#                   keys checked against $T/known_hosts, SSH master
#                   connections (closed when the test ends)

ansible_setup() {
	mkdir -p "$T/a-local" "$T/a-remote"
	cat >"$T/ansible.cfg" <<EOC
[defaults]
inventory = $T/inventory
roles_path = $CC_TOP/packaging/ansible/roles
forks = $1
timeout = 10
host_key_checking = True
retry_files_enabled = False
nocolor = True
interpreter_python = /usr/bin/python3
local_tmp = $T/a-local
remote_tmp = $T/a-remote
[ssh_connection]
pipelining = True
ssh_args = -o UserKnownHostsFile=$T/known_hosts -o StrictHostKeyChecking=yes -o ControlMaster=auto -o ControlPersist=120s
control_path = $T/cm-%%C
EOC
	# The SSH master connections of ControlPersist.
	at_exit "for c in '$T'/cm-*; do [ -S \"\$c\" ] && ssh -o ControlPath=\"\$c\" -O exit x 2>/dev/null; done"
	export ANSIBLE_CONFIG=$T/ansible.cfg ANSIBLE_HOME=$T/a-home
}
