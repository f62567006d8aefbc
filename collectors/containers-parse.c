/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The parsers of the containers collector (see containers.h): JSON
 * state files through jansson, LXC's "key = value" lines and overlay
 * layer names. Everything here is untrusted text from the host or an
 * image: lists are capped, ids that become archive paths are checked,
 * and a layer link is accepted only in the one form overlay2 writes.
 */
#include <stdlib.h>
#include <string.h>

#include "containers.h"
#include "live.h"
#include "util.h"

int
containers_safe_id(const char *s)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n > 128 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_.-", s[i]) == NULL)
			return 0;
	return 1;
}

void
containers_strv_free(char **v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static json_t *
containers_load(const char *buf, size_t len)
{
	json_error_t	err;

	return json_loadb(buf, len, 0, &err);
}

/* A string member of o, as a valid UTF-8 JSON string or null. */
static json_t *
containers_str(json_t *o, const char *key)
{
	const char	*s;

	if ((s = json_string_value(json_object_get(o, key))) == NULL)
		return json_null();
	return live_json_strz(s);
}

/* An array of strings (at most CONTAINERS_MAX_LIST), or null. */
static json_t *
containers_strings(json_t *a)
{
	json_t	*out, *v;
	size_t	 i;

	if (!json_is_array(a))
		return json_null();
	out = json_array();
	json_array_foreach(a, i, v) {
		if (i >= CONTAINERS_MAX_LIST)
			break;
		if (json_is_string(v))
			json_array_append_new(out,
			    live_json_strz(json_string_value(v)));
	}
	return out;
}

/* A number or bool member as JSON, or null. */
static json_t *
containers_scalar(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	if (json_is_integer(v) || json_is_boolean(v))
		return json_copy(v);
	return json_null();
}

/* Docker's MountPoints object: [{destination, source, rw, type, name}]. */
static json_t *
containers_docker_mounts(json_t *mp)
{
	const char	*key;
	json_t		*out = json_array(), *m, *r;

	json_object_foreach(mp, key, m) {
		if (json_array_size(out) >= CONTAINERS_MAX_LIST)
			break;
		if (!json_is_object(m))
			continue;
		r = json_object();
		json_object_set_new(r, "destination", live_json_strz(key));
		json_object_set_new(r, "source", containers_str(m, "Source"));
		json_object_set_new(r, "rw", containers_scalar(m, "RW"));
		json_object_set_new(r, "type", containers_str(m, "Type"));
		json_object_set_new(r, "name", containers_str(m, "Name"));
		json_array_append_new(out, r);
	}
	return out;
}

json_t *
containers_docker_config(const char *buf, size_t len)
{
	json_t		*j, *rec, *cfg, *st, *cmd, *args;
	const char	*id, *name;

	if ((j = containers_load(buf, len)) == NULL)
		return NULL;
	if (!json_is_object(j) || (id = json_string_value(json_object_get(j,
	    "ID"))) == NULL || !containers_safe_id(id)) {
		json_decref(j);
		return NULL;
	}
	cfg = json_object_get(j, "Config");
	st = json_object_get(j, "State");
	rec = json_object();
	json_object_set_new(rec, "runtime", json_string("docker"));
	json_object_set_new(rec, "id", json_string(id));
	/* Docker keeps the name with a leading '/'. */
	name = json_string_value(json_object_get(j, "Name"));
	json_object_set_new(rec, "name", name == NULL ? json_null() :
	    live_json_strz(name + (name[0] == '/')));
	json_object_set_new(rec, "image", containers_str(cfg, "Image"));
	json_object_set_new(rec, "image_id", containers_str(j, "Image"));
	json_object_set_new(rec, "created", containers_str(j, "Created"));
	json_object_set_new(rec, "started", containers_str(st, "StartedAt"));
	json_object_set_new(rec, "finished", containers_str(st,
	    "FinishedAt"));
	json_object_set_new(rec, "running", containers_scalar(st, "Running"));
	json_object_set_new(rec, "pid", containers_scalar(st, "Pid"));
	cmd = json_array();
	if (json_is_string(json_object_get(j, "Path")))
		json_array_append_new(cmd, containers_str(j, "Path"));
	args = containers_strings(json_object_get(j, "Args"));
	if (json_is_array(args))
		json_array_extend(cmd, args);
	json_decref(args);
	json_object_set_new(rec, "command", cmd);
	json_object_set_new(rec, "hostname", containers_str(cfg, "Hostname"));
	json_object_set_new(rec, "user", containers_str(cfg, "User"));
	json_object_set_new(rec, "driver", containers_str(j, "Driver"));
	json_object_set_new(rec, "mounts", json_is_object(json_object_get(j,
	    "MountPoints")) ? containers_docker_mounts(json_object_get(j,
	    "MountPoints")) : json_array());
	json_decref(j);
	return rec;
}

int
containers_docker_hostconfig(json_t *rec, const char *buf, size_t len)
{
	json_t	*j;

	if ((j = containers_load(buf, len)) == NULL)
		return -1;
	if (!json_is_object(j)) {
		json_decref(j);
		return -1;
	}
	json_object_set_new(rec, "privileged", containers_scalar(j,
	    "Privileged"));
	json_object_set_new(rec, "cap_add", containers_strings(
	    json_object_get(j, "CapAdd")));
	json_object_set_new(rec, "cap_drop", containers_strings(
	    json_object_get(j, "CapDrop")));
	json_object_set_new(rec, "network_mode", containers_str(j,
	    "NetworkMode"));
	json_object_set_new(rec, "pid_mode", containers_str(j, "PidMode"));
	json_object_set_new(rec, "binds", containers_strings(
	    json_object_get(j, "Binds")));
	json_object_set_new(rec, "security_opt", containers_strings(
	    json_object_get(j, "SecurityOpt")));
	json_decref(j);
	return 0;
}

/* The image name and creation time podman keeps in a JSON string. */
static void
containers_podman_meta(json_t *rec, const char *meta)
{
	json_t	*m;

	if (meta == NULL || (m = containers_load(meta, strlen(meta))) ==
	    NULL)
		return;
	if (json_is_object(m)) {
		json_object_set_new(rec, "image", containers_str(m,
		    "image-name"));
		if (json_is_string(json_object_get(m, "name")))
			json_object_set_new(rec, "name", containers_str(m,
			    "name"));
	}
	json_decref(m);
}

json_t *
containers_podman_list(const char *buf, size_t len)
{
	json_t		*j, *out, *c, *rec, *names;
	const char	*id, *layer;
	size_t		 i;

	if ((j = containers_load(buf, len)) == NULL)
		return NULL;
	if (!json_is_array(j)) {
		json_decref(j);
		return NULL;
	}
	out = json_array();
	json_array_foreach(j, i, c) {
		if (json_array_size(out) >= CONTAINERS_MAX_LIST)
			break;
		if ((id = json_string_value(json_object_get(c, "id"))) ==
		    NULL || !containers_safe_id(id))
			continue;
		rec = json_object();
		json_object_set_new(rec, "runtime", json_string("podman"));
		json_object_set_new(rec, "id", json_string(id));
		names = containers_strings(json_object_get(c, "names"));
		json_object_set_new(rec, "name", json_is_array(names) &&
		    json_array_size(names) > 0 ?
		    json_copy(json_array_get(names, 0)) : json_null());
		json_object_set_new(rec, "names", names);
		json_object_set_new(rec, "image_id", containers_str(c,
		    "image"));
		json_object_set_new(rec, "image", json_null());
		layer = json_string_value(json_object_get(c, "layer"));
		json_object_set_new(rec, "layer", layer != NULL &&
		    containers_safe_id(layer) ? json_string(layer) :
		    json_null());
		json_object_set_new(rec, "created", containers_str(c,
		    "created"));
		containers_podman_meta(rec, json_string_value(json_object_get(c,
		    "metadata")));
		json_array_append_new(out, rec);
	}
	json_decref(j);
	return out;
}

/* Append v to the array member key of rec, made when missing. */
static void
containers_push(json_t *rec, const char *key, const char *v)
{
	json_t	*a;

	if ((a = json_object_get(rec, key)) == NULL) {
		a = json_array();
		json_object_set_new(rec, key, a);
	}
	if (json_array_size(a) < CONTAINERS_MAX_LIST)
		json_array_append_new(a, live_json_strz(v));
}

/* One "key = value" line of an LXC config, split in place. */
static void
containers_lxc_line(json_t *rec, char *line)
{
	static const struct {
		const char	*key, *field;
		int		 list;
	} keys[] = {
		{ "lxc.rootfs.path", "rootfs", 0 },
		{ "lxc.rootfs", "rootfs", 0 },	/* LXC 2 */
		{ "lxc.uts.name", "hostname", 0 },
		{ "lxc.utsname", "hostname", 0 },
		{ "lxc.arch", "arch", 0 },
		{ "lxc.apparmor.profile", "apparmor", 0 },
		{ "lxc.cap.drop", "cap_drop", 1 },
		{ "lxc.cap.keep", "cap_keep", 1 },
		{ "lxc.idmap", "idmap", 1 },
		{ "lxc.id_map", "idmap", 1 },
		{ "lxc.mount.entry", "mounts", 1 },
		{ "lxc.include", "includes", 1 },
		{ "lxc.init.cmd", "command", 1 },
	};
	char	*eq, *k, *v, *e;
	size_t	 i;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '#' || (eq = strchr(line, '=')) == NULL)
		return;
	*eq = '\0';
	k = line;
	for (e = eq; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
		e[-1] = '\0';
	for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t' ||
	    e[-1] == '\r'); e--)
		e[-1] = '\0';
	for (i = 0; i < nitems(keys); i++) {
		if (strcmp(k, keys[i].key) != 0)
			continue;
		if (keys[i].list)
			containers_push(rec, keys[i].field, v);
		else
			json_object_set_new(rec, keys[i].field,
			    live_json_strz(v));
		return;
	}
	/* lxc.net.N.type / lxc.network.type: the kinds of network. */
	if ((strncmp(k, "lxc.net.", 8) == 0 || strncmp(k, "lxc.network", 11) ==
	    0) && (e = strrchr(k, '.')) != NULL && strcmp(e, ".type") == 0)
		containers_push(rec, "nets", v);
}

