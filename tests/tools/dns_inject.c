// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dns_inject: send crafted DNS responses out of one interface, for the lab's
 * fault tests (tests/e2e/test_faults.sh): the answers a resolver would hand
 * its client, as fast as the interface takes them or at a set pace.
 *
 *   dns_inject --iface IF --src ADDR --dst ADDR [--gap-us N] [--seconds S]
 *              [--loops N] FILE
 *
 * FILE has one response a line: "NAME TTL ADDR..." (IPv4 A records, at most
 * 32). Every line is one Ethernet/IPv4/UDP frame from SRC port 53 to DST
 * (port 40000 + line number % 20000), built with tests/lib/pktbuild. The file
 * is sent LOOPS times (default 1), or over and over for SECONDS; GAP_US
 * microseconds pass between frames (default 0). The frames carry
 * pktbuild's placeholder MAC addresses, so the receiving kernel drops them
 * after XDP has seen them (not for this host): nothing answers them.
 * Prints "sent N frames in MS ms" on stdout. Runs as root (AF_PACKET).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pktbuild.h"

#define MAX_ADDRS  32
#define MAX_FRAMES 200000 /* bounds the memory a FILE can take: ~60 MB */
#define LINE_MAX_  4096

struct frame {
	uint16_t len;
	uint8_t *data;
};

struct opts {
	const char *iface, *src, *dst, *file;
	long gap_us, loops;
	double seconds;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: dns_inject --iface IF --src ADDR --dst ADDR [--gap-us N] "
			"[--seconds S] [--loops N] FILE\n");
	return 2;
}

/* One "NAME TTL ADDR..." line into a frame; -1 on a bad line. */
static int build_line(char *line, unsigned n, const struct opts *o, struct frame *f)
{
	static uint8_t buf[PB_MAX_FRAME];
	struct pb_spec s = {.src = o->src, .dst = o->dst, .sport = 53};
	const char *addr[MAX_ADDRS];
	struct pb_dns m;
	char *name, *ttl_s, *tok, *end;
	unsigned long ttl;
	int na = 0, i;
	size_t len;

	name = strtok(line, " \t\r\n");
	ttl_s = strtok(NULL, " \t\r\n");
	if (!name || !ttl_s)
		return -1;
	ttl = strtoul(ttl_s, &end, 10);
	if (*end)
		return -1;
	while ((tok = strtok(NULL, " \t\r\n")) && na < MAX_ADDRS)
		addr[na++] = tok;
	s.dport = (uint16_t)(40000 + n % 20000);
	pb_dns_init(&m, (uint16_t)n, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA, 1, (uint16_t)na, 0, 0);
	pb_dns_question(&m, name, PB_TYPE_A, PB_CLASS_IN);
	for (i = 0; i < na; i++)
		pb_dns_rr_a(&m, PB_QUESTION_OFF, (uint32_t)ttl, addr[i]);
	if (m.overflow)
		return -1;
	len = pb_build_dns(&s, &m, buf, sizeof(buf));
	if (!len)
		return -1;
	f->data = malloc(len);
	if (!f->data)
		return -1;
	memcpy(f->data, buf, len);
	f->len = (uint16_t)len;
	return 0;
}

static struct frame *load(const struct opts *o, unsigned *count)
{
	struct frame *frames = calloc(MAX_FRAMES, sizeof(*frames));
	char line[LINE_MAX_];
	unsigned n = 0, lineno = 0;
	FILE *in = fopen(o->file, "r");

	if (!in || !frames) {
		fprintf(stderr, "dns_inject: cannot read %s: %s\n", o->file, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), in)) {
		lineno++;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		if (n == MAX_FRAMES) {
			fprintf(stderr, "dns_inject: %s: more than %d frames\n", o->file,
				MAX_FRAMES);
			exit(1);
		}
		if (build_line(line, n, o, &frames[n])) {
			fprintf(stderr, "dns_inject: %s:%u: want NAME TTL ADDR...\n", o->file,
				lineno);
			exit(1);
		}
		n++;
	}
	fclose(in);
	*count = n;
	return frames;
}

static int open_socket(const char *iface)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	sll.sll_ifindex = (int)if_nametoindex(iface);
	if (fd < 0 || !sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "dns_inject: cannot send on %s: %s\n", iface, strerror(errno));
		exit(1);
	}
	return fd;
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"iface", required_argument, NULL, 'i'},
					   {"src", required_argument, NULL, 's'},
					   {"dst", required_argument, NULL, 'd'},
					   {"gap-us", required_argument, NULL, 'g'},
					   {"seconds", required_argument, NULL, 't'},
					   {"loops", required_argument, NULL, 'l'},
					   {NULL, 0, NULL, 0}};
	int c;

	o->loops = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->iface = optarg;
			break;
		case 's':
			o->src = optarg;
			break;
		case 'd':
			o->dst = optarg;
			break;
		case 'g':
			o->gap_us = atol(optarg);
			break;
		case 't':
			o->seconds = atof(optarg);
			break;
		case 'l':
			o->loops = atol(optarg);
			break;
		default:
			exit(usage());
		}
	}
	if (optind != argc - 1 || !o->iface || !o->src || !o->dst || o->loops < 1 ||
	    o->seconds < 0 || o->seconds > 600)
		exit(usage());
	o->file = argv[optind];
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct frame *frames;
	unsigned count, i;
	unsigned long sent = 0;
	double t0, deadline;
	long loop;
	int fd;

	parse(argc, argv, &o);
	frames = load(&o, &count);
	fd = open_socket(o.iface);
	t0 = now_s();
	deadline = t0 + o.seconds;
	for (loop = 0; count && (o.seconds ? now_s() < deadline : loop < o.loops); loop++) {
		for (i = 0; i < count; i++) {
			/* a full queue (ENOBUFS) loses that frame, as a real flood would */
			if (send(fd, frames[i].data, frames[i].len, 0) == frames[i].len)
				sent++;
			if (o.gap_us)
				usleep((useconds_t)o.gap_us);
		}
	}
	printf("sent %lu frames in %.0f ms\n", sent, (now_s() - t0) * 1000);
	close(fd);
	return 0;
}
