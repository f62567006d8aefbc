/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Pure helpers of the timeline's file attributes (fileattr.h).
 */
#include <string.h>

#include "fileattr.h"

#define CAP_REV_MASK	0xff000000U
#define CAP_REV1	0x01000000U
#define CAP_REV2	0x02000000U
#define CAP_REV3	0x03000000U
#define CAP_EFFECTIVE	0x00000001U

/* linux/capability.h order; later ones are written cap_N. */
static const char *const fileattr_capnames[] = {
	"cap_chown", "cap_dac_override", "cap_dac_read_search",
	"cap_fowner", "cap_fsetid", "cap_kill", "cap_setgid", "cap_setuid",
	"cap_setpcap", "cap_linux_immutable", "cap_net_bind_service",
	"cap_net_broadcast", "cap_net_admin", "cap_net_raw", "cap_ipc_lock",
	"cap_ipc_owner", "cap_sys_module", "cap_sys_rawio", "cap_sys_chroot",
	"cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin", "cap_sys_boot",
	"cap_sys_nice", "cap_sys_resource", "cap_sys_time",
	"cap_sys_tty_config", "cap_mknod", "cap_lease", "cap_audit_write",
	"cap_audit_control", "cap_setfcap", "cap_mac_override",
	"cap_mac_admin", "cap_syslog", "cap_wake_alarm", "cap_block_suspend",
	"cap_audit_read", "cap_perfmon", "cap_bpf", "cap_checkpoint_restore"
};

static uint32_t
fileattr_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

int
fileattr_caps(const void *v, size_t len, struct buf *b, long long *rootid)
{
	const unsigned char	*p = v;
	uint64_t		 perm, inh;
	uint32_t		 magic;
	size_t			 words, i;
	unsigned int		 flags, f;
	int			 first, group;

	*rootid = -1;
	if (len < 4)
		return -1;
	magic = fileattr_le32(p);
	switch (magic & CAP_REV_MASK) {
	case CAP_REV1:
		words = 1;
		if (len != 12)
			return -1;
		break;
	case CAP_REV2:
		words = 2;
		if (len != 20)
			return -1;
		break;
	case CAP_REV3:
		words = 2;
		if (len != 24)
			return -1;
		*rootid = fileattr_le32(p + 20);
		break;
	default:
		return -1;
	}
	perm = fileattr_le32(p + 4);
	inh = fileattr_le32(p + 8);
	if (words == 2) {
		perm |= (uint64_t)fileattr_le32(p + 12) << 32;
		inh |= (uint64_t)fileattr_le32(p + 16) << 32;
	}
	/* One group per set of flags, as libcap writes them: e, i, p bits. */
	first = 1;
	for (flags = 1; flags < 8; flags++) {
		group = 0;
		for (i = 0; i < 64; i++) {
			f = ((perm >> i) & 1) ? 4 : 0;
			f |= ((inh >> i) & 1) ? 2 : 0;
			/* The effective bit raises all of p and i (libcap). */
			if (f != 0 && (magic & CAP_EFFECTIVE))
				f |= 1;
			if (f != flags)
				continue;
			buf_addstr(b, group ? "," : first ? "" : " ");
			if (i < sizeof fileattr_capnames /
			    sizeof fileattr_capnames[0])
				buf_addstr(b, fileattr_capnames[i]);
			else
				buf_printf(b, "cap_%zu", i);
			group = 1;
			first = 0;
		}
		if (group)
			buf_printf(b, "+%s%s%s", (flags & 1) ? "e" : "",
			    (flags & 2) ? "i" : "", (flags & 4) ? "p" : "");
	}
	if (first)
		buf_addstr(b, "=");	/* an empty set: still a record */
	return 0;
}

/* Trees where a dot-name is unusual (a prefix ending in '*' matches any
   directory name that starts with it). */
static const char *const fileattr_unusual[] = {
	"/tmp", "/var/tmp", "/dev/shm", "/dev", "/usr", "/bin", "/sbin",
	"/lib*", "/etc/cron*", "/var/spool"
};

/* Dot-names the system itself makes there. */
static const char *const fileattr_usual[] = {
	"/tmp/.X11-unix", "/tmp/.ICE-unix", "/tmp/.XIM-unix",
	"/tmp/.font-unix", "/tmp/.Test-unix", "/tmp/.X0-lock",
	"/dev/.blkid.tab", "/dev/.udev"
};

/* Whether path lies below the tree t (t may end in '*'). */
static int
fileattr_below(const char *path, const char *t)
{
	size_t	n = strlen(t);

	if (t[n - 1] == '*') {
		if (strncmp(path, t, n - 1) != 0)
			return 0;
		return strchr(path + n - 1, '/') != NULL;
	}
	return strncmp(path, t, n) == 0 && path[n] == '/';
}

int
fileattr_hidden(const char *path)
{
	const char	*name;
	size_t		 i;

	if ((name = strrchr(path, '/')) == NULL)
		name = path;
	else
		name++;
	if (*name == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return 0;
	/* "...", ". ", "  ": made to look like nothing, anywhere. */
	if (name[strspn(name, ". ")] == '\0')
		return 1;
	if (*name != '.')
		return 0;
	for (i = 0; i < sizeof fileattr_usual / sizeof fileattr_usual[0]; i++)
		if (strcmp(path, fileattr_usual[i]) == 0)
			return 0;
	for (i = 0; i < sizeof fileattr_unusual / sizeof fileattr_unusual[0];
	    i++)
		if (fileattr_below(path, fileattr_unusual[i]))
			return 1;
	return 0;
}
