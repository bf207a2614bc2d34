// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The daemon's control socket: one request line, one reply, then close. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_socket.h"

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

int fw_ctl_listen(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (make_addr(path, &sa))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) || listen(fd, 8)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A client gets a second to send its line; a stuck one must not stall the daemon. */
static int read_request(int c, char *buf, size_t len)
{
	struct pollfd p = { .fd = c, .events = POLLIN };
	size_t got = 0;

	while (got < len - 1 && poll(&p, 1, 1000) == 1) {
		ssize_t n = read(c, buf + got, len - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(buf, '\n', got))
			break;
	}
	buf[got] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return got ? 0 : -1;
}

void fw_ctl_serve(int fd, fw_ctl_handler handler, void *ctx)
{
	char req[512];
	int c;

	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		FILE *out;

		fcntl(c, F_SETFL, fcntl(c, F_GETFL) & ~O_NONBLOCK);
		if (read_request(c, req, sizeof(req))) {
			close(c);
			continue;
		}
		out = fdopen(c, "w");
		if (!out) {
			close(c);
			continue;
		}
		handler(req, out, ctx);
		fclose(out);
	}
}

int fw_ctl_request(const char *path, const char *request, FILE *out)
{
	struct sockaddr_un sa;
	char buf[4096];
	ssize_t n;
	int fd;

	if (make_addr(path, &sa))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    dprintf(fd, "%s\n", request) < 0) {
		close(fd);
		return -1;
	}
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, out);
	close(fd);
	return 0;
}
