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
#include <stdint.h>

struct strlist {
	char	**v;
	size_t	  n;
};
void	 strlist_add(struct strlist *, const char *);
void	 strlist_clear(struct strlist *);

struct config {
	char		*case_id;
	char		*output_dir;
	char		*profile;
	char		*root;
	struct strlist	 artifacts;
	char		*rules_path;
	char		*rules_pubkey;
	char		*rules_url;
	char		*rules_state_dir;
	struct strlist	 scan_paths;
	int		 no_yara;
	int		 no_process_memory;
	char		*sign_key_file;
	char		*sign_key;		/* inline, secret */
	struct strlist	 recipients;
	char		*upload_url;
	char		*identity_file;
	char		*identity;		/* inline, secret */
	char		*host_key_fingerprint;
	long long	 retries;
	uint64_t	 bwlimit;		/* bytes/s, 0: none */
	uint64_t	 stream_window;
	int		 insecure_host_key;
	int		 stream;
	uint64_t	 max_file_size;
	uint64_t	 max_total_size;	/* 0: unlimited */
	long long	 time_limit;		/* seconds, 0: none */
	long long	 nice;
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

#endif
