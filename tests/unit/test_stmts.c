/* test_stmts.c: guards on the real statement table (db_stmts.c): every enum stmt has one text,
 * one statement each, none twice. That each prepares against the migrated schema is checked by
 * the integration suite (test_schema.py: hqrctl migrate --check). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <strings.h>

#include "db_stmts.h"

static const char *const verbs[] = { "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE",
				     "START",  "BEGIN",  "COMMIT", "DO",     "WITH",    NULL };

/* Every row is filled: a row left out is NULL and would crash the prepare. */
static void test_no_empty_row(void **state)
{
	(void)state;
	for (int i = 0; i < STMT__MAX; i++) {
		const char *s = db_stmt_sql[i];
		if (s == NULL || s[0] == '\0')
			fail_msg("statement %d has no text", i);
		int known = 0;
		for (size_t v = 0; verbs[v] != NULL; v++) {
			size_t n = strlen(verbs[v]);
			known |= strncasecmp(s, verbs[v], n) == 0 && (s[n] == ' ' || s[n] == '\0');
		}
		if (!known)
			fail_msg("statement %d does not start with a statement verb: %.40s", i, s);
	}
}

/* One statement per text: a ';' would be a second one (prepared statements take one). */
static void test_one_statement_each(void **state)
{
	(void)state;
	for (int i = 0; i < STMT__MAX; i++)
		if (strchr(db_stmt_sql[i], ';') != NULL)
			fail_msg("statement %d holds a ';': %.60s", i, db_stmt_sql[i]);
}

/* No two names for one text: two copies of a statement drift apart. */
static void test_no_duplicate_text(void **state)
{
	(void)state;
	for (int i = 0; i < STMT__MAX; i++)
		for (int j = i + 1; j < STMT__MAX; j++)
			if (strcmp(db_stmt_sql[i], db_stmt_sql[j]) == 0)
				fail_msg("statements %d and %d have the same text: %.60s", i, j, db_stmt_sql[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_empty_row),
		cmocka_unit_test(test_one_statement_each),
		cmocka_unit_test(test_no_duplicate_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
