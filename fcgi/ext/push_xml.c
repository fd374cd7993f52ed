/* push_xml.c: the platform's flat XML messages in: a bounded, entity-free parser; pure. */
#include "push.h"
#include "cclass.h"

#include <string.h>

_Static_assert(PUSH_XML_BUF_SIZE > PUSH_XML_BODY_MAX, "value buffer bound");

struct xframe {
	const char *name; /* into the caller's body */
	size_t name_len;
	size_t vstart; /* where this element's value starts in msg->buf */
	int has_child; /* holds elements: a container, not a field */
	int has_data;  /* holds non-whitespace text, CDATA or an entity */
};

struct xparser {
	struct push_msg *m;
	const char *p;
	const char *end;
	size_t maxf;
	size_t depth; /* index of the innermost open element; st[0] is <xml> */
	struct xframe st[PUSH_XML_DEPTH_MAX + 1];
};

static int starts(const struct xparser *x, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(x->end - x->p) >= n && memcmp(x->p, lit, n) == 0;
}

static void skip_ws(struct xparser *x)
{
	while (x->p < x->end && cc_space((unsigned char)*x->p))
		x->p++;
}

/* Offset of the first `lit` at or after `from`, or NULL. */
static const char *find(const char *from, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	for (; (size_t)(end - from) >= n; from++)
		if (*from == lit[0] && memcmp(from, lit, n) == 0)
			return from;
	return NULL;
}

static int name_start(char c)
{
	return cc_alpha((unsigned char)c) || c == '_';
}

static int name_char(char c)
{
	return name_start(c) || cc_digit((unsigned char)c) || c == '-' || c == '.';
}

/* A tag name [A-Za-z_][A-Za-z0-9_.-]* of at most PUSH_XML_NAME_MAX bytes. */
static int parse_name(struct xparser *x, const char **name, size_t *len)
{
	const char *s = x->p;

	if (x->p == x->end || !name_start(*x->p))
		return PUSH_E_XML;
	while (x->p < x->end && name_char(*x->p))
		x->p++;
	*name = s;
	*len = (size_t)(x->p - s);
	return *len > PUSH_XML_NAME_MAX ? PUSH_E_XML_NAME : PUSH_OK;
}

/* Appends n bytes to the innermost element's value. */
static int put(struct xparser *x, const char *s, size_t n)
{
	struct push_msg *m = x->m;

	if (m->buflen - x->st[x->depth].vstart + n > PUSH_XML_VALUE_MAX)
		return PUSH_E_XML_VALUE;
	if (n > m->bufmax - m->buflen)
		return PUSH_E_SPACE;
	memcpy(m->buf + m->buflen, s, n);
	m->buflen += n;
	return PUSH_OK;
}

/* Data that makes the innermost element a valued leaf: CDATA, an entity, non-blank text. */
static int put_data(struct xparser *x, const char *s, size_t n)
{
	struct xframe *f = &x->st[x->depth];

	if (x->depth == 0 || f->has_child)
		return PUSH_E_XML; /* text beside child elements */
	f->has_data = 1;
	return put(x, s, n);
}

/* Closes the innermost element as a field named by its path below <xml>. */
static int record(struct xparser *x)
{
	struct push_msg *m = x->m;
	struct xframe *f = &x->st[x->depth];
	struct push_field *fl;
	size_t vlen = m->buflen - f->vstart, plen = 0, i;
	char *name;

	if (m->nfields >= x->maxf)
		return PUSH_E_XML_FIELDS;
	for (i = 1; i <= x->depth; i++)
		plen += x->st[i].name_len + (i > 1);
	if (plen + 2 > m->bufmax - m->buflen)
		return PUSH_E_SPACE;
	m->buf[m->buflen++] = '\0';
	name = m->buf + m->buflen;
	for (i = 1; i <= x->depth; i++) {
		if (i > 1)
			m->buf[m->buflen++] = '/';
		memcpy(m->buf + m->buflen, x->st[i].name, x->st[i].name_len);
		m->buflen += x->st[i].name_len;
	}
	m->buf[m->buflen++] = '\0';
	if (x->depth == 1)
		for (i = 0; i < m->nfields; i++)
			if (m->fields[i].name_len == plen && memcmp(m->fields[i].name, name, plen) == 0)
				return PUSH_E_XML_DUP;
	fl = &m->fields[m->nfields++];
	fl->name = name;
	fl->name_len = plen;
	fl->value = m->buf + f->vstart;
	fl->value_len = vlen;
	return PUSH_OK;
}

