/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * containers: the containers of the host found from the runtimes'
 * on-disk state, never through their CLIs or sockets (live/containers.jsonl):
 * docker (containers/ID/config.v2.json, hostconfig.json), podman
 * (containers.json, root and rootless), LXC (/var/lib/lxc/NAME/config),
 * containerd's live task specs (OCI config.json), the overlay mounts of
 * mountinfo, and the processes mapped to each container from their
 * cgroup (procfd_container). Each container's writable layer (the
 * overlay upperdir) is walked (agent/walk.c): containers/ID/
 * upperdir.bodyfile, a file-level `docker diff` in containers/ID/
 * diff.jsonl (A added, C changed: in a lower layer too, D deleted: a
 * whiteout) and a capped copy under containers/ID/upper/. Live parts
 * (tasks, mountinfo, processes) are skipped with --root.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "artifacts.h"
#include "collector.h"
#include "containers.h"
#include "live.h"
#include "os.h"
#include "procfd.h"
#include "util.h"
#include "walk.h"

#define CONT_MAX		1024		/* containers */
#define CONT_MAX_PIDS		4096		/* pids per container */
#define CONT_MAX_PROCS		(1 << 22)	/* /proc entries looked at */
#define CONT_CGROUP_MAX		(64 * 1024)
#define CONT_MOUNTINFO_MAX	(8 * 1024 * 1024)
#define CONT_MAX_HOMES		4096
#define CONT_FLUSH		(64 * 1024)
#define CONT_MAX_ENTRIES	500000		/* entries walked per layer */
#define CONT_STATX_MASK		(STATX_BASIC_STATS | STATX_BTIME)
#define CONT_TASKS		"/run/containerd/io.containerd.runtime.v2.task"

struct cont {
	json_t	*rec;		/* owned */
	char	*id;
	char	*upper;		/* inside the root; NULL: none known */
	char	**lower;	/* NULL-terminated, or NULL */
	json_t	*pids;
};

struct containers {
	struct collect_ctx	*ctx;
	struct cont		*v;
	size_t			 n;
	uint64_t		 per, total, maxfiles, copied;
	int			 partial;
	int			 full_logged;
};

/* One writable layer being walked. */
struct cont_walk {
	struct containers	*c;
	struct cont		*k;
	struct collect_stream	*body, *diff;
	struct buf		 bl, dl;
	size_t			 toplen;
	uint64_t		 files, bytes, entries;
	uint64_t		 added, changed, deleted, notcopied;
	int			 cut, stopped;
};

/*
 * A small regular file inside the root (collect_open: never a FIFO, no
 * link followed); NULL with errno (ENOENT: absent). A successful close
 * leaves errno alone.
 */
static char *
cont_read(struct collect_ctx *ctx, const char *path, size_t max,
    size_t *lenp, int *truncp)
{
	char	*data = NULL;
	int	 fd;

	if ((fd = collect_open(ctx, path, O_RDONLY)) != -1) {
		data = util_read_fd(fd, max, lenp, truncp);
		close(fd);
	}
	return data;
}

static struct cont *
cont_find(struct containers *c, const char *id)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].id, id) == 0)
			return &c->v[i];
	return NULL;
}

/* Add rec (owned; its "id" set), or merge it into the one of that id. */
static struct cont *
cont_add(struct containers *c, json_t *rec, const char *source)
{
	struct cont	*k;
	const char	*id = json_string_value(json_object_get(rec, "id"));

	if (id == NULL || (k = cont_find(c, id)) != NULL) {
		if (id != NULL)
			json_object_update_missing(k->rec, rec);
		json_decref(rec);
		return id == NULL ? NULL : k;
	}
	if (c->n >= CONT_MAX) {
		if (!c->full_logged)
			collect_log(c->ctx, LOG_WARN, "more than %d containers: "
			    "the rest left out", CONT_MAX);
		c->full_logged = 1;
		json_decref(rec);
		return NULL;
	}
	c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
	k = &c->v[c->n++];
	memset(k, 0, sizeof *k);
	k->rec = rec;
	k->id = xstrdup(id);
	k->pids = json_array();
	json_object_set_new(rec, "source", live_json_strz(source));
	return k;
}

