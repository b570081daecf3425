// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * prober.c - send the probes of a list and record what each met (the
 * contract and the meaning of each result are in prober.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/errqueue.h>
#include <linux/netfilter.h>

#include "host.h"
#include "prober.h"

enum phase {
	PH_NEW,			/* not started */
	PH_CONNECTING,		/* TCP: SYN sent */
	PH_SETTLE,		/* TCP: connected, watching for a reset */
	PH_WAIT,		/* UDP: datagram sent, waiting */
	PH_RESEND,		/* UDP: silent so far, to be sent again */
	PH_DONE,
};

struct slot {
	enum phase phase;
	int fd;
	uint64_t start;		/* first send, ms */
	uint64_t deadline;	/* of the current phase, ms */
};

void prober_opts_default(struct prober_opts *o)
{
	o->timeout_ms = 4000;
	o->settle_ms = 300;
	o->udp_interval_ms = 1000;
	o->udp_tries = 3;
	o->tcp_interval_ms = 5;
	o->parallel = 64;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static socklen_t make_sa(uint8_t family, rs_u128 addr, uint16_t port,
			 struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == NFPROTO_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		host_addr_to_bytes(family, addr, &sin->sin_addr);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	host_addr_to_bytes(family, addr, &sin6->sin6_addr);
	return sizeof(*sin6);
}

int prober_source_for(uint8_t family, rs_u128 dst, rs_u128 *src)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, ret = 0;

	if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6)
		return -EINVAL;
	fd = socket(family == NFPROTO_IPV4 ? AF_INET : AF_INET6,
		    SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* connect() on UDP only looks the route up: nothing is sent */
	len = make_sa(family, dst, 9, &ss);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		ret = -errno;
		goto out;
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		ret = -errno;
		goto out;
	}
	if (family == NFPROTO_IPV4)
		*src = host_addr_from_bytes(family,
			&((struct sockaddr_in *)&ss)->sin_addr);
	else
		*src = host_addr_from_bytes(family,
			&((struct sockaddr_in6 *)&ss)->sin6_addr);
out:
	close(fd);
	return ret;
}

/* What a known protocol answers, so that a listener can prove itself:
 * a DNS query for the root's NS records, an NTP client request. */
static size_t udp_payload(uint16_t port, unsigned char *buf)
{
	static const unsigned char dns[] = {
		0x66, 0x77, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
	};
	static const char text[] = "fwaudit probe\n";

	if (port == 53) {
		memcpy(buf, dns, sizeof(dns));
		return sizeof(dns);
	}
	if (port == 123) {
		memset(buf, 0, 48);
		buf[0] = 0x23;		/* LI 0, version 4, mode 3 (client) */
		return 48;
	}
	memcpy(buf, text, sizeof(text) - 1);
	return sizeof(text) - 1;
}

static void finish(struct probe *p, struct slot *s, enum probe_result r,
		   int err, uint64_t now)
{
	p->result = r;
	p->error = err;
	p->answered = r == PROBE_OPEN && (p->proto == IPPROTO_TCP ||
					  p->answered);
	p->msec = now - s->start;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->phase = PH_DONE;
}

/* An ICMP error's errno (or a local one) as a result. */
static enum probe_result classify(const struct probe *p, int err)
{
	switch (err) {
	case ECONNREFUSED:
		return p->proto == IPPROTO_TCP ? PROBE_CLOSED : PROBE_OPEN;
	case ECONNRESET:
		return PROBE_RESET;
	case ETIMEDOUT:
		return p->proto == IPPROTO_TCP ? PROBE_FILTERED : PROBE_SILENT;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EACCES:
	case EHOSTDOWN:
	case ENONET:
	case EPROTO:
	case ENOPROTOOPT:
		return PROBE_UNREACHABLE;
	default:
		return PROBE_ERROR;
	}
}

