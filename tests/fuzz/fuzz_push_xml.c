/* fuzz_push_xml.c: libFuzzer target for push_xml_parse() and the reply/dedup code that consumes its output. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "push.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* All buffers are this file's statics: too large for the stack, reused by every run. */
static struct push_field fields[PUSH_XML_FIELDS_MAX];
static char buf[PUSH_XML_BUF_SIZE];
static struct push_field fields2[PUSH_XML_FIELDS_MAX];
static char buf2[PUSH_XML_BUF_SIZE];
static char small[96];
static char reply[PUSH_XML_BODY_MAX * 2];
static char key[PUSH_XML_BUF_SIZE];

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

/* Every field is a NUL-terminated pair inside msg->buf, within the limits. */
static void check_msg(const struct push_msg *m)
{
	size_t i;

	CHECK(m->nfields <= PUSH_XML_FIELDS_MAX && m->nfields <= m->maxfields);
	CHECK(m->buflen <= m->bufmax);
	for (i = 0; i < m->nfields; i++) {
		const struct push_field *f = &m->fields[i];

		CHECK(f->name >= m->buf && f->name + f->name_len < m->buf + m->buflen);
		CHECK(f->value >= m->buf && f->value + f->value_len < m->buf + m->buflen);
		CHECK(strlen(f->name) == f->name_len && strlen(f->value) == f->value_len);
		CHECK(f->name_len >= 1 && f->name_len <= PUSH_XML_PATH_MAX);
		CHECK(f->value_len <= PUSH_XML_VALUE_MAX);
		CHECK(push_msg_get(m, f->name) != NULL);
		CHECK(strcmp(push_msg_get(m, f->name), f->value) == 0 ||
		      strchr(f->name, '/') != NULL); /* only nested paths may repeat */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct push_msg m, back;
	const char *to, *from, *content;
	int rc;

	push_msg_init(&m, fields, PUSH_XML_FIELDS_MAX, buf, sizeof buf);
	rc = push_xml_parse(&m, (const char *)data, size);
	CHECK(rc <= 0);
	if (rc != PUSH_OK) {
		CHECK(m.nfields == 0);
	} else {
		check_msg(&m);
		rc = push_dedup_key(&m, key, sizeof key);
		CHECK(rc == PUSH_OK || rc == PUSH_E_FIELD);
		if (rc == PUSH_OK)
			CHECK(key[0] == 'm' || key[0] == 'e');

		/* A text reply built from the message parses back to the same strings. */
		to = push_msg_get(&m, "FromUserName");
		from = push_msg_get(&m, "ToUserName");
		content = push_msg_get(&m, "Content");
		if (to == NULL)
			to = "";
		if (from == NULL)
			from = "";
		if (content == NULL)
			content = m.nfields > 0 ? m.fields[0].value : "";
		rc = push_reply_text(to, from, 1764201600, content, reply, sizeof reply);
		CHECK(rc == PUSH_OK);
		if (strlen(reply) <= PUSH_XML_BODY_MAX) {
			push_msg_init(&back, fields2, PUSH_XML_FIELDS_MAX, buf2, sizeof buf2);
			CHECK(push_xml_parse(&back, reply, strlen(reply)) == PUSH_OK);
			CHECK(strcmp(push_msg_get(&back, "ToUserName"), to) == 0);
			CHECK(strcmp(push_msg_get(&back, "FromUserName"), from) == 0);
			CHECK(strcmp(push_msg_get(&back, "Content"), content) == 0);
			CHECK(strcmp(push_msg_get(&back, "MsgType"), "text") == 0);
		}
	}

	/* Tight caller buffers: never written past, failures leave nothing behind. */
	push_msg_init(&m, fields, 3, small, sizeof small);
	rc = push_xml_parse(&m, (const char *)data, size);
	if (rc == PUSH_OK)
		check_msg(&m);
	else
		CHECK(m.nfields == 0);
	return 0;
}
