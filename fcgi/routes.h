/* routes.h: the one table of endpoints. */
#ifndef HQR_ROUTES_H
#define HQR_ROUTES_H
#include "fields.h"
#include "router.h"

enum route_id {
	ROUTE_HEALTHZ,
	ROUTE_READYZ,
	ROUTE_METRICS,
	ROUTE_LOGIN,
	ROUTE_LOGIN_CALLBACK,
	ROUTE_LOGIN_MINIPROGRAM,
	ROUTE_LOGOUT,
	ROUTE_ME,
	ROUTE_APPLICATIONS,
	ROUTE_PERSON,
	ROUTE_PERSON_PHOTO,
	ROUTE_PERSON_CODE,
	ROUTE_PERSON_DECLARATIONS,
	ROUTE_CODE_PNG,
	ROUTE_PAPER_PNG,
	ROUTE_PAPER_REISSUE,
	ROUTE_KEYS,
	ROUTE_PLATFORM_VERIFY,
	ROUTE_PLATFORM_PUSH,
	ROUTE__MAX
};

extern const struct route routes[ROUTE__MAX];

/* Handlers, one file per resource. */
enum err h_healthz(struct call *c);
enum err h_readyz(struct call *c);
enum err h_metrics(struct call *c);
enum err h_login(struct call *c);
enum err h_login_callback(struct call *c);
enum err h_login_miniprogram(struct call *c);
enum err h_logout(struct call *c);
enum err h_me(struct call *c);
enum err h_application(struct call *c);
enum err h_person_get(struct call *c);
enum err h_person_photo(struct call *c);
enum err h_person_code(struct call *c);
enum err h_declaration(struct call *c);
enum err h_code_png(struct call *c);
enum err h_paper_png(struct call *c);
enum err h_paper_reissue(struct call *c);
enum err h_keys(struct call *c);
enum err h_platform_verify(struct call *c);
enum err h_platform_push(struct call *c);

#endif