/* The entries of directory path (safe names only), at most CONT_MAX. */
static char **
cont_list(struct containers *c, const char *path)
{
	struct dirent	 *de;
	DIR		 *d;
	char		**v = xcalloc(1, sizeof *v);
	size_t		  n = 0, seen = 0;
	int		  fd;

	if ((fd = collect_open(c->ctx, path, O_RDONLY | O_DIRECTORY)) == -1) {
		if (errno != ENOENT && errno != ENOTDIR)
			collect_error(c->ctx, path, "containers: %s",
			    strerror(errno));
		return v;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return v;
	}
	/* Names that are not ids are skipped, and counted in the bound. */
	while ((de = readdir(d)) != NULL && n < CONT_MAX &&
	    seen++ < 16 * CONT_MAX)
		if (containers_safe_id(de->d_name)) {
			v = xreallocarray(v, n + 2, sizeof *v);
			v[n++] = xstrdup(de->d_name);
			v[n] = NULL;
		}
	closedir(d);
	return v;
}

/*
 * An overlay2-style layer store (docker's overlay2, podman's overlay):
 * k's upper is dir/layer/diff, its lowers the diff directories named by
 * dir/layer/lower through the links of dir/l (read, never followed).
 */
static void
cont_layer(struct containers *c, struct cont *k, const char *dir,
    const char *layer)
{
	char	*path, *buf, **links, *id, target[512];
	size_t	 len, i, n = 0;
	ssize_t	 tl;
	int	 lfd;

	free(k->upper);
	k->upper = xasprintf("%s/%s/diff", dir, layer);
	containers_strv_free(k->lower);
	k->lower = xcalloc(1, sizeof *k->lower);
	path = xasprintf("%s/%s/lower", dir, layer);
	buf = cont_read(c->ctx, path, 64 * 1024, &len, NULL);
	free(path);
	if (buf == NULL)
		return;		/* a base layer has no lower file */
	links = containers_lower_links(buf, len);
	free(buf);
	path = xasprintf("%s/l", dir);
	lfd = collect_open(c->ctx, path, O_RDONLY | O_DIRECTORY);
	for (i = 0; lfd != -1 && links[i] != NULL; i++) {
		if ((tl = readlinkat(lfd, links[i], target,
		    sizeof target - 1)) <= 0)
			continue;
		target[tl] = '\0';
		if ((id = containers_link_layer(target)) == NULL) {
			collect_error(c->ctx, path, "containers: link %s: "
			    "unexpected target, not used", links[i]);
			continue;
		}
		k->lower = xreallocarray(k->lower, n + 2, sizeof *k->lower);
		k->lower[n++] = xasprintf("%s/%s/diff", dir, id);
		k->lower[n] = NULL;
		free(id);
	}
	if (lfd != -1)
		close(lfd);
	free(path);
	containers_strv_free(links);
}

/* Docker's data root: daemon.json's data-root, else /var/lib/docker. */
static char *
cont_docker_root(struct containers *c)
{
	json_t		*j;
	const char	*r;
	char		*buf, *out = NULL;
	size_t		 len;

	if ((buf = cont_read(c->ctx, "/etc/docker/daemon.json", 1 << 20,
	    &len, NULL)) != NULL) {
		if ((j = json_loadb(buf, len, 0, NULL)) != NULL &&
		    ((r = json_string_value(json_object_get(j, "data-root"))) !=
		    NULL || (r = json_string_value(json_object_get(j,
		    "graph"))) != NULL) && r[0] == '/' && strstr(r, "..") ==
		    NULL && strlen(r) < 1024)
			out = xstrdup(r);
		json_decref(j);
		free(buf);
	}
	return out != NULL ? out : xstrdup("/var/lib/docker");
}

