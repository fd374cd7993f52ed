/* push_xml.h: the platform's flat XML messages in (DESIGN §7, PLATFORM.md "The server URL"): a
 * bounded, entity-free parser into a caller-owned field array; pure. Errors are push.h's. */
#ifndef HQR_PUSH_XML_H
#define HQR_PUSH_XML_H

#include <stddef.h>

#define PUSH_XML_BODY_MAX   65536 /* bytes of body */
#define PUSH_XML_FIELDS_MAX 32    /* fields in one message */
#define PUSH_XML_NAME_MAX   32    /* bytes of one tag name */
#define PUSH_XML_VALUE_MAX  8192  /* bytes of one decoded value */
#define PUSH_XML_DEPTH_MAX  4     /* element levels below <xml>; deeper is rejected */
/* Longest field name: a path "A/B/C/D" of PUSH_XML_DEPTH_MAX tag names. */
#define PUSH_XML_PATH_MAX   (PUSH_XML_DEPTH_MAX * (PUSH_XML_NAME_MAX + 1) - 1)
/* A value buffer this large is enough for any body push_xml_parse accepts. */
#define PUSH_XML_BUF_SIZE   (PUSH_XML_BODY_MAX + PUSH_XML_FIELDS_MAX * (PUSH_XML_PATH_MAX + 2))

/* One field: both strings are NUL-terminated and live in push_msg.buf. */
struct push_field {
	const char *name;
	const char *value;
	size_t name_len;
	size_t value_len;
};

/*
 * A parsed message.  The caller owns `fields` (maxfields entries) and `buf`
 * (bufmax bytes) and must keep both alive as long as it reads the message;
 * push_xml_parse() fills them and frees nothing.  Set it up with
 * push_msg_init().
 */
struct push_msg {
	struct push_field *fields;
	size_t nfields;
	size_t maxfields;
	char *buf;
	size_t buflen;
	size_t bufmax;
};

void push_msg_init(struct push_msg *msg, struct push_field *fields, size_t maxfields, char *buf, size_t bufmax);

/*
 * Parses the platform's flat message
 *   [<?xml ...?>] <xml><Tag>text</Tag><Tag><![CDATA[text]]></Tag><Tag/>...</xml>
 * from `len` bytes at `body` (the caller's; not kept).  Whitespace between
 * elements is ignored; a value is the concatenation of its text (with only
 * &lt; &gt; &amp; &quot; &apos; decoded) and CDATA sections, kept as text
 * (MsgId stays exact).  Every leaf element becomes a field, in document
 * order: a child of <xml> under its tag name, and a leaf inside a container
 * child (the platform's ScanCodeInfo, SendPicsInfo, SubscribeMsgPopupEvent
 * events) under its path "Outer/Inner", up to PUSH_XML_DEPTH_MAX levels.
 * A top-level name may appear only once; nested paths may repeat (lists).
 * Rejected: DOCTYPE, ENTITY, comments, any processing instruction but a
 * leading <?xml ...?>, numeric or unknown entities, attributes, text mixed
 * with child elements, NUL bytes, and anything over the limits above.
 * On failure msg->nfields is 0.
 */
int push_xml_parse(struct push_msg *msg, const char *body, size_t len);

/* The value of the first field called `name`, or NULL; points into msg->buf. */
const char *push_msg_get(const struct push_msg *msg, const char *name);

#endif
