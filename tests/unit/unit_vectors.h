/* unit_vectors.h: the shared test vectors (../shared/vectors, or $HQR_VECTORS) as parsed JSON, for
 * the unit tests that load them. Include after cmocka.h and cJSON.h. */
#ifndef HQR_UNIT_VECTORS_H
#define HQR_UNIT_VECTORS_H
#include <stdio.h>
#include <stdlib.h>

/* Reads $HQR_VECTORS/name (default ../shared/vectors, relative to the repository root) and parses
 * it; NULL, with the reason on stderr, if it cannot (for a group setup, which returns -1). The
 * caller frees the tree with cJSON_Delete. */
static inline cJSON *vectors_read(const char *name)
{
	const char *dir = getenv("HQR_VECTORS");
	char path[4096];
	if (dir == NULL || *dir == '\0')
		dir = "../shared/vectors";
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return NULL;
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "cannot open %s (set HQR_VECTORS)\n", path);
		return NULL;
	}
	long len = -1;
	if (fseek(f, 0, SEEK_END) == 0)
		len = ftell(f);
	char *buf = len >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)len + 1) : NULL;
	size_t got = buf != NULL ? fread(buf, 1, (size_t)len, f) : 0;
	fclose(f);
	cJSON *json = buf != NULL && got == (size_t)len ? cJSON_ParseWithLength(buf, (size_t)len) : NULL;
	free(buf);
	if (json == NULL)
		fprintf(stderr, "%s cannot be read as JSON\n", path);
	return json;
}

/* As vectors_read, inside a test: fails the test if the file cannot be read. */
static inline cJSON *vectors_load(const char *name)
{
	cJSON *json = vectors_read(name);
	if (json == NULL)
		fail_msg("cannot load the vectors %s", name);
	return json;
}

/* The string member key of a vector; fails the test without it. */
static inline const char *json_str(const cJSON *obj, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
	if (s == NULL)
		fail_msg("vector without string \"%s\"", key);
	return s;
}

#endif
