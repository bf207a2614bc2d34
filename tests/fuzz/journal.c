// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The journal reader (userspace/lists/store.c), as every list command and
 * the daemon read state_dir/state.journal beside the base. The input is
 * the journal, over a missing base (the lists start empty). A damaged
 * journal is refused naming its file; one it takes must give the same lists
 * after a writer cuts its torn tail, and those lists must survive being
 * written as the next base.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "lists/store.h"

static char dir[64];

static void remove_dir(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/" FW_JOURNAL_FILE, dir);
	unlink(path);
	rmdir(dir);
}

static void put_journal(const uint8_t *data, size_t size)
{
	char path[128];
	int fd;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fluxwall-fuzz-journal-XXXXXX");
		FUZZ_CHECK(mkdtemp(dir), "mkdtemp failed");
		atexit(remove_dir);
	}
	snprintf(path, sizeof(path), "%s/" FW_JOURNAL_FILE, dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0 && write(fd, data, size) == (ssize_t)size && !close(fd),
		   "cannot write %s", path);
}

/* The whole lists of dir, or -1 with err naming a file. */
static int read_lists(int writable, struct fw_state *st, size_t *nrec, char *err, size_t len)
{
	struct fw_store s;
	int ret;

	memset(st, 0, sizeof(*st));
	if (fw_store_open(&s, dir, writable, err, len)) {
		FUZZ_CHECK(strstr(err, FW_JOURNAL_FILE) || strstr(err, dir),
			   "the error names no file: %s", err);
		return -1;
	}
	*nrec = s.nrec;
	ret = fw_store_full(&s, st, err, len);
	fw_store_close(&s);
	return ret;
}

static int same_lists(const struct fw_state *a, const struct fw_state *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->e[i].name, b->e[i].name) || strcmp(a->e[i].source, b->e[i].source) ||
		    a->e[i].list != b->e[i].list || a->e[i].match != b->e[i].match ||
		    a->e[i].expires != b->e[i].expires)
			return 0;
	return 1;
}

/* Written as the next base, the lists read back the same. */
static void check_rewrite(const struct fw_state *st)
{
	struct fw_state back;
	char *text = NULL, err[1024];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	FILE *in;

	FUZZ_CHECK(out, "open_memstream failed");
	FUZZ_CHECK(!fw_state_write(st, out, err, sizeof(err)), "accepted lists cannot be written: %s",
		   err);
	fclose(out);
	in = fuzz_stream((const uint8_t *)text, len);
	FUZZ_CHECK(!fw_state_read(&back, in, "/fuzz/state.tsv", err, sizeof(err)),
		   "written lists do not read back: %s", err);
	fclose(in);
	FUZZ_CHECK(same_lists(st, &back), "the lists changed when written");
	fw_state_free(&back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_state a, b;
	size_t na = 0, nb = 0;
	char err[8192];

	put_journal(data, size);
	if (read_lists(0, &a, &na, err, sizeof(err)))
		return 0;
	/* a writer cuts a torn tail; every whole record must stay */
	FUZZ_CHECK(!read_lists(1, &b, &nb, err, sizeof(err)), "a writer refused what a reader took: %s",
		   err);
	FUZZ_CHECK(na == nb && same_lists(&a, &b), "the writer's open changed the lists");
	check_rewrite(&a);
	fw_state_free(&a);
	fw_state_free(&b);
	return 0;
}
