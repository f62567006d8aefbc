/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * procdump: the memory of suspect processes, for an analyst to load.
 * A process is a suspect when it is hidden from the /proc listing, runs
 * a deleted or memfd executable, has LD_PRELOAD or LD_AUDIT in its
 * environment, has an anonymous executable mapping, or a YARA rule or
 * an indicator of compromise matched its memory (this collector runs
 * after yara). Never the agent
 * or its supervisor.
 *
 * For each one, under memory/PID/: "maps", the /proc/PID/maps text the
 * dump follows (existing tools load it); one region file per block of
 * present pages (in memory or swap; never-touched pages are not read),
 * named START-END.bin by address in hex (a block holds at most
 * PROCMEM_CHUNK bytes and never spans two mappings, so a long run of
 * pages may be several files); and "maps.jsonl", the index: one record
 * per mapping with the blocks dumped from it. A record per process in
 * live/process_dumps.jsonl says why it was dumped and how much.
 *
 * Memory is read by agent/procmem.c, the one reader of process memory.
 * Bounded: [limits] process_dump_max per process, process_dump_total
 * for the run, the run's own size budget, and the time limit, checked
 * between blocks. A cut dump says so (cut, cut_reason).
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "live.h"
#include "procfd.h"
#include "procmem.h"
#include "util.h"

#define PROCDUMP_ENVIRON_MAX	(1U << 20)
#define PROCDUMP_MAPS_MAX	(16U << 20)	/* as procmem reads it */
#define PROCDUMP_LINK_MAX	4096
/*
 * Of the run's size budget, what dumps leave to the maps, the indexes,
 * the records and what later collectors write.
 */
#define PROCDUMP_RESERVE	(1U << 20)

/* Why a process is dumped: bits, named in this order in "reasons". */
enum {
	PD_HIDDEN = 0x01,
	PD_DELETED_EXE = 0x02,
	PD_MEMFD_EXE = 0x04,
	PD_LD_PRELOAD = 0x08,
	PD_LD_AUDIT = 0x10,
	PD_YARA = 0x20,
	PD_ANON_EXEC = 0x40,
	PD_IOC = 0x80
};
static const char *const procdump_reason_names[] = {
	"hidden", "deleted_exe", "memfd_exe", "ld_preload", "ld_audit",
	"yara", "anonymous_exec", "ioc"
};

struct procdump_run {
	struct collect_ctx	*ctx;
	int			 procfd;
	uint64_t		 per, total;	/* the caps */
	uint64_t		 dumped;	/* bytes of the run's dumps */
	size_t			 suspects, done, cut, failed;
};

/* One process's dump. */
struct procdump_one {
	struct procdump_run	*r;
	int			 pid;
	json_t			*blocks;	/* [{mapping start, record}] */
	uint64_t		 bytes, regions, unreadable;
	const char		*cut;		/* why, or NULL */
};

/* The exe link's reasons: a memfd ("/memfd:x (deleted)") or deleted. */
static int
procdump_exe_reasons(const char *link)
{
	static const char	del[] = " (deleted)";
	size_t			len = strlen(link);

	if (strncmp(link, "/memfd:", 7) == 0)
		return PD_MEMFD_EXE;
	if (len >= sizeof del - 1 &&
	    strcmp(link + len - (sizeof del - 1), del) == 0)
		return PD_DELETED_EXE;
	return 0;
}

/*
 * PD_ANON_EXEC when a maps text has an executable anonymous mapping, as
 * process_maps.jsonl's anonymous_exec says (executable [heap] and
 * [stack] included).
 */
static int
procdump_maps_reasons(char *maps, size_t len)
{
	struct procmap	 m;
	size_t		 pos = 0;
	char		*line;

	while ((line = live_next_line(maps, len, &pos)) != NULL)
		if (procmap_parse(line, &m) == 0 && procfd_anon_exec(&m))
			return PD_ANON_EXEC;
	return 0;
}

/* LD_PRELOAD / LD_AUDIT set (and not empty) in the environment. */
static int
procdump_environ_reasons(const char *env, size_t len)
{
	size_t	vlen;
	int	why = 0;

	if (live_environ_get(env, len, "LD_PRELOAD", &vlen) != NULL &&
	    vlen > 0)
		why |= PD_LD_PRELOAD;
	if (live_environ_get(env, len, "LD_AUDIT", &vlen) != NULL && vlen > 0)
		why |= PD_LD_AUDIT;
	return why;
}

