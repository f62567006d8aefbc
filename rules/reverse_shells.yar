/*
 * csirt-collect default rules: reverse shells in scripts and crontabs.
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 */

rule CC_ReverseShell_Bash_DevTcp
{
	meta:
		description = "Interactive shell redirected to a /dev/tcp or /dev/udp socket (bash reverse shell)"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1059/004/"
	strings:
		$a = /\b(ba|z|k)?sh\s+-i\s*[0-9]?>&\s*\/dev\/(tcp|udp)\/[^\/\s]{1,255}\/[0-9]{1,5}/
		$b = /exec\s+[0-9]{1,3}<>\s*\/dev\/tcp\/[^\/\s]{1,255}\/[0-9]{1,5}/
		$c = /\/dev\/tcp\/[^\/\s]{1,255}\/[0-9]{1,5}\s+0>&1/
	condition:
		filesize < 10MB and any of them
}

rule CC_ReverseShell_Netcat_Exec
{
	meta:
		description = "netcat or socat handing a shell to a remote peer (nc -e, mkfifo pipe, socat exec)"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1059/004/"
	strings:
		$nc = /\b(nc|ncat|netcat)(\.traditional|\.openbsd)?\s+(-[a-z]+\s+)*[^|;&\n]{0,80}-(e|c)\s+\/bin\/(ba|da|z)?sh\b/
		$fifo = /mkfifo\s+\S+\s*;\s*(cat|tail\s+-f)\s+\S+\s*\|\s*\/bin\/(ba|da)?sh\s+-i\s*2>&1\s*\|\s*(nc|ncat|netcat)\s/
		$socat = /\bsocat\s+[^\n]{0,80}exec:['"]?\/bin\/(ba|da|z)?sh/ nocase
	condition:
		filesize < 10MB and any of them
}

rule CC_ReverseShell_Script_Socket_Dup2
{
	meta:
		description = "Python or Perl one-liner connecting a socket to a shell's standard streams"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1059/006/"
	strings:
		$py1 = "socket.socket(" ascii
		$py2 = /os\.dup2\s*\(\s*s\.fileno\s*\(\s*\)\s*,\s*[012]\s*\)/
		$py3 = /(subprocess\.call|pty\.spawn|os\.system)\s*\(\s*\[?\s*['"]\/bin\/(ba)?sh/
		$pl1 = /socket\s*\(\s*S\s*,\s*PF_INET\s*,\s*SOCK_STREAM/
		$pl2 = /open\s*\(\s*STDIN\s*,\s*['"]>&S['"]\s*\)/
		$pl3 = /exec\s*\(\s*['"]\/bin\/(ba)?sh\s+-i['"]\s*\)/
	condition:
		filesize < 10MB and (all of ($py*) or all of ($pl*))
}

rule CC_ReverseShell_Crontab_Entry
{
	meta:
		description = "A crontab line that opens a network shell or pipes a download into a shell"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1053/003/"
	strings:
		$sched = /(^|\n)\s*(@(reboot|hourly|daily)|[0-9*\/,-]+\s+[0-9*\/,-]+\s+[0-9*\/,-]+\s+[0-9*\/,-]+\s+[0-9*\/,-]+)\s+[^\n]{0,200}(\/dev\/tcp\/|\b(curl|wget)\s[^\n|]{1,200}\|\s*(ba)?sh\b|\bnc\s[^\n]{0,80}-e\s)/
	condition:
		filesize < 1MB and $sched
}
