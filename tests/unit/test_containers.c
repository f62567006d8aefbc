/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * containers: docker config.v2.json and hostconfig.json, podman's
 * containers.json, LXC configs, OCI specs turned into records; bad input
 * (truncated JSON, wrong types, unsafe ids) refused or left out; overlay
 * mount options, "lower" files and l/ link targets, where only the one
 * form overlay2 writes is accepted (never a path out of the store).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "containers.h"
#include "util.h"
#include "unit.h"

#define ID64	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

static const char docker_cfg[] =
    "{\"ID\":\"" ID64 "\",\"Name\":\"/evil\",\"Created\":\"2026-01-02T03:"
    "04:05Z\",\"Image\":\"sha256:ab\",\"Path\":\"/bin/sh\",\"Args\":[\"-c"
    "\",\"id\",7],\"Driver\":\"overlay2\",\"State\":{\"Running\":false,"
    "\"Pid\":0,\"StartedAt\":\"x\"},\"Config\":{\"Image\":\"alpine\","
    "\"Env\":[\"PW=secret\"]},\"MountPoints\":{\"/d\":{\"Source\":\"/s\","
    "\"RW\":false,\"Type\":\"bind\"},\"/bad\":7}}";

static void
test_docker(void)
{
	json_t	*r;
	char	*s;
	size_t	 n = strlen(docker_cfg);

	r = containers_docker_config(docker_cfg, n);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_STR(json_string_value(json_object_get(r, "id")), ID64);
	CHECK_STR(json_string_value(json_object_get(r, "name")), "evil");
	CHECK_STR(json_string_value(json_object_get(r, "image")), "alpine");
	CHECK_STR(json_string_value(json_object_get(r, "runtime")), "docker");
	CHECK(json_is_false(json_object_get(r, "running")));
	CHECK(json_integer_value(json_object_get(r, "pid")) == 0);
	/* Non-strings in Args are left out. */
	CHECK(json_array_size(json_object_get(r, "command")) == 3);
	CHECK(json_array_size(json_object_get(r, "mounts")) == 1);
	CHECK(json_is_false(json_object_get(json_array_get(
	    json_object_get(r, "mounts"), 0), "rw")));
	s = json_dumps(r, JSON_COMPACT);
	CHECK(s != NULL && strstr(s, "secret") == NULL);
	free(s);
	CHECK(containers_docker_hostconfig(r, "{\"Privileged\":true,"
	    "\"CapAdd\":[\"SYS_PTRACE\"],\"NetworkMode\":\"host\"}", 64) == 0);
	CHECK(json_is_true(json_object_get(r, "privileged")));
	CHECK_STR(json_string_value(json_array_get(json_object_get(r,
	    "cap_add"), 0)), "SYS_PTRACE");
	CHECK_STR(json_string_value(json_object_get(r, "network_mode")),
	    "host");
	/* Missing members are null, not absent. */
	CHECK(json_is_null(json_object_get(r, "cap_drop")));
	CHECK(containers_docker_hostconfig(r, "[1]", 3) == -1);
	CHECK(containers_docker_hostconfig(r, "{\"Privileged\":", 14) == -1);
	json_decref(r);
}

static void
test_docker_bad(void)
{
	static const char	wrong[] = "{\"ID\":\"a\",\"Name\":5,\"State\":[],"
	    "\"Config\":\"x\",\"MountPoints\":[],\"Args\":{}}";
	static const char	lone[] = "{\"ID\":\"a\",\"Name\":\"\\udc00\"}";
	size_t			n = strlen(docker_cfg), i;
	json_t			*r;
	char			*s = NULL;
	int	 any = 0;

	/* Every truncation of the config is refused. */
	for (i = 0; i < n; i++)
		if ((r = containers_docker_config(docker_cfg, i)) != NULL) {
			any = 1;
			json_decref(r);
		}
	CHECK(!any);
	CHECK(containers_docker_config("", 0) == NULL);
	CHECK(containers_docker_config("[]", 2) == NULL);
	CHECK(containers_docker_config("{\"ID\":7}", 8) == NULL);
	CHECK(containers_docker_config("{\"ID\":\"../../x\"}", 16) == NULL);
	CHECK(containers_docker_config("{\"ID\":\"\"}", 9) == NULL);
	/* Wrong types inside: a record with nulls, never a crash. */
	r = containers_docker_config(wrong, strlen(wrong));
	CHECK(r != NULL && json_is_null(json_object_get(r, "name")) &&
	    json_is_null(json_object_get(r, "running")) &&
	    json_array_size(json_object_get(r, "mounts")) == 0);
	json_decref(r);
	/* Invalid UTF-8 escapes never reach a record unserialisable. */
	r = containers_docker_config(lone, strlen(lone));
	CHECK(r == NULL || (s = json_dumps(r, 0)) != NULL);
	free(s);
	json_decref(r);
}

static void
test_podman(void)
{
	static const char	txt[] = "[{\"id\":\"" ID64 "\",\"names\":[\"web"
	    "\"],\"image\":\"im\",\"layer\":\"L1\",\"metadata\":\"{\\\"image-"
	    "name\\\":\\\"nginx\\\"}\",\"created\":\"t\"},{\"id\":\"../x\"},"
	    "{\"id\":\"b\",\"layer\":\"../../etc\",\"metadata\":\"{bad\"},7]";
	json_t			*a, *r;

	a = containers_podman_list(txt, strlen(txt));
	CHECK(a != NULL && json_array_size(a) == 2);
	if (a == NULL)
		return;
	r = json_array_get(a, 0);
	CHECK_STR(json_string_value(json_object_get(r, "name")), "web");
	CHECK_STR(json_string_value(json_object_get(r, "image")), "nginx");
	CHECK_STR(json_string_value(json_object_get(r, "layer")), "L1");
	r = json_array_get(a, 1);
	CHECK_STR(json_string_value(json_object_get(r, "id")), "b");
	CHECK(json_is_null(json_object_get(r, "layer")));
	json_decref(a);
	CHECK(containers_podman_list("{}", 2) == NULL);
	CHECK(containers_podman_list(txt, 40) == NULL);
}

