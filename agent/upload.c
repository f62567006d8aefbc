/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * SFTP delivery with libssh2: pinned host key checked before any
 * credential is sent, public-key authentication, uploads through a .part
 * name with resume after breaks (proven ours: upload-resume.c), SFTP
 * failures in words, a time-out on a silent server. The streaming stage
 * is upload-stream.c. See upload.h.
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
#include "upload-int.h"
#include "upload-resume.h"
#include "upload.h"
#include "util.h"

#define UPLOAD_KEY_MAX		(64U << 10)
#define UPLOAD_CONNECT_MS	10000
#define UPLOAD_BYE_MS		2000	/* goodbye to a server that answers */
#define UPLOAD_BACKOFF_MAX	30


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
	u->timeout = cfg->upload_timeout;
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

/*
 * Whether the session itself failed (time-out, socket, closed channel),
 * not one SFTP request.
 */
int
upload_link_broken(struct upload *u)
{
	int	e;

	if (u->ssh == NULL)
		return 1;
	e = libssh2_session_last_errno(u->ssh);
	return e != 0 && e != LIBSSH2_ERROR_SFTP_PROTOCOL &&
	    e != LIBSSH2_ERROR_EAGAIN;
}

/*
 * A link known broken is cut, so that the goodbyes below (and closing
 * handles) fail at once instead of waiting for a silent server.
 */
void
upload_cut(struct upload *u)
{
	if (u->sock != -1)
		shutdown(u->sock, SHUT_RDWR);
}

