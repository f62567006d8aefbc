/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Delivery around the upload: output directory, hand-over to the user
 * behind sudo, free names, the files of an archive sent in order, the
 * advice per failure, and the `send` command. See deliver.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "deliver.h"
#include "i18n.h"
#include "log.h"
#include "upload-resume.h"
#include "util.h"

#define DELIVER_STALE		60	/* seconds unchanged */
#define DELIVER_CLEAN_MAX	100000	/* entries looked at */
#define DELIVER_SMALL_ROOM	4096	/* a .minisig or .pub fits */

#define DELIVER_MAX_SUFFIX	999

int
deliver_owner(uid_t *uid, gid_t *gid)
{
	const char	*su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	long long	 u, g;

	if (geteuid() != 0 || su == NULL || sg == NULL ||
	    util_parse_int(su, 1, 4294967294LL, &u) == -1 ||
	    util_parse_int(sg, 0, 4294967294LL, &g) == -1)
		return 0;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 1;
}

/* A directory just made: mode 0700 whatever the umask, and its owner. */
static void
deliver_made_dir(const char *path)
{
	uid_t	uid;
	gid_t	gid;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	if (fchmod(fd, 0700) == -1)
		log_msg(LOG_WARN, NULL, "chmod %s: %s", path, strerror(errno));
	if (deliver_owner(&uid, &gid) && fchown(fd, uid, gid) == -1)
		log_msg(LOG_WARN, NULL, "chown %s: %s", path, strerror(errno));
	close(fd);
	log_msg(LOG_INFO, NULL, "output directory %s created", path);
}

int
deliver_mkdirs(const char *dir, char *err, size_t errlen)
{
	struct stat	 st;
	char		*s, *p, c;
	int		 rc = 0;

	s = xstrdup(dir);
	for (p = s + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(s, 0700) == 0)
			deliver_made_dir(s);
		else if (errno != EEXIST) {
			snprintf(err, errlen, "output directory %s: cannot "
			    "create %s: %s", dir, s, strerror(errno));
			rc = -1;
		} else if (stat(s, &st) == -1 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "output directory %s: %s is not "
			    "a directory", dir, s);
			rc = -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(s);
	return rc;
}

int
deliver_local_free(const char *dir, const char *name)
{
	static const char *const	 pre[] = { "", ".", "", "", "" };
	static const char *const	 suf[] = { "", ".part", ".part",
					    ".minisig", ".pub" };
	struct stat			 st;
	char				 path[4096];
	size_t				 i;

	for (i = 0; i < nitems(pre); i++) {
		if (snprintf(path, sizeof path, "%s/%s%s%s", dir, pre[i],
		    name, suf[i]) >= (int)sizeof path)
			return 0;
		if (lstat(path, &st) == 0)
			return 0;
	}
	return 1;
}

