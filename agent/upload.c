/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * SFTP delivery with libssh2: pinned host key checked before any
 * credential is sent, public-key authentication, uploads through a .part
 * name with resume after breaks, and a streaming output stage with a
 * bounded resume window. See upload.h.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nss.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <termios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libssh2.h>
#include <libssh2_sftp.h>
#include <sodium.h>

#include "i18n.h"
#include "log.h"
#include "upload.h"
#include "util.h"

#define UPLOAD_KEY_MAX		(64U << 10)
#define UPLOAD_CHUNK		(1U << 20)
#define UPLOAD_TIMEOUT_MS	30000
#define UPLOAD_CONNECT_MS	10000
#define UPLOAD_BACKOFF_MAX	30

struct upload {
	char		*url;
	char		*user;
	char		*host;
	char		*port;
	char		*dir;
	char		*key;		/* sodium_malloc */
	size_t		 keylen;
	char		*pass;		/* the key's passphrase, or NULL */
	char		*password;	/* password auth, or NULL */
	char		**fps;		/* pinned "SHA256:…" */
	size_t		 nfps;
	int		 insecure;
	long long	 retries;
	uint64_t	 bwlimit;	/* bytes/s, 0 none */
	int		 sock;
	LIBSSH2_SESSION	*ssh;
	LIBSSH2_SFTP	*sftp;
	int		 final;		/* failure not worth a retry */
	enum upload_fail fail;		/* category of the last failure */
	char		 seen[80];	/* the server's host key */
	int		 resume;	/* take over an existing .part */
	struct timespec	 t0;		/* bandwidth accounting */
	uint64_t	 sent;
	uint64_t	 done, total;	/* progress of the file in hand */
};

static int	upload_ssh_inited;

/* sftp://USER@HOST[:PORT]/DIR into u. 0 or -1 with err. */
static int
upload_parse_url(struct upload *u, const char *url, char *err, size_t errlen)
{
	const char	*p, *at, *hend, *slash;

	if (strncmp(url, "sftp://", 7) != 0) {
		snprintf(err, errlen, "upload URL %s: must start with sftp://",
		    url);
		return -1;
	}
	p = url + 7;
	slash = strchr(p, '/');
	at = strchr(p, '@');
	if (at == NULL || (slash != NULL && at > slash) || at == p) {
		snprintf(err, errlen, "upload URL %s: no user (sftp://USER@"
		    "HOST[:PORT]/DIR)", url);
		return -1;
	}
	u->user = xstrndup(p, (size_t)(at - p));
	p = at + 1;
	if (*p == '[') {
		if ((hend = strchr(p, ']')) == NULL)
			goto bad;
		u->host = xstrndup(p + 1, (size_t)(hend - p - 1));
		p = hend + 1;
	} else {
		hend = p + strcspn(p, ":/");
		u->host = xstrndup(p, (size_t)(hend - p));
		p = hend;
	}
	if (*u->host == '\0')
		goto bad;
	if (*p == ':') {
		long long	port;
		size_t		n = strcspn(p + 1, "/");
		char		*s = xstrndup(p + 1, n);

		if (util_parse_int(s, 1, 65535, &port) == -1) {
			free(s);
			goto bad;
		}
		u->port = s;
		p += 1 + n;
	} else
		u->port = xstrdup("22");
	if (*p != '\0' && *p != '/')
		goto bad;
	u->dir = xstrdup(*p == '\0' || strcmp(p, "/") == 0 ? "." : p);
	return 0;
bad:
	snprintf(err, errlen, "upload URL %s: not of the form sftp://USER@HOST"
	    "[:PORT]/DIR", url);
	return -1;
}

/* A copy of s in guarded memory. */
static char *
upload_secret(const char *s)
{
	size_t	 len = strlen(s);
	char	*p;

	if ((p = sodium_malloc(len + 1)) == NULL)
		fatal("sodium_malloc");
	memcpy(p, s, len + 1);
	return p;
}

/*
 * Whether a private key is protected by a passphrase: a PEM key says
 * ENCRYPTED; an OpenSSH one names its cipher after "openssh-key-v1".
 */
