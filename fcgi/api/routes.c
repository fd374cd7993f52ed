/* routes.c: the one table of endpoints: method, path, who, body, limit, fields, handler, roles, priority. */
#include "platform.h"
#include "push.h"
#include "routes.h"
#include "scanq.h"
#include "worker.h"

#define FIELDS(t)    t, sizeof t / sizeof t[0]
#define NOFIELDS     NULL, 0
/* An optional JSON object read for nothing: its members are ignored (router.h no_members). */
#define NOMEMBERS    no_members, 0
#define OFFICER      ROLE_BIT(ROLE_OFFICER)
#define INVESTIGATOR ROLE_BIT(ROLE_INVESTIGATOR)
#define OPERATOR     ROLE_BIT(ROLE_OPERATOR)
/* The priority column (router.h): rows without one are PRIO_NORMAL. */
#define HIGH         PRIO_HIGH
#define LOW          PRIO_LOW

const struct route routes[ROUTE__MAX] = {
	[ROUTE_HEALTHZ] = { "healthz", "GET", "/healthz", AUTH_ANY, BODY_NONE, 0, NOFIELDS, h_healthz, .prio = HIGH },
	[ROUTE_READYZ] = { "readyz", "GET", "/readyz", AUTH_ANY, BODY_NONE, 0, NOFIELDS, h_readyz, .prio = HIGH },
	[ROUTE_METRICS] = { "metrics", "GET", "/metrics", AUTH_LOOPBACK, BODY_NONE, 0, NOFIELDS, h_metrics },
	[ROUTE_LOGIN] = { "login", "GET", "/api/v1/login", AUTH_ANY, BODY_NONE, 0, FIELDS(login_fields), h_login },
	/* Read by its handler (test_routes.c handler_query): code and state, refused by a redirect. */
	[ROUTE_LOGIN_CALLBACK] = { "login_callback", "GET", "/api/v1/login/callback", AUTH_ANY, BODY_NONE, 0, NOFIELDS,
				   h_login_callback },
	[ROUTE_LOGIN_MINIPROGRAM] = { "login_miniprogram", "POST", "/api/v1/login/miniprogram", AUTH_ANY, BODY_JSON,
				      1024, FIELDS(mplogin_fields), h_login_miniprogram },
	[ROUTE_LOGOUT] = { "logout", "POST", "/api/v1/logout", AUTH_CITIZEN, BODY_NONE, 0, NOFIELDS, h_logout },
	[ROUTE_ME] = { "me", "GET", "/api/v1/me", AUTH_CITIZEN, BODY_NONE, 0, NOFIELDS, h_me },
	[ROUTE_APPLICATIONS] = { "applications", "POST", "/api/v1/applications", AUTH_CITIZEN, BODY_MULTIPART,
				 3 * 1024 * 1024, FIELDS(app_fields), h_application, .check = app_check },
	[ROUTE_PERSON] = { "person", "GET", "/api/v1/persons/{id}", AUTH_CITIZEN, BODY_NONE, 0, NOFIELDS,
			   h_person_get },
	[ROUTE_PERSON_PHOTO] = { "person_photo", "GET", "/api/v1/persons/{id}/photo", AUTH_CITIZEN, BODY_NONE, 0,
				 NOFIELDS, h_person_photo },
	[ROUTE_PERSON_CODE] = { "person_code", "GET", "/api/v1/persons/{id}/code", AUTH_HOLDER, BODY_NONE, 0, NOFIELDS,
				h_person_code, .prio = HIGH },
	[ROUTE_PERSON_DECLARATIONS] = { "declarations", "POST", "/api/v1/persons/{id}/declarations", AUTH_CITIZEN,
					BODY_JSON, 16 * 1024, FIELDS(decl_fields), h_declaration,
					.check = decl_form_check },
	[ROUTE_REPORT_CREATE] = { "report_create", "POST", "/api/v1/persons/{id}/reports", AUTH_CITIZEN, BODY_JSON,
				  4096, FIELDS(report_fields), h_report_create },
	[ROUTE_REPORTS] = { "reports", "GET", "/api/v1/persons/{id}/reports", AUTH_CITIZEN, BODY_NONE, 0, NOFIELDS,
			    h_reports_list, .prio = LOW },
	[ROUTE_CODE_PNG] = { "code_png", "GET", "/api/v1/persons/{id}/code.png", AUTH_HOLDER, BODY_NONE, 0,
			     FIELDS(codepng_fields), h_code_png, .prio = HIGH },
	[ROUTE_PAPER_PNG] = { "paper_png", "GET", "/api/v1/persons/{id}/paper-code.png", AUTH_CITIZEN, BODY_NONE, 0,
			      NOFIELDS, h_paper_png },
	[ROUTE_PAPER_REISSUE] = { "paper_reissue", "POST", "/api/v1/persons/{id}/paper-code/reissue", AUTH_CITIZEN,
				  BODY_NONE, 0, NOFIELDS, h_paper_reissue },
	[ROUTE_KEYS] = { "keys", "GET", "/api/v1/keys", AUTH_ANY, BODY_NONE, 0, NOFIELDS, h_keys },
	[ROUTE_OPENAPI] = { "openapi", "GET", "/api/v1/openapi.json", AUTH_ANY, BODY_NONE, 0, NOFIELDS, h_openapi,
			    .prio = LOW },
	/* A device's unknown token is a 401 before its body's 422 (router.c); a batch's items are each
	 * judged by batch_items in the handler, in their own results. */
	[ROUTE_SCANS] = { "scans", "POST", "/api/v1/scans", AUTH_SCANNER, BODY_JSON, 4096, FIELDS(scan_fields), h_scan,
			  .prio = HIGH, .check = scan_check },
	[ROUTE_SCANS_BATCH] = { "scans_batch", "POST", "/api/v1/scans/batch", AUTH_INTEGRATOR, BODY_JSON, 1024 * 1024,
				FIELDS(batch_fields), h_scans_batch },
	[ROUTE_ADMIN_CHECKPOINT_CREATE] = { "admin_checkpoint_create", "POST", "/api/v1/admin/checkpoints", AUTH_ADMIN,
					    BODY_JSON, 4096, FIELDS(checkpoint_fields), h_admin_checkpoint_create,
					    OPERATOR, .check = checkpoint_check },
	[ROUTE_ADMIN_CHECKPOINTS] = { "admin_checkpoints", "GET", "/api/v1/admin/checkpoints", AUTH_ADMIN, BODY_NONE, 0,
				      FIELDS(cplist_fields), h_admin_checkpoints, OPERATOR, .prio = LOW },
	[ROUTE_ADMIN_DEVICE_CREATE] = { "admin_device_create", "POST", "/api/v1/admin/checkpoints/{id}/devices",
					AUTH_ADMIN, BODY_OPTIONAL_JSON, 1024, NOMEMBERS, h_admin_device_create,
					OPERATOR },
	[ROUTE_ADMIN_DEVICE_REVOKE] = { "admin_device_revoke", "POST", "/api/v1/admin/devices/{id}/revoke", AUTH_ADMIN,
					BODY_OPTIONAL_JSON, 1024, NOMEMBERS, h_admin_device_revoke, OPERATOR },
	[ROUTE_ADMIN_RESIDENT_ADD] = { "admin_resident_add", "POST", "/api/v1/admin/checkpoints/{id}/residents",
				       AUTH_ADMIN, BODY_JSON, 4096, FIELDS(resident_fields), h_admin_resident_add,
				       OPERATOR, .check = resident_check },
	[ROUTE_ADMIN_PERSON_FIND] = { "admin_person_find", "GET", "/api/v1/admin/persons", AUTH_ADMIN, BODY_NONE, 0,
				      FIELDS(find_fields), h_admin_person_find, OFFICER | INVESTIGATOR, .prio = LOW },
	[ROUTE_ADMIN_HISTORY] = { "admin_history", "GET", "/api/v1/admin/persons/{id}/history", AUTH_ADMIN, BODY_NONE,
				  0, NOFIELDS, h_admin_history, OFFICER | INVESTIGATOR, .prio = LOW },
	[ROUTE_ADMIN_ORDER] = { "admin_order", "POST", "/api/v1/admin/persons/{id}/orders", AUTH_ADMIN, BODY_JSON, 4096,
				FIELDS(order_fields), h_admin_order, OFFICER, .check = order_check },
	[ROUTE_ADMIN_TRACE] = { "admin_trace", "GET", "/api/v1/admin/trace", AUTH_ADMIN, BODY_NONE, 0,
				FIELDS(trace_fields), h_admin_trace, INVESTIGATOR, .prio = LOW, .check = trace_check },
	[ROUTE_ADMIN_AUDIT] = { "admin_audit", "GET", "/api/v1/admin/audit", AUTH_ADMIN, BODY_NONE, 0,
				FIELDS(audit_fields), h_admin_audit, OPERATOR, .prio = LOW },
	[ROUTE_ADMIN_RISK_AREAS] = { "admin_risk_areas", "GET", "/api/v1/admin/risk-areas", AUTH_ADMIN, BODY_NONE, 0,
				     NOFIELDS, h_admin_risk_areas, OFFICER | INVESTIGATOR | OPERATOR, .prio = LOW },
	[ROUTE_ADMIN_RISK_AREAS_SET] = { "admin_risk_areas_set", "PUT", "/api/v1/admin/risk-areas", AUTH_ADMIN,
					 BODY_JSON, 64 * 1024, FIELDS(risk_areas_fields), h_admin_risk_areas_set,
					 OFFICER },
	/* Read by their handlers (test_routes.c handler_query): signature, timestamp, nonce (and
	 * echostr), refused as SIGNATURE_INVALID or SIGNATURE_EXPIRED. */
	[ROUTE_PLATFORM_VERIFY] = { "platform_verify", "GET", "/platform/callback", AUTH_ANY, BODY_NONE, 0, NOFIELDS,
				    h_platform_verify },
	[ROUTE_PLATFORM_PUSH] = { "platform_push", "POST", "/platform/callback", AUTH_ANY, BODY_RAW, PUSH_XML_BODY_MAX,
				  NOFIELDS, h_platform_push },
	/* Place codes (h_places.c): the place's page (served by nginx with this route's status), its
	 * API, residents' check-ins, the door screen, and the operators' place codes. */
	[ROUTE_PLACE_PAGE] = { "place_page", "GET", "/p/{token}", AUTH_ANY, BODY_NONE, 0, NOFIELDS, h_place_page },
	[ROUTE_PLACE_GET] = { "place", "GET", "/api/v1/places/{token}", AUTH_ANY, BODY_NONE, 0, NOFIELDS, h_place_get },
	[ROUTE_PLACE_CHECKINS] = { "place_checkins", "POST", "/api/v1/places/{token}/checkins", AUTH_HOLDER, BODY_JSON,
				   CHECKIN_BODY_MAX, FIELDS(checkin_fields), h_place_checkins, .prio = HIGH,
				   .check = place_checkin_check },
	[ROUTE_PLACE_DISPLAY] = { "place_display", "GET", "/api/v1/place-display", AUTH_ANY, BODY_NONE, 0, NOFIELDS,
				  h_place_display },
	[ROUTE_ADMIN_PLACE_CODE_CREATE] = { "admin_place_code_create", "POST",
					    "/api/v1/admin/checkpoints/{id}/place-codes", AUTH_ADMIN,
					    BODY_OPTIONAL_JSON, 2048, FIELDS(place_code_fields),
					    h_admin_place_code_create, OPERATOR, .check = place_code_check },
	[ROUTE_ADMIN_PLACE_CODES] = { "admin_place_codes", "GET", "/api/v1/admin/place-codes", AUTH_ADMIN, BODY_NONE, 0,
				      FIELDS(place_codes_fields), h_admin_place_codes, OPERATOR, .prio = LOW },
	[ROUTE_ADMIN_PLACE_CODE] = { "admin_place_code", "GET", "/api/v1/admin/place-codes/{id}", AUTH_ADMIN, BODY_NONE,
				     0, NOFIELDS, h_admin_place_code, OPERATOR, .prio = LOW },
	[ROUTE_ADMIN_PLACE_CODE_REVOKE] = { "admin_place_code_revoke", "POST", "/api/v1/admin/place-codes/{id}/revoke",
					    AUTH_ADMIN, BODY_OPTIONAL_JSON, 1024, NOMEMBERS, h_admin_place_code_revoke,
					    OPERATOR },
	[ROUTE_ADMIN_PLACE_DISPLAY_CREATE] = { "admin_place_display_create", "POST",
					       "/api/v1/admin/place-codes/{id}/displays", AUTH_ADMIN,
					       BODY_OPTIONAL_JSON, 1024, NOMEMBERS, h_admin_place_display_create,
					       OPERATOR },
	/* whose code is it (DESIGN §10): verifications, delegations, holders */
	[ROUTE_VERIFICATIONS] = { "verifications", "POST", "/api/v1/verifications", AUTH_CITIZEN, BODY_JSON, 4096,
				  FIELDS(verify_fields), h_verification_create, .check = verify_check },
	/* Read by its handler (test_routes.c handler_query): verify_id, refused by a redirect. */
	[ROUTE_VERIFICATION_CALLBACK] = { "verification_callback", "GET", "/api/v1/verifications/callback", AUTH_ANY,
					  BODY_NONE, 0, NOFIELDS, h_verification_callback },
	[ROUTE_VERIFICATION] = { "verification", "GET", "/api/v1/verifications/{id}", AUTH_CITIZEN, BODY_NONE, 0,
				 NOFIELDS, h_verification_get },
	[ROUTE_DELEGATION_APPROVE] = { "delegation_approve", "POST", "/api/v1/delegations/{id}/approve", AUTH_CITIZEN,
				       BODY_OPTIONAL_JSON, 1024, NOMEMBERS, h_delegation_approve },
	[ROUTE_DELEGATION_REFUSE] = { "delegation_refuse", "POST", "/api/v1/delegations/{id}/refuse", AUTH_CITIZEN,
				      BODY_OPTIONAL_JSON, 1024, NOMEMBERS, h_delegation_refuse },
	[ROUTE_HOLDER_REMOVE] = { "holder_remove", "DELETE", "/api/v1/persons/{id}/holders/{holder_id}", AUTH_CITIZEN,
				  BODY_NONE, 0, NOFIELDS, h_holder_remove },
};

/* The service's app: this route table, a database connection per thread, shared metrics, the
 * platform client's per-thread handle, the group committer of scans, and shedding past capacity. */
const struct app app_service = { "worker",    routes,     ROUTE__MAX, 1, 1, NULL, platform_thread_end,
				 scanq_start, scanq_stop, 1 };
