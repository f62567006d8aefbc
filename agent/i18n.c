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
	{ "  indicators %llu seen (%zu distinct; iocs/matches.jsonl)\n",
	  "  indicateurs %llu vus (%zu distincts ; iocs/matches.jsonl)\n" },
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
	{ "WARNING: the drop box %s did not show the expected host key: the "
	  "connection may be intercepted.\nDo not retry. Call the CSIRT and "
	  "read them the fingerprint seen: %s\n",
	  "ATTENTION : le dépôt %s n'a pas présenté la clé d'hôte attendue : "
	  "la connexion est peut-être interceptée.\nNe réessayez pas. "
	  "Appelez le CSIRT et lisez-leur l'empreinte vue : %s\n" },
	{ "The drop box %s refused this kit's key: call the CSIRT, they must "
	  "accept it.\n",
	  "Le dépôt %s a refusé la clé de ce kit : appelez le CSIRT, il doit "
	  "l'accepter.\n" },
	{ "The drop box %s cannot be reached (network, name resolution or a "
	  "blocked port).\n",
	  "Le dépôt %s n'est pas joignable (réseau, résolution de nom ou port "
	  "bloqué).\n" },
	{ "The drop box %s stopped answering for %lld seconds (a stalled "
	  "network or server): the upload was given up.\n",
	  "Le dépôt %s n'a plus répondu pendant %lld secondes (réseau ou "
	  "serveur bloqué) : l'envoi a été abandonné.\n" },
	{ "The drop box %s refused to let this kit write (permission "
	  "denied): call the CSIRT.\n",
	  "Le dépôt %s refuse que ce kit écrive (permission refusée) : "
	  "appelez le CSIRT.\n" },
	{ "The drop box %s is full: call the CSIRT so they make room.\n",
	  "Le dépôt %s est plein : appelez le CSIRT pour qu'il fasse de la "
	  "place.\n" },
	{ "A file of the same name is already on the drop box %s: nothing was "
	  "replaced.\n",
	  "Un fichier du même nom est déjà sur le dépôt %s : rien n'a été "
	  "remplacé.\n" },
	{ "Nothing was kept on this host (--stream): run the collection again "
	  "when the drop box can be reached.\n",
	  "Rien n'a été conservé sur cette machine (--stream) : relancez la "
	  "collecte quand le dépôt sera joignable.\n" },
	{ "The archive is kept here: %s\n",
	  "L'archive est conservée ici : %s\n" },
	{ "Keep it until the CSIRT says how to send it.\n",
	  "Gardez-la jusqu'à ce que le CSIRT vous dise comment l'envoyer.\n" },
	{ "When the network works, run: %s send %s\n",
	  "Quand le réseau fonctionnera, lancez : %s send %s\n" },
	{ "To send it later, run: %s send %s\n",
	  "Pour l'envoyer plus tard, lancez : %s send %s\n" },
	{ "The disk holding %s is full. Free some space, or run again with "
	  "--output on another disk (a USB drive), or with --stream to send "
	  "while collecting.\n",
	  "Le disque de %s est plein. Libérez de la place, ou relancez avec "
	  "--output sur un autre disque (une clé USB), ou avec --stream pour "
	  "envoyer pendant la collecte.\n" },
	{ "%s: %s: %s; an archive is never sent without its signature\n",
	  "%s : %s : %s ; une archive n'est jamais envoyée sans sa "
	  "signature\n" },
	{ "Nothing was collected.\n", "Rien n'a été collecté.\n" },
	{ "WARNING: the drop box cannot be used now: %s\nThe collection goes "
	  "on: the archive will be kept on this host, and sent at the end if "
	  "the drop box answers then.\n",
	  "ATTENTION : le dépôt est inutilisable pour l'instant : %s\nLa "
	  "collecte continue : l'archive sera conservée sur cette machine, et "
	  "envoyée à la fin si le dépôt répond alors.\n" },
	{ "Not enough room in %s (%s free, about %s to collect): the archive "
	  "is sent to the drop box while it is made, nothing is written "
	  "here.\n",
	  "Pas assez de place dans %s (%s libres, environ %s à collecter) : "
	  "l'archive est envoyée au dépôt au fur et à mesure, rien n'est "
	  "écrit ici.\n" },
	{ "%s: not enough room in %s: %s free, about %s to collect (plus a 64 "
	  "MiB margin). Nothing was collected. Run again with --output on a "
	  "disk with more room (a USB drive).\n",
	  "%s : pas assez de place dans %s : %s libres, environ %s à collecter "
	  "(plus une marge de 64 Mio). Rien n'a été collecté. Relancez avec "
	  "--output sur un disque plus grand (une clé USB).\n" },
	{ "The local copy was removed (keep_local = no): the archive is on the "
	  "drop box only.\n",
	  "La copie locale a été supprimée (keep_local = no) : l'archive n'est "
	  "plus que sur le dépôt.\n" },
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
	{ "bundle %s: the trusted comment \"%s\" is not exactly \"%sN\" (N a "
	  "number without sign, spaces or leading zeros): refused",
	  "paquet de règles %s : le commentaire de confiance « %s » n'est pas "
	  "exactement « %sN » (N un nombre sans signe, espace ni zéro en tête) : "
	  "refusé" },
	{ "bundle %s: version %lld is older than version %lld accepted before "
	  "for key %s: refused (rollback)",
	  "paquet de règles %s : la version %lld est plus ancienne que la "
	  "version %lld acceptée auparavant pour la clé %s : refusé (retour en "
	  "arrière, rollback)" },
	{ "\nStopping: finishing a signed archive of what was collected so "
	  "far. Press Ctrl-C again to abort and delete it.\n",
	  "\nArrêt : finalisation d'une archive signée de ce qui a été "
	  "collecté. Appuyez de nouveau sur Ctrl-C pour abandonner et la "
	  "supprimer.\n" },
	{ "\nAborted: the partial archive was deleted.\n",
	  "\nAbandon : l'archive partielle a été supprimée.\n" },
	{ "this copy of the agent carries %lld bytes after the program but "
	  "no valid configuration trailer: the kit is damaged (truncated or "
	  "altered); ask the CSIRT for a new copy",
	  "cette copie de l'agent porte %lld octets après le programme mais "
	  "pas de fin de configuration valide : le kit est endommagé (tronqué "
	  "ou modifié) ; demandez au CSIRT une nouvelle copie" },
	{ "this copy of the agent is truncated (it ends before its program "
	  "does); ask the CSIRT for a new copy",
	  "cette copie de l'agent est tronquée (elle s'arrête avant la fin du "
	  "programme) ; demandez au CSIRT une nouvelle copie" },
	{ "embedded configuration damaged (bad length): this copy of the "
	  "agent is corrupted",
	  "configuration intégrée endommagée (longueur invalide) : cette copie "
	  "de l'agent est corrompue" },
	{ "embedded configuration damaged (checksum mismatch): this copy of "
	  "the agent is corrupted",
	  "configuration intégrée endommagée (somme de contrôle fausse) : "
	  "cette copie de l'agent est corrompue" },
	{ "interrupted by Ctrl-C", "interrompu par Ctrl-C" },
	{ "stopped by SIGTERM", "arrêté par SIGTERM" },
	{ "interrupted by a signal", "interrompu par un signal" },
	{ "time limit reached", "limite de durée atteinte" },
	{ "total size limit reached", "limite de taille totale atteinte" },
	{ "Checking the set-up", "Vérification de la configuration" },
	{ "Live state (processes, network, users)",
	  "État du système en marche (processus, réseau, utilisateurs)" },
	{ "System state (users, logins)",
	  "État du système (utilisateurs, connexions)" },
	{ "Files and scans", "Fichiers et analyses" },
	{ "Sealing the archive (manifest, signature)",
	  "Scellement de l'archive (manifeste, signature)" },
	{ "Sending to the CSIRT", "Envoi au CSIRT" },
	{ "  about %d s left", "  environ %d s restantes" },
	{ "  about %d min left", "  environ %d min restantes" },
	{ "  about %d h left", "  environ %d h restantes" },
	{ "%s collected", "%s collectés" },
	{ " (pid %ld)", " (pid %ld)" },
	{ "  %llu findings: see summary.json\n",
	  "  %llu alertes (signaux suspects) : voir summary.json\n" },
	{ "another collection of %s is already running%s: wait for it to "
	  "end, then run again if needed.\n",
	  "une autre collecte de %s est déjà en cours%s : attendez qu'elle "
	  "se termine, puis relancez si besoin.\n" },
	{ "another collection is already running on this host%s: wait for "
	  "it to end, then run again if needed.\n",
	  "une autre collecte est déjà en cours sur cette machine%s : "
	  "attendez qu'elle se termine, puis relancez si besoin.\n" },
	{ "Try '%s %s --help'.\n", "Essayez '%s %s --help'.\n" },
	{ "unknown or incomplete option '%s'",
	  "option inconnue ou incomplète '%s'" },
	{ "unexpected argument '%s'", "argument inattendu '%s'" },
	{ "unknown command '%s'\n", "commande inconnue '%s'\n" },
	{ "option --%s: %s", "option --%s : %s" },
	{ "bundle needs --config FILE and -o OUT",
	  "bundle demande --config FICHIER et -o SORTIE" },
	{ "config needs 'show': config show [-c FILE] [run options]",
	  "config demande 'show' : config show [-c FICHIER] [options de run]" },
	{ "decrypt needs -i IDENTITY and one FILE",
	  "decrypt demande -i IDENTITÉ et un FICHIER" },
	{ "keygen needs -p PUBKEY and -s SECKEY and nothing else",
	  "keygen demande -p CLÉ_PUBLIQUE et -s CLÉ_SECRÈTE, rien d'autre" },
	{ "verify needs an ARCHIVE", "verify demande une ARCHIVE" },
	{ "verify takes one ARCHIVE", "verify prend une seule ARCHIVE" },
	{ "export needs an ARCHIVE", "export demande une ARCHIVE" },
	{ "export takes one ARCHIVE", "export prend une seule ARCHIVE" },
	{ "--format must be one of timesketch, uac, sha256, misp, stix",
	  "--format doit être timesketch, uac, sha256, misp ou stix" },
	{ "report needs an ARCHIVE", "report demande une ARCHIVE" },
	{ "report takes one ARCHIVE", "report prend une seule ARCHIVE" },
	{ "--lang takes en or fr", "--lang prend en ou fr" },
	{ "exists (use --force to replace it)",
	  "existe déjà (--force pour le remplacer)" },
	{ "the archive is encrypted: give its age identity with -i to report "
	  "it", "l'archive est chiffrée : donnez son identité age avec -i pour "
	  "en faire le rapport" },
	{ "no report written: the archive did not verify",
	  "aucun rapport écrit : la vérification de l'archive a échoué" },
	{ "report written to", "rapport écrit dans" },
	{ "cannot create", "impossible de créer" },
	{ "cannot write", "impossible d'écrire" },
	{ "rules %s: wrong number of arguments",
	  "rules %s : mauvais nombre d'arguments" },
	{ "rules needs a command: %s", "rules demande une commande : %s" },
	{ "unknown rules command '%s'", "commande rules inconnue '%s'" },
	{ "iocs %s: wrong number of arguments",
	  "iocs %s : mauvais nombre d'arguments" },
	{ "iocs needs a command: %s", "iocs demande une commande : %s" },
	{ "unknown iocs command '%s'", "commande iocs inconnue '%s'" },
	{ "indicator pack %s: %s", "paquet d'indicateurs %s : %s" },
	{ "usage: %s COMMAND [OPTIONS]\n\ncommands:\n",
	  "usage : %s COMMANDE [OPTIONS]\n\ncommandes :\n" },
	{ "\n'%s COMMAND --help' for a command's options; '%s --version'.\n",
	  "\n'%s COMMANDE --help' pour les options d'une commande ; "
	  "'%s --version'.\n" },
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
