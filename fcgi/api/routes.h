/* routes.h: the one table of endpoints. */
#ifndef HQR_ROUTES_H
#define HQR_ROUTES_H
#include "fields.h"
#include "router.h"
#include "scanin.h"

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
	ROUTE_REPORT_CREATE,
	ROUTE_REPORTS,
	ROUTE_CODE_PNG,
	ROUTE_PAPER_PNG,
	ROUTE_PAPER_REISSUE,
	ROUTE_KEYS,
	ROUTE_OPENAPI,
	ROUTE_SCANS,
	ROUTE_SCANS_BATCH,
	ROUTE_ADMIN_CHECKPOINT_CREATE,
	ROUTE_ADMIN_CHECKPOINTS,
	ROUTE_ADMIN_DEVICE_CREATE,
	ROUTE_ADMIN_DEVICE_REVOKE,
	ROUTE_ADMIN_RESIDENT_ADD,
	ROUTE_ADMIN_PERSON_FIND,
	ROUTE_ADMIN_HISTORY,
	ROUTE_ADMIN_ORDER,
	ROUTE_ADMIN_TRACE,
	ROUTE_ADMIN_AUDIT,
	ROUTE_ADMIN_RISK_AREAS,
	ROUTE_ADMIN_RISK_AREAS_SET,
	ROUTE_PLATFORM_VERIFY,
	ROUTE_PLATFORM_PUSH,
	ROUTE_PLACE_PAGE,
	ROUTE_PLACE_GET,
	ROUTE_PLACE_CHECKINS,
	ROUTE_PLACE_DISPLAY,
	ROUTE_ADMIN_PLACE_CODE_CREATE,
	ROUTE_ADMIN_PLACE_CODES,
	ROUTE_ADMIN_PLACE_CODE,
	ROUTE_ADMIN_PLACE_CODE_REVOKE,
	ROUTE_ADMIN_PLACE_DISPLAY_CREATE,
	ROUTE_VERIFICATIONS,
	ROUTE_VERIFICATION_CALLBACK,
	ROUTE_VERIFICATION,
	ROUTE_DELEGATION_APPROVE,
	ROUTE_DELEGATION_REFUSE,
	ROUTE_HOLDER_REMOVE,
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
enum err h_report_create(struct call *c);
enum err h_reports_list(struct call *c);
enum err h_code_png(struct call *c);
enum err h_paper_png(struct call *c);
enum err h_paper_reissue(struct call *c);
enum err h_keys(struct call *c);
enum err h_openapi(struct call *c);
enum err h_scan(struct call *c);
enum err h_scans_batch(struct call *c);
enum err h_admin_checkpoint_create(struct call *c);
enum err h_admin_checkpoints(struct call *c);
enum err h_admin_device_create(struct call *c);
enum err h_admin_device_revoke(struct call *c);
enum err h_admin_resident_add(struct call *c);
enum err h_admin_person_find(struct call *c);
enum err h_admin_history(struct call *c);
enum err h_admin_order(struct call *c);
enum err h_admin_trace(struct call *c);
enum err h_admin_audit(struct call *c);
enum err h_admin_risk_areas(struct call *c);
enum err h_admin_risk_areas_set(struct call *c);
enum err h_platform_verify(struct call *c);
enum err h_platform_push(struct call *c);
enum err h_place_page(struct call *c);
enum err h_place_get(struct call *c);
enum err h_place_checkins(struct call *c);
/* The check-in's and the new place code's form checks (router.h form_check_fn). */
enum err place_checkin_check(struct call *c, struct fval *v);
enum err place_code_check(struct call *c, struct fval *v);
enum err h_place_display(struct call *c);
enum err h_admin_place_code_create(struct call *c);
enum err h_admin_place_codes(struct call *c);
enum err h_admin_place_code(struct call *c);
enum err h_admin_place_code_revoke(struct call *c);
enum err h_admin_place_display_create(struct call *c);
enum err h_verification_create(struct call *c);
enum err h_verification_callback(struct call *c);
enum err h_verification_get(struct call *c);
enum err h_delegation_approve(struct call *c);
enum err h_delegation_refuse(struct call *c);
enum err h_holder_remove(struct call *c);

#endif
