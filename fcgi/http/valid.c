/* valid.c: pure validators for integers, enumerations, booleans and bounded text; field checks. */
#include "valid.h"
#include "cclass.h"
#include "form.h"
#include "person.h"
#include "scanin.h" /* valid_item_list */

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *valid_int(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	const struct range *r = f->arg;
	(void)a;
	if (len == 0 || len > 20)
		return "NOT_AN_INTEGER";
	size_t i = v[0] == '-' ? 1 : 0;
	if (i == len)
		return "NOT_AN_INTEGER";
	for (size_t j = i; j < len; j++)
		if (!cc_digit((unsigned char)v[j]))
			return "NOT_AN_INTEGER";
	char buf[24];
	memcpy(buf, v, len);
	buf[len] = '\0';
	errno = 0;
	long long x = strtoll(buf, NULL, 10);
	if (errno != 0)
		return "OUT_OF_RANGE";
	if (r != NULL && (x < r->min || x > r->max))
		return "OUT_OF_RANGE";
	out->i = x;
	out->s = v;
	out->len = len;
	return NULL;
}

const char *valid_enum(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	const char *const *words = f->arg;
	(void)a;
	for (long long i = 0; words != NULL && words[i] != NULL; i++) {
		if (strlen(words[i]) == len && memcmp(words[i], v, len) == 0) {
			out->i = i;
			out->s = words[i];
			out->len = len;
			return NULL;
		}
	}
	return "NOT_ALLOWED";
}

const char *valid_raw(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)f;
	(void)a;
	out->s = v;
	out->len = len;
	return NULL;
}

const char *valid_json_list(const struct field *f, struct arena *a, const void *item, struct fval *out)
{
	const struct json_list *l = ((const struct json_check *)f->arg)->arg;
	const cJSON *list = item;
	(void)a;
	int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : -1;
	if (n < 0 || (size_t)n < l->min)
		return "NOT_A_LIST";
	if ((size_t)n > l->max)
		return "TOO_MANY";
	out->i = n;
	return NULL;
}

const char *valid_bool(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	static const char *const yes[] = { "true", "1", "yes" }, *const no[] = { "false", "0", "no" };
	(void)f;
	(void)a;
	for (int i = 0; i < 3; i++) {
		if (strlen(yes[i]) == len && memcmp(yes[i], v, len) == 0) {
			out->i = 1;
			out->s = "true";
			out->len = 4;
			return NULL;
		}
		if (strlen(no[i]) == len && memcmp(no[i], v, len) == 0) {
			out->i = 0;
			out->s = "false";
			out->len = 5;
			return NULL;
		}
	}
	return "NOT_A_BOOLEAN";
}

const char *valid_text(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	while (len > 0 && cc_ows(*v)) {
		v++;
		len--;
	}
	while (len > 0 && cc_ows(v[len - 1]))
		len--;
	if (len == 0)
		return "EMPTY";
	if (f->maxlen > 0 && len > f->maxlen)
		return "TOO_LONG";
	if (memchr(v, '\t', len) != NULL || utf8_check_text(v, len) < 0)
		return "INVALID_CHARACTERS";
	out->s = arena_strndup(a, v, len);
	out->len = len;
	return out->s != NULL ? NULL : "TOO_LONG";
}

int login_next_ok(const char *next)
{
	size_t n = strlen(next);
	if (n == 0 || n > VALID_NEXT_MAX || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!cc_graph((unsigned char)next[i]) || next[i] == '\\')
			return 0;
	return 1;
}

const char *valid_next(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)f;
	(void)a;
	if (len != strlen(v) || !login_next_ok(v))
		return "NOT_A_LOCAL_PATH";
	out->s = v;
	out->len = len;
	return NULL;
}

const char *valid_login_code(const struct field *f, struct arena *a, const char *v, size_t len, struct fval *out)
{
	(void)f;
	(void)a;
	if (len > 128 || !cc_all(v, len, cc_b64url))
		return "INVALID";
	out->s = v;
	out->len = len;
	return NULL;
}

/* How many file parts of a multipart body are named name; *first gets the first one. */
static size_t files_named(const struct call *c, const char *name, const struct form_file **first)
{
	size_t n = 0;
	*first = NULL;
	for (size_t i = 0; c->files != NULL && i < c->nfiles; i++) {
		if (strcmp(c->files[i].field, name) != 0)
			continue;
		if (n++ == 0)
			*first = &c->files[i];
	}
	return n;
}

