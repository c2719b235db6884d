// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdp-count IFNAME SECONDS: attach a small XDP program in driver mode to
 * IFNAME (netfront in a guest), which counts the received frames whose
 * Ethernet type is IPv4 and all others and passes every frame on; print
 * the counts every second for SECONDS, then detach.
 *
 * netfront runs XDP on the packet at a fixed headroom in the first page:
 * the count of IPv4 frames goes up only if the backend really placed the
 * data after the headroom netfront asked for ("xdp-headroom") and said so
 * in the XDP extra-info.  With a backend that does not offer
 * feature-xdp-headroom, netfront accepts the program but never runs it.
 *
 * Output: XDP-ATTACHED IFNAME, XDP-COUNT ipv4=N other=M (each second),
 * XDP-DETACHED ipv4=N other=M; XDP-FAIL <why> on an error (exit 1).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int map_create(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 2;
	return bpf(BPF_MAP_CREATE, &a);
}

static int prog_load(int map, char *log, size_t loglen)
{
	/* key 0: IPv4 frames, key 1: others (or too short). */
	struct bpf_insn p[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),	/* r6 = ctx */
		INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 6, 0, 0),	/* data */
		INSN(BPF_LDX | BPF_MEM | BPF_W, 3, 6, 4, 0),	/* data_end */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 7, 0, 0, 1),	/* key = 1 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 14),
		INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 3, 0),	/* short: store */
		INSN(BPF_LDX | BPF_MEM | BPF_H, 5, 2, 12, 0),	/* ethertype */
		INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 1, 0x0008), /* not 08 00 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 7, 0, 0, 0),	/* key = 0 */
		/* store: */
		INSN(BPF_STX | BPF_MEM | BPF_W, 10, 7, -4, 0),
		INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0),	/* NULL: out */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1),
		INSN(BPF_STX | BPF_XADD | BPF_DW, 0, 1, 0, 0),	/* += 1 */
		/* out: */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	static const char license[] = "GPL";
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uintptr_t)p;
	a.insn_cnt = sizeof(p) / sizeof(p[0]);
	a.license = (uintptr_t)license;
	a.log_buf = (uintptr_t)log;
	a.log_size = loglen;
	a.log_level = 1;
	return bpf(BPF_PROG_LOAD, &a);
}

static int map_get(int map, uint32_t key, uint64_t *v)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = map;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)v;
	return bpf(BPF_MAP_LOOKUP_ELEM, &a);
}

/* RTM_SETLINK with IFLA_XDP { FD, FLAGS=DRV_MODE }; fd -1 detaches. */
static int xdp_set(int ifindex, int fd)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[64];
	} req;
	char buf[4096];
	struct nlattr *nest, *a;
	struct nlmsghdr *nh;
	int s, n, err = -EIO;
	uint32_t flags = XDP_FLAGS_DRV_MODE;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_SETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = ifindex;
	nest = (struct nlattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	nest->nla_type = NLA_F_NESTED | IFLA_XDP;
	a = (struct nlattr *)((char *)nest + NLA_HDRLEN);
	a->nla_type = IFLA_XDP_FD;
	a->nla_len = NLA_HDRLEN + sizeof(int);
	memcpy((char *)a + NLA_HDRLEN, &fd, sizeof(fd));
	a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	a->nla_type = IFLA_XDP_FLAGS;
	a->nla_len = NLA_HDRLEN + sizeof(flags);
	memcpy((char *)a + NLA_HDRLEN, &flags, sizeof(flags));
	nest->nla_len = NLA_HDRLEN + 2 * NLA_ALIGN(NLA_HDRLEN + 4);
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + nest->nla_len;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	if (send(s, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(s, buf, sizeof(buf), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned int)n);
	     nh = NLMSG_NEXT(nh, n)) {
		if (nh->nlmsg_type == NLMSG_ERROR) {
			err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			break;
		}
	}
out:
	close(s);
	return err;
}

int main(int argc, char **argv)
{
	static char log[65536];
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	uint64_t v4 = 0, other = 0;
	int ifindex, map, prog, secs, i, err;

	if (argc != 3) {
		fprintf(stderr, "usage: %s IFNAME SECONDS\n", argv[0]);
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	secs = atoi(argv[2]);
	if (!ifindex) {
		printf("XDP-FAIL no interface %s\n", argv[1]);
		return 1;
	}
	setrlimit(RLIMIT_MEMLOCK, &rl);
	map = map_create();
	if (map < 0) {
		printf("XDP-FAIL map: %s\n", strerror(errno));
		return 1;
	}
	prog = prog_load(map, log, sizeof(log));
	if (prog < 0) {
		printf("XDP-FAIL load: %s\n%s\n", strerror(errno), log);
		return 1;
	}
	err = xdp_set(ifindex, prog);
	if (err) {
		printf("XDP-FAIL attach: %s\n", strerror(-err));
		return 1;
	}
	printf("XDP-ATTACHED %s\n", argv[1]);
	fflush(stdout);
	for (i = 0; i < secs; i++) {
		sleep(1);
		map_get(map, 0, &v4);
		map_get(map, 1, &other);
		printf("XDP-COUNT ipv4=%llu other=%llu\n",
		       (unsigned long long)v4, (unsigned long long)other);
		fflush(stdout);
	}
	err = xdp_set(ifindex, -1);
	if (err) {
		printf("XDP-FAIL detach: %s\n", strerror(-err));
		return 1;
	}
	map_get(map, 0, &v4);
	map_get(map, 1, &other);
	printf("XDP-DETACHED ipv4=%llu other=%llu\n",
	       (unsigned long long)v4, (unsigned long long)other);
	return 0;
}