void
upload_disconnect(struct upload *u)
{
	if (u->ssh != NULL) {
		if (upload_link_broken(u))
			upload_cut(u);
		libssh2_session_set_timeout(u->ssh, UPLOAD_BYE_MS);
	}
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

long long
upload_timeout(struct upload *u)
{
	return u->timeout;
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

void
upload_set_state(struct upload *u, struct upload_resume *r)
{
	u->state = r;
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
			if (poll(&pfd, 1, u->timeout * 1000 <
			    UPLOAD_CONNECT_MS ? (int)u->timeout * 1000 :
			    UPLOAD_CONNECT_MS) == 1)
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
		unsigned int	ms = (unsigned int)u->timeout * 1000U;

		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		/* Data the peer's host does not acknowledge: a dead link. */
		setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof ms);
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

/* An SFTP status in words. */
static const char *
upload_status_name(unsigned long st)
{
	static const char *const	 names[] = {
		"ok", "end of file", "no such file", "permission denied",
		("failure (the server gives no reason: OpenSSH says so for a "
		"full disk too)"), "bad message", "no connection",
		"connection lost", "operation not supported",
		"invalid handle", "no such path", "file already exists",
		"write protected", "no media", "no space left on the drop box",
		"quota exceeded", "unknown principal", "lock conflict",
		"directory not empty", "not a directory", "invalid file name",
		"link loop"
	};

	return st < nitems(names) ? names[st] : "unknown status";
}

/*
 * Why the last request failed, in words: the SFTP status for a refusal,
 * else what became of the connection. The text is u's until the next
 * call.
 */
const char *
upload_why(struct upload *u)
{
	unsigned long	st;
	int		e;

	if (u->ssh == NULL)
		return "not connected";
	switch ((e = libssh2_session_last_errno(u->ssh))) {
	case LIBSSH2_ERROR_SFTP_PROTOCOL:
		st = u->sftp ? libssh2_sftp_last_error(u->sftp) : 0;
		snprintf(u->why, sizeof u->why, "%s (SFTP status %lu)",
		    upload_status_name(st), st);
		break;
	case LIBSSH2_ERROR_TIMEOUT:
		snprintf(u->why, sizeof u->why, "no answer for %lld s: the "
		    "connection stalled", u->timeout);
		break;
	case LIBSSH2_ERROR_SOCKET_SEND:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_TIMEOUT:
	case LIBSSH2_ERROR_CHANNEL_CLOSED:
	case LIBSSH2_ERROR_CHANNEL_EOF_SENT:
	case LIBSSH2_ERROR_CHANNEL_FAILURE:
		snprintf(u->why, sizeof u->why, "connection lost (%s)",
		    upload_ssh_error(u));
		break;
	default:
		snprintf(u->why, sizeof u->why, "%s", upload_ssh_error(u));
		break;
	}
	return u->why;
}

/*
 * Keep an idle session alive (and learn early that it is not). The
 * keep-alive is configured only for this call: while configured, libssh2
 * ends every blocking wait at its interval as a time-out (and breaks the
 * key exchange), so a slow answer would be taken for a stall.
 */
int
upload_keepalive(struct upload *u)
{
	int	next, rc;

	if (u->ssh == NULL)
		return -1;
	libssh2_keepalive_config(u->ssh, 1, 2);
	rc = libssh2_keepalive_send(u->ssh, &next);
	libssh2_keepalive_config(u->ssh, 1, 0);
	return rc == 0 || rc == LIBSSH2_ERROR_EAGAIN ? 0 : -1;
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
	/* A server that stops answering is given up after the time-out. */
	libssh2_session_set_timeout(u->ssh, u->timeout * 1000);
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
void
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
int
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

char *
upload_path(struct upload *u, const char *name, const char *suffix)
{
	return xasprintf("%s/%s%s", u->dir, name, suffix);
}

/* Size of a remote file, or 0 when absent. -1 on a broken session. */
int64_t
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
int
upload_rename(struct upload *u, const char *part, const char *final,
    char *err, size_t errlen)
{
	LIBSSH2_SFTP_ATTRIBUTES	a;
	int			broken;

	if (libssh2_sftp_rename_ex(u->sftp, part, strlen(part), final,
	    strlen(final), LIBSSH2_SFTP_RENAME_ATOMIC |
	    LIBSSH2_SFTP_RENAME_NATIVE) == 0)
		return 0;
	/* The reason before the stat below replaces it. */
	snprintf(err, errlen, "cannot rename %s to %s on %s: %s", part, final,
	    u->host, upload_why(u));
	broken = upload_link_broken(u);
	u->fail = !broken && libssh2_sftp_stat(u->sftp, final, &a) == 0 ?
	    UPLOAD_FAIL_EXISTS : broken ? UPLOAD_FAIL_NETWORK :
	    UPLOAD_FAIL_OTHER;
	if (u->fail == UPLOAD_FAIL_EXISTS) {
		snprintf(err, errlen, "cannot rename %s to %s on %s: %s "
		    "exists, never replaced", part, final, u->host, final);
		u->final = 1;
	}
	return -1;
}

/* Whether path exists remotely: 1, 0, or -1 when the server won't say. */
int
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
			    path, u->host, upload_why(u));
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
	unsigned long	st = 0;

	if (!upload_link_broken(u) && u->sftp != NULL)
		st = libssh2_sftp_last_error(u->sftp);
	if (st == LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM ||
	    st == LIBSSH2_FX_QUOTA_EXCEEDED) {
		snprintf(err, errlen, "upload of %s to %s: the drop box is "
		    "full: %s", part, u->host, upload_why(u));
		u->fail = UPLOAD_FAIL_FULL;
		u->final = 1;
		return -1;
	}
	snprintf(err, errlen, "upload of %s to %s %s: %s", part, u->host,
	    upload_link_broken(u) ? "broken" : "refused", upload_why(u));
	if (st == LIBSSH2_FX_PERMISSION_DENIED) {
		u->fail = UPLOAD_FAIL_DENIED;
		u->final = 1;		/* it will be refused again */
		return -1;
	}
	if (!upload_link_broken(u))
		u->fail = UPLOAD_FAIL_OTHER;	/* refused: retried */
	else if (u->ssh != NULL && libssh2_session_last_errno(u->ssh) ==
	    LIBSSH2_ERROR_TIMEOUT)
		u->fail = UPLOAD_FAIL_STALLED;
	else
		u->fail = UPLOAD_FAIL_NETWORK;
	if (upload_link_broken(u))
		upload_cut(u);		/* handles close at once */
	return -1;
}

struct upload_job {
	int		 fd;
	uint64_t	 size;
	const char	*name;
	unsigned char	*buf;
	char		*part;		/* the remote .part, once chosen */
	int		 created;	/* the .part is ours */
	char		 token[UPLOAD_TOKEN_LEN + 1];	/* "" for none */
};

/* The job's local bytes at off, for a comparison. n or -1. */
static int
upload_job_get(void *arg, uint64_t off, unsigned char *p, size_t n)
{
	struct upload_job	*j = arg;
	size_t			 got = 0;
	ssize_t			 r;

	while (got < n) {
		r = pread(j->fd, p + got, n - got, (off_t)(off + got));
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/*
 * Whether the first have bytes of part are the file's: SAME, or why not
 * (*why, for the log). BROKEN means the session broke: retry.
 */
static enum upload_proof
upload_job_prove(struct upload *u, struct upload_job *j, const char *part,
    int64_t have, const char **why)
{
	enum upload_proof	p;
	unsigned long		st;

	if ((uint64_t)have > j->size) {
		*why = "it is larger than the file";
		return UPLOAD_PROOF_DIFFERS;
	}
	p = upload_resume_compare(u->ssh, u->sftp, part, 0, (uint64_t)have,
	    upload_job_get, j, j->buf, UPLOAD_CHUNK, &st);
	if (p == UPLOAD_PROOF_DIFFERS)
		*why = "its bytes differ from the file's (SHA-256 of the "
		    "prefix)";
	else if (p == UPLOAD_PROOF_REFUSED)
		*why = st == LIBSSH2_FX_PERMISSION_DENIED ? "the drop box "
		    "does not let it be read back (permission denied)" :
		    "the drop box cannot read it back (operation not "
		    "supported)";
	return p;
}

/*
 * The first pass: choose the .part and where to start. An existing one
 * is continued only when proven ours: its bytes read back match, or, on
 * a drop box that refuses reads, its name carries this archive's token.
 * Otherwise the upload starts over, in a .part of its own, created
 * exclusively. The offset, or -1 with err (broken: retried).
 */
static int64_t
upload_job_plan(struct upload *u, struct upload_job *j, unsigned long *flags,
    char *err, size_t errlen)
{
	enum upload_proof	 p;
	const char		*why = "";
	char			*sfx, *legacy;
	int64_t			 have;

	*flags = LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL;
	sfx = *j->token ? xasprintf(".%s.part", j->token) : xstrdup(".part");
	j->part = upload_path(u, j->name, sfx);
	free(sfx);
	if (*j->token && u->state != NULL && !upload_resume_fresh(u->state)) {
		/* An earlier attempt of this archive may have left it. */
		if ((have = upload_remote_size(u, j->part)) == -1)
			return upload_broken(u, j->part, err, errlen);
		*flags = LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT;
		if (have > 0 && (p = upload_job_prove(u, j, j->part, have,
		    &why)) == UPLOAD_PROOF_BROKEN)
			return upload_broken(u, j->part, err, errlen);
		if (have > 0 && (p == UPLOAD_PROOF_SAME ||
		    p == UPLOAD_PROOF_REFUSED)) {
			log_msg(LOG_INFO, "upload", "resuming %s at %lld bytes "
			    "(%s)", j->part, (long long)have,
			    p == UPLOAD_PROOF_SAME ? "its bytes read back match "
			    "the file's" : "its name carries this archive's "
			    "token; it cannot be read back");
			return have;
		}
		if (have > 0) {
			log_msg(LOG_WARN, "upload", "%s on %s: %s: started "
			    "over", j->part, u->host, why);
			*flags |= LIBSSH2_FXF_TRUNC;
			return 0;
		}
	}
	if (!u->resume)
		return 0;
	/* send: NAME.part of an earlier attempt, by bytes read back only. */
	legacy = upload_path(u, j->name, ".part");
	if ((have = upload_remote_size(u, legacy)) > 0) {
		p = upload_job_prove(u, j, legacy, have, &why);
		if (p == UPLOAD_PROOF_BROKEN) {
			have = upload_broken(u, legacy, err, errlen);
			free(legacy);
			return have;
		}
		if (p == UPLOAD_PROOF_SAME) {
			log_msg(LOG_INFO, "upload", "resuming %s at %lld bytes "
			    "(its bytes read back match the file's)", legacy,
			    (long long)have);
			free(j->part);
			j->part = legacy;
			*flags = LIBSSH2_FXF_WRITE;
			return have;
		}
		log_msg(LOG_WARN, "upload", "%s on %s is not resumed: %s%s; "
		    "left alone, the upload starts over as %s", legacy,
		    u->host, why, p == UPLOAD_PROOF_REFUSED ? ", and nothing "
		    "else proves it is this archive's" : "", j->part);
	} else if (have == -1) {
		have = upload_broken(u, legacy, err, errlen);
		free(legacy);
		return have;
	}
	free(legacy);
	return 0;
}

/*
 * One pass of a file upload: the first chooses the .part (see
 * upload_job_plan), the next ones continue ours from the server's size.
 * 0 done, -1 broken (retry) or final, with err.
 */
static int
upload_file_pass(struct upload *u, struct upload_job *j, char *err,
    size_t errlen)
{
	LIBSSH2_SFTP_HANDLE	*h;
	int64_t			 have = 0;
	uint64_t		 off;
	ssize_t			 n;
	unsigned long		 flags = LIBSSH2_FXF_WRITE;

	if (!j->created) {
		free(j->part);
		j->part = NULL;
		if ((have = upload_job_plan(u, j, &flags, err, errlen)) == -1)
			return -1;
	} else if ((have = upload_remote_size(u, j->part)) == -1)
		return upload_broken(u, j->part, err, errlen);
	else if (have > 0)
		log_msg(LOG_INFO, "upload", "resuming %s at %lld bytes",
		    j->part, (long long)have);
	if ((uint64_t)have > j->size) {
		snprintf(err, errlen, "%s on %s has %lld bytes, more than the "
		    "file", j->part, u->host, (long long)have);
		u->fail = UPLOAD_FAIL_OTHER;
		u->final = 1;
		return -1;
	}
	u->done = (uint64_t)have;
	u->total = j->size;
	if ((h = libssh2_sftp_open(u->sftp, j->part, flags, 0600)) == NULL) {
		/* The reason first: the stat below replaces it. */
		upload_broken(u, j->part, err, errlen);
		if ((flags & LIBSSH2_FXF_EXCL) && !upload_link_broken(u) &&
		    upload_exists(u, j->part) == 1) {
			snprintf(err, errlen, "%s already exists on %s "
			    "(another run's file?): left alone", j->part,
			    u->host);
			u->fail = UPLOAD_FAIL_EXISTS;
			u->final = 1;
		}
		return -1;
	}
	j->created = 1;
	libssh2_sftp_seek64(h, (libssh2_uint64_t)have);
	for (off = (uint64_t)have; off < j->size; off += (uint64_t)n) {
		n = pread(j->fd, j->buf, UPLOAD_CHUNK, (off_t)off);
		if (n <= 0) {
			snprintf(err, errlen, "cannot read the local archive: "
			    "%s", n == 0 ? "it shrank" : strerror(errno));
			u->final = 1;
			u->fail = UPLOAD_FAIL_OTHER;
			libssh2_sftp_close(h);
			return -1;
		}
		if (upload_write(u, h, (char *)j->buf, (size_t)n) == -1) {
			upload_broken(u, j->part, err, errlen);
			libssh2_sftp_close(h);
			return -1;
		}
	}
	if (libssh2_sftp_close(h) != 0)
		return upload_broken(u, j->part, err, errlen);
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


static int
upload_file_job(struct upload *u, void *arg, char *err, size_t errlen)
{
	struct upload_job	*j = arg;
	char			*final;
	int64_t			 got;
	int			 rc = -1;

	final = upload_path(u, j->name, "");
	if (upload_file_pass(u, j, err, errlen) == -1)
		goto done;
	if ((got = upload_remote_size(u, j->part)) == -1) {
		upload_broken(u, j->part, err, errlen);
		goto done;
	}
	if (got != (int64_t)j->size) {
		snprintf(err, errlen, "%s on %s has %lld bytes, not %llu",
		    j->part, u->host, (long long)got,
		    (unsigned long long)j->size);
		u->fail = UPLOAD_FAIL_OTHER;
		goto done;
	}
	if (upload_rename(u, j->part, final, err, errlen) != 0)
		goto done;
	if (u->state != NULL)
		upload_resume_set_done(u->state, j->name);
	rc = 0;
done:
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

	if (u->state != NULL && upload_resume_is_done(u->state, name)) {
		log_msg(LOG_INFO, "upload", "%s/%s: delivered by an earlier "
		    "attempt", u->url, name);
		return 0;
	}
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
	j.part = NULL;
	/* The archive's token, or one of this upload's own. */
	if (u->state != NULL)
		snprintf(j.token, sizeof j.token, "%s",
		    upload_resume_token(u->state));
	else
		upload_resume_random(j.token);
	j.buf = xmalloc(UPLOAD_CHUNK);
	rc = upload_retry(u, upload_file_job, &j, err, errlen);
	free(j.buf);
	free(j.part);
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
	j.part = NULL;
	j.token[0] = '\0';		/* NAME.part, created exclusively */
	j.buf = xmalloc(UPLOAD_CHUNK);
	rc = upload_retry(u, upload_file_job, &j, err, errlen);
	free(j.buf);
	free(j.part);
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
		    u->host, upload_why(u));
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
		    upload_why(u));
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