static void
cont_docker_one(struct containers *c, const char *root, const char *id)
{
	struct cont	*k;
	json_t		*rec;
	const char	*drv;
	char		*path, *buf, *mid;
	size_t		 len;
	int		 trunc = 0;

	path = xasprintf("%s/containers/%s/config.v2.json", root, id);
	if ((buf = cont_read(c->ctx, path, CONTAINERS_MAX_JSON, &len,
	    &trunc)) == NULL) {
		if (errno != ENOENT)
			collect_error(c->ctx, path, "containers: %s",
			    strerror(errno));
		free(path);
		return;
	}
	rec = trunc ? NULL : containers_docker_config(buf, len);
	free(buf);
	if (rec == NULL) {
		collect_error(c->ctx, path, "containers: not a docker "
		    "container configuration (malformed, truncated or over "
		    "%d bytes)", CONTAINERS_MAX_JSON);
		c->partial = 1;
		free(path);
		return;
	}
	if ((k = cont_add(c, rec, path)) == NULL) {
		free(path);
		return;
	}
	free(path);
	path = xasprintf("%s/containers/%s/hostconfig.json", root, id);
	if ((buf = cont_read(c->ctx, path, CONTAINERS_MAX_JSON, &len,
	    NULL)) != NULL && containers_docker_hostconfig(k->rec, buf,
	    len) != 0)
		collect_error(c->ctx, path, "containers: malformed JSON");
	free(buf);
	free(path);
	/* The writable layer: layerdb/mounts/ID/mount-id names it. */
	drv = json_string_value(json_object_get(k->rec, "driver"));
	if (drv == NULL || !containers_safe_id(drv))
		return;
	path = xasprintf("%s/image/%s/layerdb/mounts/%s/mount-id", root, drv,
	    k->id);
	buf = cont_read(c->ctx, path, 256, &len, NULL);
	free(path);
	if (buf == NULL)
		return;
	mid = xstrndup(buf, strcspn(buf, "\n"));
	free(buf);
	if (containers_safe_id(mid)) {
		path = xasprintf("%s/%s", root, drv);
		cont_layer(c, k, path, mid);
		free(path);
	}
	free(mid);
}

static void
cont_docker(struct containers *c)
{
	char	*root, *dir, **ids;
	size_t	 i;

	root = cont_docker_root(c);
	dir = xasprintf("%s/containers", root);
	ids = cont_list(c, dir);
	for (i = 0; ids[i] != NULL && !collect_expired(c->ctx); i++)
		cont_docker_one(c, root, ids[i]);
	if (ids[0] == NULL)
		collect_log(c->ctx, LOG_INFO, "%s: no docker container", dir);
	containers_strv_free(ids);
	free(dir);
	free(root);
}

/* One podman (containers/storage) store: its containers.json. */
static void
cont_podman(struct containers *c, const char *storage)
{
	struct cont	*k;
	json_t		*list, *rec;
	const char	*layer;
	char		*path, *buf, *dir;
	size_t		 len, i;
	int		 trunc = 0;

	path = xasprintf("%s/overlay-containers/containers.json", storage);
	if ((buf = cont_read(c->ctx, path, CONTAINERS_MAX_JSON, &len,
	    &trunc)) == NULL) {
		if (errno != ENOENT && errno != ENOTDIR)
			collect_error(c->ctx, path, "containers: %s",
			    strerror(errno));
		free(path);
		return;
	}
	if (trunc || (list = containers_podman_list(buf, len)) == NULL) {
		collect_error(c->ctx, path, "containers: not a podman "
		    "container list (malformed, truncated or too large)");
		c->partial = 1;
		free(buf);
		free(path);
		return;
	}
	free(buf);
	dir = xasprintf("%s/overlay", storage);
	json_array_foreach(list, i, rec) {
		json_incref(rec);
		if ((k = cont_add(c, rec, path)) == NULL)
			continue;
		if ((layer = json_string_value(json_object_get(k->rec,
		    "layer"))) != NULL)
			cont_layer(c, k, dir, layer);
	}
	json_decref(list);
	free(dir);
	free(path);
}

/* Rootful podman, and rootless stores in /root and each /home entry. */
static void
cont_podman_all(struct containers *c)
{
	char	**homes, *s;
	size_t	  i;

	cont_podman(c, "/var/lib/containers/storage");
	cont_podman(c, "/root/.local/share/containers/storage");
	homes = cont_list(c, "/home");
	for (i = 0; homes[i] != NULL && i < CONT_MAX_HOMES; i++) {
		s = xasprintf("/home/%s/.local/share/containers/storage",
		    homes[i]);
		cont_podman(c, s);
		free(s);
	}
	containers_strv_free(homes);
}

static void
cont_lxc(struct containers *c)
{
	char	**names, *path, *buf;
	size_t	  i, len;

	names = cont_list(c, "/var/lib/lxc");
	for (i = 0; names[i] != NULL; i++) {
		path = xasprintf("/var/lib/lxc/%s/config", names[i]);
		if ((buf = cont_read(c->ctx, path, 1 << 20, &len, NULL)) !=
		    NULL)
			cont_add(c, containers_lxc_config(names[i], buf, len),
			    path);
		else if (errno != ENOENT)
			collect_error(c->ctx, path, "containers: %s",
			    strerror(errno));
		free(buf);
		free(path);
	}
	containers_strv_free(names);
}

