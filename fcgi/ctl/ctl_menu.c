/* ctl_menu.c: `hqrctl menu create`: pushes the public account's menu (a Health Code view button). */
#include "conf.h"
#include "ctl.h"
#include "platform.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

int ctl_menu(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 1 || strcmp(argv[0], "create") != 0) {
		fprintf(stderr, "usage: hqrctl menu create\n");
		return 2;
	}
	const struct conf *c = ctl->conf;
	char url[1024];
	int n = snprintf(url, sizeof url, "%s/api/v1/login?next=/", c->public_url);
	if (n < 0 || (size_t)n >= sizeof url) {
		fprintf(stderr, "hqrctl: [app] public_url is too long for a menu URL\n");
		return 1;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON *buttons = cJSON_AddArrayToObject(root, "button");
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "type", "view");
	cJSON_AddStringToObject(b, "name", c->menu_name);
	cJSON_AddStringToObject(b, "url", url);
	cJSON_AddItemToArray(buttons, b);
	char *body = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (body == NULL)
		return 1;
	platform_global_init();
	struct pf_resp r;
	enum pf_rc rc = platform_api_post(c, ctl->db, "/cgi-bin/menu/create", body, 1, &r);
	cJSON_free(body);
	int code = 0;
	if (rc == PF_OK) {
		printf("menu created: %s -> %s\n", c->menu_name, url);
	} else if (rc == PF_ERRCODE) {
		fprintf(stderr, "hqrctl: the platform refused the menu: errcode %ld\n", r.errcode);
		code = 1;
	} else {
		fprintf(stderr, "hqrctl: the platform could not be reached (%s)\n", pf_rc_word(rc));
		code = 1;
	}
	pf_resp_free(&r);
	platform_thread_end();
	return code;
}