static void
test_lxc(void)
{
	static const char	txt[] = "# c\nlxc.uts.name = box\n"
	    "lxc.rootfs.path=dir:/var/lib/lxc/box/rootfs\r\n"
	    "  lxc.net.0.type = veth\nlxc.net.1.type=macvlan\n"
	    "lxc.cap.drop = sys_module mac_admin\nlxc.idmap = u 0 100000 65536\n"
	    "garbage\n=\nlxc.arch";
	json_t			*r;

	r = containers_lxc_config("box", txt, sizeof txt - 1);
	CHECK_STR(json_string_value(json_object_get(r, "hostname")), "box");
	CHECK_STR(json_string_value(json_object_get(r, "rootfs")),
	    "dir:/var/lib/lxc/box/rootfs");
	CHECK(json_array_size(json_object_get(r, "nets")) == 2);
	CHECK(json_is_false(json_object_get(r, "privileged")));
	json_decref(r);
	r = containers_lxc_config("x", "lxc.uts.name = a\0b", 18);
	CHECK(json_is_true(json_object_get(r, "privileged")));
	CHECK_STR(json_string_value(json_object_get(r, "hostname")), "a");
	json_decref(r);
}

static void
test_oci(void)
{
	static const char	txt[] = "{\"process\":{\"args\":[\"nginx\"],"
	    "\"cwd\":\"/\",\"user\":{\"uid\":0},\"capabilities\":{\"bounding"
	    "\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"]}},\"root\":{\"path\":\"rootfs"
	    "\"},\"hostname\":\"h\",\"mounts\":[{\"destination\":\"/proc\","
	    "\"type\":\"proc\"}],\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
	    "{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}]}}";
	json_t			*r = json_object();

	CHECK(containers_oci_spec(r, txt, strlen(txt)) == 0);
	CHECK(json_is_true(json_object_get(r, "privileged")));
	CHECK_STR(json_string_value(json_object_get(r, "rootfs")), "rootfs");
	CHECK(json_array_size(json_object_get(r, "namespaces")) == 2);
	CHECK(json_integer_value(json_object_get(r, "user")) == 0);
	CHECK(containers_oci_spec(r, txt, 30) == -1);
	json_decref(r);
}

static void
test_overlay(void)
{
	char	*up, **low;

	CHECK(containers_overlay_options("rw,lowerdir=/a:/b\\:c:/d,upperdir="
	    "/u,workdir=/w,uuid=on", &up, &low) == 0);
	CHECK_STR(up, "/u");
	CHECK_STR(low[0], "/a");
	CHECK_STR(low[1], "/b:c");
	CHECK_STR(low[2], "/d");
	CHECK(low[3] == NULL);
	free(up);
	containers_strv_free(low);
	CHECK(containers_overlay_options("rw,lowerdir+=/x,lowerdir+=/y,"
	    "upperdir=/u\\,v", &up, &low) == 0);
	CHECK_STR(up, "/u\\,v");
	CHECK_STR(low[0], "/x");
	CHECK_STR(low[1], "/y");
	free(up);
	containers_strv_free(low);
	/* Read-only: no upper, nothing written. */
	CHECK(containers_overlay_options("ro,lowerdir=/a:/b", &up, &low) ==
	    -1 && up == NULL);
	containers_strv_free(low);
	CHECK(containers_overlay_options("", &up, &low) == -1);
	containers_strv_free(low);
}

static void
test_layers(void)
{
	char	**v, *id;

	v = containers_lower_links("l/AAA:l/BBB\n", 12);
	CHECK_STR(v[0], "AAA");
	CHECK_STR(v[1], "BBB");
	CHECK(v[2] == NULL);
	containers_strv_free(v);
	v = containers_lower_links("l/../x:/etc:l/:l/a/b:l/OK", 25);
	CHECK_STR(v[0], "OK");
	CHECK(v[1] == NULL);
	containers_strv_free(v);
	id = containers_link_layer("../" ID64 "/diff");
	CHECK_STR(id, ID64);
	free(id);
	CHECK(containers_link_layer("/etc/diff") == NULL);
	CHECK(containers_link_layer("../../etc/diff") == NULL);
	CHECK(containers_link_layer("../a/b/diff") == NULL);
	CHECK(containers_link_layer("../../diff") == NULL);
	CHECK(containers_link_layer("../x/work") == NULL);
	CHECK(containers_link_layer("") == NULL);
	CHECK(!containers_safe_id(".."));
	CHECK(!containers_safe_id("a/b"));
	CHECK(containers_safe_id(ID64));
}

int
main(void)
{
	UNIT_RUN(test_docker);
	UNIT_RUN(test_docker_bad);
	UNIT_RUN(test_podman);
	UNIT_RUN(test_lxc);
	UNIT_RUN(test_oci);
	UNIT_RUN(test_overlay);
	UNIT_RUN(test_layers);
	UNIT_EXIT();
}