static int
upload_key_encrypted(const char *text)
{
	unsigned char	 raw[256];
	char		 b64[320];
	const char	*b;
	size_t		 n = 0, clen;

	if (strstr(text, "ENCRYPTED") != NULL)
		return 1;
	if ((b = strstr(text, "OPENSSH PRIVATE KEY-----")) == NULL)
		return 0;
	/* The first base64 characters of the body: enough for the header. */
	for (b += 24; *b != '\0' && *b != '-' && n < sizeof b64; b++)
		if (*b != '\n' && *b != '\r' && *b != ' ')
			b64[n++] = *b;
	if (sodium_base642bin(raw, sizeof raw, b64, n - n % 4, NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return 0;
	if (n < 19 || memcmp(raw, "openssh-key-v1", 15) != 0)
		return 0;
	clen = ((size_t)raw[15] << 24) | ((size_t)raw[16] << 16) |
	    ((size_t)raw[17] << 8) | raw[18];
	return !(clen == 4 && n >= 23 && memcmp(raw + 19, "none", 4) == 0);
}

/* Ask for the key's passphrase on the terminal, without echo. */
static char *
upload_prompt(const char *what)
{
	struct termios	 t, saved;
	char		*p, line[1024];
	int		 fd;
	ssize_t		 n;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		return NULL;
	dprintf(fd, i18n("Passphrase for %s: "), what);
	tcgetattr(fd, &saved);
	t = saved;
	t.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fd, TCSAFLUSH, &t);
	n = read(fd, line, sizeof line - 1);
	tcsetattr(fd, TCSAFLUSH, &saved);
	dprintf(fd, "\n");
	close(fd);
	if (n <= 0) {
		sodium_memzero(line, sizeof line);
		return NULL;
	}
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	p = upload_secret(line);
	sodium_memzero(line, sizeof line);
	return p;
}

/* The passphrase of an encrypted identity: environment, else prompt. */
static int
upload_passphrase(struct upload *u, const char *name, char *err,
    size_t errlen)
{
	const char	*env = getenv("CSIRT_COLLECT_KEY_PASSPHRASE");

	if (env != NULL) {
		u->pass = upload_secret(env);
		return 0;
	}
	if (isatty(STDIN_FILENO) && (u->pass = upload_prompt(name)) != NULL)
		return 0;
	snprintf(err, errlen, "identity %s is protected by a passphrase: set "
	    "CSIRT_COLLECT_KEY_PASSPHRASE, or run on a terminal to be asked",
	    name);
	return -1;
}

/* Read the identity (inline or file) into guarded memory. */
static int
upload_load_key(struct upload *u, const struct config *cfg, char *err,
    size_t errlen)
{
	char	*text;
	size_t	 len;
	int	 fd, trunc;

	if (cfg->password != NULL)
		u->password = upload_secret(cfg->password);
	if (cfg->identity == NULL && cfg->identity_file == NULL &&
	    cfg->password != NULL)
		return 0;	/* password authentication only */
	if (cfg->identity != NULL) {
		text = xstrdup(cfg->identity);
		len = strlen(text);
	} else if (cfg->identity_file != NULL) {
		fd = open(cfg->identity_file, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd == -1) {
			snprintf(err, errlen, "cannot read identity %s: %s",
			    cfg->identity_file, strerror(errno));
			return -1;
		}
		text = util_read_fd(fd, UPLOAD_KEY_MAX, &len, &trunc);
		close(fd);
		if (text == NULL || trunc || len == 0) {
			snprintf(err, errlen, "cannot read identity %s: %s",
			    cfg->identity_file, text == NULL ? strerror(errno) :
			    len == 0 ? "empty" : "too large");
			free(text);
			return -1;
		}
	} else {
		snprintf(err, errlen, "upload to %s needs an SSH key "
		    "(--identity FILE or [upload] identity_file)", u->url);
		return -1;
	}
	if (strstr(text, "PRIVATE KEY-----") == NULL) {
		snprintf(err, errlen, "identity %s: not an SSH private key",
		    cfg->identity_file ? cfg->identity_file : "(inline)");
		sodium_memzero(text, len);
		free(text);
		return -1;
	}
	u->key = upload_secret(text);
	u->keylen = len;
	if (upload_key_encrypted(text) && upload_passphrase(u,
	    cfg->identity_file ? cfg->identity_file : "(inline)", err,
	    errlen) == -1) {
		sodium_memzero(text, len);
		free(text);
		return -1;
	}
	sodium_memzero(text, len);
	free(text);
	return 0;
}

/* Split the pinned fingerprints; each must be SHA256:<43 base64>. */
static int
upload_fingerprints(struct upload *u, const char *list, char *err,
    size_t errlen)
{
	char	*copy, *p, *tok;

	copy = xstrdup(list);
	for (p = copy; (tok = strsep(&p, ", \t")) != NULL;) {
		if (*tok == '\0')
			continue;
		if (strncmp(tok, "SHA256:", 7) != 0 || strlen(tok) != 50) {
			snprintf(err, errlen, "host key fingerprint %s: not "
			    "of the form SHA256:… printed by ssh-keygen -lf",
			    tok);
			free(copy);
			return -1;
		}
		u->fps = xreallocarray(u->fps, u->nfps + 1, sizeof *u->fps);
		u->fps[u->nfps++] = xstrdup(tok);
	}
	free(copy);
	return 0;
}

struct upload *
upload_new(const struct config *cfg, char *err, size_t errlen)
{
	struct upload	*u;

	u = xcalloc(1, sizeof *u);
	u->sock = -1;
	u->url = xstrdup(cfg->upload_url);
	u->retries = cfg->retries;
	u->bwlimit = cfg->bwlimit;
	u->insecure = cfg->insecure_host_key;
	if (upload_parse_url(u, cfg->upload_url, err, errlen) == -1 ||
	    (cfg->host_key_fingerprint != NULL && upload_fingerprints(u,
	    cfg->host_key_fingerprint, err, errlen) == -1))
		goto fail;
	if (u->nfps == 0 && !u->insecure) {
		snprintf(err, errlen, "upload to %s: no pinned host key "
		    "(--host-key SHA256:… or [upload] host_key_fingerprint; "
		    "--insecure-accept-host-key to accept any)", u->url);
		goto fail;
	}
	if (upload_load_key(u, cfg, err, errlen) == -1)
		goto fail;
	if (!upload_ssh_inited) {
		if (libssh2_init(0) != 0)
			fatal("libssh2_init");
		upload_ssh_inited = 1;
	}
	return u;
fail:
	upload_free(u);
	return NULL;
}

static void
upload_disconnect(struct upload *u)
{
	if (u->sftp != NULL)
		libssh2_sftp_shutdown(u->sftp);
	if (u->ssh != NULL) {
		libssh2_session_disconnect(u->ssh, "done");
		libssh2_session_free(u->ssh);
	}
	if (u->sock != -1)
		close(u->sock);
	u->sftp = NULL;
	u->ssh = NULL;
	u->sock = -1;
}

void
upload_free(struct upload *u)
{
	size_t	i;

	if (u == NULL)
		return;
	upload_disconnect(u);
	if (u->key != NULL)
		sodium_free(u->key);
	if (u->pass != NULL)
		sodium_free(u->pass);
	if (u->password != NULL)
		sodium_free(u->password);
	for (i = 0; i < u->nfps; i++)
		free(u->fps[i]);
	free(u->fps);
	free(u->url);
	free(u->user);
	free(u->host);
	free(u->port);
	free(u->dir);
	free(u);
}

const char *
upload_url(struct upload *u)
{
	return u->url;
}

enum upload_fail
upload_failure(struct upload *u)
{
	return u->fail;
}

const char *
upload_seen_key(struct upload *u)
{
	return u->seen;
}

void
upload_set_resume(struct upload *u, int on)
{
	u->resume = on;
}

/* A TCP connection with a time limit. -1 with err. */
static int
upload_tcp(struct upload *u, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res, *ai;
	struct pollfd	 pfd;
	socklen_t	 sl;
	int		 fd = -1, rc, soerr, one = 1;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	/*
	 * Names: /etc/hosts then DNS, both built into glibc (>= 2.34), never
	 * the NSS modules the host's nsswitch.conf names, which would be
	 * loaded from the host (even into the static binary).
	 */
	__nss_configure_lookup("hosts", "files dns");
	if ((rc = getaddrinfo(u->host, u->port, &hints, &res)) != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", u->host,
		    gai_strerror(rc));
		u->fail = UPLOAD_FAIL_NETWORK;
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
		    errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			soerr = ETIMEDOUT;
			sl = sizeof soerr;
			if (poll(&pfd, 1, UPLOAD_CONNECT_MS) == 1)
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
				    &sl);
			errno = soerr;
		} else
			errno = 0;
		if (errno == 0)
			break;
		snprintf(err, errlen, "cannot connect to %s port %s: %s",
		    u->host, u->port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		u->fail = UPLOAD_FAIL_NETWORK;
	else {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	return fd;
}

static const char *
upload_ssh_error(struct upload *u)
{
	char	*msg = NULL;

	if (u->ssh == NULL)
		return "no session";
	libssh2_session_last_error(u->ssh, &msg, NULL, 0);
	return msg ? msg : "unknown error";
}

/* Compare the server's host key with the pinned ones. */
static int
upload_check_host(struct upload *u, char *err, size_t errlen)
{
	const unsigned char	*h;
	char			 b64[64], fp[80];
	size_t			 i;

	h = (const unsigned char *)libssh2_hostkey_hash(u->ssh,
	    LIBSSH2_HOSTKEY_HASH_SHA256);
	if (h == NULL) {
		snprintf(err, errlen, "%s: no host key hash", u->host);
		return -1;
	}
	sodium_bin2base64(b64, sizeof b64, h, 32,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	snprintf(fp, sizeof fp, "SHA256:%s", b64);
	snprintf(u->seen, sizeof u->seen, "%s", fp);
	for (i = 0; i < u->nfps; i++)
		if (strcmp(u->fps[i], fp) == 0)
			return 0;
	if (u->nfps == 0 && u->insecure) {
		log_msg(LOG_WARN, "upload", "accepting host key %s of %s "
		    "without a pin (--insecure-accept-host-key)", fp, u->host);
		return 0;
	}
	snprintf(err, errlen, "host key of %s port %s is %s, not the pinned "
	    "one: no credential sent (wrong server, or a man in the middle)",
	    u->host, u->port, fp);
	u->final = 1;
	u->fail = UPLOAD_FAIL_HOSTKEY;
	return -1;
}

/* One connection attempt. */
static int
upload_connect_once(struct upload *u, char *err, size_t errlen)
{
	int	rc;

	if ((u->sock = upload_tcp(u, err, errlen)) == -1)
		return -1;
	if ((u->ssh = libssh2_session_init()) == NULL)
		fatal("libssh2_session_init");
	libssh2_session_set_blocking(u->ssh, 1);
	libssh2_session_set_timeout(u->ssh, UPLOAD_TIMEOUT_MS);
	if (libssh2_session_handshake(u->ssh, u->sock) != 0) {
		snprintf(err, errlen, "SSH handshake with %s failed: %s",
		    u->host, upload_ssh_error(u));
		u->fail = UPLOAD_FAIL_NETWORK;
		return -1;
	}
	if (upload_check_host(u, err, errlen) == -1)
		return -1;
	rc = -1;
	if (u->key != NULL)
		rc = libssh2_userauth_publickey_frommemory(u->ssh, u->user,
		    strlen(u->user), NULL, 0, u->key, u->keylen, u->pass);
	/* A password, only when configured, and never before the pin. */
	if (rc != 0 && u->password != NULL)
		rc = libssh2_userauth_password(u->ssh, u->user, u->password);
	if (rc != 0) {
		snprintf(err, errlen, "authentication as %s@%s refused: %s",
		    u->user, u->host, upload_ssh_error(u));
		u->final = 1;
		u->fail = UPLOAD_FAIL_AUTH;
		return -1;
	}
	if ((u->sftp = libssh2_sftp_init(u->ssh)) == NULL) {
		snprintf(err, errlen, "SFTP on %s@%s refused: %s", u->user,
		    u->host, upload_ssh_error(u));
		u->fail = UPLOAD_FAIL_OTHER;
		return -1;
	}
	u->fail = UPLOAD_FAIL_NONE;
	return 0;
}

/* Sleep before retry n (1, 2, 4… seconds, capped). */
static void
upload_backoff(int n)
{
	unsigned int	s = 1U << (n < 5 ? n : 5);

	sleep(s > UPLOAD_BACKOFF_MAX ? UPLOAD_BACKOFF_MAX : s);
}

int
upload_connect(struct upload *u, char *err, size_t errlen)
{
	int	try;

	u->final = 0;
	for (try = 0; ; try++) {
		upload_disconnect(u);
		if (upload_connect_once(u, err, errlen) == 0) {
			log_msg(LOG_INFO, "upload", "connected to %s",
			    u->url);
			return 0;
		}
		upload_disconnect(u);
		if (u->final || try >= u->retries)
			return -1;
		log_msg(LOG_WARN, "upload", "%s; retrying (%d of %lld)", err,
		    try + 1, u->retries);
		upload_backoff(try);
	}
}

int
upload_check(struct upload *u, char *err, size_t errlen)
{
	upload_disconnect(u);
	u->final = 0;
	if (upload_connect_once(u, err, errlen) == -1) {
		upload_disconnect(u);
		return -1;
	}
	log_msg(LOG_INFO, "upload", "connected to %s: host key %s, login "
	    "accepted", u->url, u->seen);
	return 0;
}

void
upload_close(struct upload *u)
{
	upload_disconnect(u);
}

/* Account n more bytes: progress, and pace to the bandwidth limit. */
static void
upload_pace(struct upload *u, size_t n)
{
	struct timespec	now;
	double		elapsed, due;
	char		done[24], total[24], rate[24];

	if (u->sent == 0)
		clock_gettime(CLOCK_MONOTONIC, &u->t0);
	u->sent += n;
	u->done += n;
	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = (double)(now.tv_sec - u->t0.tv_sec) +
	    (double)(now.tv_nsec - u->t0.tv_nsec) / 1e9;
	if (u->total > 0) {
		util_human(done, sizeof done, u->done);
		util_human(total, sizeof total, u->total);
		util_human(rate, sizeof rate, elapsed > 0 ?
		    (uint64_t)((double)u->sent / elapsed) : 0);
		log_progress(0, i18n("%s  sending %s of %s  %s/s"),
		    i18n("sending"), done, total, rate);
	}
	if (u->bwlimit == 0)
		return;
	due = (double)u->sent / (double)u->bwlimit;
	if (due > elapsed)
		usleep((useconds_t)((due - elapsed) * 1e6));
}

/* Write all of p at the handle's position. 0 or -1. */
static int
upload_write(struct upload *u, LIBSSH2_SFTP_HANDLE *h, const char *p,
    size_t n)
{
	ssize_t	w;

	while (n > 0) {
		w = libssh2_sftp_write(h, p, n);
		if (w <= 0)
			return -1;
		upload_pace(u, (size_t)w);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static char *
upload_path(struct upload *u, const char *name, const char *suffix)
{
	return xasprintf("%s/%s%s", u->dir, name, suffix);
}

/* Size of a remote file, or 0 when absent. -1 on a broken session. */
static int64_t
upload_remote_size(struct upload *u, const char *path)
{
	LIBSSH2_SFTP_ATTRIBUTES	a;

	if (libssh2_sftp_stat(u->sftp, path, &a) != 0) {
		if (libssh2_sftp_last_error(u->sftp) ==
		    LIBSSH2_FX_NO_SUCH_FILE)
			return 0;
		return -1;
	}
	return (a.flags & LIBSSH2_SFTP_ATTR_SIZE) ? (int64_t)a.filesize : 0;
}

/*
 * Rename part to final, never replacing a file already there: without
 * the OVERWRITE flag (libssh2 sends no flags to a version 3 server such
 * as OpenSSH, whose rename links then unlinks and fails on an existing
 * name). Nothing of another run's is ever removed. 0 or -1 (u->fail).
 */
static int
upload_rename(struct upload *u, const char *part, const char *final)
{
	LIBSSH2_SFTP_ATTRIBUTES	a;

	if (libssh2_sftp_rename_ex(u->sftp, part, strlen(part), final,
	    strlen(final), LIBSSH2_SFTP_RENAME_ATOMIC |
	    LIBSSH2_SFTP_RENAME_NATIVE) == 0)
		return 0;
	u->fail = libssh2_sftp_stat(u->sftp, final, &a) == 0 ?
	    UPLOAD_FAIL_EXISTS : UPLOAD_FAIL_OTHER;
	if (u->fail == UPLOAD_FAIL_EXISTS)
		u->final = 1;
	return -1;
}

/* Whether path exists remotely: 1, 0, or -1 when the server won't say. */
static int
upload_exists(struct upload *u, const char *path)
{
	LIBSSH2_SFTP_ATTRIBUTES	a;
	int			rc;

	if ((rc = libssh2_sftp_stat(u->sftp, path, &a)) == 0)
		return 1;
	if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL && libssh2_sftp_last_error(
	    u->sftp) == LIBSSH2_FX_NO_SUCH_FILE)
		return 0;
	return -1;
}

int
upload_name_free(struct upload *u, const char *name, char *err,
    size_t errlen)
{
	static const char *const	 sfx[] = { "", ".part", ".minisig",
					    ".pub" };
	char				*path;
	size_t				 i;
	int				 rc = 1, e;

	if (u->sftp == NULL && upload_connect(u, err, errlen) == -1)
		return -1;
	for (i = 0; rc == 1 && i < nitems(sfx); i++) {
		if (u->resume && strcmp(sfx[i], ".part") == 0)
			continue;	/* an earlier attempt, continued */
		path = upload_path(u, name, sfx[i]);
		if ((e = upload_exists(u, path)) == 1)
			rc = 0;
		else if (e == -1 && libssh2_session_last_errno(u->ssh) !=
		    LIBSSH2_ERROR_SFTP_PROTOCOL) {
			snprintf(err, errlen, "cannot look up %s on %s: %s",
			    path, u->host, upload_ssh_error(u));
			u->fail = UPLOAD_FAIL_NETWORK;
			rc = -1;
		}
		free(path);
	}
	return rc;
}

/* A broken pass: a full drop box is final, anything else is retried. */
static int
upload_broken(struct upload *u, const char *part, char *err, size_t errlen)
{
	unsigned long	st = u->sftp ? libssh2_sftp_last_error(u->sftp) : 0;

	if (st == LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM ||
	    st == LIBSSH2_FX_QUOTA_EXCEEDED) {
		snprintf(err, errlen, "upload of %s to %s: the drop box is "
		    "full (%s)", part, u->host, st == LIBSSH2_FX_QUOTA_EXCEEDED ?
		    "quota exceeded" : "no space left");
		u->fail = UPLOAD_FAIL_FULL;
		u->final = 1;
		return -1;
	}
	snprintf(err, errlen, "upload of %s to %s broken: %s", part, u->host,
	    upload_ssh_error(u));
	u->fail = UPLOAD_FAIL_NETWORK;
	return -1;
}

/*
 * One pass of a file upload from the server's size on; the first one
 * creates part exclusively (unless resuming an earlier attempt, send).
 * 0 done, -1 broken (retry) or final, with err.
 */
static int
upload_file_pass(struct upload *u, int fd, uint64_t size, const char *part,
    unsigned char *buf, int *created, char *err, size_t errlen)
{
	LIBSSH2_SFTP_HANDLE	*h;
	int64_t			 have = 0;
	uint64_t		 off;
	ssize_t			 n;
	unsigned long		 flags = LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT;
	int			 excl = !*created && !u->resume;

	if (excl)
		flags |= LIBSSH2_FXF_EXCL;
	else if ((have = upload_remote_size(u, part)) == -1)
		return upload_broken(u, part, err, errlen);
	if ((uint64_t)have > size) {
		snprintf(err, errlen, "%s on %s has %lld bytes, more than the "
		    "file: not an earlier attempt of this one, left alone",
		    part, u->host, (long long)have);
		u->fail = UPLOAD_FAIL_EXISTS;
		u->final = 1;
		return -1;
	}
	if (have > 0)
		log_msg(LOG_INFO, "upload", "resuming %s at %lld bytes", part,
		    (long long)have);
	u->done = (uint64_t)have;
	u->total = size;
	h = libssh2_sftp_open(u->sftp, part, flags, 0600);
	if (h == NULL && excl && upload_exists(u, part) == 1) {
		snprintf(err, errlen, "%s already exists on %s (another run's "
		    "file?): left alone", part, u->host);
		u->fail = UPLOAD_FAIL_EXISTS;
		u->final = 1;
		return -1;
	}
	if (h == NULL)
		return upload_broken(u, part, err, errlen);
	*created = 1;
	libssh2_sftp_seek64(h, (libssh2_uint64_t)have);
	for (off = (uint64_t)have; off < size; off += (uint64_t)n) {
		n = pread(fd, buf, UPLOAD_CHUNK, (off_t)off);
		if (n <= 0) {
			snprintf(err, errlen, "cannot read the local archive: "
			    "%s", n == 0 ? "it shrank" : strerror(errno));
			u->final = 1;
			u->fail = UPLOAD_FAIL_OTHER;
			libssh2_sftp_close(h);
			return -1;
		}
		if (upload_write(u, h, (char *)buf, (size_t)n) == -1) {
			libssh2_sftp_close(h);
			return upload_broken(u, part, err, errlen);
		}
	}
	if (libssh2_sftp_close(h) != 0)
		return upload_broken(u, part, err, errlen);
	return 0;
}

/* Run pass (with arg) until done, reconnecting on breaks. */
static int
upload_retry(struct upload *u, int (*pass)(struct upload *, void *, char *,
    size_t), void *arg, char *err, size_t errlen)
{
	int	try;

	u->final = 0;
	for (try = 0; ; try++) {
		if (u->sftp == NULL && upload_connect(u, err, errlen) == -1)
			return -1;
		if (pass(u, arg, err, errlen) == 0)
			return 0;
		upload_disconnect(u);
		if (u->final || try >= u->retries)
			return -1;
		log_msg(LOG_WARN, "upload", "%s; reconnecting (%d of %lld)",
		    err, try + 1, u->retries);
		upload_backoff(try);
	}
}

struct upload_job {
	int		 fd;
	uint64_t	 size;
	const char	*name;
	unsigned char	*buf;
	int		 created;	/* the .part is ours */
};

static int
upload_file_job(struct upload *u, void *arg, char *err, size_t errlen)
{
	struct upload_job	*j = arg;
	char			*part, *final;
	int64_t			 got;
	int			 rc = -1;

	part = upload_path(u, j->name, ".part");
	final = upload_path(u, j->name, "");
	if (upload_file_pass(u, j->fd, j->size, part, j->buf, &j->created,
	    err, errlen) == -1)
		goto done;
	if ((got = upload_remote_size(u, part)) != (int64_t)j->size) {
		snprintf(err, errlen, "%s on %s has %lld bytes, not %llu",
		    part, u->host, (long long)got,
		    (unsigned long long)j->size);
		u->fail = UPLOAD_FAIL_OTHER;
		goto done;
	}
	if (upload_rename(u, part, final) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s on %s: %s", part,
		    final, u->host, upload_ssh_error(u));
		goto done;
	}
	rc = 0;
done:
	free(part);
	free(final);
	return rc;
}

int
upload_file(struct upload *u, const char *path, const char *name, char *err,
    size_t errlen)
{
	struct upload_job	j;
	struct stat		st;
	int			rc;

	if ((j.fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(j.fd, &st) == -1) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		u->fail = UPLOAD_FAIL_OTHER;
		if (j.fd != -1)
			close(j.fd);
		return -1;
	}
	j.size = (uint64_t)st.st_size;
	j.name = name;
	j.created = 0;
	j.buf = xmalloc(UPLOAD_CHUNK);
	rc = upload_retry(u, upload_file_job, &j, err, errlen);
	free(j.buf);
	close(j.fd);
	return rc;
}

int
upload_buffer(struct upload *u, const char *name, const void *p, size_t n,
    char *err, size_t errlen)
{
	struct upload_job	j;
	int			rc;

	if ((j.fd = memfd_create("csirt-collect-upload", MFD_CLOEXEC)) == -1 ||
	    util_write_all(j.fd, p, n) == -1) {
		snprintf(err, errlen, "memory file: %s", strerror(errno));
		if (j.fd != -1)
			close(j.fd);
		return -1;
	}
	j.size = n;
	j.name = name;
	j.created = 0;
	j.buf = xmalloc(UPLOAD_CHUNK);
	rc = upload_retry(u, upload_file_job, &j, err, errlen);
	free(j.buf);
	close(j.fd);
	return rc;
}

int
upload_probe(struct upload *u, const char *name, const char *text,
    int *removed, char *err, size_t errlen)
{
	long long	 retries = u->retries;
	char		*final;
	int		 rc;

	*removed = 0;
	u->retries = 0;
	rc = upload_buffer(u, name, text, strlen(text), err, errlen);
	u->retries = retries;
	if (rc == -1)
		return -1;
	final = upload_path(u, name, "");
	*removed = libssh2_sftp_unlink(u->sftp, final) == 0;
	free(final);
	return 0;
}

struct upload_get {
	const char	*name;
	size_t		 max;
	struct buf	 data;
};

static int
upload_fetch_job(struct upload *u, void *arg, char *err, size_t errlen)
{
	struct upload_get	*g = arg;
	LIBSSH2_SFTP_HANDLE	*h;
	char			*path, chunk[32768];
	ssize_t			 n;

	buf_free(&g->data);
	buf_add(&g->data, "", 0);
	path = upload_path(u, g->name, "");
	h = libssh2_sftp_open(u->sftp, path, LIBSSH2_FXF_READ, 0);
	if (h == NULL) {
		snprintf(err, errlen, "cannot open %s on %s: %s", path,
		    u->host, libssh2_sftp_last_error(u->sftp) ==
		    LIBSSH2_FX_NO_SUCH_FILE ? "no such file" :
		    upload_ssh_error(u));
		if (libssh2_sftp_last_error(u->sftp) ==
		    LIBSSH2_FX_NO_SUCH_FILE)
			u->final = 1;
		free(path);
		return -1;
	}
	while ((n = libssh2_sftp_read(h, chunk, sizeof chunk)) > 0) {
		if (g->data.len + (size_t)n > g->max) {
			snprintf(err, errlen, "%s on %s: larger than %zu bytes",
			    path, u->host, g->max);
			u->final = 1;
			n = -1;
			break;
		}
		buf_add(&g->data, chunk, (size_t)n);
	}
	libssh2_sftp_close(h);
	if (n < 0 && !u->final)
		snprintf(err, errlen, "reading %s on %s: %s", path, u->host,
		    upload_ssh_error(u));
	free(path);
	return n < 0 ? -1 : 0;
}

int
upload_fetch(struct upload *u, const char *name, size_t max, char **out,
    size_t *len, char *err, size_t errlen)
{
	struct upload_get	g = { name, max, { 0 } };

	if (upload_retry(u, upload_fetch_job, &g, err, errlen) == -1) {
		buf_free(&g.data);
		return -1;
	}
	*out = g.data.data;
	*len = g.data.len;
	return 0;
}

/*
 * Streaming stage. The writer appends to a ring (the window) and goes on
 * packing; a thread of its own sends the ring to the server. The ring is
 * both the queue between them (the writer waits when all of it is still
 * unsent) and the resume window: bytes already sent stay in it until the
 * room is needed, and after a break the thread reconnects, asks the
 * server how much it has, and sends again from there if the ring still
 * holds it. Only that thread uses the session until the stage is closed.
 */

struct out_sftp {
	struct out		 out;
	struct upload		*u;
	char			*part;
	char			*final;
	LIBSSH2_SFTP_HANDLE	*h;
	pthread_t		 thread;
	int			 started;
	pthread_mutex_t		 lock;
	pthread_cond_t		 more;		/* bytes to send, or closing */
	pthread_cond_t		 room;		/* bytes sent, or failed */
	unsigned char		*win;		/* ring of the last bytes */
	size_t			 cap;
	size_t			 head;		/* ring index of wstart */
	size_t			 len;
	uint64_t		 wstart;	/* stream offset of head */
	uint64_t		 pos;		/* bytes the server has */
	int			 resuming;	/* keep every byte: no drop */
	int			 closing;
	int			 failed;	/* out.err says why */
	int			 closed;
	uint64_t		 resumed_at;	/* to log, by the writer */
	int			 resumed;
};

/*
 * Reconnect and open the .part at the server's size, which must be in
 * the window [wstart, end]. That size, or -1 with out.err set.
 */
static int64_t
out_sftp_reconnect(struct out_sftp *s, uint64_t wstart, uint64_t end)
{
	struct upload	*u = s->u;
	char		 err[256];
	int64_t		 have;
	int		 try;

	err[0] = '\0';
	for (try = 0; try <= u->retries; try++) {
		if (try > 0)
			upload_backoff(try - 1);
		if (s->h != NULL)
			libssh2_sftp_close(s->h);
		s->h = NULL;
		upload_disconnect(u);
		if (upload_connect(u, err, sizeof err) == -1)
			break;
		if ((have = upload_remote_size(u, s->part)) == -1)
			continue;
		if ((uint64_t)have < wstart || (uint64_t)have > end) {
			snprintf(s->out.err, sizeof s->out.err, "the server "
			    "has %lld bytes of %s, outside the resume window "
			    "(%llu to %llu): the stream cannot be resumed",
			    (long long)have, s->part,
			    (unsigned long long)wstart,
			    (unsigned long long)end);
			return -1;
		}
		s->h = libssh2_sftp_open(u->sftp, s->part, LIBSSH2_FXF_WRITE,
		    0600);
		if (s->h == NULL)
			continue;
		libssh2_sftp_seek64(s->h, (libssh2_uint64_t)have);
		return have;
	}
	snprintf(s->out.err, sizeof s->out.err, "stream to %s broken and not "
	    "resumed: %s", u->url, u->sftp ? upload_ssh_error(u) : err);
	return -1;
}

static void *
out_sftp_main(void *arg)
{
	struct out_sftp	*s = arg;
	sigset_t	 all;
	uint64_t	 end;
	int64_t		 have;
	size_t		 idx, k;
	int		 ok;

	/* Signals are the writer's: it finishes the archive on them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->failed && !s->closing &&
		    s->pos == s->wstart + s->len)
			pthread_cond_wait(&s->more, &s->lock);
		end = s->wstart + s->len;
		if (s->failed || (s->closing && s->pos == end))
			break;
		idx = (s->head + (size_t)(s->pos - s->wstart)) % s->cap;
		k = s->cap - idx;
		if (k > end - s->pos)
			k = (size_t)(end - s->pos);
		if (k > UPLOAD_CHUNK)
			k = UPLOAD_CHUNK;
		pthread_mutex_unlock(&s->lock);
		/* The writer never drops or overwrites unsent bytes. */
		ok = s->h != NULL && upload_write(s->u, s->h,
		    (const char *)s->win + idx, k) == 0;
		pthread_mutex_lock(&s->lock);
		if (ok) {
			s->pos += k;
			pthread_cond_signal(&s->room);
			continue;
		}
		s->resuming = 1;
		end = s->wstart + s->len;
		pthread_mutex_unlock(&s->lock);
		have = out_sftp_reconnect(s, s->wstart, end);
		pthread_mutex_lock(&s->lock);
		s->resuming = 0;
		if (have == -1)
			s->failed = 1;
		else {
			s->pos = (uint64_t)have;
			s->resumed_at = (uint64_t)have;
			s->resumed++;
		}
		pthread_cond_signal(&s->room);
	}
	pthread_cond_signal(&s->room);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Log what the thread did (the writer owns the log's order). */
static void
out_sftp_report(struct out_sftp *s)
{
	uint64_t	at;
	int		n;

	pthread_mutex_lock(&s->lock);
	n = s->resumed;
	at = s->resumed_at;
	s->resumed = 0;
	pthread_mutex_unlock(&s->lock);
	if (n > 0)
		log_msg(LOG_INFO, "upload", "stream resumed at %llu bytes",
		    (unsigned long long)at);
}

static int
out_sftp_write(struct out *o, const void *p, size_t n)
{
	struct out_sftp		*s = (struct out_sftp *)o;
	const unsigned char	*c = p;
	size_t			 k, tail, drop;
	int			 failed;

	pthread_mutex_lock(&s->lock);
	while (n > 0 && !s->failed) {
		if (s->len == s->cap) {
			/* Full: drop the oldest bytes sent, or wait. */
			drop = (size_t)(s->pos - s->wstart);
			if (drop == 0 || s->resuming) {
				pthread_cond_wait(&s->room, &s->lock);
				continue;
			}
			if (drop > n)
				drop = n;
			s->head = (s->head + drop) % s->cap;
			s->len -= drop;
			s->wstart += drop;
		}
		tail = (s->head + s->len) % s->cap;
		k = s->cap - tail;
		if (k > s->cap - s->len)
			k = s->cap - s->len;
		if (k > n)
			k = n;
		memcpy(s->win + tail, c, k);
		s->len += k;
		c += k;
		n -= k;
		pthread_cond_signal(&s->more);
	}
	/* Read under the lock: the sending thread sets it. */
	failed = s->failed;
	pthread_mutex_unlock(&s->lock);
	out_sftp_report(s);
	return failed ? -1 : 0;
}

/* Wait for the thread to send all it can, and stop it. */
static void
out_sftp_join(struct out_sftp *s, int abandon)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->lock);
	s->closing = 1;
	if (abandon)
		s->failed = 1;
	pthread_cond_signal(&s->more);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->started = 0;
	out_sftp_report(s);
}

/* After the thread: resend from the server's size (the window). */
static int
out_sftp_resume(struct out_sftp *s, uint64_t end)
{
	struct upload	*u = s->u;
	int64_t		 have;
	uint64_t	 off;

	if ((have = out_sftp_reconnect(s, s->wstart, end)) == -1)
		return -1;
	log_msg(LOG_INFO, "upload", "stream resumed at %lld bytes",
	    (long long)have);
	for (off = (uint64_t)have; off < end;) {
		size_t	idx = (s->head + (size_t)(off - s->wstart)) % s->cap;
		size_t	k = s->cap - idx;

		if (k > end - off)
			k = (size_t)(end - off);
		if (upload_write(u, s->h, (char *)s->win + idx, k) == -1) {
			snprintf(s->out.err, sizeof s->out.err, "stream to %s "
			    "broken again while resumed: %s", u->url,
			    upload_ssh_error(u));
			return -1;
		}
		off += k;
	}
	s->pos = end;
	return 0;
}

static int
out_sftp_close(struct out *o)
{
	struct out_sftp	*s = (struct out_sftp *)o;
	int64_t		 have;

	if (s->closed)
		return 0;
	out_sftp_join(s, 0);
	if (s->failed)
		return -1;
	if (s->h != NULL && libssh2_sftp_close(s->h) != 0) {
		s->h = NULL;
		if (out_sftp_resume(s, s->pos) == -1 ||
		    libssh2_sftp_close(s->h) != 0)
			return -1;
	}
	s->h = NULL;
	have = upload_remote_size(s->u, s->part);
	if (have != (int64_t)s->pos) {
		snprintf(o->err, sizeof o->err, "%s on %s has %lld bytes, not "
		    "%llu", s->part, s->u->host, (long long)have,
		    (unsigned long long)s->pos);
		return -1;
	}
	s->closed = 1;
	return 0;
}

static void
out_sftp_free(struct out *o)
{
	struct out_sftp	*s = (struct out_sftp *)o;

	out_sftp_join(s, 1);
	if (s->h != NULL)
		libssh2_sftp_close(s->h);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->more);
	pthread_cond_destroy(&s->room);
	free(s->win);
	free(s->part);
	free(s->final);
	free(s);
}

