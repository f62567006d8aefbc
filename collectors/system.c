/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * system (minimal): one record of host identity in live/system.jsonl,
 * read from /proc, /sys and /etc/os-release.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "collector.h"
#include "os.h"
#include "util.h"

static char *
system_line(const char *path)
{
	char	*s;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return NULL;
	s = util_read_fd(fd, 4096, NULL, NULL);
	close(fd);
	if (s != NULL)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

static enum collect_result
system_run(struct collect_ctx *ctx)
{
	struct os_host	 h;
	json_t		*rec;
	char		*uptime, *bootid;
	int		 rootfd;

	if ((rootfd = os_root_open("/")) == -1)
		return COLLECT_FAILED;
	os_host_read(rootfd, 0, &h);
	close(rootfd);
	uptime = system_line("/proc/uptime");
	bootid = system_line("/proc/sys/kernel/random/boot_id");
	rec = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?}",
	    "hostname", h.hostname, "os", h.os, "kernel", h.kernel,
	    "machine_id", h.machine_id, "boot_id", bootid,
	    "uptime", uptime);
	free(uptime);
	free(bootid);
	os_host_free(&h);
	if (rec == NULL)
		return COLLECT_FAILED;
	return collect_record(ctx, "system", rec) == 0 ? COLLECT_OK :
	    COLLECT_FAILED;
}

const struct collector collector_system = {
	.name = "system",
	.description = "host identity: hostname, OS, kernel, ids, uptime",
	.flags = COLLECTOR_LIVE,
	.run = system_run,
};
