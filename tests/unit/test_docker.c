// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_docker.c - naming DNAT backends from Docker API answers: running
 * containers from /containers/json, starting ones (no address there yet)
 * from their network's endpoints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include "docker.h"
#include "unit.h"

static const char containers[] =
	"[{\"Id\":\"aaa1\",\"Names\":[\"/web\"],\"Image\":\"nginx:1\","
	"  \"NetworkSettings\":{\"Networks\":{\"bridge\":{"
	"    \"IPAddress\":\"172.17.0.2\",\"GlobalIPv6Address\":\"fd00::2\"}}}},"
	" {\"Id\":\"bbb2\",\"Names\":[\"/redis\"],\"Image\":\"redis:7\","
	"  \"NetworkSettings\":{\"Networks\":{\"bridge\":{"
	"    \"IPAddress\":\"\",\"GlobalIPv6Address\":\"\"}}}},"
	" {\"Id\":\"ccc3\",\"Names\":[\"/old\"],\"Image\":\"busybox\","
	"  \"NetworkSettings\":{\"Networks\":{}}}]";

/* the bridge network while redis starts: its endpoint is there already */
static const char network[] =
	"{\"Name\":\"bridge\",\"Driver\":\"bridge\",\"Containers\":{"
	" \"aaa1\":{\"Name\":\"web\",\"IPv4Address\":\"172.17.0.2/16\","
	"          \"IPv6Address\":\"fd00::2/64\"},"
	" \"bbb2\":{\"Name\":\"redis\",\"IPv4Address\":\"172.17.0.3/16\","
	"          \"IPv6Address\":\"\"},"
	" \"zzz9\":{\"Name\":\"gone\",\"IPv4Address\":\"172.17.0.9/16\"}}}";

int main(void)
{
	struct docker_map m = { 0 };
	const struct docker_container *c;

	CHECK_EQ(docker_parse(containers, strlen(containers), &m), 0);
	CHECK_EQ(m.n, 2);
	c = docker_find(&m, AF_INET, 0xac110002u);
	CHECK(c && !strcmp(c->name, "web") && !strcmp(c->image, "nginx:1"));
	CHECK(docker_find(&m, AF_INET6, ((unsigned __int128)0xfd00 << 112) | 2));
	CHECK(!docker_find(&m, AF_INET, 0xac110003u));

	CHECK_EQ(docker_parse_network(network, strlen(network), containers,
				      strlen(containers), &m), 0);
	/* web once, redis added, an endpoint of an unknown container not */
	CHECK_EQ(m.n, 3);
	c = docker_find(&m, AF_INET, 0xac110003u);
	CHECK(c && !strcmp(c->name, "redis") && !strcmp(c->image, "redis:7"));
	CHECK(!docker_find(&m, AF_INET, 0xac110009u));

	CHECK_EQ(docker_parse_network("[]", 2, containers, strlen(containers),
				      &m), -EBADMSG);
	CHECK_EQ(docker_parse("{", 1, &m), -EBADMSG);
	docker_release(&m);
	CHECK_EQ(m.n, 0);
	return unit_done();
}