int
deliver_small_reserve(struct deliver_small *ds, const char *dir,
    const char *name, char *err, size_t errlen)
{
	uid_t	uid;
	gid_t	gid;

	ds->committed = 0;
	ds->tmp = xasprintf("%s/.%s.part", dir, name);
	ds->path = xasprintf("%s/%s", dir, name);
	ds->fd = open(ds->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (ds->fd == -1) {
		snprintf(err, errlen, "cannot create %s: %s", ds->tmp,
		    strerror(errno));
		free(ds->tmp);
		ds->tmp = NULL;
		return -1;
	}
	/* Held while written, as the archive's .part. */
	(void)flock(ds->fd, LOCK_EX | LOCK_NB);
	if (deliver_owner(&uid, &gid) && fchown(ds->fd, uid, gid) == -1)
		log_msg(LOG_WARN, NULL, "cannot give %s to the sudo user: %s",
		    ds->path, strerror(errno));
	if ((errno = posix_fallocate(ds->fd, 0, DELIVER_SMALL_ROOM)) != 0) {
		snprintf(err, errlen, "cannot reserve room for %s: %s",
		    ds->path, strerror(errno));
		return -1;
	}
	return 0;
}

int
deliver_small_write(struct deliver_small *ds, const char *text, char *err,
    size_t errlen)
{
	size_t	len = strlen(text), off = 0;
	ssize_t	n;

	while (off < len) {
		if ((n = pwrite(ds->fd, text + off, len - off, (off_t)off)) ==
		    -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off < len || ftruncate(ds->fd, (off_t)len) == -1 ||
	    fsync(ds->fd) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", ds->path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
deliver_small_commit(struct deliver_small *ds, char *err, size_t errlen)
{
	if (util_rename_noreplace(ds->tmp, ds->path) == -1) {
		snprintf(err, errlen, "cannot rename %s: %s", ds->tmp,
		    strerror(errno));
		return -1;
	}
	ds->committed = 1;
	return 0;
}

void
deliver_small_free(struct deliver_small *ds)
{
	if (ds->tmp != NULL && !ds->committed)
		unlink(ds->tmp);
	if (ds->tmp != NULL && ds->fd != -1)
		close(ds->fd);
	free(ds->tmp);
	free(ds->path);
	memset(ds, 0, sizeof *ds);
	ds->fd = -1;
}

/* Whether name is one of our temporary files: .X.part, X ours. */
static int
deliver_part_name(const char *name)
{
	static const char *const	 ends[] = { ".tar.zst.part",
					    ".tar.zst.age.part",
					    ".minisig.part", ".pub.part" };
	size_t				 i, n = strlen(name), e;

	if (name[0] != '.')
		return 0;
	for (i = 0; i < nitems(ends); i++)
		if (n > (e = strlen(ends[i])) + 1 &&
		    strcmp(name + n - e, ends[i]) == 0)
			return 1;
	return 0;
}

/*
 * Remove dfd's entry name if it is a regular file that no process holds
 * (a run holds its .part locked while it writes it) and that has not
 * changed for DELIVER_STALE seconds (so one being created is left). 1
 * removed, 0 not.
 */
static int
deliver_clean_one(int dfd, const char *name, time_t now)
{
	struct stat	st, again;
	int		fd, rc = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    now - st.st_mtime > DELIVER_STALE &&
	    flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    fstatat(dfd, name, &again, AT_SYMLINK_NOFOLLOW) == 0 &&
	    again.st_dev == st.st_dev && again.st_ino == st.st_ino &&
	    unlinkat(dfd, name, 0) == 0)
		rc = 1;
	close(fd);
	return rc;
}

int
deliver_clean_parts(const char *dir)
{
	struct dirent	*de;
	DIR		*d;
	time_t		 now = time(NULL);
	int		 dfd, n = 0, seen = 0;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return 0;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL && seen++ < DELIVER_CLEAN_MAX)
		if (deliver_part_name(de->d_name) &&
		    deliver_clean_one(dirfd(d), de->d_name, now)) {
			log_msg(LOG_INFO, NULL, "removed %s/%s: the partial "
			    "archive of a run stopped before its end", dir,
			    de->d_name);
			n++;
		}
	closedir(d);
	return n;
}

char *
deliver_free_name(struct upload *u, const char *dir, const char *name,
    char *err, size_t errlen)
{
	unsigned int	 n;
	char		*c;
	int		 rc;

	for (n = 1; n <= DELIVER_MAX_SUFFIX; n++) {
		c = util_name_suffix(name, n);
		if (dir != NULL && !deliver_local_free(dir, c)) {
			free(c);
			continue;
		}
		if ((rc = upload_name_free(u, c, err, errlen)) == 1)
			return c;
		free(c);
		if (rc == -1)
			return NULL;
	}
	snprintf(err, errlen, "no free name for %s on %s (up to _%u)", name,
	    upload_url(u), DELIVER_MAX_SUFFIX);
	return NULL;
}

int
deliver_files(struct upload *u, const char *path, const char *rname,
    char *err, size_t errlen)
{
	struct upload_resume	*state;
	struct stat		 st;
	char			*pub, *sig, *rpub, *rsig;
	int			 rc = -1;

	/* Its token names the .part files, to resume them across runs. */
	if ((state = upload_resume_open(path, 1)) != NULL)
		upload_resume_set_name(state, rname);
	upload_set_state(u, state);
	pub = xasprintf("%s.pub", path);
	sig = xasprintf("%s.minisig", path);
	rpub = xasprintf("%s.pub", rname);
	rsig = xasprintf("%s.minisig", rname);
	if (lstat(pub, &st) == 0 && upload_file(u, pub, rpub, err,
	    errlen) == -1)
		goto done;
	log_msg(LOG_INFO, "upload", "uploading %s to %s/%s", path,
	    upload_url(u), rname);
	if (upload_file(u, path, rname, err, errlen) == -1 ||
	    upload_file(u, sig, rsig, err, errlen) == -1)
		goto done;
	if (state != NULL)
		upload_resume_finish(state);
	rc = 0;
done:
	upload_set_state(u, NULL);
	upload_resume_free(state);
	free(pub);
	free(sig);
	free(rpub);
	free(rsig);
	return rc;
}

int
deliver_drop_local(const char *path)
{
	static const char *const	 sfx[] = { "", ".minisig", ".pub" };
	char				*p;
	size_t				 i;
	int				 rc = 0;

	for (i = 0; i < nitems(sfx); i++) {
		p = xasprintf("%s%s", path, sfx[i]);
		if (unlink(p) == 0)
			log_msg(LOG_INFO, "upload", "local copy %s removed "
			    "(keep_local = no)", p);
		else if (errno != ENOENT) {
			log_msg(LOG_WARN, "upload", "cannot remove %s: %s", p,
			    strerror(errno));
			rc = -1;
		}
		free(p);
	}
	return rc;
}

/* The first line of advice: what happened, in plain words. */
static void
deliver_advice_what(struct upload *u)
{
	switch (upload_failure(u)) {
	case UPLOAD_FAIL_HOSTKEY:
		fprintf(stderr, i18n("WARNING: the drop box %s did not show "
		    "the expected host key: the connection may be intercepted."
		    "\nDo not retry. Call the CSIRT and read them the "
		    "fingerprint seen: %s\n"), upload_url(u),
		    upload_seen_key(u));
		break;
	case UPLOAD_FAIL_AUTH:
		fprintf(stderr, i18n("The drop box %s refused this kit's key: "
		    "call the CSIRT, they must accept it.\n"), upload_url(u));
		break;
	case UPLOAD_FAIL_NETWORK:
		fprintf(stderr, i18n("The drop box %s cannot be reached "
		    "(network, name resolution or a blocked port).\n"),
		    upload_url(u));
		break;
	case UPLOAD_FAIL_STALLED:
		fprintf(stderr, i18n("The drop box %s stopped answering for "
		    "%lld seconds (a stalled network or server): the upload "
		    "was given up.\n"), upload_url(u), upload_timeout(u));
		break;
	case UPLOAD_FAIL_DENIED:
		fprintf(stderr, i18n("The drop box %s refused to let this kit "
		    "write (permission denied): call the CSIRT.\n"),
		    upload_url(u));
		break;
	case UPLOAD_FAIL_FULL:
		fprintf(stderr, i18n("The drop box %s is full: call the CSIRT "
		    "so they make room.\n"), upload_url(u));
		break;
	case UPLOAD_FAIL_EXISTS:
		fprintf(stderr, i18n("A file of the same name is already on "
		    "the drop box %s: nothing was replaced.\n"), upload_url(u));
		break;
	default:
		break;
	}
}

void
deliver_advice(struct upload *u, const char *kept, int collected)
{
	deliver_advice_what(u);
	if (!collected || (kept == NULL &&
	    upload_failure(u) == UPLOAD_FAIL_HOSTKEY))
		return;
	if (kept == NULL) {
		fputs(i18n("Nothing was kept on this host (--stream): run the "
		    "collection again when the drop box can be reached.\n"),
		    stderr);
		return;
	}
	fprintf(stderr, i18n("The archive is kept here: %s\n"), kept);
	if (upload_failure(u) == UPLOAD_FAIL_HOSTKEY)
		fputs(i18n("Keep it until the CSIRT says how to send it.\n"),
		    stderr);
	else if (upload_failure(u) == UPLOAD_FAIL_NETWORK ||
	    upload_failure(u) == UPLOAD_FAIL_STALLED)
		fprintf(stderr, i18n("When the network works, run: %s send "
		    "%s\n"), program_invocation_name, kept);
	else
		fprintf(stderr, i18n("To send it later, run: %s send %s\n"),
		    program_invocation_name, kept);
}

void
deliver_advice_disk(const char *dir)
{
	fprintf(stderr, i18n("The disk holding %s is full. Free some space, "
	    "or run again with --output on another disk (a USB drive), or "
	    "with --stream to send while collecting.\n"), dir);
}

/*
 * The remote name an earlier attempt to send path chose (its upload
 * state says), to continue under it; NULL for none. Caller frees.
 */
static char *
deliver_earlier_name(const char *path)
{
	struct upload_resume	*state;
	char			*name = NULL;

	if ((state = upload_resume_open(path, 0)) == NULL)
		return NULL;
	if (upload_resume_name(state) != NULL) {
		name = xstrdup(upload_resume_name(state));
		log_msg(LOG_INFO, "upload", "continuing an earlier attempt "
		    "to send %s, as %s", path, name);
	}
	upload_resume_free(state);
	return name;
}

/* The signature (and the archive) must be there: exit 2 otherwise. */
static int
deliver_send_check(const char *path)
{
	struct stat	 st;
	char		*sig;
	int		 rc = 0;

	sig = xasprintf("%s.minisig", path);
	if (stat(path, &st) == -1) {
		fprintf(stderr, "%s: %s: %s\n", AGENT_NAME, path,
		    strerror(errno));
		rc = -1;
	} else if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s: not a regular file\n", AGENT_NAME,
		    path);
		rc = -1;
	} else if (lstat(sig, &st) == -1) {
		fprintf(stderr, i18n("%s: %s: %s; an archive is never sent "
		    "without its signature\n"), AGENT_NAME, sig,
		    strerror(errno));
		rc = -1;
	}
	free(sig);
	return rc;
}