/* containerd's running tasks: NAMESPACE/ID/config.json (OCI spec). */
static void
cont_containerd(struct containers *c)
{
	json_t		*rec;
	char		**nss, **ids, *dir, *path, *buf;
	size_t		  i, j, len;

	nss = cont_list(c, CONT_TASKS);
	for (i = 0; nss[i] != NULL; i++) {
		dir = xasprintf("%s/%s", CONT_TASKS, nss[i]);
		ids = cont_list(c, dir);
		for (j = 0; ids[j] != NULL; j++) {
			path = xasprintf("%s/%s/config.json", dir, ids[j]);
			rec = json_object();
			json_object_set_new(rec, "runtime",
			    json_string("containerd"));
			json_object_set_new(rec, "id", json_string(ids[j]));
			json_object_set_new(rec, "namespace",
			    json_string(nss[i]));
			if ((buf = cont_read(c->ctx, path, CONTAINERS_MAX_JSON,
			    &len, NULL)) != NULL && containers_oci_spec(rec,
			    buf, len) != 0)
				collect_error(c->ctx, path, "containers: "
				    "malformed OCI spec");
			free(buf);
			cont_add(c, rec, path);
			free(path);
		}
		containers_strv_free(ids);
		free(dir);
	}
	containers_strv_free(nss);
}

/* A mount point ".../task/NS/ID/rootfs": the containerd task's id. */
static const char *
cont_task_id(const char *mp, char *id, size_t size)
{
	const char	*p, *e;

	if (strncmp(mp, CONT_TASKS "/", sizeof CONT_TASKS) != 0)
		return NULL;
	if ((p = strchr(mp + sizeof CONT_TASKS, '/')) == NULL ||
	    (e = strchr(p + 1, '/')) == NULL || strcmp(e, "/rootfs") != 0 ||
	    (size_t)(e - p - 1) >= size)
		return NULL;
	snprintf(id, size, "%.*s", (int)(e - p - 1), p + 1);
	return containers_safe_id(id) ? id : NULL;
}

/* One overlay mount: the container it belongs to gets its layers. */
static void
cont_overlay(struct containers *c, const struct live_mount *m)
{
	struct cont	*k = NULL;
	json_t		*rec;
	char		*upper, **lower, id[160];
	size_t		 i;

	if (containers_overlay_options(m->super_options, &upper, &lower) !=
	    0) {
		containers_strv_free(lower);
		return;		/* read-only overlay: nothing written */
	}
	for (i = 0; i < c->n && k == NULL; i++)
		if (c->v[i].upper != NULL && strcmp(c->v[i].upper, upper) == 0)
			k = &c->v[i];
	if (k == NULL && cont_task_id(m->mount_point, id, sizeof id) != NULL)
		k = cont_find(c, id);
	if (k == NULL) {
		snprintf(id, sizeof id, "overlay-%lld", m->mount_id);
		rec = json_object();
		json_object_set_new(rec, "runtime", json_string("overlay"));
		json_object_set_new(rec, "id", json_string(id));
		k = cont_add(c, rec, "/proc/self/mountinfo");
	}
	if (k == NULL || (k->lower != NULL && k->lower[0] != NULL)) {
		free(upper);
		containers_strv_free(lower);
		if (k != NULL)
			json_object_set_new(k->rec, "mount_point",
			    live_json_strz(m->mount_point));
		return;
	}
	json_object_set_new(k->rec, "mount_point",
	    live_json_strz(m->mount_point));
	free(k->upper);
	k->upper = upper;
	containers_strv_free(k->lower);
	k->lower = lower;
}

static void
cont_mountinfo(struct containers *c)
{
	struct live_mount	 m;
	char			*buf, *line;
	size_t			 len, pos = 0;
	int			 trunc = 0;

	if ((buf = live_read_at(AT_FDCWD, "/proc/self/mountinfo",
	    CONT_MOUNTINFO_MAX, &len, &trunc)) == NULL) {
		collect_error(c->ctx, "/proc/self/mountinfo", "containers: %s",
		    strerror(errno));
		return;
	}
	if (trunc)
		collect_log(c->ctx, LOG_WARN, "mountinfo over %d bytes: "
		    "overlay mounts past it not seen", CONT_MOUNTINFO_MAX);
	while ((line = live_next_line(buf, len, &pos)) != NULL)
		if (live_parse_mountinfo_line(line, &m) == 0 &&
		    strcmp(m.fstype, "overlay") == 0)
			cont_overlay(c, &m);
	free(buf);
}

