/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * The French catalogue. Each entry keeps the printf conversions of its
 * English key in the same order (checked by tests/unit/test_i18n.c).
 */
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

static int	i18n_fr;

static const struct {
	const char	*en;
	const char	*fr;
} i18n_catalogue[] = {
	{ "this must run as root (sudo): without root, other users' "
	  "processes, most logs and protected files cannot be read. To "
	  "collect only what this user can read, add --allow-unprivileged",
	  "ce programme doit être lancé en root (sudo) : sans root, les "
	  "processus des autres utilisateurs, la plupart des journaux et les "
	  "fichiers protégés sont illisibles. Pour ne collecter que ce que "
	  "cet utilisateur peut lire, ajoutez --allow-unprivileged" },
	{ "DONE: the collection is complete.",
	  "TERMINÉ : la collecte est complète." },
	{ "DONE, BUT CUT SHORT (%s): the archive holds what was collected.",
	  "TERMINÉ, MAIS INTERROMPU (%s) : l'archive contient ce qui a été "
	  "collecté." },
	{ "  archive    %s\n", "  archive    %s\n" },
	{ "  size       %llu bytes\n", "  taille     %llu octets\n" },
	{ "  sha256     %s\n", "  sha256     %s\n" },
	{ "  signature  %s.minisig (key id %s%s)\n",
	  "  signature  %s.minisig (clé %s%s)\n" },
	{ ", ephemeral", ", éphémère" },
	{ "  public key %s.pub\n", "  clé publ.  %s.pub\n" },
	{ "  files      %llu collected, %zu errors (listed in manifest.json)\n",
	  "  fichiers   %llu collectés, %zu erreurs (listées dans "
	  "manifest.json)\n" },
	{ "  sent to    %s/%s\n", "  envoyé à   %s/%s\n" },
	{ "  kept here  %s (not sent)\n", "  conservée  %s (non envoyée)\n" },
	{ "Read this reference to the CSIRT: %.4s %.4s\n",
	  "Lisez cette référence au CSIRT : %.4s %.4s\n" },
	{ "FAILED: the upload did not complete: %s\n",
	  "ÉCHEC : l'envoi n'a pas abouti : %s\n" },
	{ "The archive is kept here: %s\nGive this file to the CSIRT by "
	  "another way, or run again when the network works.\n",
	  "L'archive est conservée ici : %s\nTransmettez ce fichier au CSIRT "
	  "par un autre moyen, ou relancez quand le réseau fonctionne.\n" },
	{ "FAILED: %s\n", "ÉCHEC : %s\n" },
	{ "\nThis copy is pre-configured (an embedded configuration): run "
	  "it with no argument, or give it run options directly (%s --no-yara "
	  "-o DIR). Other commands: %s COMMAND --help; '%s config show' "
	  "prints the configuration.\n",
	  "\nCette copie est préconfigurée (configuration intégrée) : lancez-la "
	  "sans argument, ou donnez-lui directement des options de run (%s "
	  "--no-yara -o DOSSIER). Autres commandes : %s COMMANDE --help ; "
	  "'%s config show' affiche la configuration.\n" },
	{ "FAILED: writing the archive: %s; %s\n",
	  "ÉCHEC : écriture de l'archive : %s ; %s\n" },
	{ "the partial archive was removed",
	  "l'archive partielle a été supprimée" },
	{ "nothing was written to this host's disk",
	  "rien n'a été écrit sur le disque de cette machine" },
	{ "%s  %s files  %s read  archive %s",
	  "%s  %s fichiers  %s lus  archive %s" },
	{ "%s  sending %s of %s  %s/s", "%s  envoi %s sur %s  %s/s" },
	{ "Passphrase for %s: ", "Phrase secrète pour %s : " },
	{ "collecting", "collecte" },
	{ "finishing", "finalisation" },
	{ "sending", "envoi" },
};

static int
i18n_env_french(void)
{
	static const char *const vars[] = { "LANGUAGE", "LC_ALL",
	    "LC_MESSAGES", "LANG" };
	const char	*v;
	size_t		 i;

	for (i = 0; i < nitems(vars); i++) {
		v = getenv(vars[i]);
		if (v == NULL || *v == '\0')
			continue;
		return strncmp(v, "fr", 2) == 0;
	}
	return 0;
}

void
i18n_init(void)
{
	i18n_fr = i18n_env_french();
}

int
i18n_is_french(void)
{
	return i18n_fr;
}

const char *
i18n(const char *en)
{
	size_t	i;

	if (!i18n_fr)
		return en;
	for (i = 0; i < nitems(i18n_catalogue); i++)
		if (strcmp(i18n_catalogue[i].en, en) == 0)
			return i18n_catalogue[i].fr;
	return en;
}

int
i18n_entry(size_t i, const char **en, const char **fr)
{
	if (i >= nitems(i18n_catalogue))
		return -1;
	*en = i18n_catalogue[i].en;
	*fr = i18n_catalogue[i].fr;
	return 0;
}
