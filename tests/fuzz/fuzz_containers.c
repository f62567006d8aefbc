/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the containers parsers (collectors/containers.h):
 * docker config.v2.json and hostconfig.json, podman's containers.json,
 * LXC configs, OCI specs, overlay mount options, "lower" files and l/
 * link targets. Whoever runs a container writes these files (and a
 * dead-box image holds whatever its owner chose), so all are untrusted.
 * Every record made must serialise; every id kept must be safe to use
 * as an archive path component.
 * Corpus: tests/fuzz/corpus/containers/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "containers.h"
#include "fuzz.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_ids(json_t *a)
{
	json_t		*r;
	const char	*id;
	size_t		 i;

	json_array_foreach(a, i, r)
		if ((id = json_string_value(json_object_get(r, "id"))) ==
		    NULL || !containers_safe_id(id))
			fatal("fuzz: unsafe podman id kept");
	fuzz_json(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char	*t = (const char *)data;
	json_t		*r, *a;
	char		*text, *up, **low, **v, *id;
	size_t		 i;

	if (len > 262144)
		return 0;
	if ((r = containers_docker_config(t, len)) != NULL) {
		if (!containers_safe_id(json_string_value(json_object_get(r,
		    "id"))))
			fatal("fuzz: unsafe docker id kept");
		fuzz_json(r);
	}
	r = json_object();
	(void)containers_docker_hostconfig(r, t, len);
	(void)containers_oci_spec(r, t, len);
	fuzz_json(r);
	if ((a = containers_podman_list(t, len)) != NULL)
		fuzz_ids(a);
	fuzz_json(containers_lxc_config("x", t, len));
	text = xstrndup(t, len);
	(void)containers_overlay_options(text, &up, &low);
	free(up);
	containers_strv_free(low);
	v = containers_lower_links(t, len);
	for (i = 0; v[i] != NULL; i++)
		if (!containers_safe_id(v[i]))
			fatal("fuzz: unsafe link name kept");
	containers_strv_free(v);
	if ((id = containers_link_layer(text)) != NULL &&
	    !containers_safe_id(id))
		fatal("fuzz: unsafe layer id kept");
	free(id);
	free(text);
	return 0;
}
