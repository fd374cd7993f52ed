/* form.c: a bounded, pure multipart/form-data parser (RFC 7578 over RFC 2046 framing). */
#include "form.h"
#include "cclass.h"

#include <string.h>

#define NOT_FOUND ((size_t)-1)

static const char *const form_words[] = {
	[FORM_OK] = "OK",
	[FORM_NO_BOUNDARY] = "NO_BOUNDARY",
	[FORM_BAD_BOUNDARY] = "BAD_BOUNDARY",
	[FORM_MALFORMED] = "MALFORMED",
	[FORM_TOO_MANY_PARTS] = "TOO_MANY_PARTS",
	[FORM_HEADER_TOO_LONG] = "HEADER_TOO_LONG",
	[FORM_PART_TOO_LARGE] = "PART_TOO_LARGE",
	[FORM_TOO_MANY_FILES] = "TOO_MANY_FILES",
	[FORM_NOMEM] = "NOMEM",
	[FORM_FILE_TOO_LARGE] = "FILE_TOO_LARGE",
};
_Static_assert(sizeof form_words / sizeof form_words[0] == FORM__MAX, "a word per form_err");

const char *form_err_word(enum form_err e)
{
	if ((unsigned)e >= sizeof form_words / sizeof form_words[0])
		return "UNKNOWN";
	return form_words[e];
}

