/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The collector context: what collectors call to emit records and files
 * (collector.h). Files go straight to the sink, read once; records and
 * other streams are spooled in memory (memfd, never the host's disk) and
 * added when their collector ends. Limits (deadline, byte budget,
 * signals) are checked here, in one place.
 *
 * A file system that stops answering (a FUSE or network mount) blocks
 * an open or a read in the kernel for ever, and the thread with it. So
 * this thread, which writes the archive, makes neither itself: readers
 * (workers.h) read small files, a guard thread (guard.h) opens each
 * file and reads large ones, and this thread waits for them a bounded
 * time (collect_give_up decides for both). When
 * the run is cut (deadline, signal) or a call has not moved for
 * COLLECT_STALL seconds, it is given up on: recorded as "abandoned:
 * read blocked for N s", its thread left in the kernel, and the run goes
 * on to a signed archive of the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "collect-int.h"
#include "collector.h"
#include "findings.h"
#include "guard.h"
#include "ioc.h"
#include "log.h"
#include "os.h"
#include "scan.h"
#include "sshkey.h"
#include "sweep.h"

#define COLLECT_STREAM_MAX	(4ULL << 30)
/*
 * Waiting for a reader (the guard: GUARD_POLL_MS, guard.h): how often
 * the limits are checked (ms); once the run is cut, how long a call
 * that does not move is still waited for (s); before, how long one may
 * not move at all before it is given up on (s, or
 * CSIRT_COLLECT_STALL_SECS), for at most WORKERS_MAXSTUCK calls (then
 * only a cut gives up).
 */
#define COLLECT_POLL_MS		200
#define COLLECT_CUT_GRACE	2.0
#define COLLECT_STALL		60.0

struct collect_stream {
	struct collect_ctx	*ctx;
	char			*apath;
	int			 fd;
	uint64_t		 size;
	int			 truncated;
	int			 record;	/* a live/<name>.jsonl stream */
	struct collect_stream	*next;
};

static const char *const collect_no_paths[] = { NULL };

static int	collect_stream_add(struct collect_stream *, unsigned char *);
static int	collect_write_job(struct collect_ctx *, struct workers_job *);
static int	collect_guard_give_up(void *, double);

struct collect_ctx *
collect_new(const struct config *cfg, struct sink *sink, struct manifest *m,
    int rootfd, volatile sig_atomic_t *stop)
{
	struct collect_ctx	*ctx;
	const char		*e;
	long long		 secs;

	ctx = xcalloc(1, sizeof *ctx);
	ctx->cfg = cfg;
	ctx->sink = sink;
	ctx->m = m;
	ctx->rootfd = rootfd;
	ctx->root = cfg->root ? cfg->root : "/";
	ctx->deadbox = cfg->root != NULL;
	ctx->stop = stop;
	if (cfg->time_limit > 0)
		ctx->deadline = time(NULL) + (time_t)cfg->time_limit;
	ctx->artifact_paths = cfg->artifacts.n ?
	    (const char *const *)cfg->artifacts.v : collect_no_paths;
	ctx->stall = COLLECT_STALL;
	if ((e = getenv("CSIRT_COLLECT_STALL_SECS")) != NULL &&
	    util_parse_int(e, 1, 86400, &secs) == 0)
		ctx->stall = (double)secs;
	ctx->guard = guard_new(collect_guard_give_up, ctx);
	ctx->findings = findings_new(FINDINGS_DAYS, 0);
	if (sink != NULL)
		sink_set_reader(sink, guard_pread, ctx->guard);
	return ctx;
}

void
collect_free(struct collect_ctx *ctx)
{
	struct collect_stream	*s, *next;

	if (ctx == NULL)
		return;
	for (s = ctx->streams; s != NULL; s = next) {
		next = s->next;
		close(s->fd);
		free(s->apath);
		free(s);
	}
	hset_free(&ctx->seen);
	collect_ioc_free(ctx);
	free(ctx->md5s);
	free(ctx->exdir);
	while (ctx->nsweep_big > 0)
		free(ctx->sweep_big[--ctx->nsweep_big].path);
	free(ctx->sweep_big);
	passwd_free(&ctx->users);
	passwd_free(&ctx->groups);
	if (ctx->matches != NULL) {
		close(ctx->matches->fd);
		free(ctx->matches->apath);
		free(ctx->matches);
	}
	workers_free(ctx->pool);
	guard_free(ctx->guard);
	json_decref(ctx->match_counts);
	findings_free(ctx->findings);
	free(ctx->matched);
	free(ctx->tap);
	EVP_MD_CTX_free(ctx->tapmd5);
	EVP_MD_CTX_free(ctx->tapsha1);
	if (ctx->rootfd != -1)
		close(ctx->rootfd);
	free(ctx);
}

void
collect_exclude(struct collect_ctx *ctx, const char *dir,
    const struct stat *st)
{
	free(ctx->exdir);
	ctx->exdir = dir != NULL && strcmp(dir, "/") != 0 ? xstrdup(dir) :
	    NULL;
	if ((ctx->exfile = st != NULL)) {
		ctx->exdev = st->st_dev;
		ctx->exino = st->st_ino;
	}
}

int
collect_excluded(struct collect_ctx *ctx, const char *path,
    const struct stat *st)
{
	size_t	len;

	if (st != NULL && ctx->exfile && st->st_dev == ctx->exdev &&
	    st->st_ino == ctx->exino)
		return 1;
	if (ctx->exdir == NULL)
		return 0;
	len = strlen(ctx->exdir);
	return strncmp(path, ctx->exdir, len) == 0 && path[len] == '/';
}

/* Skip our own output, saying so once. */
static int
collect_skip_own(struct collect_ctx *ctx, const char *path,
    const struct stat *st)
{
	if (!collect_excluded(ctx, path, st))
		return 0;
	if (ctx->nexcluded++ == 0)
		collect_log(ctx, LOG_INFO, "%s: the agent's own output: not "
		    "collected (nor anything else in %s)", path,
		    ctx->exdir ? ctx->exdir : "the output directory");
	else
		collect_log(ctx, LOG_DEBUG, "%s: the agent's own output: not "
		    "collected", path);
	return 1;
}

void
collect_begin(struct collect_ctx *ctx, const struct collector *c)
{
	ctx->collector = c ? c->name : NULL;
}

const char *
collect_root(struct collect_ctx *ctx)
{
	return ctx->root;
}

int
collect_is_deadbox(struct collect_ctx *ctx)
{
	return ctx->deadbox;
}

const char *
collect_profile(struct collect_ctx *ctx)
{
	return ctx->cfg->profile;
}

const char *const *
collect_artifact_paths(struct collect_ctx *ctx)
{
	return ctx->artifact_paths;
}

uint64_t
collect_max_file_size(struct collect_ctx *ctx)
{
	uint64_t	max;

	max = ctx->cfg->max_file_size ? ctx->cfg->max_file_size : UINT64_MAX;
	return ctx->file_cap != 0 && ctx->file_cap < max ? ctx->file_cap :
	    max;
}

void
collect_set_file_cap(struct collect_ctx *ctx, uint64_t cap)
{
	ctx->file_cap = cap;
}

void
collect_set_supervisor(struct collect_ctx *ctx, pid_t pid)
{
	ctx->supervisor = pid;
}

int
collect_is_agent(struct collect_ctx *ctx, pid_t pid)
{
	return pid == getpid() || (ctx->supervisor > 0 &&
	    pid == ctx->supervisor);
}

int
collect_nstuck(struct collect_ctx *ctx)
{
	return ctx != NULL ? ctx->nstuck + guard_nstuck(ctx->guard) : 0;
}

uint64_t
collect_nfiles(struct collect_ctx *ctx)
{
	return ctx->nfiles;
}

int
collect_output_failed(struct collect_ctx *ctx)
{
	return ctx->failed;
}

const char *
collect_cut_reason(struct collect_ctx *ctx)
{
	return ctx->cut;
}

int
collect_expired(struct collect_ctx *ctx)
{
	if (ctx->failed)
		return 1;
	if (ctx->cut != NULL)
		return 1;
	if (*ctx->stop) {
		/* The victim was told by the signal handler: log only. */
		ctx->cut = *ctx->stop == SIGINT ? "interrupted by Ctrl-C" :
		    *ctx->stop == SIGTERM ? "stopped by SIGTERM" :
		    "interrupted by a signal";
		log_detail(LOG_WARN, NULL, "%s: finishing the archive with "
		    "what was collected", ctx->cut);
	} else if (ctx->deadline != 0 && time(NULL) >= ctx->deadline) {
		ctx->cut = "time limit reached";
		log_msg(LOG_WARN, NULL, "time limit of %llds reached: "
		    "finishing the archive", ctx->cfg->time_limit);
	} else if (ctx->cfg->max_total_size != 0 && ctx->sink != NULL &&
	    sink_bytes(ctx->sink) + (ctx->pool ? workers_inflight(ctx->pool) :
	    0) >= ctx->cfg->max_total_size) {
		ctx->cut = "total size limit reached";
		log_msg(LOG_WARN, NULL, "total size limit reached: "
		    "finishing the archive");
	}
	return ctx->cut != NULL;
}

void
collect_log(struct collect_ctx *ctx, enum log_level level, const char *fmt,
    ...)
{
	va_list	ap;

	if (ctx->sink == NULL && !ctx->cfg->dry_run)
		return;		/* a real run's estimate: said by the run */
	va_start(ap, fmt);
	log_vmsg(level, ctx->collector, fmt, ap);
	va_end(ap);
}

void
collect_error(struct collect_ctx *ctx, const char *path, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *lossy;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("out of memory");
	va_end(ap);
	manifest_add_error(ctx->m, path, ctx->collector, msg);
	if (path != NULL) {
		lossy = util_utf8_lossy(path);
		log_detail(LOG_WARN, ctx->collector, "%s: %s", lossy, msg);
		free(lossy);
	} else
		log_detail(LOG_WARN, ctx->collector, "%s", msg);
	free(msg);
}

/* Add apath to the set; 0 if it is new, 1 if it was there already. */
int
collect_seen(struct collect_ctx *ctx, const char *apath)
{
	return hset_add(&ctx->seen, apath, strlen(apath));
}

int
collect_open(struct collect_ctx *ctx, const char *path, int flags)
{
	struct stat	st;

	/*
	 * A file to read must be a regular file: a FIFO (or a device) where
	 * /etc/passwd or wtmp should be would block the run or never end.
	 */
	if ((flags & (O_PATH | O_DIRECTORY)) == 0)
		return os_open_regular(ctx->rootfd, path, &st);
	return os_open_under(ctx->rootfd, path, flags);
}

const char *
collect_open_error(int e)
{
	return e == EINVAL ? "not a regular file (never opened)" :
	    strerror(e);
}

/* What the budget leaves for a file of size bytes. */
uint64_t
collect_room(struct collect_ctx *ctx, uint64_t max)
{
	uint64_t	used, budget = ctx->cfg->max_total_size;

	if (budget == 0)
		return max;
	used = sink_bytes(ctx->sink) + (ctx->pool ?
	    workers_inflight(ctx->pool) : 0);
	if (used >= budget)
		return 0;
	return budget - used < max ? budget - used : max;
}

uint64_t
collect_room_left(struct collect_ctx *ctx)
{
	return ctx->sink == NULL ? UINT64_MAX : collect_room(ctx, UINT64_MAX);
}

/*
 * YARA on collected files. Small files are scanned by the readers from
 * the copy they read. For a big one, streamed by this thread, the sink's
 * tap hands each chunk to collect_tap, which keeps the md5 (the "md5"
 * external) and the first SCAN_CAP bytes; once archived, a reader scans
 * that copy while this thread packs on. Either way each byte is read
 * from disk once for hashing, scanning and packing.
 */
void
collect_set_scanner(struct collect_ctx *ctx, struct scan *scan)
{
	ctx->scan = scan;
	if (scan == NULL)
		return;
	ctx->scan_files = 1;
	ctx->match_counts = json_object();
	ctx->matches = collect_stream_open(ctx, "yara/matches.jsonl");
}

void
collect_set_iocs(struct collect_ctx *ctx, const struct ioc_set *iocs)
{
	ctx->iocs = iocs;
}

const struct ioc_set *
collect_iocs(struct collect_ctx *ctx)
{
	return ctx->iocs;
}

struct scan *
collect_scanner(struct collect_ctx *ctx)
{
	return ctx->scan;
}

const char *const *
collect_scan_paths(struct collect_ctx *ctx)
{
	return ctx->cfg->scan_paths.n ?
	    (const char *const *)ctx->cfg->scan_paths.v : collect_no_paths;
}

int
collect_scan_processes(struct collect_ctx *ctx)
{
	return ctx->scan != NULL && !ctx->cfg->no_process_memory &&
	    !ctx->deadbox;
}

int
collect_scan_files(struct collect_ctx *ctx, int on)
{
	int	was = ctx->scan_files;

	ctx->scan_files = on;
	return was;
}

/* Keep the pid of a process match and its kind (for procdump.c). */
static void
collect_match_pid(struct collect_ctx *ctx, json_t *rec, int kind)
{
	json_t	*pid = json_object_get(rec, "pid");
	size_t	 i;

	if (!json_is_integer(pid) || json_integer_value(pid) <= 0 ||
	    json_integer_value(pid) > INT32_MAX)
		return;
	for (i = 0; i < ctx->nmatched; i++)
		if (ctx->matched[i].pid == (pid_t)json_integer_value(pid)) {
			ctx->matched[i].kinds |= kind;
			return;
		}
	ctx->matched = xreallocarray(ctx->matched, ctx->nmatched + 1,
	    sizeof *ctx->matched);
	ctx->matched[ctx->nmatched].pid = (pid_t)json_integer_value(pid);
	ctx->matched[ctx->nmatched++].kinds = kind;
}

int
collect_process_matched(struct collect_ctx *ctx, pid_t pid)
{
	size_t	i;

	for (i = 0; i < ctx->nmatched; i++)
		if (ctx->matched[i].pid == pid)
			return ctx->matched[i].kinds;
	return 0;
}

void
collect_container_caps(struct collect_ctx *ctx, uint64_t *per,
    uint64_t *total, uint64_t *files)
{
	*per = ctx->cfg->container_upper_max;
	*total = ctx->cfg->container_upper_total;
	*files = (uint64_t)ctx->cfg->container_upper_files;
}

int
collect_process_dump(struct collect_ctx *ctx, uint64_t *per, uint64_t *total)
{
	*per = ctx->cfg->process_dump_max;
	*total = ctx->cfg->process_dump_total;
	return !ctx->cfg->no_process_dump && !ctx->deadbox;
}

int
collect_match(struct collect_ctx *ctx, json_t *rec)
{
	const char	*rule;
	json_t		*n;
	char		*line;
	int		 ioc, rc = -1;

	/* The indicators' rules: sightings, not YARA matches; a process
	   whose memory holds an indicator is dumped as for a rule's. */
	if ((ioc = collect_ioc_yara(ctx, rec)) != 0) {
		if (ioc == 2)
			collect_match_pid(ctx, rec, COLLECT_MATCH_IOC);
		json_decref(rec);
		return 0;
	}
	rule = json_string_value(json_object_get(rec, "rule"));
	if (rule != NULL) {
		n = json_object_get(ctx->match_counts, rule);
		json_object_set_new(ctx->match_counts, rule,
		    json_integer(n ? json_integer_value(n) + 1 : 1));
	}
	ctx->nmatches++;
	collect_match_pid(ctx, rec, COLLECT_MATCH_YARA);
	findings_record(ctx->findings, "yara/matches", rec);
	line = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(rec);
	if (line != NULL && ctx->matches != NULL &&
	    collect_stream_write(ctx->matches, line, strlen(line)) == 0)
		rc = collect_stream_write(ctx->matches, "\n", 1);
	free(line);
	return rc;
}

struct findings *
collect_findings(struct collect_ctx *ctx)
{
	return ctx->findings;
}

uint64_t
collect_matches(struct collect_ctx *ctx, json_t **counts)
{
	if (counts != NULL)
		*counts = ctx->match_counts;
	return ctx->nmatches;
}

int
collect_matches_close(struct collect_ctx *ctx)
{
	struct collect_stream	*s;

	collect_drain(ctx, 1);
	s = ctx->matches;
	ctx->matches = NULL;
	if (s != NULL && collect_stream_add(s, NULL) == -1)
		return -1;
	return collect_ioc_close(ctx);
}

static void
collect_tap(void *arg, const void *p, size_t n)
{
	struct collect_ctx	*ctx = arg;
	size_t			 take;

	if (p == NULL)
		return;
	if ((ctx->tapscan && scan_uses_md5(ctx->scan)) ||
	    (ctx->tapioc & WORKERS_HASH_MD5))
		EVP_DigestUpdate(ctx->tapmd5, p, n);
	if (ctx->tapioc & WORKERS_HASH_SHA1)
		EVP_DigestUpdate(ctx->tapsha1, p, n);
	ctx->tapseen += n;
	if (!ctx->tapscan)
		return;
	take = ctx->tapcap - ctx->taplen < n ? ctx->tapcap - ctx->taplen : n;
	if (take == 0)
		return;
	memcpy(ctx->tap + ctx->taplen, p, take);
	ctx->taplen += take;
}

/*
 * Set the tap for the next entry (size bytes) if its content is to be
 * scanned (ctx->tapscan: its first SCAN_CAP bytes are kept, in memory
 * sized once) or the indicators want its md5 or sha1 (ctx->tapioc).
 */
static int
collect_tap_begin(struct collect_ctx *ctx, int fd, uint64_t size)
{
	size_t			 want = size < SCAN_CAP ? (size_t)size :
				    SCAN_CAP;

	ctx->tapscan = ctx->scan != NULL && ctx->scan_files &&
	    !os_fs_pseudo(fd);
	ctx->tapioc = collect_ioc_digests(ctx);
	if (!ctx->tapscan && ctx->tapioc == 0)
		return 0;
	if (ctx->tapscan)
		collect_tap_reserve(ctx, want);
	ctx->taplen = 0;
	ctx->tapseen = 0;
	if ((ctx->tapmd5 == NULL && (ctx->tapmd5 = EVP_MD_CTX_new()) ==
	    NULL) || (ctx->tapsha1 == NULL && (ctx->tapsha1 =
	    EVP_MD_CTX_new()) == NULL))
		fatal("EVP_MD_CTX_new");
	if (EVP_DigestInit_ex(ctx->tapmd5, EVP_md5(), NULL) != 1 ||
	    EVP_DigestInit_ex(ctx->tapsha1, EVP_sha1(), NULL) != 1)
		fatal("EVP md5");
	sink_set_tap(ctx->sink, collect_tap, ctx);
	return 1;
}

void
collect_tap_reserve(struct collect_ctx *ctx, size_t want)
{
	/* One tap buffer: wait for the scan of the last big file. */
	while (ctx->tapbusy && collect_take(ctx) == 0)
		;
	if (want > ctx->tapcap) {
		free(ctx->tap);
		ctx->tap = xmalloc(want);
		ctx->tapcap = want;
	}
}

void
collect_tap_end(struct collect_ctx *ctx)
{
	if (ctx->tapcap > SCAN_BIG) {
		free(ctx->tap);
		ctx->tap = NULL;
		ctx->tapcap = 0;
	}
}

struct workers_job *
collect_tap_job(struct collect_ctx *ctx, const char *source,
    const struct stat *st, uint64_t got)
{
	struct workers_job	*j;

	j = xcalloc(1, sizeof *j);
	j->fd = -1;
	j->st = *st;
	j->source = xstrdup(source);
	j->scan = 1;
	j->scanonly = 1;
	j->buf = ctx->tap;
	j->got = got;
	j->owner = collect_user_name(ctx, st->st_uid);
	return j;
}

/*
 * Scan what the tap kept of source, archived with hash sha256: a job for
 * the readers, so the writer goes on packing while a big file is
 * scanned. Its results come back in order, through collect_write_job.
 */
static void
collect_tap_scan(struct collect_ctx *ctx, const char *source,
    const struct stat *st, const unsigned char *sha256,
    const unsigned char *md5)
{
	struct workers_job	*j;

	collect_pool(ctx);
	j = collect_tap_job(ctx, source, st, ctx->taplen);
	memcpy(j->sha256, sha256, sizeof j->sha256);
	memcpy(j->md5, md5, sizeof j->md5);
	if (ctx->tapseen > ctx->taplen)
		collect_log(ctx, LOG_INFO, "%s: larger than the scan cap: "
		    "YARA scanned its first %zu bytes", source, ctx->taplen);
	ctx->tapbusy = 1;
	collect_queue(ctx, j);
}

/*
 * Whether the start of source is a private key, which is never archived
 * (nor its bytes logged): the ssh_keys collector records what it is.
 */
static int
collect_private_key(struct collect_ctx *ctx, const char *source,
    const void *buf, size_t len)
{
	if (source == NULL || !sshkey_is_private(buf, len < SSHKEY_PREFIX ?
	    len : SSHKEY_PREFIX))
		return 0;
	collect_log(ctx, LOG_INFO, "%s: a private key: not archived (see "
	    "live/ssh_keys.jsonl)", source);
	return 1;
}

/*
 * collect_private_key on the first bytes of a large file being collected,
 * read through the guard (this thread never reads evidence itself: a
 * stalled file system would hang it). 1: a key, 0: not, -1: the read was
 * given up on (recorded as abandoned; nothing of it archived).
 */
static int
collect_private_key_fd(struct collect_ctx *ctx, const char *source, int fd)
{
	unsigned char	buf[SSHKEY_PREFIX];
	char		why[256] = "";
	ssize_t		n;

	if ((n = guard_pread(ctx->guard, fd, buf, sizeof buf, 0, why,
	    sizeof why)) == -1 && why[0] != '\0') {
		collect_error(ctx, source, "%s; not archived", why);
		return -1;
	}
	if (n <= 0)
		return 0;
	return collect_private_key(ctx, source, buf, (size_t)n);
}

/* Archive fd; shared by collect_file and collect_file_fd. */
static int
collect_add(struct collect_ctx *ctx, int fd, const struct stat *st,
    const char *source, const char *apath, unsigned char *sha256)
{
	struct sink_result	res;
	uint64_t		max = collect_max_file_size(ctx), room;
	unsigned char		md5[16], sha1[20];
	int			rc, tapped, whole;

	if (collect_seen(ctx, apath))
		return 0;
	room = collect_room(ctx, max);
	if (room < max && room < (uint64_t)st->st_size)
		collect_error(ctx, source, "cut at %llu bytes: total size "
		    "limit", (unsigned long long)room);
	else if ((uint64_t)st->st_size > max)
		collect_error(ctx, source, "larger than the file size limit "
		    "(%llu bytes): first %llu bytes kept",
		    (unsigned long long)st->st_size, (unsigned long long)max);
	tapped = collect_tap_begin(ctx, fd, (uint64_t)st->st_size < room ?
	    (uint64_t)st->st_size : room);
	if (ctx->recheck != NULL)
		sink_set_expect(ctx->sink, ctx->recheck->len,
		    ctx->recheck->sha256);
	rc = sink_add_fd(ctx->sink, fd, apath, source, st,
	    (uint64_t)st->st_size, room, &res);
	if (ctx->recheck != NULL)
		ctx->recheck->changed = res.changed;
	if (tapped) {
		EVP_DigestFinal_ex(ctx->tapmd5, md5, NULL);
		EVP_DigestFinal_ex(ctx->tapsha1, sha1, NULL);
	}
	if (tapped && ctx->tapscan && rc != SINK_FATAL)
		collect_tap_scan(ctx, source, st, res.sha256, md5);
	if (rc == SINK_FATAL) {
		ctx->failed = 1;
		log_msg(LOG_ERROR, ctx->collector, "%s", sink_error(ctx->sink));
		return -1;
	}
	if (rc == SINK_WARN)
		collect_error(ctx, source, "%s", res.note);
	if (sha256 != NULL)
		memcpy(sha256, res.sha256, sizeof res.sha256);
	/* Streamed: its digests (the sink's, the tap's) if read whole. */
	whole = !res.truncated && res.size == (uint64_t)st->st_size;
	collect_ioc_file(ctx, source, whole ? res.sha256 : NULL,
	    whole && (ctx->tapioc & WORKERS_HASH_MD5) && tapped ? md5 : NULL,
	    whole && (ctx->tapioc & WORKERS_HASH_SHA1) && tapped ? sha1 :
	    NULL);
	ctx->nfiles++;
	return 0;
}

void
collect_pool(struct collect_ctx *ctx)
{
	if (ctx->pool == NULL)
		ctx->pool = workers_new(os_ncpu(), ctx->scan,
		    COLLECT_INFLIGHT);
}

/*
 * Whether to give up on a call that has not moved for idle seconds (or
 * a reader's job not begun for that long: queued): once the run is cut
 * by the deadline or a signal, after a short grace; until then, a call
 * begun, after ctx->stall seconds, while few have been given up on.
 */
static int
collect_give_up(struct collect_ctx *ctx, double idle, int queued)
{
	collect_expired(ctx);	/* says the cut, once */
	if (*ctx->stop || (ctx->deadline != 0 && time(NULL) >= ctx->deadline))
		return idle >= COLLECT_CUT_GRACE;
	/* Not begun: every reader is busy, it will be. */
	return !queued && idle >= ctx->stall &&
	    collect_nstuck(ctx) < WORKERS_MAXSTUCK;
}

/* The guard's question: a call begun, never queued. */
static int
collect_guard_give_up(void *arg, double idle)
{
	return collect_give_up(arg, idle, 0);
}

/* A hash job back, or given up on (l): the caller's callback. */
static void
collect_hash_back(struct collect_ctx *ctx, struct workers_job *j,
    struct workers_lost *l)
{
	struct collect_hashreq	*r = j != NULL ? j->arg : l->arg;
	struct collect_digest	 d;

	memset(&d, 0, sizeof d);
	if (j != NULL) {
		d.path = j->source;
		d.st = &j->st;
		d.got = j->got;
		d.err = j->rerrno;
		memcpy(d.md5, j->md5, sizeof d.md5);
		memcpy(d.sha1, j->sha1, sizeof d.sha1);
		memcpy(d.sha256, j->sha256, sizeof d.sha256);
		if (j->rerrno == 0 && j->got == (uint64_t)j->st.st_size)
			collect_ioc_file(ctx, j->source,
			    j->hash & WORKERS_HASH_SHA256 ? j->sha256 : NULL,
			    j->hash & WORKERS_HASH_MD5 ? j->md5 : NULL,
			    j->hash & WORKERS_HASH_SHA1 ? j->sha1 : NULL);
	} else {
		d.path = l->source;
		d.st = &l->st;
		d.got = l->got;
		d.err = -1;
	}
	d.short_read = d.got < (uint64_t)d.st->st_size;
	r->cb(ctx, &d, r->arg);
	free(r);
}

static void
collect_hash_lost(struct collect_ctx *ctx, struct workers_lost *l,
    double idle)
{
	if (l->phase != WORKERS_QUEUED) {
		ctx->nstuck++;
		collect_error(ctx, l->source, "abandoned: read blocked for "
		    "%d s; not hashed", (int)(idle + 0.5));
	}
	collect_hash_back(ctx, NULL, l);
}

/*
 * Record a reader's job given up on. Read in part, it is archived: the
 * bytes read, zeros for the rest (the size its header would have had),
 * marked; not read at all, it is an error only.
 */
static void
collect_lost(struct collect_ctx *ctx, struct workers_lost *l, double idle)
{
	unsigned char	*buf, sha256[32];
	char		 note[256];
	int		 secs = (int)(idle + 0.5);

	if (l->hash) {			/* collect_hash_file's */
		collect_hash_lost(ctx, l, idle);
		return;
	}
	if (l->arg != NULL) {		/* the sweep's */
		sweep_lost(ctx, l, idle);
		return;
	}
	if (l->apath == NULL) {		/* a scan of the tap, not begun */
		collect_error(ctx, l->source, "YARA: not scanned: the run was "
		    "cut and every reader was blocked");
		ctx->tapbusy = 0;
		collect_tap_end(ctx);
		return;
	}
	if (l->phase == WORKERS_QUEUED) {
		collect_error(ctx, l->source, "not read: the run was cut and "
		    "every reader was blocked");
		return;
	}
	ctx->nstuck++;
	if (l->got == 0) {
		collect_error(ctx, l->source, "abandoned: read blocked for "
		    "%d s; nothing read, not archived", secs);
		return;
	}
	snprintf(note, sizeof note, "abandoned: read blocked for %d s after "
	    "%llu of %llu bytes; rest zero-filled", secs,
	    (unsigned long long)l->got, (unsigned long long)l->want);
	buf = xcalloc(1, (size_t)l->want);
	memcpy(buf, l->data, (size_t)l->got);
	EVP_Digest(buf, (size_t)l->want, sha256, NULL, EVP_sha256(), NULL);
	if (sink_add_prepared(ctx->sink, l->apath, l->source, &l->st, buf,
	    (size_t)l->want, sha256, l->truncated, note) == SINK_FATAL) {
		ctx->failed = 1;
		log_msg(LOG_ERROR, ctx->collector, "%s", sink_error(ctx->sink));
	} else {
		collect_error(ctx, l->source, "%s", note);
		ctx->nfiles++;
	}
	free(buf);
}

/*
 * The oldest job of the pool once finished, or NULL when none is
 * pending. A job whose read does not move is given up on
 * (collect_give_up) and recorded; hashing and scanning are waited for.
 */
static struct workers_job *
collect_wait(struct collect_ctx *ctx)
{
	struct workers_job	*j;
	struct workers_state	 st;
	struct workers_lost	 lost;

	for (;;) {
		switch (workers_wait(ctx->pool, COLLECT_POLL_MS, &j, &st)) {
		case 1:
			return j;
		case -1:
			return NULL;
		}
		if (st.phase == WORKERS_BUSY || !collect_give_up(ctx, st.idle,
		    st.phase == WORKERS_QUEUED))
			continue;
		if (workers_abandon(ctx->pool, &lost) != 0)
			continue;	/* it finished meanwhile */
		collect_lost(ctx, &lost, st.idle);
		workers_lost_free(&lost);
	}
}

/* Archive the oldest pending job, waiting for it. -1 if none is pending. */
int
collect_take(struct collect_ctx *ctx)
{
	struct workers_job	*d;

	if (ctx->pool == NULL || (d = collect_wait(ctx)) == NULL)
		return -1;
	if (!ctx->failed)
		collect_write_job(ctx, d);
	workers_job_free(d);
	return 0;
}

/*
 * os_open_regular, made by the guard: -1 with errno, or -2 when it was
 * given up on (recorded).
 */
static int
collect_open_file(struct collect_ctx *ctx, const char *path,
    struct stat *st)
{
	double	idle;
	int	fd;

	if ((fd = guard_open(ctx->guard, ctx->rootfd, path, st, &idle)) != -2)
		return fd;
	collect_error(ctx, path, "abandoned: open blocked for %d s; not "
	    "archived", (int)(idle + 0.5));
	return -2;
}

/* Queue j, archiving the oldest jobs while the pool is full. */
void
collect_queue(struct collect_ctx *ctx, struct workers_job *j)
{
	while (workers_submit(ctx->pool, j) == -1)
		if (collect_take(ctx) == -1)
			fatal("collect_queue: the reader pool is stuck");
}

/*
 * Archive the first len bytes (at most want) a reader read of j, with
 * their sha256, under apath; a short read is noted. 0, or -1 once the
 * output has failed.
 */
int
collect_pack(struct collect_ctx *ctx, struct workers_job *j,
    const char *apath, uint64_t len, const unsigned char *sha256)
{
	char	note[256] = "";
	int	rc;

	if (collect_private_key(ctx, j->source, j->buf, (size_t)j->got))
		return 0;
	if (j->got < len)
		snprintf(note, sizeof note, j->rerrno ? "read error after %llu "
		    "of %llu bytes (%s); rest zero-filled" : "file shrank while "
		    "read: %llu of %llu bytes; rest zero-filled",
		    (unsigned long long)j->got, (unsigned long long)len,
		    strerror(j->rerrno));
	rc = sink_add_prepared(ctx->sink, apath, j->source, &j->st, j->buf,
	    (size_t)len, sha256, len < (uint64_t)j->st.st_size,
	    note[0] ? note : NULL);
	if (rc == SINK_FATAL) {
		ctx->failed = 1;
		log_msg(LOG_ERROR, ctx->collector, "%s", sink_error(ctx->sink));
		return -1;
	}
	if (note[0] != '\0')
		collect_error(ctx, j->source, "%s", note);
	ctx->nfiles++;
	return 0;
}

/* The slot of path's key k in the md5 table (free or k's). */
static size_t
collect_md5_slot(struct collect_ctx *ctx, const unsigned char *k)
{
	size_t	i;

	memcpy(&i, k + 8, sizeof i);
	for (i &= ctx->md5cap - 1; ctx->md5s[i].key[0] != 0 &&
	    memcmp(ctx->md5s[i].key, k, 16) != 0; i = (i + 1) &
	    (ctx->md5cap - 1))
		;
	return i;
}

static void
collect_md5_key(struct collect_ctx *ctx, const char *path, unsigned char *k)
{
	crypto_shorthash_siphashx24(k, (const unsigned char *)path,
	    strlen(path), ctx->md5key);
	k[0] |= 1;		/* never all zeros: a used slot */
}

/* Keep the md5 of a whole file archived, for the bodyfile. */
static void
collect_md5_put(struct collect_ctx *ctx, const char *path,
    const unsigned char *md5)
{
	struct collect_md5	*old;
	unsigned char		 k[16];
	size_t			 i, cap;

	if (ctx->nmd5 >= COLLECT_MD5_MAX) {
		ctx->md5dropped++;
		return;
	}
	if ((ctx->nmd5 + 1) * 2 > ctx->md5cap) {
		if (ctx->md5cap == 0)
			randombytes_buf(ctx->md5key, sizeof ctx->md5key);
		old = ctx->md5s;
		cap = ctx->md5cap;
		ctx->md5cap = cap ? cap * 2 : 1024;
		ctx->md5s = xcalloc(ctx->md5cap, sizeof *ctx->md5s);
		for (i = 0; i < cap; i++)
			if (old[i].key[0] != 0)
				ctx->md5s[collect_md5_slot(ctx, old[i].key)] =
				    old[i];
		free(old);
	}
	collect_md5_key(ctx, path, k);
	i = collect_md5_slot(ctx, k);
	if (ctx->md5s[i].key[0] == 0)
		ctx->nmd5++;
	memcpy(ctx->md5s[i].key, k, 16);
	memcpy(ctx->md5s[i].md5, md5, 16);
}

int
collect_file_md5(struct collect_ctx *ctx, const char *path,
    unsigned char *md5)
{
	unsigned char	k[16];
	size_t		i;

	if (ctx->md5cap == 0)
		return -1;
	collect_md5_key(ctx, path, k);
	i = collect_md5_slot(ctx, k);
	if (ctx->md5s[i].key[0] == 0)
		return -1;
	memcpy(md5, ctx->md5s[i].md5, 16);
	return 0;
}

/* Archive a finished job: its content, matches and problems. */
static int
collect_write_job(struct collect_ctx *ctx, struct workers_job *j)
{
	size_t	i;

	if (j->hash) {
		collect_hash_back(ctx, j, NULL);
		j->arg = NULL;
		return 0;
	}
	if (j->sweep || j->pid > 0)
		return sweep_done(ctx, j);
	if (j->scanonly) {	/* archived already: matches only */
		if (j->matches == NULL && j->scan_err[0] != '\0')
			collect_error(ctx, j->source, "YARA: %s", j->scan_err);
		for (i = 0; j->matches != NULL &&
		    i < json_array_size(j->matches); i++)
			collect_match(ctx, json_incref(json_array_get(
			    j->matches, i)));
		ctx->tapbusy = 0;
		collect_tap_end(ctx);
		return 0;
	}
	if (collect_pack(ctx, j, j->apath, j->want, j->sha256) == -1)
		return -1;
	if (j->got == j->want && j->want == (uint64_t)j->st.st_size) {
		collect_md5_put(ctx, j->source, j->md5);
		collect_ioc_file(ctx, j->source, j->sha256, j->md5,
		    j->iochash & WORKERS_HASH_SHA1 ? j->sha1 : NULL);
	} else		/* not the whole file: its name and path only */
		collect_ioc_file(ctx, j->source, NULL, NULL, NULL);
	if (j->scan && j->matches == NULL && j->scan_err[0] != '\0')
		collect_error(ctx, j->source, "YARA: %s", j->scan_err);
	for (i = 0; j->matches != NULL && i < json_array_size(j->matches); i++)
		collect_match(ctx, json_incref(json_array_get(j->matches, i)));
	return 0;
}

/*
 * Archive the jobs the readers have finished: those ready (all 0), or
 * every pending one (all 1). -1 once the output has failed.
 */
int
collect_drain(struct collect_ctx *ctx, int all)
{
	struct workers_job	*j;
	int			 rc = 0;

	if (ctx->pool == NULL)
		return ctx->failed ? -1 : 0;
	while ((j = all ? collect_wait(ctx) : workers_done(ctx->pool, 0)) !=
	    NULL) {
		if (rc == 0 && !ctx->failed && collect_write_job(ctx, j) == -1)
			rc = -1;
		workers_job_free(j);
	}
	return ctx->failed ? -1 : rc;
}

_Static_assert(COLLECT_HASH_MD5 == WORKERS_HASH_MD5 &&
    COLLECT_HASH_SHA1 == WORKERS_HASH_SHA1 &&
    COLLECT_HASH_SHA256 == WORKERS_HASH_SHA256, "hash bits");

int
collect_hash_file(struct collect_ctx *ctx, int fd, const struct stat *st,
    const char *path, int algos, collect_hash_cb *cb, void *arg)
{
	struct workers_job	*j;
	struct collect_hashreq	*r;

	/* No output (a dry run's estimate): no content is read either. */
	if (ctx->failed || ctx->sink == NULL || collect_expired(ctx)) {
		close(fd);
		return -1;
	}
	collect_pool(ctx);
	collect_drain(ctx, 0);
	r = xcalloc(1, sizeof *r);
	r->cb = cb;
	r->arg = arg;
	j = xcalloc(1, sizeof *j);
	j->fd = fd;
	j->st = *st;
	j->source = xstrdup(path);
	j->hash = algos & (COLLECT_HASH_MD5 | COLLECT_HASH_SHA1 |
	    COLLECT_HASH_SHA256);
	if (j->hash == 0)
		j->hash = COLLECT_HASH_SHA256;
	/*
	 * The indicators' digests, from the same read, for an executable
	 * (a full run hashes every packaged file: not all of them thrice).
	 */
	if (algos & COLLECT_HASH_IOC) {
		j->hash |= collect_ioc_digests(ctx);
		if (ioc_set_wants(ctx->iocs, IOC_SHA256))
			j->hash |= COLLECT_HASH_SHA256;
	}
	j->arg = r;
	collect_queue(ctx, j);
	return ctx->failed ? -1 : 0;
}

int
collect_hash_end(struct collect_ctx *ctx)
{
	return collect_drain(ctx, 1);
}

/*
 * Hand a small file to the readers (fd and apath owned from here). The
 * pool bounds the bytes and files in flight: when it is full, the oldest
 * job is archived first.
 */
static int
collect_submit(struct collect_ctx *ctx, int fd, const struct stat *st,
    const char *source, char *apath)
{
	struct workers_job	*j;
	uint64_t		 max = collect_max_file_size(ctx), room;

	if (collect_seen(ctx, apath)) {
		free(apath);
		close(fd);
		return 0;
	}
	collect_pool(ctx);
	collect_drain(ctx, 0);
	room = collect_room(ctx, max);
	if (room < (uint64_t)st->st_size)
		collect_error(ctx, source, room < max ? "cut at %llu bytes: "
		    "total size limit" : "larger than the file size limit: "
		    "first %llu bytes kept", (unsigned long long)room);
	j = xcalloc(1, sizeof *j);
	j->fd = fd;
	j->st = *st;
	j->source = xstrdup(source);
	j->apath = apath;
	j->want = (uint64_t)st->st_size < room ? (uint64_t)st->st_size : room;
	j->truncated = j->want < (uint64_t)st->st_size;
	j->scan = ctx->scan != NULL && ctx->scan_files &&
	    !os_fs_pseudo(fd);
	j->iochash = collect_ioc_digests(ctx);
	j->owner = collect_user_name(ctx, st->st_uid);
	collect_queue(ctx, j);
	return ctx->failed ? -1 : 0;
}

static const char *
collect_type_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISLNK(mode))
		return "a symbolic link (recorded, not followed)";
	if (S_ISFIFO(mode))
		return "a FIFO (never opened)";
	if (S_ISSOCK(mode))
		return "a socket (never opened)";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device (never opened)";
	return "not a regular file";
}

