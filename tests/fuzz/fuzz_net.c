/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the parsers of collectors/netsock.c: lines of
 * /proc/net/packet, netlink, igmp and nf_conntrack, and dev_snmp6 files.
 * The kernel writes them, but a hostile kernel module could write
 * anything, and the conntrack parser splits in place: every line must
 * be parsed or refused without reading outside it, and the strings kept
 * must serialise as JSON. Corpus: tests/fuzz/corpus/net/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "live.h"
#include "network.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_line(const char *line)
{
	struct netsock_packet	 pk;
	struct netsock_netlink	 nl;
	struct netsock_ct	 ct;
	char			*copy, name[16];
	int			 idx;

	(void)netsock_parse_snmp6_index(line, &idx);

	if (netsock_parse_packet_line(line, &pk) == 0)
		(void)netsock_ethertype_name(pk.proto);
	if (netsock_parse_netlink_line(line, &nl) == 0)
		(void)netsock_netlink_family(nl.protocol);
	if (netsock_parse_igmp_line(line, &idx, name, sizeof name) == 0) {
		if (strlen(name) >= sizeof name)
			fatal("fuzz: igmp name overflow");
		fuzz_json(live_json_strz(name));
	}
	copy = xstrdup(line);
	if (netsock_parse_conntrack_line(copy, &ct) == 0) {
		fuzz_json(live_json_strz(ct.l3proto));
		fuzz_json(live_json_strz(ct.l4proto));
		fuzz_json(live_json_strz(ct.state));
		fuzz_json(live_json_strz(ct.secctx));
		fuzz_json(live_json_strz(ct.orig.src));
		fuzz_json(live_json_strz(ct.reply.dst));
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char	*text, *line;
	size_t	 pos = 0;
	int	 idx;

	if (len > 65536)
		return 0;
	text = xstrndup((const char *)data, len);
	(void)netsock_parse_snmp6_index(text, &idx);
	while ((line = live_next_line(text, strlen(text), &pos)) != NULL)
		fuzz_line(line);
	free(text);
	return 0;
}
