/* test_person.c: the blind index of a document (model/person.c) stays what stored persons were
 * indexed with: vectors computed outside the project (openssl dgst -mac HMAC); the words of a
 * holder's relationship, read from an application and shown back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "person.h"

static const uint8_t key[32] = { 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
				 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31 };

static void expect_hex(const uint8_t got[32], const char *want)
{
	char hex[65];
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", got[i]);
	assert_string_equal(hex, want);
}

static void test_vectors(void **state)
{
	(void)state;
	uint8_t out[32];
	/* HMAC-SHA256(key, 0x00 "110101199003074477") */
	person_id_index(key, VID_DOC_RESIDENT_ID, "110101199003074477", out);
	expect_hex(out, "a34b41c209f5855a6b5d8ec344b9a80c684c1b7f83f33f2fb6bdd429c6e8a771");
	/* HMAC-SHA256(key, 0x01 "E12345678") */
	person_id_index(key, VID_DOC_PASSPORT, "E12345678", out);
	expect_hex(out, "a1629699987efac40cbbd6ec6b90852528338771e1e0dd52ff92570028b678e2");
}

static void test_type_and_key_separate(void **state)
{
	(void)state;
	uint8_t a[32], b[32], k2[32];
	person_id_index(key, VID_DOC_PASSPORT, "E12345678", a);
	person_id_index(key, VID_DOC_HK_MACAO_PERMIT, "E12345678", b);
	assert_memory_not_equal(a, b, 32);
	memcpy(k2, key, 32);
	k2[31] ^= 1;
	person_id_index(k2, VID_DOC_PASSPORT, "E12345678", b);
	assert_memory_not_equal(a, b, 32);
}

/* A number longer than any document is cut at VID_DOC_MAX bytes, never read past. */
static void test_bounded(void **state)
{
	(void)state;
	char longer[64];
	uint8_t a[32], b[32];
	memset(longer, '7', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	person_id_index(key, VID_DOC_PASSPORT, longer, a);
	longer[VID_DOC_MAX] = '\0';
	person_id_index(key, VID_DOC_PASSPORT, longer, b);
	assert_memory_equal(a, b, 32);
}

/* The words an application may send name relationships 1..7; each is shown back as sent. */
static void test_relationship_words(void **state)
{
	(void)state;
	static const char *const words[] = { "parent", "grandparent", "child", "grandchild",
					     "spouse", "sibling",     "other" };
	for (int i = 0; i < 7; i++) {
		assert_int_equal(person_relationship_of(words[i]), i + 1);
		assert_string_equal(person_relationship_word(2, i + 1), words[i]);
	}
	/* "self" is a role, not a relative's relationship; unknown words and case differences are refused. */
	assert_int_equal(person_relationship_of("self"), -1);
	assert_int_equal(person_relationship_of("Parent"), -1);
	assert_int_equal(person_relationship_of(""), -1);
	/* A self holder is "self" whatever its stored relationship; an unknown stored one is "other". */
	assert_string_equal(person_relationship_word(1, 3), "self");
	assert_string_equal(person_relationship_word(2, 0), "other");
	assert_string_equal(person_relationship_word(2, 8), "other");
	assert_string_equal(person_relationship_word(2, -1), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_type_and_key_separate),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_relationship_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
