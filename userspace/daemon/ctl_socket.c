// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The daemon's control socket: one request line, one reply, then close. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ctl_socket.h"

static int make_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int fw_ctl_open(struct fw_ctl *s, const char *path, fw_ctl_handler handler, void *ctx)
{
	struct sockaddr_un sa;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->handler = handler;
	s->ctx = ctx;
	if (make_addr(path, &sa))
		return -1;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -1;
	unlink(path);
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) ||
	    listen(s->fd, 128)) {
		int e = errno;

		close(s->fd);
		s->fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

static void drop(struct fw_ctl *s, unsigned i)
{
	close(s->c[i].fd);
	free(s->c[i].out);
	s->c[i] = s->c[--s->n];
}

void fw_ctl_close(struct fw_ctl *s)
{
	while (s->n)
		drop(s, 0);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int fw_ctl_pollfds(const struct fw_ctl *s, struct pollfd *p, int max)
{
	int n = 0;
	unsigned i;

	if (s->fd >= 0 && s->n < FW_CTL_MAX_CLIENTS && n < max)
		p[n++] = (struct pollfd){.fd = s->fd, .events = POLLIN};
	for (i = 0; i < s->n && n < max; i++)
		p[n++] =
		    (struct pollfd){.fd = s->c[i].fd, .events = s->c[i].out ? POLLOUT : POLLIN};
	return n;
}

static void accept_new(struct fw_ctl *s, uint64_t now)
{
	int fd;

	while (s->fd >= 0 && s->n < FW_CTL_MAX_CLIENTS &&
	       (fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct fw_ctl_client *c = &s->c[s->n++];

		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->deadline_ns = now + FW_CTL_CLIENT_MS * 1000000ull;
	}
}

/* The reply goes to memory first, so writing it can wait for the client. */
static int answer(struct fw_ctl *s, struct fw_ctl_client *c)
{
	FILE *mem = open_memstream(&c->out, &c->out_len);

	c->req[c->got] = '\0';
	c->req[strcspn(c->req, "\r\n")] = '\0';
	if (!mem)
		return -1;
	s->handler(c->req, mem, s->ctx);
	if (fclose(mem))
		return -1;
	return 0;
}

/* 1 when the client is done or broken (drop it), 0 to wait for more. */
static int step_read(struct fw_ctl *s, struct fw_ctl_client *c)
{
	ssize_t n = read(c->fd, c->req + c->got, sizeof(c->req) - 1 - c->got);

	if (n < 0)
		return errno != EAGAIN && errno != EINTR;
	c->got += (size_t)n;
	if (n > 0 && !memchr(c->req, '\n', c->got) && c->got < sizeof(c->req) - 1)
		return 0;
	if (!c->got)
		return 1; /* closed without a request */
	return answer(s, c) ? 1 : 0;
}

static int step_write(struct fw_ctl_client *c)
{
	ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

	if (n < 0)
		return errno != EAGAIN && errno != EINTR;
	c->out_off += (size_t)n;
	return c->out_off == c->out_len;
}

void fw_ctl_serve(struct fw_ctl *s)
{
	uint64_t now = mono_ns();
	unsigned i = 0;

	accept_new(s, now);
	while (i < s->n) {
		struct fw_ctl_client *c = &s->c[i];
		int done = c->out ? 0 : step_read(s, c);

		if (!done && c->out)
			done = step_write(c);
		if (done || now >= c->deadline_ns)
			drop(s, i); /* the last client moved to i */
		else
			i++;
	}
}

int fw_ctl_request(const char *path, const char *request, FILE *out)
{
	struct timeval tv = {.tv_sec = FW_CTL_WAIT_S};
	struct sockaddr_un sa;
	char buf[4096];
	ssize_t n;
	int fd, e;

	if (make_addr(path, &sa))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* a daemon that stopped serving must not hang the CLI: bounds connect too */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || dprintf(fd, "%s\n", request) < 0)
		goto fail;
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, out);
	if (n < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}
