/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The run's configuration: built-in defaults, then the embedded config
 * (bundle), then the INI file, then command-line options, each layer
 * overriding the one before. Keys are those of SPEC.md; an unknown key
 * or a bad value is an error naming the file, line and key.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

struct strlist {
	char	**v;
	size_t	  n;
};
void	 strlist_add(struct strlist *, const char *);
void	 strlist_clear(struct strlist *);

/* Where a key's value came from, lowest first. */
enum config_src { SRC_DEFAULT, SRC_EMBEDDED, SRC_FILE, SRC_OPTION };
#define CONFIG_MAX_KEYS	64

struct config {
	enum config_src	 layer;			/* the layer being applied */
	unsigned char	 src[CONFIG_MAX_KEYS];	/* per key of the table */
	char		*file;			/* the INI file applied */
	int		 dry_run;	/* 2: the estimate of a real run */
	int		 allow_unprivileged;
	char		*case_id;
	char		*output_dir;
	char		*profile;
	char		*root;
	struct strlist	 artifacts;
	char		*rules_path;
	char		*rules_pubkey;
	char		*rules_url;
	char		*rules_state_dir;
	char		*iocs_path;		/* [iocs]: ioc-pack.h */
	char		*iocs_pubkey;
	char		*iocs_url;
	char		*iocs_state_dir;	/* NULL: the rules' */
	int		 no_iocs;
	struct strlist	 scan_paths;
	int		 no_yara;
	int		 no_process_memory;
	int		 no_process_dump;
	char		*sign_key_file;
	char		*sign_key;		/* inline, secret */
	struct strlist	 recipients;
	char		*upload_url;
	char		*identity_file;
	char		*identity;		/* inline, secret */
	char		*password;		/* secret */
	char		*host_key_fingerprint;
	long long	 retries;
	long long	 upload_timeout;	/* s without an answer */
	uint64_t	 bwlimit;		/* bytes/s, 0: none */
	uint64_t	 stream_window;
	int		 insecure_host_key;
	int		 stream;
	int		 keep_local;		/* after a checked upload */
	uint64_t	 max_file_size;
	uint64_t	 max_total_size;	/* 0: unlimited */
	uint64_t	 process_dump_max;	/* per process dumped */
	uint64_t	 process_dump_total;	/* all dumps of the run */
	uint64_t	 container_upper_max;	/* copied per container */
	uint64_t	 container_upper_total;	/* all containers' copies */
	long long	 container_upper_files;	/* files per container */
	long long	 time_limit;		/* seconds, 0: none */
	long long	 nice;
	long long	 max_cpu;		/* percent of one CPU, 0: none */
	int		 quiet;
	int		 verbose;
	int		 json;
};

void	 config_init(struct config *);
void	 config_free(struct config *);
/*
 * Apply INI text (name is the file name used in messages). 0, or -1
 * with "FILE:LINE: [section] key: why" in err.
 */
int	 config_parse(struct config *, const char *, const char *, char *,
	    size_t);
/* Read the file (capped) and apply it. 0 or -1 (err filled). */
int	 config_load(struct config *, const char *, char *, size_t);
/*
 * Set one key by "section.key" name from a string value, as an option
 * would. 0 or -1 with "why" in err.
 */
int	 config_set(struct config *, const char *, const char *, char *,
	    size_t);

/*
 * Print the effective configuration, one "section.key = value  (source)"
 * a line, secrets masked.
 */
void	 config_show(const struct config *, FILE *);
/*
 * The configuration as INI text for embedding (bundle): set keys only;
 * the files named by identity_file and secret_key_file are read and put
 * inline (base64:…). NULL with err if such a file cannot be read.
 * Caller frees with config_free_text (it may hold secrets).
 */
char	*config_serialize(const struct config *, char *, size_t);
void	 config_free_text(char *);

#endif