/* RFC 2046 bchars (space included; the caller forbids a trailing one). */
static int is_bchar(int c)
{
	return cc_alnum(c) || (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

/* One byte of a boundary value into val (at most FORM_BOUNDARY_MAX); a byte outside bchars or
 * past the bound marks the value bad. */
static void boundary_take(char *val, size_t *n, int c, int *bad)
{
	if (*n == FORM_BOUNDARY_MAX || !is_bchar(c))
		*bad = 1;
	else
		val[(*n)++] = (char)c;
}

/* s[0..n) equals the lower-case literal lit, ignoring ASCII case. */
static int ieq(const char *s, size_t n, const char *lit)
{
	size_t i;
	for (i = 0; i < n; i++) {
		int c = cc_tolower((unsigned char)s[i]);
		if (lit[i] == '\0' || c != lit[i])
			return 0;
	}
	return lit[i] == '\0';
}

/* ---- Content-Type ------------------------------------------------------------------------ */

enum form_err form_boundary(const char *content_type, char *out, size_t outmax)
{
	char val[FORM_BOUNDARY_MAX];
	size_t vlen = 0;
	int found = 0;
	const char *p = content_type, *t;

	if (p == NULL)
		return FORM_NO_BOUNDARY;
	p += cc_span(p, cc_ows);
	t = p;
	p += cc_span(p, cc_tchar);
	if (*p != '/' || !ieq(t, (size_t)(p - t), "multipart"))
		return FORM_NO_BOUNDARY;
	t = ++p;
	p += cc_span(p, cc_tchar);
	if (!ieq(t, (size_t)(p - t), "form-data"))
		return FORM_NO_BOUNDARY;

	for (;;) {
		p += cc_span(p, cc_ows);
		if (*p == '\0')
			break;
		if (*p++ != ';')
			return FORM_MALFORMED;
		p += cc_span(p, cc_ows);
		if (*p == '\0')
			break; /* a trailing ';' */
		t = p;
		p += cc_span(p, cc_tchar);
		if (p == t || *p != '=')
			return FORM_MALFORMED;
		int is_b = ieq(t, (size_t)(p - t), "boundary"), bad = 0;
		size_t n = 0;
		p++;
		if (is_b && found)
			return FORM_BAD_BOUNDARY; /* two boundaries: ambiguous */
		if (*p == '"') {
			for (p++;; p++) {
				int c = (unsigned char)*p;
				if (c == '"') {
					p++;
					break;
				}
				if (c == '\\')
					c = (unsigned char)*++p;
				if (c == '\0' || (cc_cntrl(c) && c != '\t'))
					return FORM_MALFORMED;
				if (is_b)
					boundary_take(val, &n, c, &bad);
			}
		} else {
			/* A token; bchars outside tchar (':' '/' '=' ...) are let in and judged below. */
			for (t = p; *p != '\0' && *p != ';' && !cc_ows(*p); p++) {
				int c = (unsigned char)*p;
				if (cc_cntrl(c) || c == '"')
					return FORM_MALFORMED;
				if (is_b) {
					boundary_take(val, &n, c, &bad);
				} else if (!cc_tchar(c)) {
					return FORM_MALFORMED;
				}
			}
			if (p == t)
				return FORM_MALFORMED;
		}
		if (is_b) {
			if (bad || n == 0 || val[n - 1] == ' ')
				return FORM_BAD_BOUNDARY;
			found = 1;
			vlen = n;
		}
	}
	if (!found)
		return FORM_NO_BOUNDARY;
	if (out == NULL || outmax < vlen + 1)
		return FORM_NOMEM;
	memcpy(out, val, vlen);
	out[vlen] = '\0';
	return FORM_OK;
}

/* ---- body -------------------------------------------------------------------------------- */

struct form_ctx {
	const char *body;
	size_t len;
	char nd[4 + FORM_BOUNDARY_MAX]; /* the delimiter "\r\n--" boundary, not NUL-terminated */
	size_t m;                       /* its length */
};

/* What the headers of one part declared. */
struct part_hdrs {
	int has_disp, has_type, has_filename;
	char name[FORM_NAME_MAX + 1];
	size_t name_len;
	char filename[FORM_HEADER_MAX + 1];
	size_t filename_len;
	const char *type; /* points into the body */
	size_t type_len;
};

/* The start of the first delimiter in body[from..to) that ends by `to`, or NOT_FOUND.
 * The delimiter holds '\r' only in its first byte (bchars exclude CR), so after a mismatch the
 * search resumes at the mismatching byte itself: every byte is looked at most twice, linear
 * whatever the input. memchr skips to candidate CRs. */
static size_t find_delim(const struct form_ctx *c, size_t from, size_t to)
{
	size_t i = from, j = 0;
	while (i < to) {
		if (j == 0) {
			const char *cr = memchr(c->body + i, '\r', to - i);
			if (cr == NULL)
				return NOT_FOUND;
			i = (size_t)(cr - c->body) + 1;
			j = 1;
		} else if (c->body[i] == c->nd[j]) {
			i++;
			if (++j == c->m)
				return i - c->m;
		} else {
			j = 0;
		}
	}
	return NOT_FOUND;
}

/* Decodes one parameter value at v[*i..n) (a quoted-string with backslash escapes, or a token)
 * into buf (room for n bytes); sets *blen. */
static enum form_err param_value(const char *v, size_t n, size_t *i, char *buf, size_t *blen)
{
	size_t k = 0, j = *i;
	if (j < n && v[j] == '"') {
		for (j++;; j++) {
			if (j == n)
				return FORM_MALFORMED;
			char ch = v[j];
			if (ch == '"') {
				j++;
				break;
			}
			if (ch == '\\') {
				if (++j == n)
					return FORM_MALFORMED;
				ch = v[j];
			}
			buf[k++] = ch;
		}
	} else {
		while (j < n && cc_tchar((unsigned char)v[j]))
			buf[k++] = v[j++];
		if (k == 0)
			return FORM_MALFORMED;
	}
	*i = j;
	*blen = k;
	return FORM_OK;
}

/* Parses a Content-Disposition value: form-data; name=...; filename=... (others ignored). */
static enum form_err disposition(const char *v, size_t n, struct part_hdrs *h)
{
	char buf[FORM_HEADER_MAX + 1];
	size_t i = 0, t;
	int has_name = 0;

	while (i < n && cc_tchar((unsigned char)v[i]))
		i++;
	if (!ieq(v, i, "form-data"))
		return FORM_MALFORMED;
	for (;;) {
		while (i < n && cc_ows(v[i]))
			i++;
		if (i == n)
			break;
		if (v[i++] != ';')
			return FORM_MALFORMED;
		while (i < n && cc_ows(v[i]))
			i++;
		if (i == n)
			break; /* a trailing ';' */
		for (t = i; i < n && cc_tchar((unsigned char)v[i]); i++)
			;
		size_t pname = t, plen = i - t, blen;
		if (plen == 0)
			return FORM_MALFORMED;
		while (i < n && cc_ows(v[i]))
			i++;
		if (i == n || v[i++] != '=')
			return FORM_MALFORMED;
		while (i < n && cc_ows(v[i]))
			i++;
		enum form_err e = param_value(v, n, &i, buf, &blen);
		if (e != FORM_OK)
			return e;
		if (ieq(v + pname, plen, "name")) {
			if (has_name || blen > FORM_NAME_MAX || !cc_all(buf, blen, cc_print))
				return FORM_MALFORMED; /* cc_all: also an empty name */
			memcpy(h->name, buf, blen);
			h->name[blen] = '\0';
			h->name_len = blen;
			has_name = 1;
		} else if (ieq(v + pname, plen, "filename")) {
			if (h->has_filename)
				return FORM_MALFORMED;
			memcpy(h->filename, buf, blen);
			h->filename[blen] = '\0';
			h->filename_len = blen;
			h->has_filename = 1;
		}
		/* filename* (RFC 5987) and unknown parameters are ignored. */
	}
	return has_name ? FORM_OK : FORM_MALFORMED;
}

/* One header line s[0..n) (CRLF excluded) of a part. */
static enum form_err header_line(const char *s, size_t n, struct part_hdrs *h)
{
	size_t i = 0;
	while (i < n && cc_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ':')
		return FORM_MALFORMED; /* also obs-fold and "Name :" */
	size_t nlen = i, vb = i + 1, ve = n;
	while (vb < ve && cc_ows(s[vb]))
		vb++;
	while (ve > vb && cc_ows(s[ve - 1]))
		ve--;
	for (size_t k = vb; k < ve; k++) {
		unsigned char c = (unsigned char)s[k];
		if (cc_cntrl(c) && c != '\t')
			return FORM_MALFORMED;
	}
	const char *v = s + vb;
	size_t vn = ve - vb;
	if (ieq(s, nlen, "content-disposition")) {
		if (h->has_disp)
			return FORM_MALFORMED;
		h->has_disp = 1;
		return disposition(v, vn, h);
	}
	if (ieq(s, nlen, "content-type")) {
		if (h->has_type)
			return FORM_MALFORMED;
		h->has_type = 1;
		h->type = v;
		h->type_len = vn;
		return FORM_OK;
	}
	if (ieq(s, nlen, "content-transfer-encoding")) {
		if (!ieq(v, vn, "binary") && !ieq(v, vn, "8bit") && !ieq(v, vn, "7bit"))
			return FORM_MALFORMED;
	}
	return FORM_OK;
}

/* Reads the header lines of a part starting at *pp up to the empty line; leaves *pp at that
 * empty line's CR (which may begin the next delimiter when the part is empty). */
static enum form_err part_headers(const struct form_ctx *c, size_t *pp, struct part_hdrs *h)
{
	const char *b = c->body;
	size_t p = *pp, count = 0;

	for (;;) {
		size_t lim = c->len - p > FORM_HEADER_MAX + 1 ? p + FORM_HEADER_MAX + 1 : c->len, q;
		for (q = p; q < lim && b[q] != '\r' && b[q] != '\n'; q++)
			;
		if (q == lim)
			return lim == c->len ? FORM_MALFORMED : FORM_HEADER_TOO_LONG;
		if (b[q] == '\n' || q + 1 == c->len || b[q + 1] != '\n')
			return FORM_MALFORMED; /* bare LF, bare CR, or truncated */
		if (q == p)
			break;
		/* A line "--boundary..." is the next delimiter: a part without its empty line. */
		if (q - p >= c->m - 2 && memcmp(b + p, c->nd + 2, c->m - 2) == 0)
			return FORM_MALFORMED;
		if (++count > FORM_PART_HEADERS_MAX)
			return FORM_MALFORMED;
		enum form_err e = header_line(b + p, q - p, h);
		if (e != FORM_OK)
			return e;
		p = q + 2;
	}
	if (!h->has_disp)
		return FORM_MALFORMED;
	*pp = p;
	return FORM_OK;
}

static int listed(const char *const *list, const char *name)
{
	if (list == NULL)
		return 0;
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static enum form_err parse_body(struct form_ctx *c, struct arena *a, const char *const *file_fields, size_t max_files,
				size_t max_file_bytes, struct kvlist *fields, struct form_file *files, size_t *nfiles)
{
	const char *b = c->body;
	size_t len = c->len, p, nparts = 0;

	/* The first delimiter: "--boundary" at the very start, or "\r\n--boundary" after a preamble. */
	if (len >= c->m - 2 && memcmp(b, c->nd + 2, c->m - 2) == 0) {
		p = c->m - 2;
	} else {
		size_t at = find_delim(c, 0, len);
		if (at == NOT_FOUND)
			return FORM_MALFORMED;
		p = at + c->m;
	}

	for (;;) {
		/* p is just past a "--boundary". */
		if (len - p >= 2 && b[p] == '-' && b[p + 1] == '-') {
			p += 2;
			if (p == len || (len - p >= 2 && b[p] == '\r' && b[p + 1] == '\n'))
				return FORM_OK; /* the epilogue is ignored */
			return FORM_MALFORMED;
		}
		if (len - p < 2 || b[p] != '\r' || b[p + 1] != '\n')
			return FORM_MALFORMED; /* no transport padding; bare LF; "--boundaryX" */
		p += 2;
		if (nparts++ == FORM_PARTS_MAX)
			return FORM_TOO_MANY_PARTS;

		struct part_hdrs h;
		h.has_disp = h.has_type = h.has_filename = 0;
		h.type = NULL;
		h.type_len = 0;
		enum form_err e = part_headers(c, &p, &h);
		if (e != FORM_OK)
			return e;

		int is_file = h.has_filename || listed(file_fields, h.name);
		size_t limit = is_file ? max_file_bytes : FORM_TEXT_MAX;
		if (is_file && *nfiles >= max_files)
			return FORM_TOO_MANY_FILES;
		if (!is_file && fields->n >= REQ_PAIRS_MAX)
			return FORM_TOO_MANY_PARTS;

		/* p is at the empty line's CR; the data starts after it. A delimiter at p itself
		 * means the empty line is missing. The scan stops once the part is over its limit. */
		size_t rest = len - p, to = len;
		if (limit < rest - 2 && rest - 2 - limit > c->m)
			to = p + 2 + limit + c->m;
		size_t at = find_delim(c, p, to);
		if (at == p)
			return FORM_MALFORMED;
		if (at == NOT_FOUND)
			return to >= len ? FORM_MALFORMED : is_file ? FORM_FILE_TOO_LARGE : FORM_PART_TOO_LARGE;
		size_t data = p + 2, dlen = at - data;

		if (is_file) {
			struct form_file *f = &files[*nfiles];
			f->field = arena_strndup(a, h.name, h.name_len);
			f->data = (const uint8_t *)(b + data);
			f->len = dlen;
			f->filename = h.has_filename ? arena_strndup(a, h.filename, h.filename_len) : NULL;
			f->content_type = h.has_type ? arena_strndup(a, h.type, h.type_len) : NULL;
			if (f->field == NULL || (h.has_filename && f->filename == NULL) ||
			    (h.has_type && f->content_type == NULL))
				return FORM_NOMEM;
			(*nfiles)++;
		} else {
			if (memchr(b + data, '\0', dlen) != NULL)
				return FORM_MALFORMED;
			struct kv *kv = &fields->items[fields->n];
			kv->key = arena_strndup(a, h.name, h.name_len);
			kv->val = arena_strndup(a, b + data, dlen);
			kv->len = dlen;
			if (kv->key == NULL || kv->val == NULL)
				return FORM_NOMEM;
			fields->n++;
		}
		p = at + c->m;
	}
}

enum form_err form_parse(struct arena *a, const char *boundary, const char *body, size_t len,
			 const char *const *file_fields, size_t max_files, size_t max_file_bytes, struct kvlist *fields,
			 struct form_file *files, size_t *nfiles)
{
	struct form_ctx c;
	size_t blen, n0 = fields->n;

	*nfiles = 0;
	if (boundary == NULL)
		return FORM_NO_BOUNDARY;
	blen = strnlen(boundary, FORM_BOUNDARY_MAX + 1);
	if (blen == 0 || blen > FORM_BOUNDARY_MAX || boundary[blen - 1] == ' ')
		return FORM_BAD_BOUNDARY;
	for (size_t i = 0; i < blen; i++)
		if (!is_bchar((unsigned char)boundary[i]))
			return FORM_BAD_BOUNDARY;
	if (body == NULL && len != 0)
		return FORM_MALFORMED;
	if (n0 > REQ_PAIRS_MAX)
		return FORM_TOO_MANY_PARTS;
	if (max_files > 0 && files == NULL)
		max_files = 0;

	c.body = body != NULL ? body : "";
	c.len = len;
	memcpy(c.nd, "\r\n--", 4);
	memcpy(c.nd + 4, boundary, blen);
	c.m = blen + 4;

	enum form_err e = parse_body(&c, a, file_fields, max_files, max_file_bytes, fields, files, nfiles);
	if (e != FORM_OK) {
		fields->n = n0;
		*nfiles = 0;
	}
	return e;
}
