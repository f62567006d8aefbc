/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Reading and writing the embedded configuration. See bundle.h. The
 * trailer is checked strictly: a wrong magic means no payload; a right
 * magic with a bad length or checksum means a damaged copy, which must
 * not run on defaults as if nothing happened.
 *
 * Writing a kit: the configuration is checked by run's own checks
 * (pipeline_check), a key pair is made for the kit (the CSIRT's own
 * signing key is refused), the drop box is tested, and a static agent
 * is copied with the payload appended.
 */
#include <sys/auxv.h>
#include <sys/stat.h>

#include <elf.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "bundle.h"
#include "config.h"
#include "i18n.h"
#include "pipeline.h"
#include "sign.h"
#include "upload.h"
#include "util.h"

#define BUNDLE_MAGIC	"CSIRT-COLLECT-C1"
#define BUNDLE_TRAILER	64

static void
bundle_trailer(unsigned char *t, const char *text, size_t len)
{
	uint64_t	n = len;
	int		i;

	memset(t, 0, BUNDLE_TRAILER);
	memcpy(t, BUNDLE_MAGIC, 16);
	for (i = 0; i < 8; i++)
		t[16 + i] = (unsigned char)(n >> (8 * i));
	EVP_Digest(text, len, t + 24, NULL, EVP_sha256(), NULL);
}

/* The ELF header of fd: 0, or -1 when it is not an ELF file. */
static int
bundle_elf_header(int fd, ElfW(Ehdr) *eh)
{
	if (pread(fd, eh, sizeof *eh, 0) != (ssize_t)sizeof *eh ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return -1;
	return 0;
}

/*
 * Where the ELF file in fd ends: the furthest of its headers, section
 * header table and segments. A plain agent ends there; a kit has its
 * payload and trailer after it. -1 when fd is not a readable ELF file.
 */
static off_t
bundle_elf_end(int fd)
{
	ElfW(Ehdr)	eh;
	ElfW(Phdr)	ph;
	uint64_t	end, e;
	int		i;

	if (bundle_elf_header(fd, &eh) == -1 || eh.e_phentsize != sizeof ph)
		return -1;
	end = sizeof eh;
	e = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof ph;
	if (e > end)
		end = e;
	if (eh.e_shoff != 0 && (e = eh.e_shoff + (uint64_t)eh.e_shnum *
	    eh.e_shentsize) > end)
		end = e;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff +
		    (uint64_t)i * sizeof ph)) != (ssize_t)sizeof ph)
			return -1;
		if ((e = ph.p_offset + ph.p_filesz) > end)
			end = e;
	}
	return end > INT64_MAX ? -1 : (off_t)end;
}

static int
bundle_read_fd(int fd, char **text, char *err, size_t errlen)
{
	unsigned char	 t[BUNDLE_TRAILER], want[BUNDLE_TRAILER];
	struct stat	 st;
	uint64_t	 len = 0;
	off_t		 end;
	char		*p;
	int		 i;

	*text = NULL;
	if (fstat(fd, &st) == -1)
		return 0;
	if (st.st_size < BUNDLE_TRAILER || pread(fd, t, sizeof t,
	    st.st_size - BUNDLE_TRAILER) != (ssize_t)sizeof t ||
	    memcmp(t, BUNDLE_MAGIC, 16) != 0) {
		/*
		 * No trailer. Bytes after the program are a kit's payload
		 * whose trailer was cut or altered (a truncated download,
		 * a damaged copy): never run on defaults as a plain agent.
		 */
		if ((end = bundle_elf_end(fd)) != -1 && st.st_size > end) {
			snprintf(err, errlen, i18n("this copy of the agent "
			    "carries %lld bytes after the program but no valid "
			    "configuration trailer: the kit is damaged "
			    "(truncated or altered); ask the CSIRT for a new "
			    "copy"), (long long)(st.st_size - end));
			return -1;
		}
		if (end != -1 && st.st_size < end) {
			snprintf(err, errlen, "%s", i18n("this copy of the agent "
			    "is truncated (it ends before its program does); "
			    "ask the CSIRT for a new copy"));
			return -1;
		}
		return 0;
	}
	for (i = 0; i < 8; i++)
		len |= (uint64_t)t[16 + i] << (8 * i);
	if (len == 0 || len > BUNDLE_MAX ||
	    len > (uint64_t)st.st_size - BUNDLE_TRAILER) {
		snprintf(err, errlen, "%s", i18n("embedded configuration "
		    "damaged (bad length): this copy of the agent is "
		    "corrupted"));
		return -1;
	}
	p = xmalloc(len + 1);
	if (pread(fd, p, len, st.st_size - BUNDLE_TRAILER - (off_t)len) !=
	    (ssize_t)len) {
		snprintf(err, errlen, "embedded configuration unreadable: %s",
		    strerror(errno));
		free(p);
		return -1;
	}
	p[len] = '\0';
	bundle_trailer(want, p, len);
	if (sodium_memcmp(want, t, sizeof t) != 0 || strlen(p) != len) {
		snprintf(err, errlen, "%s", i18n("embedded configuration "
		    "damaged (checksum mismatch): this copy of the agent is "
		    "corrupted"));
		config_free_text(p);
		return -1;
	}
	*text = p;
	return 1;
}