json_t *
containers_lxc_config(const char *name, const char *buf, size_t len)
{
	json_t	*rec = json_object();
	char	*copy, *line;
	size_t	 pos = 0;

	json_object_set_new(rec, "runtime", json_string("lxc"));
	json_object_set_new(rec, "id", live_json_strz(name));
	json_object_set_new(rec, "name", live_json_strz(name));
	copy = xstrndup(buf, len);
	len = strlen(copy);
	while ((line = live_next_line(copy, len, &pos)) != NULL)
		containers_lxc_line(rec, line);
	free(copy);
	/* Without an id map, root in the container is root on the host. */
	json_object_set_new(rec, "privileged", json_boolean(
	    json_object_get(rec, "idmap") == NULL));
	return rec;
}

/* The mounts of an OCI spec: [{destination, source, type, options}]. */
static json_t *
containers_oci_mounts(json_t *a)
{
	json_t	*out = json_array(), *m, *r;
	size_t	 i;

	json_array_foreach(a, i, m) {
		if (i >= CONTAINERS_MAX_LIST)
			break;
		r = json_object();
		json_object_set_new(r, "destination", containers_str(m,
		    "destination"));
		json_object_set_new(r, "source", containers_str(m, "source"));
		json_object_set_new(r, "type", containers_str(m, "type"));
		json_object_set_new(r, "options", containers_strings(
		    json_object_get(m, "options")));
		json_array_append_new(out, r);
	}
	return out;
}

