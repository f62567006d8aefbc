/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The "ssh_keys" collector: private keys recorded by presence, never
 * archived (collect_file refuses any file that starts like one). It looks
 * at the regular files of each home's .ssh directory (the homes of
 * passwd and those outside it, as the artefacts expand them) and of
 * /etc/ssh, reads a bounded prefix of each through collect_open, and
 * describes a private key from its clear parts (agent/sshkey.c): type,
 * encryption, bits or curve, the comment of an unencrypted OpenSSH key
 * and the fingerprint of its public half. The bytes read are wiped; the
 * matching .pub files are collected by the LinuxSSHConfig artefact.
 * Records go to live/ssh_keys.jsonl.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "artifacts.h"
#include "collector.h"
#include "live.h"
#include "sshkey.h"
#include "util.h"

#define SSHKEYS_MAX_ENTRIES	256	/* names looked at in one directory */

struct sshkeys_run {
	struct collect_ctx	*ctx;
	size_t			 files, keys, failed;
};

static void
sshkeys_record(struct sshkeys_run *r, const char *path, const char *home,
    const struct stat *st, const struct sshkey_info *k)
{
	json_t	*rec;

	rec = json_pack("{s:o, s:o, s:I, s:s, s:s}", "path",
	    live_json_strz(path), "owner", live_json_strz(
	    collect_user_name(r->ctx, st->st_uid)), "uid",
	    (json_int_t)st->st_uid, "type", k->type, "format", k->format);
	json_object_set_new(rec, "encrypted", k->encrypted < 0 ? json_null() :
	    json_boolean(k->encrypted));
	if (k->bits != 0)
		json_object_set_new(rec, "bits", json_integer(k->bits));
	if (k->curve[0] != '\0')
		json_object_set_new(rec, "curve", json_string(k->curve));
	if (k->comment[0] != '\0')
		json_object_set_new(rec, "comment", json_string(k->comment));
	if (k->fingerprint[0] != '\0')
		json_object_set_new(rec, "fingerprint",
		    json_string(k->fingerprint));
	json_object_set_new(rec, "home", home != NULL ?
	    live_json_strz(home) : json_null());
	json_object_set_new(rec, "mode", json_integer(st->st_mode & 07777));
	json_object_set_new(rec, "size", json_integer(st->st_size));
	json_object_set_new(rec, "mtime", json_integer(st->st_mtime));
	collect_record(r->ctx, "ssh_keys", rec);
}

/* One file: read its start, record it if it is a private key. */
static void
sshkeys_file(struct sshkeys_run *r, const char *path, const char *home)
{
	struct sshkey_info	 k;
	struct stat		 st;
	char			*buf;
	size_t			 len;
	int			 fd;

	if ((fd = collect_open(r->ctx, path, O_RDONLY)) == -1) {
		r->failed++;
		collect_error(r->ctx, path, "cannot open: %s",
		    collect_open_error(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	r->files++;
	buf = util_read_fd(fd, SSHKEY_READ_MAX, &len, NULL);
	close(fd);
	if (buf == NULL) {
		r->failed++;
		collect_error(r->ctx, path, "cannot read: %s",
		    strerror(errno));
		return;
	}
	if (sshkey_parse(buf, len, &k) == 0) {
		r->keys++;
		sshkeys_record(r, path, home, &st, &k);
	}
	sodium_memzero(buf, len);
	free(buf);
}

/* The regular files of dir (not followed, at most SSHKEYS_MAX_ENTRIES). */
static void
sshkeys_dir(struct sshkeys_run *r, const char *dir, const char *home)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		 path[PATH_MAX];
	size_t		 n = 0;
	int		 fd;

	if ((fd = collect_open(r->ctx, dir, O_RDONLY | O_DIRECTORY)) == -1) {
		if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
			collect_error(r->ctx, dir, "cannot open: %s",
			    collect_open_error(errno));
		return;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL && !collect_expired(r->ctx)) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (n++ == SSHKEYS_MAX_ENTRIES) {
			collect_log(r->ctx, LOG_WARN, "%s: more than %d "
			    "entries: the rest not looked at", dir,
			    SSHKEYS_MAX_ENTRIES);
			break;
		}
		/* Public halves and known lists are no private keys. */
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(st.st_mode) ||
		    st.st_size == 0)
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s",
		    strcmp(dir, "/") == 0 ? "" : dir, de->d_name) >=
		    sizeof path)
			continue;
		sshkeys_file(r, path, home);
	}
	closedir(d);
}

static enum collect_result
sshkeys_collect(struct collect_ctx *ctx)
{
	struct sshkeys_run	 r = { ctx, 0, 0, 0 };
	struct artifact_users	 u;
	struct hset		 seen;
	char			 dir[PATH_MAX];
	size_t			 i;

	memset(&seen, 0, sizeof seen);
	sshkeys_dir(&r, "/etc/ssh", NULL);
	artifacts_homes(ctx, 0, &u);
	for (i = 0; i < u.n && !collect_expired(ctx); i++) {
		if (*u.v[i].home != '/' || (size_t)snprintf(dir, sizeof dir,
		    "%s/.ssh", strcmp(u.v[i].home, "/") == 0 ? "" :
		    u.v[i].home) >= sizeof dir)
			continue;
		/* Users sharing a home (/nonexistent, /) are read once. */
		if (hset_add(&seen, dir, strlen(dir)))
			continue;
		sshkeys_dir(&r, dir, u.v[i].home);
	}
	collect_log(ctx, LOG_INFO, "ssh keys: %zu files looked at in "
	    "/etc/ssh and the .ssh of %zu homes; %zu private keys recorded "
	    "(never archived), %zu unreadable", r.files, u.n, r.keys,
	    r.failed);
	hset_free(&seen);
	artifact_users_free(&u);
	return r.failed > 0 ? COLLECT_PARTIAL : COLLECT_OK;
}

const struct collector collector_sshkeys = {
	.name = "ssh_keys",
	.description = "SSH private keys of /etc/ssh and the homes: type, "
	    "encryption, fingerprint (never the key)",
	.flags = 0,
	.run = sshkeys_collect,
};