int
bundle_read_file(const char *path, char **text, char *err, size_t errlen)
{
	int	fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*text = NULL;
		return 0;
	}
	rc = bundle_read_fd(fd, text, err, errlen);
	close(fd);
	return rc;
}

int
bundle_read(char **text, char *err, size_t errlen)
{
	const char	*exe = (const char *)getauxval(AT_EXECFN);
	int		 rc;

	/* /proc may be missing (a chroot): fall back to the exec path. */
	rc = bundle_read_file("/proc/self/exe", text, err, errlen);
	if (rc == 0 && access("/proc/self/exe", F_OK) == -1 && exe != NULL)
		rc = bundle_read_file(exe, text, err, errlen);
	return rc;
}

/* Whether a PT_DYNAMIC segment lists a DT_NEEDED library. */
static int
bundle_elf_needs(int fd, const ElfW(Phdr) *ph)
{
	ElfW(Dyn)	d;
	uint64_t	off;

	for (off = 0; off + sizeof d <= ph->p_filesz; off += sizeof d) {
		if (pread(fd, &d, sizeof d, (off_t)(ph->p_offset + off)) !=
		    (ssize_t)sizeof d || d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_NEEDED)
			return 1;
	}
	return 0;
}

/*
 * Whether a kit may embed an agent for machine m: the running agent's,
 * or another one the project builds (make static ARCH=arm64), so that
 * an amd64 console makes kits for arm64 hosts. Both are 64-bit
 * little-endian: the headers read here have the same layout.
 */
static int
bundle_elf_machine(int m, int self)
{
	return m == self || m == EM_X86_64 || m == EM_AARCH64;
}

/*
 * Whether fd (path, for messages) is a static ELF executable for the
 * machine of the running agent or another the project builds
 * (bundle_elf_machine): 1 static; 0 dynamically linked (an interpreter
 * or a needed library), with why in err; -1 not an ELF executable for
 * such a machine, with err.
 */
static int
bundle_elf_static(int fd, const char *path, char *err, size_t errlen)
{
	ElfW(Ehdr)	eh, self;
	ElfW(Phdr)	ph;
	int		sfd, i, ok;

	sfd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ok = sfd != -1 && bundle_elf_header(sfd, &self) == 0;
	if (sfd != -1)
		close(sfd);
	if (!ok || bundle_elf_header(fd, &eh) == -1 ||
	    memcmp(eh.e_ident, self.e_ident, EI_VERSION) != 0 ||
	    !bundle_elf_machine(eh.e_machine, self.e_machine) ||
	    eh.e_phentsize != sizeof ph ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)) {
		snprintf(err, errlen, "%s: not an ELF executable for this "
		    "machine", path);
		return -1;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff +
		    (uint64_t)i * sizeof ph)) != (ssize_t)sizeof ph) {
			snprintf(err, errlen, "%s: truncated ELF file", path);
			return -1;
		}
		if (ph.p_type == PT_INTERP || (ph.p_type == PT_DYNAMIC &&
		    bundle_elf_needs(fd, &ph))) {
			snprintf(err, errlen, "%s is dynamically linked: a kit "
			    "made of it would not start on a host without its "
			    "shared libraries", path);
			return 0;
		}
	}
	return 1;
}

/*
 * The agent to embed: --agent, else the running binary when it is
 * static, else csirt-collect-static beside it, else the running binary
 * (refused below unless --allow-dynamic). The path is written to buf.
 */
