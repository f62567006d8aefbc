/*
 * csirt-collect default rules: cryptocurrency miners (configuration
 * files and binaries).
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 */

rule CC_Miner_Config_Stratum_Pool
{
	meta:
		description = "Miner configuration naming a stratum pool with a wallet or login (XMRig-style JSON or command line)"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1496/"
	strings:
		$pool = /stratum\+(tcp|ssl|tls):\/\/[a-z0-9.-]{3,255}:[0-9]{2,5}/ nocase
		$j1 = "\"pools\"" ascii
		$j2 = "\"user\"" ascii
		$j3 = "\"donate-level\"" ascii
		$j4 = "\"algo\"" ascii
		$c1 = /(-u|--user)\s+[0-9a-zA-Z]{40,}/
		$c2 = "--donate-level" ascii
	condition:
		filesize < 1MB and $pool and (2 of ($j*) or any of ($c*))
}

rule CC_Miner_Binary_XMRig
{
	meta:
		description = "ELF executable with the strings of the XMRig miner and its proof-of-work algorithms"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1496/"
	strings:
		$s1 = "stratum+tcp://" ascii
		$s2 = "xmrig" ascii nocase
		$s3 = "randomx" ascii nocase
		$s4 = "cryptonight" ascii nocase
		$s5 = "donate-level" ascii
		$s6 = "mining.submit" ascii
	condition:
		uint32(0) == 0x464c457f and 4 of them
}
