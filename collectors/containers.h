/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The parsers of the containers collector (containers.c): the runtimes'
 * on-disk state (docker config.v2.json and hostconfig.json, podman's
 * containers.json, an LXC config, an OCI runtime spec) turned into
 * records, and the overlay layer names (mount options, "lower" files,
 * the l/ links). Pure functions on untrusted bytes: the unit tests and
 * the fuzz target call them directly.
 */
#ifndef CONTAINERS_H
#define CONTAINERS_H

#include <stddef.h>

#include <jansson.h>

#define CONTAINERS_MAX_JSON	(4 * 1024 * 1024)	/* one state file */
#define CONTAINERS_MAX_LOWER	128	/* lower layers looked at */
#define CONTAINERS_MAX_LIST	4096	/* mounts, caps, containers */

/*
 * A container record from docker's config.v2.json (len bytes): runtime,
 * id, name, image, image_id, created, started, running, pid, command,
 * hostname, user, driver, mounts. NULL when the text is not a JSON
 * object with an ID of 1 to 128 safe characters. The caller owns it.
 */
json_t	*containers_docker_config(const char *, size_t);

/*
 * Merge hostconfig.json (len bytes) into rec: privileged, cap_add,
 * cap_drop, network_mode, pid_mode, binds, security_opt. 0, or -1 when
 * the text is not a JSON object (rec unchanged).
 */
int	 containers_docker_hostconfig(json_t *, const char *, size_t);

/*
 * The containers of podman's containers.json (len bytes): an array of
 * records (runtime, id, name, names, image_id, image, layer, created),
 * at most CONTAINERS_MAX_LIST; NULL when not a JSON array. Entries
 * without a safe id are left out.
 */
json_t	*containers_podman_list(const char *, size_t);

/*
 * A record for the LXC container name from its config text (len bytes,
 * "key = value" lines): rootfs, hostname, arch, apparmor, cap_drop,
 * cap_keep, idmap (privileged is false when an idmap is set), nets,
 * mounts, includes. Never NULL.
 */
json_t	*containers_lxc_config(const char *, const char *, size_t);

/*
 * Merge an OCI runtime spec (config.json, len bytes) into rec: command,
 * cwd, hostname, rootfs, user, privileged (CAP_SYS_ADMIN in the bounding
 * set), cap_add (the bounding set), mounts, namespaces. 0 or -1.
 */
int	 containers_oci_spec(json_t *, const char *, size_t);

/*
 * The upper and lower directories of overlay mount options (a
 * mountinfo super_options field, already unescaped): *upper (NULL when
 * none) and *lower (NULL-terminated, at most CONTAINERS_MAX_LOWER;
 * "lowerdir=" split at unescaped ':', "lowerdir+=" appended). The caller
 * frees them (containers_strv_free). 0, or -1 when no upperdir.
 */
int	 containers_overlay_options(const char *, char **, char ***);

/*
 * The link names of an overlay2 "lower" file (len bytes, "l/A:l/B"):
 * NULL-terminated, at most CONTAINERS_MAX_LOWER; only names of one safe
 * component after "l/". Never NULL.
 */
char	**containers_lower_links(const char *, size_t);

/*
 * The layer id named by the target of an overlay2 l/ link ("../ID/diff"),
 * a new string, or NULL when the target is anything else.
 */
char	*containers_link_layer(const char *);

/* Whether s is a safe id or name: 1 to 128 of [A-Za-z0-9_.-], not . or .. */
int	 containers_safe_id(const char *);

void	 containers_strv_free(char **);

#endif