static int open_socket(const struct probe *p)
{
	static const struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_storage ss;
	int fd, one = 1, af;
	socklen_t len;

	af = p->family == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	fd = socket(af, (p->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM) |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (p->proto == IPPROTO_TCP)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	else if (af == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	if (p->sport) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		len = make_sa(p->family, 0, p->sport, &ss);
		if (bind(fd, (struct sockaddr *)&ss, len) < 0)
			goto fail;
	}
	len = make_sa(p->family, p->addr, p->port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 &&
	    errno != EINPROGRESS)
		goto fail;
	return fd;
fail:
	one = -errno;
	close(fd);
	return one;
}

static int sock_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

static void start_tcp(struct probe *p, struct slot *s, unsigned int timeout,
		      uint64_t now)
{
	s->start = now;
	p->tries = 1;
	s->fd = open_socket(p);
	if (s->fd < 0) {
		int err = -s->fd;

		s->fd = -1;
		finish(p, s, classify(p, err), err, now);
		return;
	}
	s->phase = PH_CONNECTING;
	s->deadline = now + timeout;
}

static void send_udp(struct probe *p, struct slot *s, unsigned int timeout,
		     uint64_t now)
{
	unsigned char buf[64];
	size_t n = udp_payload(p->port, buf);

	if (s->phase == PH_NEW) {
		s->start = now;
		s->fd = open_socket(p);
		if (s->fd < 0) {
			int err = -s->fd;

			s->fd = -1;
			finish(p, s, classify(p, err), err, now);
			return;
		}
	}
	p->tries++;
	if (send(s->fd, buf, n, 0) < 0) {
		/* an ICMP error of the try before, reported now */
		finish(p, s, classify(p, errno), errno, now);
		return;
	}
	s->phase = PH_WAIT;
	s->deadline = now + timeout;
}

static void on_event(struct probe *p, struct slot *s, short rev,
		     const struct prober_opts *o, uint64_t now)
{
	unsigned char buf[512];
	ssize_t n;
	int err;

	switch (s->phase) {
	case PH_CONNECTING:
		err = sock_error(s->fd);
		if (err) {
			finish(p, s, classify(p, err), err, now);
		} else if (rev & POLLOUT) {
			s->phase = PH_SETTLE;
			s->deadline = now + o->settle_ms;
		}
		break;
	case PH_SETTLE:
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0)
			finish(p, s, classify(p, errno), errno, now);
		else
			/* data, or an orderly close: the listener took it */
			finish(p, s, PROBE_OPEN, 0, now);
		break;
	case PH_WAIT:
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n >= 0) {
			p->answered = true;
			finish(p, s, PROBE_OPEN, 0, now);
		} else if (errno != EAGAIN && errno != EINTR) {
			err = errno;
			finish(p, s, classify(p, err), err, now);
		} else if (rev & POLLERR) {
			err = sock_error(s->fd);
			if (err)
				finish(p, s, classify(p, err), err, now);
		}
		break;
	default:
		break;
	}
}

static void on_timeout(struct probe *p, struct slot *s,
		       const struct prober_opts *o, uint64_t now)
{
	switch (s->phase) {
	case PH_CONNECTING:
		finish(p, s, PROBE_FILTERED, 0, now);
		break;
	case PH_SETTLE:
		finish(p, s, PROBE_OPEN, 0, now);
		break;
	case PH_WAIT:
		if (p->tries >= o->udp_tries)
			finish(p, s, PROBE_SILENT, 0, now);
		else
			s->phase = PH_RESEND;
		break;
	default:
		break;
	}
}

/* The next UDP probe to send: one that waits for its repeat first (its
 * silence should be settled before new work piles up), else a new one. */
static size_t next_udp(const struct probelist *l, const struct slot *s)
{
	size_t i, fresh = l->n;

	for (i = 0; i < l->n; i++) {
		if (l->p[i].proto != IPPROTO_UDP)
			continue;
		if (s[i].phase == PH_RESEND)
			return i;
		if (s[i].phase == PH_NEW && fresh == l->n)
			fresh = i;
	}
	return fresh;
}

/* Raw sockets that get a copy of every TCP segment arriving, for the TTL
 * (hop limit) of the probes' answers: an RST a router between sends is
 * nearer than the host's.  Without CAP_NET_RAW (-1) the TTLs stay
 * unknown. */
static void raw_open(int raw[2])
{
	int one = 1;

	raw[0] = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_TCP);
	raw[1] = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_TCP);
	if (raw[1] >= 0)
		setsockopt(raw[1], IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one,
			   sizeof(one));
}

/* The TTL of the first SYN-ACK or RST from each TCP probe's destination
 * to its source port, from what raw socket fd (IPv6 or not) holds. */
static void raw_drain(int fd, bool v6, struct probelist *l)
{
	unsigned char buf[128], cbuf[CMSG_SPACE(sizeof(int))];
	struct sockaddr_in6 sin6;
	struct iovec iov = { buf, sizeof(buf) };
	const unsigned char *tcp;
	struct cmsghdr *c;
	struct msghdr mh;
	struct probe *p;
	uint16_t sp, dp;
	size_t hl, i, k;
	rs_u128 src;
	ssize_t n;
	int ttl;

	/* bounded: the answers of one list, and some strangers' */
	for (k = 0; fd >= 0 && k < 4 * PROBELIST_MAX; k++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &sin6;
		mh.msg_namelen = sizeof(sin6);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		n = recvmsg(fd, &mh, 0);
		if (n < 0)
			return;
		if (v6) {
			hl = 0;
			ttl = 0;
			for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
				if (c->cmsg_level == IPPROTO_IPV6 &&
				    c->cmsg_type == IPV6_HOPLIMIT)
					memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			src = host_addr_from_bytes(NFPROTO_IPV6,
						   &sin6.sin6_addr);
		} else {
			if (n < 20)
				continue;
			hl = (buf[0] & 0xfu) * 4;
			ttl = buf[8];
			src = host_addr_from_bytes(NFPROTO_IPV4, buf + 12);
		}
		if (hl < (v6 ? 0u : 20u) || (size_t)n < hl + 14 || ttl <= 0 ||
		    ttl > 255)
			continue;
		tcp = buf + hl;
		sp = (uint16_t)(tcp[0] << 8 | tcp[1]);
		dp = (uint16_t)(tcp[2] << 8 | tcp[3]);
		/* RST, or SYN and ACK */
		if (!(tcp[13] & 0x04) && (tcp[13] & 0x12) != 0x12)
			continue;
		for (i = 0; i < l->n; i++) {
			p = &l->p[i];
			if (p->proto == IPPROTO_TCP && !p->ttl &&
			    p->family == (v6 ? NFPROTO_IPV6 : NFPROTO_IPV4) &&
			    p->addr == src && p->port == sp &&
			    (!p->sport || p->sport == dp)) {
				p->ttl = (uint8_t)ttl;
				break;
			}
		}
	}
}