static void
bundle_agent_path(const struct bundle_opts *o, char *buf, size_t len)
{
	char		self[PATH_MAX], dir[PATH_MAX], errbuf[256];
	struct stat	a, b;
	ssize_t		n;
	int		fd, st = 0;

	if (o->agent != NULL) {
		snprintf(buf, len, "%s", o->agent);
		return;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0)
		snprintf(self, sizeof self, "/proc/self/exe");
	else
		self[n] = '\0';
	snprintf(buf, len, "%s", self);
	if ((fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) != -1) {
		st = bundle_elf_static(fd, self, errbuf, sizeof errbuf);
		close(fd);
	}
	if (st == 1)
		return;
	snprintf(dir, sizeof dir, "%s", self);
	if ((size_t)snprintf(errbuf, sizeof errbuf, "%s/%s-static",
	    dirname(dir), AGENT_NAME) >= sizeof errbuf ||
	    access(errbuf, F_OK) == -1)
		return;
	snprintf(buf, len, "%s", errbuf);
	/* A build directory: the static agent may predate this build. */
	if (stat(self, &a) == 0 && stat(buf, &b) == 0 &&
	    b.st_mtime < a.st_mtime)
		fprintf(stderr, "%s: warning: %s is older than %s: rebuild it "
		    "(make static) if the sources changed\n", AGENT_NAME, buf,
		    self);
}

/* Open the agent to embed and check it is static. -1 with err. */
static int
bundle_agent_open(const struct bundle_opts *o, char *path, size_t len,
    char *err, size_t errlen)
{
	char	why[512];
	int	fd, st;

	bundle_agent_path(o, path, len);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "agent to embed %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if ((st = bundle_elf_static(fd, path, why, sizeof why)) == 1)
		return fd;
	if (st == 0 && o->allow_dynamic) {
		fprintf(stderr, "%s: warning: %s; embedding it anyway "
		    "(--allow-dynamic)\n", AGENT_NAME, why);
		return fd;
	}
	if (st == 0)
		snprintf(err, errlen, "%s. Build the static agent (make static "
		    "writes build/%s-static, found beside %s) or give one with "
		    "--agent PATH; --allow-dynamic embeds it anyway", why,
		    AGENT_NAME, AGENT_NAME);
	else
		snprintf(err, errlen, "%s", why);
	close(fd);
	return -1;
}

/* Copy the agent in fd without any payload it already has. */
static int
bundle_copy_agent(int fd, int out, char *err, size_t errlen)
{
	unsigned char	 t[BUNDLE_TRAILER], buf[65536];
	struct stat	 st;
	off_t		 end, off = 0;
	uint64_t	 len = 0;
	ssize_t		 n = 0;
	int		 i;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "cannot read the agent: %s",
		    strerror(errno));
		return -1;
	}
	end = st.st_size;
	if (end >= BUNDLE_TRAILER && pread(fd, t, sizeof t, end -
	    BUNDLE_TRAILER) == (ssize_t)sizeof t &&
	    memcmp(t, BUNDLE_MAGIC, 16) == 0) {
		for (i = 0; i < 8; i++)
			len |= (uint64_t)t[16 + i] << (8 * i);
		if (len <= (uint64_t)end - BUNDLE_TRAILER)
			end -= BUNDLE_TRAILER + (off_t)len;
	}
	while (off < end) {
		size_t	want = end - off > (off_t)sizeof buf ? sizeof buf :
		    (size_t)(end - off);

		if ((n = pread(fd, buf, want, off)) <= 0 ||
		    util_write_all(out, buf, (size_t)n) == -1) {
			snprintf(err, errlen, "copying the agent: %s",
			    n <= 0 ? "short read" : strerror(errno));
			return -1;
		}
		off += n;
	}
	return 0;
}

/*
 * The kit's own signing key, replacing none (a CSIRT key in the config
 * is refused: whoever holds the kit could sign as the CSIRT).
 */
static int
bundle_kit_key(struct config *cfg, struct bundle_opts *o, char *err,
    size_t errlen)
{
	struct sign_seckey	*sk;
	struct sign_pubkey	 pk;
	char			*text, why[256];
	int			 rc;

	if (cfg->sign_key_file != NULL || cfg->sign_key != NULL) {
		snprintf(err, errlen, "[signing] %s: a kit never carries the "
		    "CSIRT's signing key (whoever holds the kit could sign "
		    "archives and rules as the CSIRT); remove it: bundle makes "
		    "a key pair for this kit and writes its public key beside "
		    "it", cfg->sign_key_file ? "secret_key_file" :
		    "secret_key");
		return -1;
	}
	sk = sign_seckey_generate();
	sign_seckey_pubkey(sk, &pk);
	sign_keyid_hex(pk.keyid, o->keyid);
	o->pubkey = sign_pubkey_format(&pk);
	text = sign_seckey_format(sk);
	sign_seckey_free(sk);
	rc = config_set(cfg, "signing.secret_key", text, why, sizeof why);
	sign_free_secret_text(text);
	if (rc == -1)
		snprintf(err, errlen, "kit signing key: %s", why);
	return rc;
}