/* Every process's cgroup: the container it runs in gets its pid. */
static void
cont_pids(struct containers *c)
{
	struct dirent	*de;
	struct cont	*k;
	const char	*rt;
	json_t		*rec;
	DIR		*d;
	char		*buf, path[64], id[256];
	size_t		 len, seen = 0;
	int		 procfd;

	if ((procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || (d = fdopendir(procfd)) == NULL) {
		if (procfd != -1)
			close(procfd);
		collect_error(c->ctx, "/proc", "containers: %s",
		    strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL && seen++ < CONT_MAX_PROCS &&
	    !collect_expired(c->ctx)) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (strlen(de->d_name) > 20)
			continue;
		snprintf(path, sizeof path, "%.20s/cgroup", de->d_name);
		if ((buf = live_read_at(dirfd(d), path, CONT_CGROUP_MAX, &len,
		    NULL)) == NULL)
			continue;	/* gone since listed */
		rt = procfd_container(buf, len, id, sizeof id);
		free(buf);
		if (rt == NULL)
			continue;
		if ((k = cont_find(c, id)) == NULL) {
			rec = json_object();
			json_object_set_new(rec, "runtime", json_string(rt));
			json_object_set_new(rec, "id", live_json_strz(id));
			k = cont_add(c, rec, "cgroup");
		}
		if (k != NULL && json_array_size(k->pids) < CONT_MAX_PIDS)
			json_array_append_new(k->pids,
			    json_integer(strtoll(de->d_name, NULL, 10)));
	}
	closedir(d);
}

static void
cont_walk_flush(struct cont_walk *w)
{
	if (w->bl.len > 0 && w->body != NULL &&
	    collect_stream_write(w->body, w->bl.data, w->bl.len) != 0)
		w->stopped = 1;
	if (w->dl.len > 0 && w->diff != NULL &&
	    collect_stream_write(w->diff, w->dl.data, w->dl.len) != 0)
		w->stopped = 1;
	w->bl.len = w->dl.len = 0;
}

/* Whether rel (from the layer's top, "/…") is in a lower layer. */
static int
cont_in_lower(struct cont_walk *w, const char *rel)
{
	char	*path;
	size_t	 i;
	int	 fd, found = 0;

	for (i = 0; w->k->lower != NULL && w->k->lower[i] != NULL && !found;
	    i++) {
		path = xasprintf("%s%s", w->k->lower[i], rel);
		if ((fd = collect_open(w->c->ctx, path, O_PATH)) != -1) {
			close(fd);
			found = 1;
		} else if (errno != ENOENT && errno != ENOTDIR)
			found = 1;	/* there, but a link or unreadable */
		free(path);
	}
	return found;
}

/* Copy a regular file of the layer, within the caps; 1 when copied. */
static int
cont_copy(struct cont_walk *w, const struct walk_entry *e, const char *rel,
    unsigned char *sha)
{
	struct containers	*c = w->c;
	uint64_t		 size = (uint64_t)e->st->st_size;
	char			*apath;
	int			 fd, rc;

	if (w->cut || w->files >= c->maxfiles || w->bytes + size > c->per ||
	    c->copied + size > c->total) {
		if (!w->cut)
			collect_log(c->ctx, LOG_WARN, "container %s: copy of "
			    "its writable layer cut at %s (caps: %llu files, "
			    "%llu bytes per container, %llu in all)", w->k->id,
			    rel, (unsigned long long)c->maxfiles,
			    (unsigned long long)c->per,
			    (unsigned long long)c->total);
		w->cut = 1;
		return 0;
	}
	if (collect_excluded(c->ctx, e->path, e->st) ||
	    (fd = os_openat(e->dfd, e->name, O_RDONLY)) == -1)
		return 0;
	apath = xasprintf("containers/%s/upper%s", w->k->id, rel);
	rc = collect_file_fd(c->ctx, fd, e->path, apath, sha);
	close(fd);
	free(apath);
	if (rc != 0)
		return 0;
	w->files++;
	w->bytes += size;
	c->copied += size;
	return 1;
}

static const char *
cont_type(mode_t m)
{
	return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ?
	    "symlink" : S_ISCHR(m) ? "char" : S_ISBLK(m) ? "block" :
	    S_ISFIFO(m) ? "fifo" : S_ISSOCK(m) ? "socket" : "unknown";
}

/* One entry of a writable layer: bodyfile line, diff record, copy. */
static int
cont_walk_entry(void *arg, const struct walk_entry *e)
{
	struct cont_walk	*w = arg;
	const char		*rel = e->path + w->toplen, *change;
	unsigned char		 sha[32];
	char			 hex[65], target[4096];
	json_t			*d;
	char			*s, *gone = NULL;
	ssize_t			 n;

	if (++w->entries > CONT_MAX_ENTRIES) {
		collect_log(w->c->ctx, LOG_WARN, "container %s: writable layer "
		    "over %d entries: the walk stopped", w->k->id,
		    CONT_MAX_ENTRIES);
		w->entries--;
		w->stopped = 1;
		return WALK_STOP;
	}
	timeline_line(&w->bl, rel, e->stx);
	d = json_object();
	/*
	 * A whiteout, a 0/0 character device, hides a lower file; so does
	 * an empty ".wh.NAME" file in the layer format of image tarballs
	 * (a tree copied from one); ".wh..wh..opq" is not a deletion.
	 */
	if (S_ISCHR(e->st->st_mode) && e->st->st_rdev == makedev(0, 0)) {
		change = "D";
		w->deleted++;
	} else if (S_ISREG(e->st->st_mode) && strncmp(e->name, ".wh.", 4) ==
	    0 && e->name[4] != '\0' && strcmp(e->name, ".wh..wh..opq") != 0) {
		gone = xasprintf("%.*s%s", (int)(strlen(rel) -
		    strlen(e->name)), rel, e->name + 4);
		change = "D";
		w->deleted++;
	} else if (cont_in_lower(w, rel)) {
		change = "C";
		w->changed++;
	} else {
		change = "A";
		w->added++;
	}
	json_object_set_new(d, "change", json_string(change));
	json_object_set_new(d, "path", live_json_strz(gone != NULL ? gone :
	    rel));
	free(gone);
	json_object_set_new(d, "type", json_string(*change == 'D' ?
	    "whiteout" : cont_type(e->st->st_mode)));
	json_object_set_new(d, "size", json_integer(e->st->st_size));
	json_object_set_new(d, "mtime", json_integer(e->st->st_mtime));
	json_object_set_new(d, "uid", json_integer(e->st->st_uid));
	json_object_set_new(d, "mode", json_integer(e->st->st_mode & 07777));
	if (S_ISLNK(e->st->st_mode) && (n = readlinkat(e->dfd, e->name,
	    target, sizeof target - 1)) >= 0) {
		target[n] = '\0';
		json_object_set_new(d, "link_target", live_json_strz(target));
	}
	if (S_ISREG(e->st->st_mode) && *change != 'D') {
		if (cont_copy(w, e, rel, sha)) {
			util_hex(hex, sha, sizeof sha);
			json_object_set_new(d, "copied", json_true());
			json_object_set_new(d, "sha256", json_string(hex));
		} else {
			json_object_set_new(d, "copied", json_false());
			w->notcopied++;
		}
	}
	if ((s = json_dumps(d, JSON_COMPACT)) != NULL) {
		buf_addstr(&w->dl, s);
		buf_addstr(&w->dl, "\n");
		free(s);
	}
	json_decref(d);
	if (w->bl.len + w->dl.len >= CONT_FLUSH)
		cont_walk_flush(w);
	return w->stopped ? WALK_STOP : WALK_NEXT;
}

static int
cont_walk_stop(void *arg)
{
	struct cont_walk	*w = arg;

	return w->stopped || collect_expired(w->c->ctx);
}

static struct collect_stream *
cont_stream(struct containers *c, const char *id, const char *name)
{
	struct collect_stream	*s;
	char			*apath;

	apath = xasprintf("containers/%s/%s", id, name);
	s = collect_stream_open(c->ctx, apath);
	free(apath);
	return s;
}

/* Walk k's writable layer; its counts go into the record. */
static void
cont_upper(struct containers *c, struct cont *k)
{
	struct cont_walk	 w;
	struct walk		 wk;
	json_t			*low;
	size_t			 i;
	int			 fd, rc;

	low = json_array();
	for (i = 0; k->lower != NULL && k->lower[i] != NULL; i++)
		json_array_append_new(low, live_json_strz(k->lower[i]));
	json_object_set_new(k->rec, "lowerdir", low);
	if ((fd = collect_open(c->ctx, k->upper, O_RDONLY | O_DIRECTORY)) ==
	    -1) {
		collect_log(c->ctx, LOG_INFO, "container %s: writable layer "
		    "%s not read: %s", k->id, k->upper, strerror(errno));
		return;
	}
	memset(&w, 0, sizeof w);
	memset(&wk, 0, sizeof wk);
	w.c = c;
	w.k = k;
	w.toplen = strlen(k->upper);
	w.body = cont_stream(c, k->id, "upperdir.bodyfile");
	w.diff = cont_stream(c, k->id, "diff.jsonl");
	wk.entry = cont_walk_entry;
	wk.stop = cont_walk_stop;
	wk.arg = &w;
	rc = walk_tree(&wk, fd, k->upper);
	cont_walk_flush(&w);
	if (w.body != NULL && collect_stream_close(w.body) != 0)
		c->partial = 1;
	if (w.diff != NULL && collect_stream_close(w.diff) != 0)
		c->partial = 1;
	if (rc != 0 || w.stopped)
		c->partial = 1;
	buf_free(&w.bl);
	buf_free(&w.dl);
	json_object_set_new(k->rec, "upper_entries", json_integer(w.entries));
	json_object_set_new(k->rec, "diff_added", json_integer(w.added));
	json_object_set_new(k->rec, "diff_changed", json_integer(w.changed));
	json_object_set_new(k->rec, "diff_deleted", json_integer(w.deleted));
	json_object_set_new(k->rec, "upper_files_copied",
	    json_integer(w.files));
	json_object_set_new(k->rec, "upper_bytes_copied",
	    json_integer(w.bytes));
	json_object_set_new(k->rec, "upper_not_copied",
	    json_integer(w.notcopied));
	json_object_set_new(k->rec, "upper_truncated", json_boolean(w.cut ||
	    w.stopped || rc == -1));
	collect_log(c->ctx, LOG_INFO, "container %s: writable layer %s: %llu "
	    "entries (A %llu, C %llu, D %llu), %llu files copied (%llu bytes)"
	    "%s", k->id, k->upper, (unsigned long long)w.entries,
	    (unsigned long long)w.added, (unsigned long long)w.changed,
	    (unsigned long long)w.deleted, (unsigned long long)w.files,
	    (unsigned long long)w.bytes, w.cut ? "; copy cut at the cap" : "");
}

static enum collect_result
containers_run(struct collect_ctx *ctx)
{
	struct containers	 c;
	struct cont		*k;
	size_t			 i;

	memset(&c, 0, sizeof c);
	c.ctx = ctx;
	collect_container_caps(ctx, &c.per, &c.total, &c.maxfiles);
	cont_docker(&c);
	cont_podman_all(&c);
	cont_lxc(&c);
	if (collect_is_deadbox(ctx))
		collect_log(ctx, LOG_INFO, "dead-box: no containerd tasks, "
		    "overlay mounts or processes");
	else {
		cont_containerd(&c);
		cont_mountinfo(&c);
		cont_pids(&c);
	}
	for (i = 0; i < c.n; i++) {
		k = &c.v[i];
		if (k->upper != NULL && !collect_expired(ctx)) {
			json_object_set_new(k->rec, "upperdir",
			    live_json_strz(k->upper));
			cont_upper(&c, k);
		} else
			json_object_set_new(k->rec, "upperdir", json_null());
		json_object_set_new(k->rec, "pids", k->pids);
		k->pids = NULL;
		collect_record(ctx, "containers", k->rec);
		k->rec = NULL;
		free(k->id);
		free(k->upper);
		containers_strv_free(k->lower);
	}
	collect_log(ctx, LOG_INFO, "%zu containers found%s", c.n, c.n == 0 ?
	    " (no docker, podman, LXC or containerd state, no overlay "
	    "mount, no process in a container)" : "");
	free(c.v);
	return c.partial ? COLLECT_PARTIAL : COLLECT_OK;
}

const struct collector collector_containers = {
	.name = "containers",
	.description = "containers from the runtimes' files, their "
	    "processes and writable layers",
	.flags = COLLECTOR_NEEDS_ROOT,
	.run = containers_run,
};