/* How many members of a JSON object are called name, null ones included: a name given twice is a
 * duplicate even when one of the two is null (the inputs leave nulls out). */
static size_t json_count(const cJSON *json, const char *name)
{
	size_t n = 0;
	for (const cJSON *it = json != NULL ? json->child : NULL; it != NULL; it = it->next)
		if (it->string != NULL && strcmp(it->string, name) == 0)
			n++;
	return n;
}

/* Whether a JSON object's member name is there and not a string (null counts as absent). */
static int json_not_string(const cJSON *json, const char *name)
{
	const cJSON *it = json != NULL ? cJSON_GetObjectItemCaseSensitive(json, name) : NULL;
	return it != NULL && !cJSON_IsNull(it) && !cJSON_IsString(it);
}

/* The field of the table called name, NULL when it declares none. */
static const struct field *field_named(const struct field *fields, size_t nfields, const char *name)
{
	for (size_t i = 0; i < nfields; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

enum err json_members(struct arena *a, const void *obj, const struct field *fields, size_t nfields, struct kvlist *in)
{
	const cJSON *root = obj;
	size_t members = 0;
	if (!cJSON_IsObject(root))
		return ERR_BAD_JSON;
	in->n = 0;
	for (const cJSON *it = root->child; it != NULL; it = it->next) {
		const char *v = NULL;
		if (cJSON_IsNull(it))
			continue;
		if (members++ == REQ_PAIRS_MAX)
			return ERR_BAD_JSON;
		const struct field *f = field_named(fields, nfields, it->string != NULL ? it->string : "");
		if (f == NULL || (f->flags & F_JSON))
			continue; /* undeclared, or judged as the member itself: no text */
		if (cJSON_IsString(it)) {
			v = it->valuestring;
		} else if (cJSON_IsBool(it)) {
			v = cJSON_IsTrue(it) ? "true" : "false";
		} else {
			char *t = cJSON_PrintUnformatted(it);
			if (t == NULL)
				return ERR_BAD_JSON;
			v = arena_strdup(a, t);
			cJSON_free(t);
			if (v == NULL)
				return ERR_TOO_LARGE;
		}
		in->items[in->n++] = (struct kv){ f->name, v, strlen(v) };
	}
	return ERR_OK;
}

/* ---- strings cut short: a NUL in a JSON string ----
 * The parser decodes "\u0000" (and a "\u" not followed by four hexadecimal digits, read as 0), or
 * takes a raw NUL byte, into the string it reads and so ends it there: "ab\u0000cd" would be
 * judged and kept as "ab". What the tree cannot tell is read from the text it was parsed from:
 * its strings come in the order of the tree's keys and string values (a node's key, then its
 * value, then its children's), so one pass over both marks every node whose key or value, or
 * anything inside it, held a NUL. The marks are bits of the node's type
 * above the parser's own (cJSON_Is* and cJSON_Delete read the low byte and its two flags). */
#define JSON_NUL_MARK (1 << 12) /* the node holds a NUL in its key or anywhere in its value */
#define JSON_NUL_READ (1 << 13) /* on the body's root: its text was read for NULs */

struct json_text {
	const char *s;
	size_t len, at;
};

/* Whether the "\\u" escape at s (len bytes from the 'u' on) decodes to a NUL: "\\u0000", and
 * also four characters that are not all hexadecimal digits, which the parser reads as 0. */
static int escape_nul(const char *s, size_t len)
{
	if (len < 5)
		return 0; /* the parser refuses it */
	int v = 0;
	for (int i = 1; i <= 4; i++) {
		int h = cc_hexval((unsigned char)s[i]);
		if (h < 0)
			return 1;
		v = v * 16 + h;
	}
	return v == 0;
}

/* Whether the text's next string holds a NUL, raw or escaped; the string is then passed. */
static int next_string_nul(struct json_text *t)
{
	int nul = 0;
	while (t->at < t->len && t->s[t->at] != '"')
		t->at++;
	for (t->at++; t->at < t->len && t->s[t->at] != '"'; t->at++) {
		if (t->s[t->at] == '\0') {
			nul = 1;
		} else if (t->s[t->at] == '\\' && t->at + 1 < t->len) {
			t->at++;
			if (t->s[t->at] == 'u' && escape_nul(t->s + t->at, t->len - t->at))
				nul = 1;
		}
	}
	t->at++;
	return nul;
}

/* Marks n and its descendants that hold a NUL (JSON_NUL_MARK), reading their strings from t;
 * returns whether n holds one. */
static int nul_mark(cJSON *n, struct json_text *t)
{
	int nul = 0;
	if (n->string != NULL)
		nul |= next_string_nul(t);
	if (cJSON_IsString(n))
		nul |= next_string_nul(t);
	for (cJSON *it = n->child; it != NULL; it = it->next)
		nul |= nul_mark(it, t);
	if (nul)
		n->type |= JSON_NUL_MARK;
	return nul;
}

/* Marks the call's parsed body (c->json) once, from its text: a text without a raw NUL or any
 * "\u" escape is left unmarked unread. */
static void body_nul_mark(const struct call *c)
{
	cJSON *root = c->json;
	if (root == NULL || c->body == NULL || (root->type & JSON_NUL_READ))
		return;
	root->type |= JSON_NUL_READ;
	if (memchr(c->body, '\0', c->body_len) == NULL && memmem(c->body, c->body_len, "\\u", 2) == NULL)
		return;
	struct json_text t = { c->body, c->body_len, 0 };
	nul_mark(root, &t);
}

/* Whether json's member name (null or not) holds a NUL. */
static int member_nul(const cJSON *json, const char *name)
{
	const cJSON *it = json != NULL ? cJSON_GetObjectItemCaseSensitive(json, name) : NULL;
	return it != NULL && (it->type & JSON_NUL_MARK);
}

/* The items of a JSON_LIST field's list, each by the list's item check: a failure is recorded for
 * "name[i]", as is an item equal to an earlier valid one when the list refuses repeats. */
static void list_items(struct call *c, const struct field *f, const cJSON *list)
{
	const struct json_list *l = ((const struct json_check *)f->arg)->arg;
	const struct field itemf = { f->name, F_JSON, 0, NULL, &l->item };
	if (list == NULL || !cJSON_IsArray(list))
		return; /* valid_json_list refused it */
	int n = cJSON_GetArraySize(list), i = 0;
	unsigned char *ok = arena_alloc(c->arena, (size_t)n + 1);
	for (const cJSON *it = list->child; it != NULL; it = it->next, i++) {
		struct fval v = { 0 };
		const char *code = l->item.valid(&itemf, c->arena, it, &v);
		int j = 0;
		for (const cJSON *p = list->child; code == NULL && l->duplicate != NULL && p != it; p = p->next, j++)
			if ((ok == NULL || ok[j]) && cJSON_Compare(p, it, 1))
				code = l->duplicate;
		if (ok != NULL)
			ok[i] = code == NULL;
		if (code == NULL)
			continue;
		char name[80];
		snprintf(name, sizeof name, "%s[%d]", f->name, i);
		const char *field = arena_strdup(c->arena, name);
		call_field_error(c, field != NULL ? field : f->name, code);
	}
}

/* An F_JSON field: its check gets its member (null is absent), out its value. */
static void json_field(struct call *c, const struct field *f, const cJSON *json, struct fval *out)
{
	const struct json_check *jc = f->arg;
	const cJSON *it = json != NULL ? cJSON_GetObjectItemCaseSensitive(json, f->name) : NULL;
	if (cJSON_IsNull(it) && !(f->flags & F_LIST))
		it = NULL;
	/* A list whose items are judged on their own (a batch's scans) leaves a NUL to its item. */
	if (it != NULL && (it->type & JSON_NUL_MARK) && jc->valid != valid_item_list) {
		call_field_error(c, f->name, "INVALID_CHARACTERS");
		return;
	}
	if (it == NULL && !(f->flags & F_ABSENT)) {
		if (f->flags & F_REQ)
			call_field_error(c, f->name, "REQUIRED");
		return;
	}
	const char *code = jc->valid(f, c->arena, it, out);
	if (code != NULL) {
		call_field_error(c, f->name, code);
		return;
	}
	size_t before = c->nferr;
	if (f->flags & F_LIST)
		list_items(c, f, it);
	out->present = c->nferr == before;
}

/* fields_validate with json the JSON object the inputs came from (NULL: not JSON). */
static enum err validate(struct call *c, const struct field *fields, size_t nfields, const struct kvlist *in,
			 const cJSON *json, struct fval *out)
{
	const struct form_file *file;
	memset(out, 0, nfields * sizeof *out);
	if (json != NULL)
		body_nul_mark(c);
	for (size_t i = 0; i < nfields; i++) {
		size_t n =
		    fields[i].flags & F_FILE ? files_named(c, fields[i].name, &file) : kv_count(in, fields[i].name);
		if (n > 1 || (!(fields[i].flags & F_FILE) && json_count(json, fields[i].name) > 1)) {
			call_field_error(c, fields[i].name, "DUPLICATE_FIELD");
			return ERR_DUPLICATE_FIELD;
		}
	}
	for (size_t i = 0; i < nfields; i++) {
		const struct field *f = &fields[i];
		if (f->flags & F_JSON) {
			json_field(c, f, json, &out[i]);
			continue;
		}
		const struct kv *kv = kv_get(in, f->name);
		struct kv fkv;
		if (f->flags & F_FILE) {
			kv = NULL;
			if (files_named(c, f->name, &file) == 1) {
				fkv = (struct kv){ f->name, (const char *)file->data, file->len };
				kv = &fkv;
			}
		}
		if ((f->flags & F_STR) && kv != NULL && json_not_string(json, f->name)) {
			call_field_error(c, f->name, "NOT_A_STRING");
			continue;
		}
		if (kv != NULL && !(f->flags & F_FILE) && member_nul(json, f->name)) {
			call_field_error(c, f->name, "INVALID_CHARACTERS");
			continue;
		}
		if (kv == NULL && (f->flags & F_ABSENT)) {
			fkv = (struct kv){ f->name, "", 0 };
			kv = &fkv;
		}
		int empty = kv != NULL && kv->len == 0 && !(f->flags & (F_EMPTY | F_ABSENT));
		if (kv == NULL || (empty && (f->flags & (F_REQ | F_BLANK)))) {
			if (f->flags & F_REQ)
				call_field_error(c, f->name, "REQUIRED");
			continue;
		}
		if (f->maxlen > 0 && kv->len > f->maxlen) {
			call_field_error(c, f->name, "TOO_LONG");
			continue;
		}
		const char *code = f->valid(f, c->arena, kv->val, kv->len, &out[i]);
		if (code != NULL) {
			call_field_error(c, f->name, code);
			continue;
		}
		out[i].present = 1;
	}
	return c->nferr > 0 ? ERR_VALIDATION : ERR_OK;
}

enum err fields_validate(struct call *c, const struct field *fields, size_t nfields, const struct kvlist *in,
			 struct fval *out)
{
	return validate(c, fields, nfields, in, c->json, out);
}

enum err fields_validate_json(struct call *c, const struct field *fields, size_t nfields, const void *obj,
			      struct fval *out)
{
	struct kvlist in; /* its pairs point into obj and the arena, not into it */
	enum err e = json_members(c->arena, obj, fields, nfields, &in);
	if (e != ERR_OK)
		return e;
	return validate(c, fields, nfields, &in, obj, out);
}

int call_field_failed(const struct call *c, const char *name)
{
	for (size_t i = 0; i < c->nferr; i++)
		if (strcmp(c->ferr[i].field, name) == 0)
			return 1;
	return 0;
}

void call_field_forget(struct call *c, const char *name)
{
	size_t k = 0;
	for (size_t i = 0; i < c->nferr; i++)
		if (strcmp(c->ferr[i].field, name) != 0)
			c->ferr[k++] = c->ferr[i];
	c->nferr = k;
}

uint64_t path_id_parse(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	if (n == 0 || n > 19 || s[0] == '0' || !cc_all(s, n, cc_digit))
		return 0;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0'); /* 19 digits fit in 64 bits */
	return v <= (uint64_t)INT64_MAX ? v : 0;
}

int public_id_ok(const char *s, size_t n)
{
	return s != NULL && n == PUBLIC_ID_LEN && cc_all(s, n, cc_b64url);
}