int
containers_oci_spec(json_t *rec, const char *buf, size_t len)
{
	json_t	*j, *proc, *caps, *bound, *ns, *n, *v, *out;
	size_t	 i;
	int	 admin = 0;

	if ((j = containers_load(buf, len)) == NULL)
		return -1;
	if (!json_is_object(j)) {
		json_decref(j);
		return -1;
	}
	proc = json_object_get(j, "process");
	json_object_set_new(rec, "command", containers_strings(
	    json_object_get(proc, "args")));
	json_object_set_new(rec, "cwd", containers_str(proc, "cwd"));
	json_object_set_new(rec, "hostname", containers_str(j, "hostname"));
	json_object_set_new(rec, "rootfs", containers_str(json_object_get(j,
	    "root"), "path"));
	json_object_set_new(rec, "user", containers_scalar(json_object_get(
	    proc, "user"), "uid"));
	caps = json_object_get(proc, "capabilities");
	bound = containers_strings(json_object_get(caps, "bounding"));
	json_array_foreach(bound, i, v)
		if (strcmp(json_string_value(v), "CAP_SYS_ADMIN") == 0)
			admin = 1;
	json_object_set_new(rec, "privileged", json_is_array(bound) ?
	    json_boolean(admin) : json_null());
	json_object_set_new(rec, "cap_add", bound);
	json_object_set_new(rec, "mounts", json_is_array(json_object_get(j,
	    "mounts")) ? containers_oci_mounts(json_object_get(j,
	    "mounts")) : json_array());
	/* A namespace without a path is the container's own. */
	ns = json_object_get(json_object_get(j, "linux"), "namespaces");
	out = json_array();
	json_array_foreach(ns, i, n) {
		if (i >= CONTAINERS_MAX_LIST)
			break;
		if (json_is_string(json_object_get(n, "type")))
			json_array_append_new(out, containers_str(n, "type"));
	}
	json_object_set_new(rec, "namespaces", out);
	json_decref(j);
	return 0;
}