struct out *
out_sftp_new(struct upload *u, const char *name, size_t window)
{
	struct out_sftp	*s;

	s = xcalloc(1, sizeof *s);
	s->out.name = "sftp";
	s->out.write = out_sftp_write;
	s->out.close = out_sftp_close;
	s->out.free = out_sftp_free;
	s->u = u;
	s->part = upload_path(u, name, ".part");
	s->final = upload_path(u, name, "");
	s->cap = window < UPLOAD_CHUNK ? UPLOAD_CHUNK : window;
	s->win = xmalloc(s->cap);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->more, NULL);
	pthread_cond_init(&s->room, NULL);
	/* Created exclusively: another run's .part is never truncated. */
	if (u->sftp != NULL && (s->h = libssh2_sftp_open(u->sftp, s->part,
	    LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL,
	    0600)) == NULL) {
		snprintf(s->out.err, sizeof s->out.err, "cannot create %s on "
		    "%s: %s", s->part, u->host, upload_exists(u, s->part) == 1 ?
		    "it exists (another run's file?), left alone" :
		    upload_ssh_error(u));
		s->failed = 1;
	}
	if (pthread_create(&s->thread, NULL, out_sftp_main, s) != 0)
		fatal("pthread_create");
	s->started = 1;
	return &s->out;
}

int
out_sftp_commit(struct out *o)
{
	struct out_sftp	*s = (struct out_sftp *)o;

	if (upload_rename(s->u, s->part, s->final) != 0) {
		snprintf(o->err, sizeof o->err, "cannot rename %s to %s on "
		    "%s: %s", s->part, s->final, s->u->host,
		    upload_ssh_error(s->u));
		return -1;
	}
	return 0;
}
