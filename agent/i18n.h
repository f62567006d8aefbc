/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * Messages for the person at the keyboard, in English or French. The
 * French catalogue is compiled in: a victim's host has no locale files
 * of ours and may not have fr_FR generated. French is chosen when the
 * first of LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set starts "fr".
 */
#ifndef I18N_H
#define I18N_H

/* Read the environment once (main). */
void		 i18n_init(void);
/* The message in the user's language (the English text is the key). */
const char	*i18n(const char *) __attribute__((format_arg(1)));
int		 i18n_is_french(void);
/* Entry i of the catalogue (tests): 0, or -1 past the end. */
int		 i18n_entry(size_t, const char **, const char **);

#endif