/* Split a lowerdir value at unescaped ':' into v (count *n). */
static void
containers_split_lower(const char *s, char ***v, size_t *n)
{
	struct buf	 b = { 0 };
	const char	*p;

	for (p = s;; p++) {
		if (*p == '\\' && p[1] != '\0') {
			buf_add(&b, ++p, 1);
			continue;
		}
		if (*p != ':' && *p != '\0') {
			buf_add(&b, p, 1);
			continue;
		}
		if (b.len > 0 && *n < CONTAINERS_MAX_LOWER) {
			*v = xreallocarray(*v, *n + 2, sizeof **v);
			(*v)[(*n)++] = xstrndup(b.data, b.len);
			(*v)[*n] = NULL;
		}
		b.len = 0;
		if (*p == '\0')
			break;
	}
	buf_free(&b);
}

int
containers_overlay_options(const char *opts, char **upper, char ***lower)
{
	char	*copy, *o, *next;
	size_t	 n = 0;

	*upper = NULL;
	*lower = xcalloc(1, sizeof **lower);
	copy = xstrdup(opts);
	for (o = copy; o != NULL; o = next) {
		/* Options are comma-separated; "\," is a comma in a value. */
		for (next = o; *next != '\0' && *next != ','; next++)
			if (*next == '\\' && next[1] != '\0')
				next++;
		if (*next == ',')
			*next++ = '\0';
		else
			next = NULL;
		if (strncmp(o, "upperdir=", 9) == 0 && o[9] != '\0') {
			free(*upper);
			*upper = xstrdup(o + 9);
		} else if (strncmp(o, "lowerdir=", 9) == 0)
			containers_split_lower(o + 9, lower, &n);
		else if (strncmp(o, "lowerdir+=", 10) == 0)
			containers_split_lower(o + 10, lower, &n);
	}
	free(copy);
	return *upper == NULL ? -1 : 0;
}

char **
containers_lower_links(const char *buf, size_t len)
{
	char	**v = xcalloc(1, sizeof *v), *copy, *p, *next, *e;
	size_t	  n = 0;

	copy = xstrndup(buf, len);
	for (p = copy; p != NULL && n < CONTAINERS_MAX_LOWER; p = next) {
		if ((next = strchr(p, ':')) != NULL)
			*next++ = '\0';
		for (e = p + strlen(p); e > p && (e[-1] == '\n' ||
		    e[-1] == ' '); e--)
			e[-1] = '\0';
		if (strncmp(p, "l/", 2) != 0 || !containers_safe_id(p + 2))
			continue;
		v = xreallocarray(v, n + 2, sizeof *v);
		v[n++] = xstrdup(p + 2);
		v[n] = NULL;
	}
	free(copy);
	return v;
}

char *
containers_link_layer(const char *target)
{
	size_t	 n = strlen(target);
	char	*id;

	if (n < 9 || strncmp(target, "../", 3) != 0 ||
	    strcmp(target + n - 5, "/diff") != 0)
		return NULL;
	id = xstrndup(target + 3, n - 8);
	if (!containers_safe_id(id)) {
		free(id);
		return NULL;
	}
	return id;
}
