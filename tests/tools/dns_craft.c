// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dns_craft: send crafted DNS responses onto an interface, for the lab
 * tests that need traffic no real server sends (hostile names, floods of
 * thousands of domains).
 *
 *   dns_craft --iface IF [--src ADDR] [--dst ADDR] [--rate N] < LINES
 *
 * Each line of standard input is one response:
 *
 *   QNAME [TTL ADDR...] [ns:NSNAME[@GLUE]...] [nxdomain]
 *
 * QNAME and NSNAME are presentation text: \DDD stands for any byte, so a
 * name may hold quotes, escape sequences, line breaks or non-UTF-8. Every
 * ADDR (IPv4 or IPv6) is an answer compressed against the question; each
 * ns: is an NS record in the authority section, with its glue in the
 * additional section. The frame goes from ADDR --src port 53 to --dst
 * (default the lab's resolver to the lab's client) through an AF_PACKET
 * socket, at most --rate a second (0: as fast as it can). Prints how many
 * responses it sent; a line it cannot read stops it with status 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "pktbuild.h"

#define MAX_ADDRS 32
#define MAX_NS	  8

struct response {
	char qname[256];
	uint32_t ttl;
	int nxdomain;
	unsigned n_addrs, n_ns;
	char addrs[MAX_ADDRS][64];
	char ns[MAX_NS][256];
	char glue[MAX_NS][64];
};

/* Presentation text to raw bytes: \DDD is one byte, \X is X. */
static int unescape(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in; in++) {
		unsigned v = (unsigned char)*in;

		if (*in == '\\' && in[1] >= '0' && in[1] <= '9') {
			if (sscanf(in + 1, "%3u", &v) != 1 || v > 255 || !v)
				return -1;
			in += 3;
		} else if (*in == '\\' && in[1]) {
			v = (unsigned char)*++in;
		}
		if (n + 1 >= len)
			return -1;
		out[n++] = (char)v;
	}
	out[n] = '\0';
	return 0;
}

static int parse_ns(char *tok, struct response *r)
{
	char *at = strchr(tok, '@');

	if (r->n_ns >= MAX_NS)
		return -1;
	if (at)
		*at = '\0';
	snprintf(r->glue[r->n_ns], sizeof(r->glue[0]), "%s", at ? at + 1 : "");
	return unescape(tok, r->ns[r->n_ns++], sizeof(r->ns[0]));
}

static int parse_line(char *line, struct response *r)
{
	char *save = NULL, *tok = strtok_r(line, " \t\n", &save);

	memset(r, 0, sizeof(*r));
	if (!tok || unescape(tok, r->qname, sizeof(r->qname)))
		return -1;
	r->ttl = 60;
	while ((tok = strtok_r(NULL, " \t\n", &save))) {
		if (!strncmp(tok, "ns:", 3)) {
			if (parse_ns(tok + 3, r))
				return -1;
		} else if (!strcmp(tok, "nxdomain")) {
			r->nxdomain = 1;
		} else if (strchr(tok, '.') || strchr(tok, ':')) {
			if (r->n_addrs >= MAX_ADDRS)
				return -1;
			snprintf(r->addrs[r->n_addrs++], sizeof(r->addrs[0]), "%s", tok);
		} else {
			r->ttl = (uint32_t)strtoul(tok, NULL, 10);
		}
	}
	return 0;
}

