// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fluxwall stats, explain, top and config: looking at a running fluxwall. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "dataplane/sample_decode.h"
#include "formats/abi_names.h"
#include "daemon/ctl_socket.h"
#include "formats/json_out.h"
#include "daemon/metrics.h"

static void socket_path(struct fw_opts *o, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", o->state_dir, FW_CTL_SOCKET);
}

/* Without a daemon, the metrics come from the maps and the lists alone. */
static int local_metrics(struct fw_opts *o, int json)
{
	static struct fw_metrics m;
	struct fw_ctx ctx;
	int i;

	if (fw_cli_lists_open(&ctx, o, 0))
		return 1;
	fw_metrics_fill(&m, &ctx.maps, &ctx.state);
	fw_ctx_close(&ctx);
	if (!json)
		return fw_textfile_render(&m, stdout) ? 1 : 0;
	printf("{");
	for (i = 0; i < FW_CNT_MAX; i++)
		printf("%s\"%s\":%llu", i ? "," : "", fw_counter_names[i],
		       (unsigned long long)m.counters[i]);
	printf("}\n");
	return 0;
}

int cmd_stats(struct fw_opts *o, int argc, char **argv)
{
	char sock[4200];

	if (o->prom && o->json) {
		fw_err("stats prints --prom or --json, not both");
		return 1;
	}
	if (argc)
		return fw_usage_error(o, NULL);
	if (fw_require_root("stats"))
		return 1;
	socket_path(o, sock, sizeof(sock));
	if (!o->json && !fw_ctl_request(sock, "metrics", stdout))
		return 0;
	return local_metrics(o, o->json);
}

/*
 * Names are tracked as the decoder writes them: lowercase, control bytes
 * and backslashes escaped, no trailing dot.
 */
static void canonical(const char *in, char *out, size_t len)
{
	size_t pos = 0;

	out[0] = '\0';
	for (; *in && pos + 1 < len; in++) {
		if (*in == '.') {
			if (!in[1])
				break;
			out[pos++] = '.';
		} else if (fw_name_text_byte((uint8_t)*in, out, &pos, len)) {
			break;
		}
	}
	out[pos] = '\0';
}

int cmd_explain(struct fw_opts *o, int argc, char **argv)
{
	char sock[4200], req[512], name[300];
	char *reply = NULL;
	size_t len = 0;
	FILE *mem;
	int ret;

	if (argc != 1)
		return fw_usage_error(o, NULL);
	socket_path(o, sock, sizeof(sock));
	canonical(argv[0], name, sizeof(name));
	snprintf(req, sizeof(req), "%s %s", o->json ? "explain-json" : "explain", name);
	mem = open_memstream(&reply, &len);
	if (!mem)
		return 1;
	ret = fw_ctl_request(sock, req, mem);
	fclose(mem);
	if (ret) {
		fw_err("no fluxwall daemon answers at %s; explain needs 'fluxwall run' (or use "
		       "'fluxwall replay FILE.pcap' offline)",
		       sock);
		free(reply);
		return 1;
	}
	if (!strncmp(reply, "ERR ", 4)) {
		fw_err("%s", reply + 4);
		free(reply);
		return 1;
	}
	fputs(reply, stdout);
	free(reply);
	return 0;
}

/*
 * The daemon writes names in presentation form; whatever it sends, no
 * control byte of it reaches the terminal but the line breaks.
 */
static int print_reply(const char *sock, const char *req)
{
	char *reply = NULL, *p;
	size_t len = 0;
	FILE *mem = open_memstream(&reply, &len);
	int ret;

	if (!mem)
		return -1;
	ret = fw_ctl_request(sock, req, mem);
	fclose(mem);
	for (p = reply; !ret && p && *p; p++)
		putchar((unsigned char)*p < ' ' && *p != '\n' ? '?' : *p == 0x7f ? '?' : *p);
	free(reply);
	return ret;
}

static int key_pressed_q(int wait_ms)
{
	struct pollfd p = {.fd = 0, .events = POLLIN};
	char c;

	if (poll(&p, 1, wait_ms) == 1 && read(0, &c, 1) == 1)
		return c == 'q' || c == 'Q';
	return 0;
}

/* Live view: refreshed every second from the daemon, like top; q quits. */
int cmd_top(struct fw_opts *o, int argc, char **argv)
{
	struct termios old, raw;
	char sock[4200];
	int tty = isatty(0), ret = 0;

	if (argc)
		return fw_usage_error(o, NULL);
	socket_path(o, sock, sizeof(sock));
	if (tty) {
		tcgetattr(0, &old);
		raw = old;
		raw.c_lflag &= ~(ICANON | ECHO);
		tcsetattr(0, TCSANOW, &raw);
	}
	for (;;) {
		printf("\033[H\033[2Jfluxwall top   (q quits)   %s\n\nSCORE  DOMAIN\n", sock);
		if (print_reply(sock, "top")) {
			printf("\nno daemon answers; start 'fluxwall run'\n");
			ret = 1;
			break;
		}
		fflush(stdout);
		if (key_pressed_q(1000) || !tty)
			break;
	}
	if (tty)
		tcsetattr(0, TCSANOW, &old);
	return ret;
}

int cmd_config(struct fw_opts *o, int argc, char **argv)
{
	if (argc)
		return fw_usage_error(o, NULL);
	if (o->defaults)
		fw_conf_print_defaults(stdout);
	else
		fw_conf_print(o->conf, stdout);
	return 0;
}
