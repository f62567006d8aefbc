/*
 * csirt-collect default rules: PHP and JSP webshells.
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 */

rule CC_Webshell_PHP_Eval_Request
{
	meta:
		description = "PHP code that evaluates or executes data taken straight from the HTTP request"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1505/003/"
	strings:
		$php = "<?" ascii
		$e1 = /\b(eval|assert|system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*(base64_decode\s*\(\s*|gzinflate\s*\(\s*|str_rot13\s*\(\s*)*\$_(GET|POST|REQUEST|COOKIE|SERVER)\s*\[/ nocase
		$e2 = /\bpreg_replace\s*\(\s*['"][^'"]{1,40}\/e['"]\s*,\s*\$_(GET|POST|REQUEST|COOKIE)/ nocase
		$e3 = /\bcreate_function\s*\([^)]{0,80}\$_(GET|POST|REQUEST|COOKIE)/ nocase
	condition:
		filesize < 2MB and $php and any of ($e*)
}

rule CC_Webshell_PHP_Obfuscated_Eval
{
	meta:
		description = "PHP eval of a decoded blob (base64, gzinflate, rot13): the usual packed webshell loader"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1027/"
	strings:
		$php = "<?" ascii
		$d = /\beval\s*\(\s*(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode)\s*\(\s*(gzinflate|gzuncompress|str_rot13|base64_decode)?\s*\(?\s*['"][A-Za-z0-9+\/=]{40,}/ nocase
	condition:
		filesize < 5MB and $php and $d
}

rule CC_Webshell_JSP_Runtime_Exec
{
	meta:
		description = "JSP page that runs a command taken from a request parameter"
		author = "csirt-collect developers"
		date = "2026-11-22"
		reference = "https://attack.mitre.org/techniques/T1505/003/"
	strings:
		$jsp1 = "<%" ascii
		$jsp2 = "request.getParameter" ascii
		$x1 = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(\s*request\s*\.\s*getParameter/
		$x2 = /new\s+ProcessBuilder\s*\([^;]{0,120}request\s*\.\s*getParameter/
		$x3 = "Runtime.getRuntime().exec(" ascii
	condition:
		filesize < 2MB and $jsp1 and $jsp2 and any of ($x*)
}