static void build_message(const struct response *r, struct pb_dns *m, uint16_t id)
{
	size_t ns_at[MAX_NS];
	unsigned i, glue = 0;

	for (i = 0; i < r->n_ns; i++)
		glue += r->glue[i][0] != '\0';
	pb_dns_init(m, id, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA | (r->nxdomain ? PB_DNS_NXDOMAIN : 0),
		    1, (uint16_t)r->n_addrs, (uint16_t)r->n_ns, (uint16_t)glue);
	pb_dns_question(m, r->qname, PB_TYPE_A, PB_CLASS_IN);
	for (i = 0; i < r->n_addrs; i++) {
		if (strchr(r->addrs[i], ':'))
			pb_dns_rr_aaaa(m, PB_QUESTION_OFF, r->ttl, r->addrs[i]);
		else
			pb_dns_rr_a(m, PB_QUESTION_OFF, r->ttl, r->addrs[i]);
	}
	for (i = 0; i < r->n_ns; i++)
		ns_at[i] = pb_dns_rr_ns(m, PB_QUESTION_OFF, r->ttl, r->ns[i]);
	for (i = 0; i < r->n_ns; i++)
		if (r->glue[i][0])
			pb_dns_rr_a(m, (uint16_t)ns_at[i], r->ttl, r->glue[i]);
}

static int open_socket(const char *iface, struct sockaddr_ll *to)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	if (fd < 0) {
		fprintf(stderr, "dns_craft: AF_PACKET socket: %s (run as root)\n",
			strerror(errno));
		return -1;
	}
	memset(to, 0, sizeof(*to));
	to->sll_family = AF_PACKET;
	to->sll_ifindex = (int)if_nametoindex(iface);
	to->sll_halen = 6;
	if (!to->sll_ifindex) {
		fprintf(stderr, "dns_craft: no interface %s in this namespace\n", iface);
		close(fd);
		return -1;
	}
	return fd;
}

/* Sleep until the n-th frame's turn at rate frames a second. */
static void pace(const struct timespec *t0, unsigned long n, unsigned long rate)
{
	struct timespec at = *t0;
	uint64_t ns;

	if (!rate)
		return;
	ns = (uint64_t)n * 1000000000ull / rate;
	at.tv_sec += (time_t)(ns / 1000000000ull);
	at.tv_nsec += (long)(ns % 1000000000ull);
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"iface", 1, NULL, 'i'},
					     {"src", 1, NULL, 's'},
					     {"dst", 1, NULL, 'd'},
					     {"rate", 1, NULL, 'r'},
					     {NULL, 0, NULL, 0}};
	struct pb_spec spec = {.src = "192.0.2.53", .dst = "192.0.2.2", .dport = 40000};
	static uint8_t frame[PB_MAX_FRAME];
	static struct response r;
	static struct pb_dns m;
	unsigned long rate = 0, sent = 0, lineno = 0;
	const char *iface = NULL;
	struct sockaddr_ll to;
	struct timespec t0;
	char line[4096];
	size_t len;
	int c, fd;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'i')
			iface = optarg;
		else if (c == 's')
			spec.src = optarg;
		else if (c == 'd')
			spec.dst = optarg;
		else if (c == 'r')
			rate = strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	if (!iface) {
		fprintf(stderr,
			"usage: dns_craft --iface IF [--src A] [--dst A] [--rate N] < lines\n");
		return 2;
	}
	spec.ipv6 = strchr(spec.src, ':') != NULL;
	fd = open_socket(iface, &to);
	if (fd < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (fgets(line, sizeof(line), stdin)) {
		lineno++;
		if (parse_line(line, &r)) {
			fprintf(stderr, "dns_craft: line %lu: cannot read it; see the usage\n",
				lineno);
			close(fd);
			return 1;
		}
		build_message(&r, &m, (uint16_t)lineno);
		spec.dport = (uint16_t)(40000 + lineno % 20000);
		len = pb_build_dns(&spec, &m, frame, sizeof(frame));
		if (!len || m.overflow) {
			fprintf(stderr, "dns_craft: line %lu: the response does not fit\n",
				lineno);
			close(fd);
			return 1;
		}
		pace(&t0, sent, rate);
		if (sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			fprintf(stderr, "dns_craft: send on %s: %s\n", iface, strerror(errno));
			close(fd);
			return 1;
		}
		sent++;
	}
	close(fd);
	printf("%lu\n", sent);
	return 0;
}
