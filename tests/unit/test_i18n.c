/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests: the French catalogue keeps each message's printf
 * conversions in order, and the language follows the environment.
 */
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "unit.h"

/* The conversions of a format ("%s%llu…"), for comparison. */
static void
conversions(const char *f, char *out, size_t len)
{
	size_t	n = 0;

	for (; *f != '\0' && n + 8 < len; f++) {
		if (*f != '%')
			continue;
		if (f[1] == '%') {
			f++;
			continue;
		}
		out[n++] = '%';
		for (f++; *f != '\0' && strchr("sdiuxXcfgpz", *f) == NULL; f++)
			if (strchr("lhz.0123456789", *f) != NULL && n + 2 < len)
				out[n++] = *f;
		if (*f != '\0')
			out[n++] = *f;
	}
	out[n] = '\0';
}

static void
test_catalogue(void)
{
	const char	*en, *fr;
	char		 a[128], b[128];
	size_t		 i;

	for (i = 0; i18n_entry(i, &en, &fr) == 0; i++) {
		conversions(en, a, sizeof a);
		conversions(fr, b, sizeof b);
		if (strcmp(a, b) != 0)
			printf("#   entry %zu: \"%s\" vs \"%s\"\n", i, a, b);
		CHECK_STR(a, b);
	}
	CHECK(i > 10);
}

static void
test_language(void)
{
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	setenv("LANG", "fr_FR.UTF-8", 1);
	i18n_init();
	CHECK(i18n_is_french());
	CHECK_STR(i18n("collecting"), "collecte");
	CHECK_STR(i18n("no such message"), "no such message");
	setenv("LC_ALL", "C.UTF-8", 1);
	i18n_init();
	CHECK(!i18n_is_french());
	CHECK_STR(i18n("collecting"), "collecting");
	setenv("LANGUAGE", "fr", 1);
	i18n_init();
	CHECK(i18n_is_french());
	setenv("LANGUAGE", "", 1);
	setenv("LC_ALL", "", 1);
	setenv("LC_MESSAGES", "de_DE.UTF-8", 1);
	i18n_init();
	CHECK(!i18n_is_french());
}

int
main(void)
{
	UNIT_RUN(test_catalogue);
	UNIT_RUN(test_language);
	UNIT_EXIT();
}
