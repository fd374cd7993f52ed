/* routes.c: the one table of endpoints: method, path, who, body, limit, fields, handler. */
#include "push.h"
#include "routes.h"

#define FIELDS(t) t, sizeof t / sizeof t[0]
#define NOFIELDS NULL, 0

const struct route routes[ROUTE__MAX] = {
	[ROUTE_HEALTHZ] = { "healthz", "GET", "/healthz", AUTH_ANY, BODY_NONE, 0, NOFIELDS, h_healthz },
	[ROUTE_READYZ] = { "readyz", "GET", "/readyz", AUTH_ANY, BODY_NONE, 0, NOFIELDS, h_readyz },
	[ROUTE_METRICS] = { "metrics", "GET", "/metrics", AUTH_LOOPBACK, BODY_NONE, 0, NOFIELDS, h_metrics },
	[ROUTE_LOGIN] = { "login", "GET", "/api/v1/login", AUTH_ANY, BODY_NONE, 0, FIELDS(login_fields), h_login },
	[ROUTE_LOGIN_CALLBACK] = { "login_callback", "GET", "/api/v1/login/callback", AUTH_ANY, BODY_NONE, 0,
				   NOFIELDS, h_login_callback },
	[ROUTE_LOGIN_MINIPROGRAM] = { "login_miniprogram", "POST", "/api/v1/login/miniprogram", AUTH_ANY, BODY_JSON,
				      1024, FIELDS(mplogin_fields), h_login_miniprogram },
	[ROUTE_LOGOUT] = { "logout", "POST", "/api/v1/logout", AUTH_CITIZEN, BODY_NONE, 0, NOFIELDS, h_logout },
	[ROUTE_ME] = { "me", "GET", "/api/v1/me", AUTH_CITIZEN, BODY_NONE, 0, NOFIELDS, h_me },
	[ROUTE_APPLICATIONS] = { "applications", "POST", "/api/v1/applications", AUTH_CITIZEN, BODY_MULTIPART,
				 3 * 1024 * 1024, NOFIELDS, h_application },
	[ROUTE_PERSON] = { "person", "GET", "/api/v1/persons/{id}", AUTH_CITIZEN, BODY_NONE, 0, NOFIELDS, h_person_get },
	[ROUTE_PERSON_PHOTO] = { "person_photo", "GET", "/api/v1/persons/{id}/photo", AUTH_CITIZEN, BODY_NONE, 0,
				 NOFIELDS, h_person_photo },
	[ROUTE_PERSON_CODE] = { "person_code", "GET", "/api/v1/persons/{id}/code", AUTH_CITIZEN, BODY_NONE, 0,
				NOFIELDS, h_person_code },
	[ROUTE_PERSON_DECLARATIONS] = { "declarations", "POST", "/api/v1/persons/{id}/declarations", AUTH_CITIZEN,
					BODY_JSON, 16 * 1024, NOFIELDS, h_declaration },
	[ROUTE_CODE_PNG] = { "code_png", "GET", "/api/v1/persons/{id}/code.png", AUTH_CITIZEN, BODY_NONE, 0,
			     FIELDS(codepng_fields), h_code_png },
	[ROUTE_PAPER_PNG] = { "paper_png", "GET", "/api/v1/persons/{id}/paper-code.png", AUTH_CITIZEN, BODY_NONE, 0,
			      NOFIELDS, h_paper_png },
	[ROUTE_PAPER_REISSUE] = { "paper_reissue", "POST", "/api/v1/persons/{id}/paper-code/reissue", AUTH_CITIZEN,
				  BODY_NONE, 0, NOFIELDS, h_paper_reissue },
	[ROUTE_KEYS] = { "keys", "GET", "/api/v1/keys", AUTH_ANY, BODY_NONE, 0, NOFIELDS, h_keys },
	[ROUTE_PLATFORM_VERIFY] = { "platform_verify", "GET", "/platform/callback", AUTH_ANY, BODY_NONE, 0, NOFIELDS,
				    h_platform_verify },
	[ROUTE_PLATFORM_PUSH] = { "platform_push", "POST", "/platform/callback", AUTH_ANY, BODY_RAW,
				  PUSH_XML_BODY_MAX, NOFIELDS, h_platform_push },
};