/* Dry run: say what would be collected, from metadata alone. */
static int
collect_file_dry(struct collect_ctx *ctx, const char *path)
{
	struct stat	 st;
	char		*lossy;
	int		 fd;

	if ((fd = os_open_under(ctx->rootfd, path, O_PATH)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	close(fd);
	if (collect_skip_own(ctx, path, &st) || collect_seen(ctx, path))
		return 0;
	if (ctx->cfg->dry_run == 1) {	/* 2: a real run's estimate */
		lossy = util_utf8_lossy(path);
		printf("file\t%s\t%lld\n", lossy, (long long)st.st_size);
		free(lossy);
	}
	ctx->nfiles++;
	ctx->nbytes += (uint64_t)st.st_size < collect_max_file_size(ctx) ?
	    (uint64_t)st.st_size : collect_max_file_size(ctx);
	return 0;
}

uint64_t
collect_nbytes(struct collect_ctx *ctx)
{
	return ctx->nbytes;
}

/* A symbolic link where a file was expected: recorded, not followed. */
static void
collect_link(struct collect_ctx *ctx, const char *path)
{
	char	target[PATH_MAX + 1];
	ssize_t	n;
	int	fd;

	if ((fd = os_open_under(ctx->rootfd, path, O_PATH)) == -1 ||
	    (n = readlinkat(fd, "", target, sizeof target - 1)) == -1) {
		collect_error(ctx, path, "a symbolic link (recorded, not "
		    "followed; its target unreadable)");
		if (fd != -1)
			close(fd);
		return;
	}
	close(fd);
	target[n] = '\0';
	manifest_add_link(ctx->m, path, target);
	collect_log(ctx, LOG_DEBUG, "%s: a symbolic link to %s: recorded, "
	    "not followed", path, target);
}

int
collect_file(struct collect_ctx *ctx, const char *path)
{
	struct stat	 st;
	char		*apath;
	int		 fd, rc;

	/* No sink: the estimate (pipeline_estimate), metadata only. */
	if (ctx->cfg->dry_run || ctx->sink == NULL)
		return collect_file_dry(ctx, path);
	if (ctx->failed || collect_expired(ctx))
		return -1;
	memset(&st, 0, sizeof st);
	if ((fd = collect_open_file(ctx, path, &st)) == -2)
		return -1;
	if (fd == -1) {
		if (errno == ELOOP || (errno == EINVAL &&
		    S_ISLNK(st.st_mode))) {
			collect_link(ctx, path);
			return -1;
		}
		if (errno == EINVAL && st.st_mode != 0)
			collect_error(ctx, path, "%s",
			    collect_type_name(st.st_mode));
		else
			collect_error(ctx, path, "cannot open: %s",
			    strerror(errno));
		return -1;
	}
	if (collect_skip_own(ctx, path, &st)) {
		close(fd);
		return 0;
	}
	apath = xasprintf("files%s%s", *path == '/' ? "" : "/", path);
	/*
	 * A file read again to be checked is streamed here. A small one is
	 * read by the pool, whose packing refuses private keys
	 * (collect_pack); a large one is looked at first.
	 */
	if ((uint64_t)st.st_size <= COLLECT_SMALL && ctx->recheck == NULL)
		return collect_submit(ctx, fd, &st, path, apath);
	if ((rc = collect_private_key_fd(ctx, path, fd)) != 0) {
		free(apath);
		close(fd);
		return rc == 1 ? 0 : -1;
	}
	/* A large file is streamed by this thread, after the small ones. */
	rc = collect_drain(ctx, 1);
	if (rc == 0)
		rc = collect_add(ctx, fd, &st, path, apath, NULL);
	free(apath);
	close(fd);
	return rc;
}

int
collect_file_fd(struct collect_ctx *ctx, int fd, const char *source,
    const char *apath, unsigned char *sha256)
{
	struct stat	st;

	if (ctx->failed)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		collect_error(ctx, source, "not a regular file");
		return -1;
	}
	return collect_add(ctx, fd, &st, source, apath, sha256);
}

struct collect_stream *
collect_stream_open(struct collect_ctx *ctx, const char *apath)
{
	struct collect_stream	*s;
	int			 fd;

	if ((fd = memfd_create("csirt-collect-spool", MFD_CLOEXEC)) == -1) {
		collect_error(ctx, NULL, "%s: cannot make a memory spool: %s",
		    apath, strerror(errno));
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->ctx = ctx;
	s->apath = xstrdup(apath);
	s->fd = fd;
	return s;
}

int
collect_stream_write(struct collect_stream *s, const void *p, size_t n)
{
	struct collect_ctx	*ctx = s->ctx;
	uint64_t		 room;

	if (s->truncated)
		return -1;
	room = collect_room(ctx, COLLECT_STREAM_MAX);
	if (s->size + n > room) {
		s->truncated = 1;
		collect_error(ctx, NULL, "%s: cut at %llu bytes (size limit)",
		    s->apath, (unsigned long long)s->size);
		return -1;
	}
	if (util_write_all(s->fd, p, n) == -1) {
		s->truncated = 1;
		collect_error(ctx, NULL, "%s: memory spool: %s", s->apath,
		    strerror(errno));
		return -1;
	}
	s->size += n;
	return 0;
}

/*
 * Add the spool to the archive; the stream is freed either way. sha256
 * (may be NULL) gets the hash of what was archived, zeros if nothing was.
 */
static int
collect_stream_add(struct collect_stream *s, unsigned char *sha256)
{
	struct collect_ctx	*ctx = s->ctx;
	struct sink_result	 res;
	int			 rc = 0;

	memset(&res, 0, sizeof res);
	if (!ctx->failed && !collect_seen(ctx, s->apath)) {
		rc = sink_add_fd(ctx->sink, s->fd, s->apath, NULL, NULL,
		    s->size, UINT64_MAX, &res);
		if (rc == SINK_FATAL) {
			ctx->failed = 1;
			log_msg(LOG_ERROR, ctx->collector, "%s",
			    sink_error(ctx->sink));
		}
	}
	if (sha256 != NULL)
		memcpy(sha256, res.sha256, sizeof res.sha256);
	close(s->fd);
	free(s->apath);
	free(s);
	return rc == SINK_FATAL ? -1 : 0;
}

int
collect_stream_close(struct collect_stream *s)
{
	if (s == NULL)
		return -1;
	return collect_stream_add(s, NULL);
}

void
collect_stream_discard(struct collect_stream *s)
{
	if (s == NULL)
		return;
	close(s->fd);
	free(s->apath);
	free(s);
}

int
collect_stream_close_sum(struct collect_stream *s, unsigned char *sha256)
{
	if (s == NULL)
		return -1;
	return collect_stream_add(s, sha256);
}

int
collect_record(struct collect_ctx *ctx, const char *stream, json_t *rec)
{
	struct collect_stream	*s;
	char			*line, *apath;
	size_t			 len;
	int			 rc;

	len = strlen(stream);
	for (s = ctx->streams; s != NULL; s = s->next)
		if (strncmp(s->apath + 5, stream, len) == 0 &&
		    strcmp(s->apath + 5 + len, ".jsonl") == 0)
			break;
	if (s == NULL) {
		apath = xasprintf("live/%s.jsonl", stream);
		s = collect_stream_open(ctx, apath);
		free(apath);
		if (s == NULL) {
			json_decref(rec);
			return -1;
		}
		s->record = 1;
		s->next = ctx->streams;
		ctx->streams = s;
	}
	collect_ioc_record(ctx, stream, rec);
	findings_record(ctx->findings, stream, rec);
	line = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(rec);
	if (line == NULL) {
		collect_error(ctx, NULL, "%s: a record could not be "
		    "serialised", stream);
		return -1;
	}
	rc = collect_stream_write(s, line, strlen(line));
	if (rc == 0)
		rc = collect_stream_write(s, "\n", 1);
	free(line);
	return rc;
}

int
collect_flush(struct collect_ctx *ctx)
{
	struct collect_stream	*s, *next, *rev = NULL;
	int			 rc = 0;

	if (collect_drain(ctx, 1) == -1)
		rc = -1;
	/* Oldest stream first, as they were opened. */
	for (s = ctx->streams; s != NULL; s = next) {
		next = s->next;
		s->next = rev;
		rev = s;
	}
	ctx->streams = NULL;
	for (s = rev; s != NULL; s = next) {
		next = s->next;
		if (collect_stream_add(s, NULL) == -1)
			rc = -1;
	}
	return rc;
}

/* The root's passwd or group for names; empty when unreadable. */
static void
collect_ids_load(struct collect_ctx *ctx, const char *path, int group,
    struct passwd_file *pf)
{
	int	fd;

	memset(pf, 0, sizeof *pf);
	if ((fd = collect_open(ctx, path, O_RDONLY)) == -1)
		return;
	(void)passwd_load(pf, fd, group);
	close(fd);
}

static const char *
collect_id_name(struct collect_ctx *ctx, unsigned int id, int group)
{
	const struct passwd_entry	*e;

	if (!ctx->ids_loaded) {
		collect_ids_load(ctx, "/etc/passwd", 0, &ctx->users);
		collect_ids_load(ctx, "/etc/group", 1, &ctx->groups);
		ctx->ids_loaded = 1;
	}
	e = passwd_lookup(group ? &ctx->groups : &ctx->users, id);
	return e != NULL ? e->name : NULL;
}

const char *
collect_user_name(struct collect_ctx *ctx, uid_t uid)
{
	return collect_id_name(ctx, uid, 0);
}

const char *
collect_group_name(struct collect_ctx *ctx, gid_t gid)
{
	return collect_id_name(ctx, gid, 1);
}
