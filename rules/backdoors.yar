/*
 * csirt-collect default rules: traits of Linux backdoors and of the
 * scripts that install them.
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 */

rule CC_Backdoor_SSH_Key_Persistence
{
	meta:
		description = "Script that appends a key to authorized_keys and locks the file against removal"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1098/004/"
	strings:
		$k = /echo\s+['"]?(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256)\s+AAAA[^\n]{10,}>>\s*[^\n]{0,60}authorized_keys/
		$lock = /chattr\s+\+[ia]+\s+[^\n]{0,60}(authorized_keys|\.ssh)/
	condition:
		filesize < 5MB and $k and $lock
}

rule CC_Backdoor_History_Evasion_Persistence
{
	meta:
		description = "Script that disables shell history and installs persistence (cron or systemd) in the same go"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1070/003/"
	strings:
		$h1 = "unset HISTFILE" ascii
		$h2 = "HISTFILE=/dev/null" ascii
		$h3 = "history -c" ascii
		$h4 = "export HISTSIZE=0" ascii
		$p1 = /crontab\s+-l[^\n]{0,100}\|\s*crontab\s+-/
		$p2 = /\/etc\/cron\.d\/[a-z0-9._-]+/
		$p3 = /systemctl\s+enable\s+[a-z0-9._-]+/
		$p4 = "/etc/rc.local" ascii
	condition:
		filesize < 5MB and 2 of ($h*) and any of ($p*)
}

rule CC_Backdoor_Suid_Shell_Copy
{
	meta:
		description = "Copy of a system shell made set-uid: a root backdoor left for later"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1548/001/"
	strings:
		$cp = /cp\s+\/(usr\/)?bin\/(ba|da|z)?sh\s+(\/tmp|\/var\/tmp|\/dev\/shm|\/usr\/local|\/lib)\/\S+/
		$suid = /chmod\s+(u\+s|[46][0-7]{3}|\+s)\s+(\/tmp|\/var\/tmp|\/dev\/shm|\/usr\/local|\/lib)\/\S+/
	condition:
		filesize < 5MB and $cp and $suid
}