/* Why pid is a suspect (0: it is not), from its own /proc entries. */
static int
procdump_reasons(struct procdump_run *r, unsigned int pid, int hidden)
{
	char	 p[64], link[PROCDUMP_LINK_MAX], *s;
	ssize_t	 n;
	size_t	 len;
	int	 why = hidden ? PD_HIDDEN : 0, m;

	snprintf(p, sizeof p, "%u/exe", pid);
	if ((n = readlinkat(r->procfd, p, link, sizeof link - 1)) > 0) {
		link[n] = '\0';
		why |= procdump_exe_reasons(link);
	}
	snprintf(p, sizeof p, "%u/environ", pid);
	if ((s = live_read_at(r->procfd, p, PROCDUMP_ENVIRON_MAX, &len,
	    NULL)) != NULL) {
		why |= procdump_environ_reasons(s, len);
		free(s);
	}
	snprintf(p, sizeof p, "%u/maps", pid);
	if ((s = live_read_at(r->procfd, p, PROCDUMP_MAPS_MAX, &len,
	    NULL)) != NULL) {
		why |= procdump_maps_reasons(s, len);
		free(s);
	}
	m = collect_process_matched(r->ctx, (pid_t)pid);
	if (m & COLLECT_MATCH_YARA)
		why |= PD_YARA;
	if (m & COLLECT_MATCH_IOC)
		why |= PD_IOC;
	return why;
}

/* A text entry memory/PID/NAME holding len bytes of p. 0 or -1. */
static int
procdump_text(struct procdump_one *d, const char *name, const void *p,
    size_t len)
{
	struct collect_stream	*s;
	char			 apath[64];
	int			 rc;

	snprintf(apath, sizeof apath, "memory/%d/%s", d->pid, name);
	if ((s = collect_stream_open(d->r->ctx, apath)) == NULL)
		return -1;
	rc = len ? collect_stream_write(s, p, len) : 0;
	if (collect_stream_close(s) == -1)
		rc = -1;
	return rc;
}

/* One block of present pages as a region file, listed in d->blocks. */
static int
procdump_block(struct procdump_one *d, YR_MEMORY_BLOCK *b,
    const struct procmap *m)
{
	struct collect_stream	*s;
	const uint8_t		*data;
	unsigned char		 sum[32];
	char			 name[64], apath[96], hex[65];

	if ((data = b->fetch_data(b)) == NULL) {
		d->unreadable += b->size;	/* gone since maps was read */
		return 0;
	}
	snprintf(name, sizeof name, "%" PRIx64 "-%" PRIx64 ".bin", b->base,
	    b->base + b->size);
	snprintf(apath, sizeof apath, "memory/%d/%s", d->pid, name);
	if ((s = collect_stream_open(d->r->ctx, apath)) == NULL)
		return -1;
	/* Refused whole past the run's budget: no empty file then. */
	if (collect_stream_write(s, data, b->size) == -1) {
		collect_stream_discard(s);
		d->cut = "max_total_size reached";
		return -1;
	}
	if (collect_stream_close_sum(s, sum) == -1) {
		d->cut = "output failed";
		return -1;
	}
	util_hex(hex, sum, sizeof sum);
	json_array_append_new(d->blocks, json_pack("{s:I, s:{s:s, s:o, s:I, "
	    "s:s}}", "mapping", (json_int_t)m->start, "block", "file", name,
	    "start", json_sprintf("0x%" PRIx64, b->base),
	    "size", (json_int_t)b->size, "sha256", hex));
	d->bytes += b->size;
	d->regions++;
	return 0;
}

/* One mapping's index record, with the blocks *next.. dumped from it. */
static json_t *
procdump_mapping(struct procdump_one *d, const struct procmap *m,
    size_t *next)
{
	json_t		*rec, *blocks, *e;
	uint64_t	 bytes = 0;

	blocks = json_array();
	while ((e = json_array_get(d->blocks, *next)) != NULL &&
	    (uint64_t)json_integer_value(json_object_get(e, "mapping")) ==
	    m->start) {
		bytes += (uint64_t)json_integer_value(json_object_get(
		    json_object_get(e, "block"), "size"));
		json_array_append(blocks, json_object_get(e, "block"));
		(*next)++;
	}
	rec = json_pack("{s:o, s:o, s:I, s:s, s:o, s:o, s:I, s:o, s:b, "
	    "s:b, s:I, s:o}",
	    "start", json_sprintf("0x%" PRIx64, m->start),
	    "end", json_sprintf("0x%" PRIx64, m->end),
	    "size", (json_int_t)(m->end - m->start),
	    "perms", m->perms,
	    "offset", json_sprintf("0x%" PRIx64, m->offset),
	    "dev", json_sprintf("%02x:%02x", m->dev_major, m->dev_minor),
	    "inode", (json_int_t)m->inode,
	    "path", live_json_strz(m->path),
	    "deleted", m->deleted, "memfd", m->memfd,
	    "dumped", (json_int_t)bytes, "blocks", blocks);
	return rec;
}

