/*
 * csirt-collect default rules: LD_PRELOAD user-land rootkits (shared
 * libraries hooking libc to hide files, processes and connections, and
 * the scripts that install them).
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 */

rule CC_Rootkit_LDPreload_Hiding_Library
{
	meta:
		description = "ELF shared object that looks up the real libc functions with dlsym(RTLD_NEXT) and filters directory listings: an LD_PRELOAD hider (libprocesshider, Azazel, Jynx, Vlany style)"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1574/006/"
	strings:
		$dl = "dlsym" ascii
		$r1 = "readdir" ascii
		$r2 = "readdir64" ascii
		$h1 = "/proc/" ascii
		$h2 = "ld.so.preload" ascii
		$h3 = "/proc/net/tcp" ascii
		$h4 = "fopen64" ascii
		$h5 = "__libc_start_main" ascii
	condition:
		uint32(0) == 0x464c457f and uint16(16) == 3 and filesize < 5MB and
		$dl and all of ($r*) and 2 of ($h*)
}

rule CC_Rootkit_LDPreload_Installer
{
	meta:
		description = "Script that registers a library in /etc/ld.so.preload (system-wide LD_PRELOAD)"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1574/006/"
	strings:
		$w = /(echo|printf)\s+[^\n]{1,200}\.so['"]?\s*>>?\s*\/etc\/ld\.so\.preload/
		$t = /tee\s+(-a\s+)?\/etc\/ld\.so\.preload/
	condition:
		filesize < 5MB and any of them
}