/* <Name> or <Name/>, with x->p just past '<'. */
static int open_tag(struct xparser *x)
{
	struct xframe *parent = &x->st[x->depth], *f;
	const char *name;
	size_t nlen;
	int self, rc;

	if ((rc = parse_name(x, &name, &nlen)) != PUSH_OK)
		return rc;
	skip_ws(x);
	if (starts(x, "/>")) {
		self = 1;
		x->p += 2;
	} else if (starts(x, ">")) {
		self = 0;
		x->p += 1;
	} else {
		return PUSH_E_XML; /* attributes or junk */
	}
	if (parent->has_data)
		return PUSH_E_XML; /* mixed content */
	if (!parent->has_child) {
		parent->has_child = 1;
		x->m->buflen = parent->vstart; /* drop the blanks before the first child */
	}
	if (x->depth + 1 > PUSH_XML_DEPTH_MAX)
		return PUSH_E_XML_DEPTH;
	f = &x->st[++x->depth];
	f->name = name;
	f->name_len = nlen;
	f->vstart = x->m->buflen;
	f->has_child = 0;
	f->has_data = 0;
	if (self) {
		if ((rc = record(x)) != PUSH_OK)
			return rc;
		x->depth--;
	}
	return PUSH_OK;
}

/* </Name>, with x->p just past "</".  Sets *done when </xml> closes. */
static int close_tag(struct xparser *x, int *done)
{
	struct xframe *f = &x->st[x->depth];
	const char *name;
	size_t nlen;
	int rc;

	if ((rc = parse_name(x, &name, &nlen)) != PUSH_OK)
		return rc;
	skip_ws(x);
	if (!starts(x, ">"))
		return PUSH_E_XML;
	x->p++;
	if (nlen != f->name_len || memcmp(name, f->name, nlen) != 0)
		return PUSH_E_XML;
	if (x->depth == 0) {
		*done = 1;
		return PUSH_OK;
	}
	if (!f->has_child && (rc = record(x)) != PUSH_OK)
		return rc;
	x->depth--;
	return PUSH_OK;
}

/* One of the five predefined entities, with x->p at '&'. */
static int entity(struct xparser *x)
{
	static const struct {
		const char *lit;
		char c;
	} ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' }, { "&apos;", '\'' },
	};
	size_t i;

	for (i = 0; i < sizeof ents / sizeof ents[0]; i++)
		if (starts(x, ents[i].lit)) {
			x->p += strlen(ents[i].lit);
			return put_data(x, &ents[i].c, 1);
		}
	return PUSH_E_XML_FORBIDDEN;
}

/* A run of character data up to the next '<' or '&'. */
static int text(struct xparser *x)
{
	const char *s = x->p, *q;
	struct xframe *f = &x->st[x->depth];
	int blank = 1;

	while (x->p < x->end && *x->p != '<' && *x->p != '&')
		x->p++;
	if (find(s, x->p, "]]>") != NULL)
		return PUSH_E_XML;
	for (q = s; q < x->p && blank; q++)
		blank = cc_space((unsigned char)*q);
	if (!blank)
		return put_data(x, s, (size_t)(x->p - s));
	if (x->depth == 0 || f->has_child)
		return PUSH_OK; /* blanks between elements */
	return put(x, s, (size_t)(x->p - s));
}

