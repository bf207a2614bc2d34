// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Files replaced whole or not at all: temporary, sync, rename, directory sync. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/atomic_file.h"

/* dir and base of path; "." when it has no slash. */
static int split_path(const char *path, char *dir, size_t dirlen, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	if (!slash)
		return snprintf(dir, dirlen, ".") >= (int)dirlen ? -1 : 0;
	if (slash == path)
		return snprintf(dir, dirlen, "/") >= (int)dirlen ? -1 : 0;
	return snprintf(dir, dirlen, "%.*s", (int)(slash - path), path) >= (int)dirlen ? -1 : 0;
}

int fw_fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *base;
	int fd, ret;

	if (split_path(path, dir, sizeof(dir), &base)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

/* Fill the temporary, make it durable and close it; errno on failure. */
static int fill_temp(int fd, mode_t mode, fw_fill_fn fill, void *ctx)
{
	FILE *f;
	int ret, e;

	if (fchmod(fd, mode) || !(f = fdopen(fd, "w"))) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	ret = fill(f, ctx);
	if (ferror(f) || fflush(f) || fsync(fileno(f)))
		ret = -1;
	e = errno;
	if (fclose(f))
		return -1;
	errno = e;
	return ret;
}

int fw_file_replace(const char *path, mode_t mode, fw_fill_fn fill, void *ctx)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	const char *base;
	int fd, e;

	if (split_path(path, dir, sizeof(dir), &base) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fill_temp(fd, mode, fill, ctx) || rename(tmp, path)) {
		e = errno ? errno : EIO;
		unlink(tmp);
		errno = e;
		return -1;
	}
	fw_fsync_dir_of(path); /* the rename is done; a failed sync only risks staleness */
	return 0;
}