/* memory/PID/maps.jsonl from the maps text the blocks followed. */
static void
procdump_index(struct procdump_one *d, const char *text, size_t len)
{
	struct collect_stream	*s;
	struct procmap		 m;
	char			*copy, *line, *out, apath[64];
	size_t			 pos = 0, next = 0;
	json_t			*rec;

	snprintf(apath, sizeof apath, "memory/%d/maps.jsonl", d->pid);
	if ((s = collect_stream_open(d->r->ctx, apath)) == NULL)
		return;
	copy = xstrndup(text, len);
	while ((line = live_next_line(copy, len, &pos)) != NULL) {
		if (procmap_parse(line, &m) == -1)
			continue;
		rec = procdump_mapping(d, &m, &next);
		out = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(rec);
		if (out == NULL)
			continue;
		if (collect_stream_write(s, out, strlen(out)) == 0)
			collect_stream_write(s, "\n", 1);
		free(out);
	}
	free(copy);
	collect_stream_close(s);
}

/* Read the blocks of d->pid within budget, each into a region file. */
static void
procdump_read(struct procdump_one *d, struct procmem *pm)
{
	YR_MEMORY_BLOCK_ITERATOR	*it = procmem_iterator(pm);
	YR_MEMORY_BLOCK			*b;

	for (b = it->first(it); b != NULL; b = it->next(it)) {
		if (collect_expired(d->r->ctx)) {
			d->cut = collect_cut_reason(d->r->ctx);
			if (d->cut == NULL)
				d->cut = "output failed";
			return;
		}
		if (procdump_block(d, b, procmem_map(pm)) == -1)
			return;
	}
}

/* Count d in the run and write its live/process_dumps.jsonl record. */
static void
procdump_record(struct procdump_one *d, const char *name, int why,
    uint64_t skipped, int maps)
{
	struct procdump_run	*r = d->r;
	json_t			*rec, *reasons;
	size_t			 i;

	r->dumped += d->bytes;
	r->done += d->regions > 0;
	r->cut += d->cut != NULL;
	reasons = json_array();
	for (i = 0; i < nitems(procdump_reason_names); i++)
		if (why & (1 << i))
			json_array_append_new(reasons,
			    json_string(procdump_reason_names[i]));
	rec = json_pack("{s:i, s:o, s:I, s:I, s:I, s:I, s:b}", "pid", d->pid,
	    "reasons", reasons, "bytes", (json_int_t)d->bytes,
	    "regions", (json_int_t)d->regions, "skipped", (json_int_t)skipped,
	    "unreadable", (json_int_t)d->unreadable, "cut", d->cut != NULL);
	util_json_set_name(rec, "process", name);
	if (d->cut != NULL)
		json_object_set_new(rec, "cut_reason", json_string(d->cut));
	if (maps)
		json_object_set_new(rec, "maps", json_sprintf("memory/%d/maps",
		    d->pid));
	collect_record(r->ctx, "process_dumps", rec);
	collect_log(r->ctx, d->cut ? LOG_WARN : LOG_INFO, "process %d (%s): "
	    "%llu bytes in %llu regions dumped%s%s", d->pid, name,
	    (unsigned long long)d->bytes, (unsigned long long)d->regions,
	    d->cut ? "; cut: " : "", d->cut ? d->cut : "");
}