static int xml_run(struct xparser *x)
{
	const char *name, *q;
	size_t nlen;
	int rc, done = 0;

	skip_ws(x);
	if (starts(x, "<?xml") && x->end - x->p > 5 && (cc_space((unsigned char)x->p[5]) || x->p[5] == '?')) {
		if ((q = find(x->p + 5, x->end, "?>")) == NULL)
			return PUSH_E_XML;
		x->p = q + 2;
		skip_ws(x);
	}
	if (starts(x, "<!") || starts(x, "<?"))
		return PUSH_E_XML_FORBIDDEN;
	if (!starts(x, "<"))
		return PUSH_E_XML;
	x->p++;
	if ((rc = parse_name(x, &name, &nlen)) != PUSH_OK)
		return rc;
	if (nlen != 3 || memcmp(name, "xml", 3) != 0)
		return PUSH_E_XML;
	skip_ws(x);
	if (!starts(x, ">"))
		return PUSH_E_XML;
	x->p++;
	x->depth = 0;
	x->st[0].name = name;
	x->st[0].name_len = nlen;
	x->st[0].vstart = 0;
	x->st[0].has_child = 1;
	x->st[0].has_data = 0;
	while (!done) {
		if (x->p == x->end)
			return PUSH_E_XML; /* unterminated */
		if (starts(x, "<![CDATA[")) {
			const char *s = x->p + 9;

			if ((q = find(s, x->end, "]]>")) == NULL)
				return PUSH_E_XML;
			x->p = q + 3;
			rc = put_data(x, s, (size_t)(q - s));
		} else if (starts(x, "<!") || starts(x, "<?")) {
			rc = PUSH_E_XML_FORBIDDEN;
		} else if (starts(x, "</")) {
			x->p += 2;
			rc = close_tag(x, &done);
		} else if (*x->p == '<') {
			x->p++;
			rc = open_tag(x);
		} else if (*x->p == '&') {
			rc = entity(x);
		} else {
			rc = text(x);
		}
		if (rc != PUSH_OK)
			return rc;
	}
	skip_ws(x);
	if (starts(x, "<!") || starts(x, "<?"))
		return PUSH_E_XML_FORBIDDEN;
	return x->p == x->end ? PUSH_OK : PUSH_E_XML;
}

void push_msg_init(struct push_msg *msg, struct push_field *fields, size_t maxfields, char *buf, size_t bufmax)
{
	msg->fields = fields;
	msg->nfields = 0;
	msg->maxfields = maxfields;
	msg->buf = buf;
	msg->buflen = 0;
	msg->bufmax = bufmax;
}

int push_xml_parse(struct push_msg *msg, const char *body, size_t len)
{
	struct xparser x;
	int rc;

	if (msg == NULL || body == NULL || msg->buf == NULL || (msg->fields == NULL && msg->maxfields > 0))
		return PUSH_E_ARG;
	msg->nfields = 0;
	msg->buflen = 0;
	if (len > PUSH_XML_BODY_MAX || memchr(body, '\0', len) != NULL)
		return PUSH_E_XML_BODY;
	memset(&x, 0, sizeof x);
	x.m = msg;
	x.p = body;
	x.end = body + len;
	x.maxf = msg->maxfields < PUSH_XML_FIELDS_MAX ? msg->maxfields : PUSH_XML_FIELDS_MAX;
	if ((rc = xml_run(&x)) != PUSH_OK) {
		msg->nfields = 0;
		msg->buflen = 0;
	}
	return rc;
}

const char *push_msg_get(const struct push_msg *msg, const char *name)
{
	size_t i;

	if (msg == NULL || name == NULL)
		return NULL;
	for (i = 0; i < msg->nfields; i++)
		if (strcmp(msg->fields[i].name, name) == 0)
			return msg->fields[i].value;
	return NULL;
}