/* Write text to a new file (O_EXCL), mode. -1 with err, nothing left. */
static int
bundle_write_new(const char *path, const char *text, mode_t mode, char *err,
    size_t errlen)
{
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode)) == -1 || util_write_all(fd, text,
	    strlen(text)) == -1 || fchmod(fd, mode) == -1 || fsync(fd) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(path);
		}
		return -1;
	}
	close(fd);
	return 0;
}

/* The drop box, before any kit is written: pin, login, write, rename. */
static int
bundle_preflight(struct upload *up, const char *out, struct bundle_opts *o,
    char *err, size_t errlen)
{
	char	 t[32], iso[40], *kit, *base, *text;
	time_t	 now = time(NULL);
	int	 rc;

	util_compact_time(t, sizeof t, now);
	util_iso8601(iso, sizeof iso, now, -1);
	kit = xstrdup(out);
	base = basename(kit);
	snprintf(o->probe, sizeof o->probe, "%s-probe_%s_%s.txt", AGENT_NAME,
	    base, t);
	util_safe_name(o->probe);
	text = xasprintf("%s bundle tested this drop box (host key, login, "
	    "write and rename) while making the kit %s (signing key id %s) "
	    "at %s.\nNo evidence here; this file can be deleted.\n",
	    AGENT_NAME, base, o->keyid, iso);
	rc = upload_probe(up, o->probe, text, &o->probe_removed, err, errlen);
	free(text);
	free(kit);
	return rc;
}

/* The payload and trailer after the agent in fd, into out (0700). */
static int
bundle_write_kit(int agent, const char *text, const char *out, char *err,
    size_t errlen)
{
	unsigned char	t[BUNDLE_TRAILER];
	int		fd, rc = -1;

	if ((fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0700)) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", out,
		    strerror(errno));
		return -1;
	}
	bundle_trailer(t, text, strlen(text));
	if (bundle_copy_agent(agent, fd, err, errlen) == -1)
		goto done;
	if (util_write_all(fd, text, strlen(text)) == -1 ||
	    util_write_all(fd, t, sizeof t) == -1 || fchmod(fd, 0700) == -1 ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", out,
		    strerror(errno));
		goto done;
	}
	rc = 0;
done:
	close(fd);
	if (rc == -1)
		unlink(out);
	return rc;
}

int
bundle_write(const char *cfgpath, const char *out, struct bundle_opts *o,
    char *err, size_t errlen)
{
	struct config	 cfg;
	struct upload	*up = NULL;
	char		*text = NULL, *pubpath, agent[PATH_MAX];
	int		 fd = -1, rc = EXIT_USAGE;

	pubpath = xasprintf("%s.pub", out);
	config_init(&cfg);
	cfg.layer = SRC_FILE;
	if (config_load(&cfg, cfgpath, err, errlen) == -1 ||
	    bundle_kit_key(&cfg, o, err, errlen) == -1)
		goto done;
	if (pipeline_check(&cfg, &up, err, errlen) == -1) {
		snprintf(err + strlen(err), errlen - strlen(err), " (run would "
		    "refuse it)");
		goto done;
	}
	if ((text = config_serialize(&cfg, err, errlen)) == NULL)
		goto done;
	if (strlen(text) > BUNDLE_MAX) {
		snprintf(err, errlen, "%s: configuration too large", cfgpath);
		goto done;
	}
	if (access(out, F_OK) == 0 || access(pubpath, F_OK) == 0) {
		snprintf(err, errlen, "%s exists: not overwritten",
		    access(out, F_OK) == 0 ? out : pubpath);
		goto done;
	}
	if ((fd = bundle_agent_open(o, agent, sizeof agent, err,
	    errlen)) == -1)
		goto done;
	if (up != NULL && !o->no_preflight &&
	    bundle_preflight(up, out, o, err, errlen) == -1) {
		rc = EXIT_UPLOAD;
		goto done;
	}
	rc = EXIT_FATAL;
	if (bundle_write_new(pubpath, o->pubkey, 0644, err, errlen) == -1)
		goto done;
	if (bundle_write_kit(fd, text, out, err, errlen) == -1) {
		unlink(pubpath);
		goto done;
	}
	rc = EXIT_DONE;
done:
	if (fd != -1)
		close(fd);
	upload_free(up);
	free(pubpath);
	config_free_text(text);
	config_free(&cfg);
	return rc;
}