/* Dump pid (name, its reasons why) and write its record. */
static void
procdump_one(struct procdump_run *r, unsigned int pid, const char *name,
    int why)
{
	struct procdump_one	 d;
	struct procmem		*pm = NULL;
	const char		*text;
	size_t			 len;
	uint64_t		 left, budget, room;

	memset(&d, 0, sizeof d);
	d.r = r;
	d.pid = (int)pid;
	d.blocks = json_array();
	left = r->total > r->dumped ? r->total - r->dumped : 0;
	budget = r->per < left ? r->per : left;
	room = collect_room_left(r->ctx);
	room = room > PROCDUMP_RESERVE ? room - PROCDUMP_RESERVE : 0;
	if (budget == 0)
		d.cut = "process_dump_total reached";
	else if (room == 0)
		d.cut = "max_total_size reached";
	else if ((pm = procmem_new((int)pid, budget < room ? budget :
	    room)) == NULL) {
		if (errno != ENOENT && errno != ESRCH) {
			collect_error(r->ctx, NULL, "process %u: cannot read "
			    "its memory: %s", pid, strerror(errno));
			r->failed++;
		}
		json_decref(d.blocks);
		return;
	} else {
		text = procmem_maps(pm, &len);
		procdump_text(&d, "maps", text, len);
		procdump_read(&d, pm);
		if (d.cut == NULL && procmem_cut(pm))
			d.cut = room < budget ? "max_total_size reached" :
			    budget < r->per ? "process_dump_total reached" :
			    "process_dump_max reached";
		procdump_index(&d, text, len);
	}
	procdump_record(&d, name, why, pm ? procmem_skipped(pm) : 0,
	    pm != NULL);
	procmem_free(pm);
	json_decref(d.blocks);
}

/* The process name (comm) of pid into name; "" when gone. */
static void
procdump_comm(struct procdump_run *r, unsigned int pid, char *name,
    size_t size)
{
	char	p[64], *s;
	size_t	len;

	name[0] = '\0';
	snprintf(p, sizeof p, "%u/comm", pid);
	if ((s = live_read_at(r->procfd, p, 256, &len, NULL)) == NULL)
		return;
	s[strcspn(s, "\n")] = '\0';
	snprintf(name, size, "%s", s);
	free(s);
}

static enum collect_result
procdump_collect(struct collect_ctx *ctx)
{
	struct procdump_run	r;
	struct live_pids	pids;
	char			name[256];
	size_t			i;
	int			why, pass, *whys;

	memset(&r, 0, sizeof r);
	r.ctx = ctx;
	if (!collect_process_dump(ctx, &r.per, &r.total)) {
		collect_log(ctx, LOG_INFO, "skipped: %s",
		    collect_is_deadbox(ctx) ? "dead-box run (--root)" :
		    "--no-process-dump");
		return COLLECT_OK;
	}
	if ((r.procfd = collect_open(ctx, "/proc", O_RDONLY |
	    O_DIRECTORY)) == -1) {
		collect_error(ctx, "/proc", "cannot open /proc: %s",
		    strerror(errno));
		return COLLECT_FAILED;
	}
	if (process_pids(r.procfd, &pids) == -1) {
		collect_error(ctx, "/proc", "cannot list processes: %s",
		    strerror(errno));
		close(r.procfd);
		return COLLECT_FAILED;
	}
	/*
	 * The budget goes to the strongest suspects first: an anonymous
	 * executable mapping alone is what every JIT (browsers, Java, node,
	 * qemu) has, so those come after the hidden, the deleted or memfd
	 * executables, the preloaded and what a rule or an indicator
	 * matched; by pid within each pass.
	 */
	whys = xcalloc(pids.n ? pids.n : 1, sizeof *whys);
	for (i = 0; i < pids.n && !collect_expired(ctx); i++)
		if (!collect_is_agent(ctx, (pid_t)pids.pid[i]) &&
		    (whys[i] = procdump_reasons(&r, pids.pid[i],
		    pids.hidden[i])) != 0)
			r.suspects++;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < pids.n && !collect_expired(ctx); i++) {
			why = whys[i];
			if (why == 0 || (pass == 0) != (why != PD_ANON_EXEC))
				continue;
			procdump_comm(&r, pids.pid[i], name, sizeof name);
			procdump_one(&r, pids.pid[i], name, why);
		}
	free(whys);
	collect_log(ctx, LOG_INFO, "%zu processes looked at, %zu suspects, "
	    "%zu dumped (%llu bytes; caps %llu per process, %llu in all), "
	    "%zu cut, %zu unreadable%s", pids.n, r.suspects, r.done,
	    (unsigned long long)r.dumped, (unsigned long long)r.per,
	    (unsigned long long)r.total, r.cut, r.failed,
	    r.suspects == 0 ? ": no suspect process, nothing dumped" : "");
	process_pids_free(&pids);
	close(r.procfd);
	return r.failed ? COLLECT_PARTIAL : COLLECT_OK;
}

const struct collector collector_procdump = {
	.name = "procdump",
	.description = "memory dumps of suspect processes (hidden, deleted "
	    "or memfd exe, LD_PRELOAD, anonymous executable, YARA hit)",
	.flags = COLLECTOR_LIVE | COLLECTOR_NEEDS_ROOT | COLLECTOR_SLOW,
	.run = procdump_collect,
};
