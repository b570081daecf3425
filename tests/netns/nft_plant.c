// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_plant.c - a helper of tests/netns/hostile-udata.sh, not a test: append
 * to an existing chain a rule (with no expression) whose NFTA_RULE_USERDATA
 * is the given bytes, exactly as anyone with CAP_NET_ADMIN can.  nft(8)
 * only writes well-formed user data; the kernel keeps any.
 *
 *	nft_plant FAMILY TABLE CHAIN HEXBYTES	(FAMILY: a number, 2 = ip)
 *
 * Exit 0 when the kernel took the rule, 1 otherwise (with the reason).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

static int hex_bytes(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (hex[0] && hex[1]) {
		if (n == max || sscanf(hex, "%2x", &b) != 1)
			return -1;
		out[n++] = (uint8_t)b;
		hex += 2;
	}
	return hex[0] ? -1 : (int)n;
}

int main(int argc, char **argv)
{
	static char buf[8192];
	struct mnl_nlmsg_batch *batch;
	struct mnl_socket *nl = NULL;
	struct nftnl_rule *r = NULL;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL), portid;
	uint16_t family;
	uint8_t ud[256];
	int len, ret = 1;
	ssize_t n;

	if (argc != 5) {
		fprintf(stderr, "usage: nft_plant FAMILY TABLE CHAIN HEXBYTES\n");
		return 1;
	}
	family = (uint16_t)atoi(argv[1]);
	len = hex_bytes(argv[4], ud, sizeof(ud));
	if (len < 0) {
		fprintf(stderr, "nft_plant: bad hex bytes\n");
		return 1;
	}
	r = nftnl_rule_alloc();
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!r || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nft_plant");
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, argv[2]);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, argv[3]);
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, ud, (uint32_t)len);

	batch = mnl_nlmsg_batch_start(buf, sizeof(buf));
	nftnl_batch_begin(mnl_nlmsg_batch_current(batch), seq++);
	mnl_nlmsg_batch_next(batch);
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(batch),
				    NFT_MSG_NEWRULE, family,
				    NLM_F_APPEND | NLM_F_CREATE | NLM_F_ACK,
				    seq++);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	mnl_nlmsg_batch_next(batch);
	nftnl_batch_end(mnl_nlmsg_batch_current(batch), seq++);
	mnl_nlmsg_batch_next(batch);
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(batch),
			      mnl_nlmsg_batch_size(batch)) < 0) {
		perror("nft_plant: send");
		mnl_nlmsg_batch_stop(batch);
		goto out;
	}
	mnl_nlmsg_batch_stop(batch);
	/* the rule's ack (an error, or 0) */
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, (size_t)n, 0, portid, NULL, NULL) < 0) {
		fprintf(stderr, "nft_plant: %s\n", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (nl)
		mnl_socket_close(nl);
	nftnl_rule_free(r);
	return ret;
}