int prober_run(struct probelist *l, const struct prober_opts *o)
{
	struct pollfd *pfd = NULL;
	struct slot *s = NULL;
	size_t *idx = NULL, i, next_tcp = 0, done = 0, inflight, np;
	uint64_t now, tcp_at = 0, udp_at = 0, wake;
	int ret = -ENOMEM, t, raw[2] = { -1, -1 };

	if (!l->n)
		return 0;
	s = calloc(l->n, sizeof(*s));
	pfd = calloc(l->n + 2, sizeof(*pfd));
	idx = calloc(l->n + 2, sizeof(*idx));
	if (!s || !pfd || !idx)
		goto out;
	for (i = 0; i < l->n; i++) {
		s[i].fd = -1;
		l->p[i].result = PROBE_UNSENT;
		l->p[i].answered = false;
		l->p[i].tries = 0;
		l->p[i].ttl = 0;
	}
	raw_open(raw);
	while (done < l->n) {
		now = now_ms();
		inflight = 0;
		for (i = 0; i < l->n; i++)
			inflight += s[i].fd >= 0;
		/* start: TCP at its pace, UDP at the ICMP rate limit's */
		while (next_tcp < l->n && now >= tcp_at &&
		       inflight < o->parallel) {
			if (l->p[next_tcp].proto == IPPROTO_TCP) {
				start_tcp(&l->p[next_tcp], &s[next_tcp],
					  o->timeout_ms, now);
				inflight += s[next_tcp].fd >= 0;
				tcp_at = now + o->tcp_interval_ms;
			}
			next_tcp++;
		}
		if (now >= udp_at && inflight < o->parallel) {
			i = next_udp(l, s);
			if (i < l->n) {
				send_udp(&l->p[i], &s[i], o->timeout_ms, now);
				udp_at = now + o->udp_interval_ms;
			}
		}
		np = 0;
		wake = now + 1000;
		for (i = 0; i < l->n; i++) {
			if (s[i].phase == PH_CONNECTING ||
			    s[i].phase == PH_SETTLE || s[i].phase == PH_WAIT) {
				if (s[i].deadline <= now) {
					on_timeout(&l->p[i], &s[i], o, now);
					continue;
				}
				pfd[np].fd = s[i].fd;
				pfd[np].events = s[i].phase == PH_CONNECTING ?
					POLLOUT : POLLIN;
				pfd[np].revents = 0;
				idx[np++] = i;
				if (s[i].deadline < wake)
					wake = s[i].deadline;
			}
		}
		if (next_tcp < l->n && tcp_at < wake)
			wake = tcp_at;
		if (next_udp(l, s) < l->n && udp_at < wake)
			wake = udp_at;
		for (i = 0; i < 2; i++) {
			if (raw[i] < 0)
				continue;
			pfd[np].fd = raw[i];
			pfd[np].events = POLLIN;
			pfd[np].revents = 0;
			idx[np++] = l->n + i;
		}
		t = wake > now ? (int)(wake - now) : 0;
		if (poll(pfd, np, t) < 0 && errno != EINTR) {
			ret = -errno;
			goto out;
		}
		now = now_ms();
		for (i = 0; i < np; i++) {
			if (!pfd[i].revents)
				continue;
			if (idx[i] >= l->n)
				raw_drain(pfd[i].fd, idx[i] > l->n, l);
			else
				on_event(&l->p[idx[i]], &s[idx[i]],
					 pfd[i].revents, o, now);
		}
		done = 0;
		for (i = 0; i < l->n; i++)
			done += s[i].phase == PH_DONE;
	}
	/* a copy is queued before its socket learns of the answer */
	raw_drain(raw[0], false, l);
	raw_drain(raw[1], true, l);
	ret = 0;
out:
	for (i = 0; i < 2; i++)
		if (raw[i] >= 0)
			close(raw[i]);
	for (i = 0; s && i < l->n; i++)
		if (s[i].fd >= 0)
			close(s[i].fd);
	free(s);
	free(pfd);
	free(idx);
	return ret;
}
