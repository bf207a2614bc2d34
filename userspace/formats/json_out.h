/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * JSON output shared by every machine-readable command and the event log:
 * a string escaper, a validator for fragments handed in by callers, and a
 * small streaming writer that places commas and tracks nesting.
 *
 * Output is compact (no spaces or newlines), so one object fits on one line
 * of a JSON-lines file. Field names are the caller's and are stable API.
 */
#ifndef FW_JSON_OUT_H
#define FW_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FW_JSON_MAX_DEPTH 32

/*
 * Write s as a quoted JSON string. Control characters become \uXXXX (or
 * \n, \t, ...), and bytes that are not valid UTF-8 become U+FFFD, so the
 * output is always valid JSON whatever the input. NULL is written as null.
 */
void fw_json_write_string(FILE *f, const char *s);

/* 1 when s is exactly one valid JSON value (surrounding whitespace allowed). */
int fw_json_valid(const char *s);

struct fw_json {
	FILE *f;
	int depth;
	bool first[FW_JSON_MAX_DEPTH + 1]; /* no member written yet at this depth */
	bool after_key;			   /* a key was written; its value comes next */
	bool misuse;			   /* unbalanced or too deep; see fw_json_finish */
};

void fw_json_init(struct fw_json *j, FILE *f);

void fw_json_obj_begin(struct fw_json *j);
void fw_json_obj_end(struct fw_json *j);
void fw_json_arr_begin(struct fw_json *j);
void fw_json_arr_end(struct fw_json *j);

/* Inside an object: the member name; the next value call gives its value. */
void fw_json_key(struct fw_json *j, const char *key);

void fw_json_str(struct fw_json *j, const char *s);
void fw_json_uint(struct fw_json *j, uint64_t v);
void fw_json_int(struct fw_json *j, int64_t v);
/* Non-finite values have no JSON form and are written as null. */
void fw_json_double(struct fw_json *j, double v);
void fw_json_bool(struct fw_json *j, bool v);
void fw_json_null(struct fw_json *j);
/* A caller-made JSON value, written verbatim; check it with fw_json_valid. */
void fw_json_raw(struct fw_json *j, const char *fragment);

/* Object members in one call: key plus value. */
void fw_json_kv_str(struct fw_json *j, const char *key, const char *s);
void fw_json_kv_uint(struct fw_json *j, const char *key, uint64_t v);
void fw_json_kv_int(struct fw_json *j, const char *key, int64_t v);
void fw_json_kv_double(struct fw_json *j, const char *key, double v);
void fw_json_kv_bool(struct fw_json *j, const char *key, bool v);

/*
 * 0 when every object and array was closed and the stream had no write
 * error; -1 otherwise. Does not close or flush the stream.
 */
int fw_json_finish(struct fw_json *j);

#endif /* FW_JSON_OUT_H */