int
deliver_send(struct config *cfg, const char *path)
{
	struct upload	*u;
	const char	*base;
	char		 err[1024], *rname = NULL;
	int		 rc = EXIT_UPLOAD;

	if (deliver_send_check(path) == -1)
		return EXIT_USAGE;
	if (cfg->upload_url == NULL) {
		fprintf(stderr, "%s: send needs an upload target (--upload "
		    "sftp://USER@HOST/DIR or [upload] url)\n", AGENT_NAME);
		return EXIT_USAGE;
	}
	if ((u = upload_new(cfg, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s: %s\n", AGENT_NAME, err);
		return EXIT_USAGE;
	}
	/* An earlier attempt's .part is continued, not started again. */
	upload_set_resume(u, 1);
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if ((rname = deliver_earlier_name(path)) == NULL)
		rname = deliver_free_name(u, NULL, base, err, sizeof err);
	if (rname == NULL || deliver_files(u, path, rname, err,
	    sizeof err) == -1) {
		log_msg(LOG_ERROR, "upload", "%s", err);
		fprintf(stderr, i18n("FAILED: the upload did not complete: "
		    "%s\n"), err);
		deliver_advice(u, path, 1);
		goto done;
	}
	log_progress_done();
	fprintf(stderr, i18n("  sent to    %s/%s\n"), upload_url(u), rname);
	if (!cfg->keep_local)
		deliver_drop_local(path);
	rc = EXIT_DONE;
done:
	free(rname);
	upload_free(u);
	return rc;
}
