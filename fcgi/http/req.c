/* req.c: pure request parsing: urlencoded pairs, cookies, percent-coding, the call's accessors. */
#include "req.h"
#include "cclass.h"

#include <string.h>

long pct_decode(const char *s, size_t len, char *out, int plus_space)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '%') {
			if (i + 2 >= len)
				return -1;
			int hi = cc_hexval((unsigned char)s[i + 1]), lo = cc_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			ch = (char)(hi * 16 + lo);
			if (ch == '\0')
				return -1;
			i += 2;
		} else if (ch == '+' && plus_space) {
			ch = ' ';
		} else if (ch == '\0') {
			return -1;
		}
		out[o++] = ch;
	}
	out[o] = '\0';
	return (long)o;
}

char *pct_encode(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = arena_alloc(a, n * 3 + 1);
	if (out == NULL)
		return NULL;
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (cc_unreserved(*p)) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
	return out;
}

enum kv_err kv_parse_urlencoded(struct arena *a, const char *s, size_t len, struct kvlist *out)
{
	out->n = 0;
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && s[i] != '&')
			i++;
		size_t end = i;
		i++; /* past '&' */
		if (end == start)
			continue;
		const char *eq = memchr(s + start, '=', end - start);
		size_t klen = eq != NULL ? (size_t)(eq - (s + start)) : end - start;
		size_t vlen = eq != NULL ? end - start - klen - 1 : 0;
		if (klen == 0)
			return KV_MALFORMED;
		if (klen > REQ_KEY_MAX * 3 || vlen > REQ_VALUE_MAX * 3)
			return KV_TOO_LONG;
		if (out->n == REQ_PAIRS_MAX)
			return KV_TOO_MANY;
		char *k = arena_alloc(a, klen + 1), *v = arena_alloc(a, vlen + 1);
		if (k == NULL || v == NULL)
			return KV_NOMEM;
		long kl = pct_decode(s + start, klen, k, 1);
		long vl = eq != NULL ? pct_decode(eq + 1, vlen, v, 1) : 0;
		if (kl <= 0 || vl < 0)
			return KV_MALFORMED;
		if ((size_t)kl > REQ_KEY_MAX || (size_t)vl > REQ_VALUE_MAX)
			return KV_TOO_LONG;
		out->items[out->n++] = (struct kv){ k, v, (size_t)vl };
	}
	return KV_OK;
}

/* RFC 6265 cookie-name: an RFC 7230 token. */
static int is_tchar(unsigned char ch)
{
	return cc_tchar(ch);
}

/* RFC 6265 cookie-octet. */
static int is_cookie_octet(unsigned char ch)
{
	return ch == 0x21 || (ch >= 0x23 && ch <= 0x2B) || (ch >= 0x2D && ch <= 0x3A) || (ch >= 0x3C && ch <= 0x5B) ||
	       (ch >= 0x5D && ch <= 0x7E);
}

enum kv_err kv_parse_cookies(struct arena *a, const char *s, size_t len, struct kvlist *out)
{
	out->n = 0;
	if (len > REQ_COOKIE_MAX)
		return KV_TOO_LONG;
	size_t i = 0;
	while (i < len) {
		while (i < len && cc_ows(s[i]))
			i++;
		size_t start = i;
		while (i < len && s[i] != ';')
			i++;
		size_t end = i;
		i++;
		while (end > start && cc_ows(s[end - 1]))
			end--;
		const char *eq = memchr(s + start, '=', end - start);
		if (eq == NULL)
			continue;
		size_t klen = (size_t)(eq - (s + start));
		const char *v = eq + 1;
		size_t vlen = end - start - klen - 1;
		int ok = klen > 0 && klen <= REQ_KEY_MAX;
		for (size_t j = 0; ok && j < klen; j++)
			ok = is_tchar((unsigned char)s[start + j]);
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
			v++;
			vlen -= 2;
		}
		for (size_t j = 0; ok && j < vlen; j++)
			ok = is_cookie_octet((unsigned char)v[j]);
		if (!ok)
			continue;
		if (out->n == REQ_PAIRS_MAX)
			return KV_TOO_MANY;
		char *k = arena_strndup(a, s + start, klen), *val = arena_strndup(a, v, vlen);
		if (k == NULL || val == NULL)
			return KV_NOMEM;
		out->items[out->n++] = (struct kv){ k, val, vlen };
	}
	return KV_OK;
}

const struct kv *kv_get(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return &l->items[i];
	return NULL;
}

size_t kv_count(const struct kvlist *l, const char *key)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			n++;
	return n;
}

const char *call_param(const struct call *c, const char *name)
{
	char **env = c->env;
	if (env == NULL)
		return NULL;
	size_t n = strlen(name);
	for (; *env != NULL; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

void call_field_error(struct call *c, const char *field, const char *code)
{
	if (c->nferr < REQ_FIELD_ERRS)
		c->ferr[c->nferr++] = (struct field_err){ field, code };
}

const char *call_cookie(struct call *c, const char *name)
{
	if (!c->cookies_parsed) {
		const char *h = call_param(c, "HTTP_COOKIE");
		c->cookies_parsed = 1;
		if (h == NULL || kv_parse_cookies(c->arena, h, strlen(h), &c->cookies) != KV_OK)
			c->cookies.n = 0;
	}
	const struct kv *kv = kv_get(&c->cookies, name);
	return kv != NULL ? kv->val : NULL;
}
