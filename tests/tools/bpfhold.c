/*
 * Copyright 2026 csirt-collect developers
 * SPDX-License-Identifier: Apache-2.0
 *
 * bpfhold: a test tool (never installed) that makes eBPF objects for
 * t-kernel to find: it loads a trivial socket filter (r0 = 0; exit) and
 * creates a one-entry array map with bpf(2), optionally pins the program
 * at PIN (a path in a bpf file system), prints one line
 * "pid PID prog_fd N prog_tag HEX prog_id N map_fd N map_id N" (the tag
 * and ids as the kernel reports them through BPF_OBJ_GET_INFO_BY_FD:
 * the test's ground truth) and holds the descriptors until stdin closes.
 * The agent never calls bpf(); this tool exists so that a test can.
 *
 *	bpfhold [PIN]
 */
#include <linux/bpf.h>
#include <sys/syscall.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
bpfhold_sys(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

/* What the kernel says of the object fd (its tag, its id). 0 or -1. */
static int
bpfhold_info(int fd, void *info, size_t len)
{
	union bpf_attr	a;

	memset(&a, 0, sizeof a);
	a.info.bpf_fd = fd;
	a.info.info_len = len;
	a.info.info = (uintptr_t)info;
	return bpfhold_sys(BPF_OBJ_GET_INFO_BY_FD, &a);
}

int
main(int argc, char **argv)
{
	struct bpf_insn		 insn[2];
	struct bpf_prog_info	 pinfo;
	struct bpf_map_info	 minfo;
	union bpf_attr		 a;
	char			 log[4096], tag[2 * BPF_TAG_SIZE + 1], c;
	int			 prog, map, i;

	memset(insn, 0, sizeof insn);
	insn[0].code = BPF_ALU64 | BPF_MOV | BPF_K;	/* r0 = 0 */
	insn[0].dst_reg = BPF_REG_0;
	insn[1].code = BPF_JMP | BPF_EXIT;
	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uintptr_t)insn;
	a.insn_cnt = 2;
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof log;
	a.log_level = 1;
	strcpy(a.prog_name, "csirt_hold");
	if ((prog = bpfhold_sys(BPF_PROG_LOAD, &a)) == -1) {
		perror("bpfhold: BPF_PROG_LOAD");
		return 1;
	}
	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	strcpy(a.map_name, "csirt_map");
	if ((map = bpfhold_sys(BPF_MAP_CREATE, &a)) == -1) {
		perror("bpfhold: BPF_MAP_CREATE");
		return 1;
	}
	if (argc > 1) {
		memset(&a, 0, sizeof a);
		a.pathname = (uintptr_t)argv[1];
		a.bpf_fd = prog;
		if (bpfhold_sys(BPF_OBJ_PIN, &a) == -1) {
			perror("bpfhold: BPF_OBJ_PIN");
			return 1;
		}
	}
	memset(&pinfo, 0, sizeof pinfo);
	memset(&minfo, 0, sizeof minfo);
	if (bpfhold_info(prog, &pinfo, sizeof pinfo) == -1 ||
	    bpfhold_info(map, &minfo, sizeof minfo) == -1) {
		perror("bpfhold: BPF_OBJ_GET_INFO_BY_FD");
		return 1;
	}
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(tag + 2 * i, 3, "%02x", pinfo.tag[i]);
	printf("pid %d prog_fd %d prog_tag %s prog_id %u map_fd %d map_id %u\n",
	    (int)getpid(), prog, tag, pinfo.id, map, minfo.id);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
