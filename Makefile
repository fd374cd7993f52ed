# The health QR code service: build, run, test, lint, bench, install.
# `make run` and `make test` are the two commands a newcomer needs (README.md).

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
PKGS    := fcgi libmariadb libcjson libqrencode libpng zlib libcurl openssl inih

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wcast-qual -Wwrite-strings -Wformat=2 -Wvla -fno-common
ifeq ($(CI),true)
WARN += -Werror
endif
ifdef WERROR
WARN += -Werror
endif

SAN_FLAGS ?=
OPT ?= -O2 -g
# The libraries' flags are asked of pkg-config when a recipe first needs them (once, then
# kept), not when make reads this file: on a fresh machine the -dev packages arrive only when
# the `deps` prerequisite has run (scripts/deps.sh), after this file was read.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)
CMOCKA_LIBS = $(eval CMOCKA_LIBS := $(shell pkg-config --libs cmocka))$(CMOCKA_LIBS)
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -fstack-protector-strong \
        -D_FORTIFY_SOURCE=2 -fPIE -pthread $(SAN_FLAGS) $(PKG_CFLAGS) $(INCS) $(CFLAGS)
LDFLAGS_ALL = -pie -Wl,-z,relro,-z,now -pthread $(SAN_FLAGS) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm

# Folders by layer (README, "Layout"); includes are bare, with one -I per folder.
LAYERS   := core model http store ext api ctl
INCS     := $(addprefix -Ifcgi/,$(LAYERS) sim)
MAINS    := fcgi/main.c fcgi/ctl/hqrctl.c
LIB_SRC  := $(foreach l,core model http store ext api,$(wildcard fcgi/$(l)/*.c))
CTL_SRC  := $(filter-out $(MAINS),$(wildcard fcgi/ctl/*.c))
SIM_SRC  := $(wildcard fcgi/sim/*.c)
HDRS     := $(wildcard fcgi/*/*.h)
LIB_OBJ  := $(LIB_SRC:fcgi/%.c=$(BUILD)/obj/%.o)
CTL_OBJ  := $(CTL_SRC:fcgi/%.c=$(BUILD)/obj/%.o)
SIM_OBJ  := $(SIM_SRC:fcgi/%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

BINS := $(BUILD)/hqr-fcgi $(BUILD)/hqrctl
ifneq ($(SIM_SRC),)
BINS += $(BUILD)/hqr-platform-sim
endif

# The contract (openapi.json): built into the service (GET /api/v1/openapi.json) from a C file
# that scripts/embed.sh makes, and into the reference page that `make run` serves at /docs/.
GEN_OBJ  := $(BUILD)/obj/gen/openapi_doc.o
DOCS     := $(BUILD)/docs/index.html
REDOCLY  := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true tests/contract/node_modules/.bin/redocly

.PHONY: all deps run test unit integration fuzz fuzz-run fuzz-long asan lint bench bench-peak install clean check-sql faults soak format format-check
all: $(BINS) $(DOCS)

# The scanner page's QR decoder (for browsers without BarcodeDetector), from npm as
# nginx/client/package-lock.json pins it, served from this origin (the pages' CSP is 'self').
VENDOR := nginx/html/vendor/jsQR.js
all: $(VENDOR)
$(VENDOR): nginx/client/package-lock.json | deps
	@mkdir -p $(dir $@)
	cp nginx/client/node_modules/jsqr/LICENSE $(dir $@)jsQR.LICENSE.txt
	cp nginx/client/node_modules/jsqr/dist/jsQR.js $@

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: fcgi/%.c $(HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/gen/openapi_doc.c: openapi.json scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh openapi_doc openapi.json > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(DOCS): openapi.json tests/contract/build-docs.mjs tests/contract/docs.hbs tests/contract/docs.css \
	 tests/contract/redocly.yaml | deps
	node tests/contract/build-docs.mjs openapi.json $(dir $@)

$(BUILD)/libhqr.a: $(LIB_OBJ) $(GEN_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/hqr-fcgi: $(BUILD)/obj/main.o $(BUILD)/libhqr.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(BUILD)/hqrctl: $(BUILD)/obj/ctl/hqrctl.o $(CTL_OBJ) $(BUILD)/libhqr.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(BUILD)/hqr-platform-sim: $(SIM_OBJ) $(BUILD)/libhqr.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libhqr.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libhqr.a $(LIBS) $(CMOCKA_LIBS)

# Unit tests run from the repository root; vectors come from ../shared/vectors/.
unit: $(UNIT_BIN)
	@scripts/run-unit.sh $(UNIT_BIN)

integration: all
	HQR_BUILD=$(BUILD) /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration

# libFuzzer targets, built with clang against the library compiled once for fuzzing.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=address,undefined $(PKG_CFLAGS) $(INCS)
FUZZ_OBJ := $(LIB_SRC:fcgi/%.c=$(BUILD)/fuzz/obj/%.o) $(BUILD)/fuzz/obj/gen/openapi_doc.o
$(BUILD)/fuzz/obj/gen/%.o: $(BUILD)/gen/%.c | deps
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(BUILD)/fuzz/obj/%.o: fcgi/%.c $(HDRS) | deps
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(BUILD)/fuzz/libfuzzhqr.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/fuzz/libfuzzhqr.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/fuzz/libfuzzhqr.a $(LIBS)
fuzz: $(FUZZ_BIN)
fuzz-run: fuzz
	@scripts/run-fuzz.sh $(BUILD) $(FUZZ_BIN)
# Each target toward 10 M executions, in parts, the corpus and the count kept under var/fuzz/.
fuzz-long: fuzz
	@scripts/fuzz-long.sh $(BUILD) $(FUZZ_BIN)

# Every suite, then the unit and integration suites again under ASan+UBSan.
test: deps
	@$(MAKE) --no-print-directory format-check check-sql
	@scripts/check-layers.sh && tests/lint/check-layers-test.sh
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz-run
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory asan

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" all unit integration

run: deps all
	@scripts/run.sh $(BUILD)

# Beyond one machine (README "Beyond one machine"): the same service on three Galera nodes and two
# application hosts behind nginx, on loopback.
.PHONY: run-cluster test-cluster bench-cluster
run-cluster: deps all
	@scripts/run-cluster.sh $(BUILD)

# The integration suite against the cluster, then the failover test under scan load, then `make
# run-cluster` as a newcomer uses it: each runs whatever the others' results, and the target fails
# if any failed.
test-cluster: deps all
	@suite=0; HQR_BUILD=$(BUILD) HQR_CLUSTER=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration \
	  || suite=$$?; \
	failover=0; HQR_BUILD=$(BUILD) /usr/bin/python3 tests/cluster/failover.py || failover=$$?; \
	runcl=0; HQR_BUILD=$(BUILD) /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/cluster/test_run_cluster.py \
	  || runcl=$$?; \
	echo "test-cluster: integration suite exit $$suite, failover exit $$failover, run-cluster exit $$runcl"; \
	[ $$suite = 0 ] && [ $$failover = 0 ] && [ $$runcl = 0 ]

bench-cluster: deps all
	@HQR_BUILD=$(BUILD) /usr/bin/python3 tests/cluster/bench_cluster.py

bench: deps all
	@scripts/bench.sh $(BUILD)

# The bad day (README "The bad day"): each fault under a write load with a ledger of what was
# acknowledged; a soak at half the knee, watching the workers' memory and descriptors.
faults: deps all
	@HQR_BUILD=$(BUILD) /usr/bin/python3 tests/faults/faults.py

soak: deps all
	@HQR_BUILD=$(BUILD) /usr/bin/python3 tests/faults/soak.py

# The morning peak past capacity (DESIGN §13): mixed load up to ten times the knee, 4096 scan
# connections, recovery, scans with the platform stalled; writes docs/bench-peak.{dat,png}.
bench-peak: deps all
	@BENCH_ONLY=peak scripts/bench.sh $(BUILD)

lint: deps check-sql format-check
	@scripts/check-layers.sh && tests/lint/check-layers-test.sh
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	  --suppress=missingIncludeSystem $(INCS) fcgi
	clang-tidy --quiet $(LIB_SRC) $(MAINS) $(CTL_SRC) -- $(CFLAGS_ALL)
	$(REDOCLY) lint --config tests/contract/redocly.yaml openapi.json

# The C sources' one layout (.clang-format): `make format` rewrites them, `format-check` fails on a
# difference and names the files.
FORMAT_SRC = $(wildcard fcgi/*.c fcgi/*/*.c fcgi/*/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tests/fuzz/*.h)
format: deps
	clang-format -i $(FORMAT_SRC)

format-check: deps
	@clang-format --dry-run -Werror $(FORMAT_SRC) 2>&1 | grep -o '^[^:]*\.[ch]' | sort -u | sed 's/^/not formatted: /' \
	  | { ! grep . ; } || { echo "format-check: run make format"; exit 1; }

check-sql:
	@! grep -rnE 'mysql_(real_)?query|mysql_real_escape_string' fcgi \
	  || { echo "lint: only prepared statements are allowed under fcgi/"; exit 1; }
	@! grep -rnE '\bdb_(exec|query|each|exec_text|fetch)\b|\bDB[PCT]_[A-Z0-9_]+' --include='*.[ch]' fcgi \
	  | grep -v '^fcgi/store/' \
	  || { echo "lint: statements are bound and run only by the typed functions of fcgi/store/"; exit 1; }

# Where `make install` puts the service's files besides PREFIX (the systemd units, the
# sysusers.d entry, logrotate, the configuration); the timer runs in the service's zone.
SYSCONFDIR    ?= /etc
UNITDIR       ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR   ?= $(PREFIX)/lib/sysusers.d
HQR_TZ        ?= Asia/Shanghai
REMINDER_HOUR ?= 20
SHAREDIR      := $(PREFIX)/share/hqr
RENDER = sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@DATADIR@|$(SHAREDIR)|g' \
	-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@TIMEZONE@|$(HQR_TZ)|g' \
	-e 's|@REMINDER_HOUR@|$(REMINDER_HOUR)|g'
# The example configuration with the service's paths (written only when none is installed).
CONF_SERVICE = sed -e 's|^socket = var/run/hqr.sock|socket = /run/hqr/hqr.sock|' \
	-e 's|^data_dir = var/data|data_dir = /var/lib/hqr/data|' \
	-e 's|^keys_dir = var/keys|keys_dir = /var/lib/hqr/keys|' \
	-e 's|^migrations_dir = sql|migrations_dir = $(SHAREDIR)/sql|' \
	-e 's|^password = env:HQR_DB_PASSWORD|password = file:$(SYSCONFDIR)/hqr/secrets/db_password|' \
	-e 's|^secret = env:HQR_PLATFORM_SECRET|secret = file:$(SYSCONFDIR)/hqr/secrets/platform_secret|' \
	-e 's|^push_token = env:HQR_PUSH_TOKEN|push_token = file:$(SYSCONFDIR)/hqr/secrets/push_token|' \
	-e 's|^file =$$|file = /var/log/hqr/app.log|'

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SHAREDIR)/sql \
	  $(DESTDIR)$(SHAREDIR)/conf $(DESTDIR)$(SHAREDIR)/nginx/html $(DESTDIR)$(SHAREDIR)/docs
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 sql/*.sql $(DESTDIR)$(SHAREDIR)/sql/
	install -m 0644 conf/hqr.conf.example $(DESTDIR)$(SHAREDIR)/conf/
	install -m 0644 README.md openapi.json $(DESTDIR)$(SHAREDIR)/
	install -m 0644 $(dir $(DOCS))* $(DESTDIR)$(SHAREDIR)/docs/
	install -m 0644 nginx/*.conf* $(DESTDIR)$(SHAREDIR)/nginx/
	cp -R nginx/html/. $(DESTDIR)$(SHAREDIR)/nginx/html/
	$(RENDER) conf/nginx/hqr-site.conf.in > $(DESTDIR)$(SHAREDIR)/nginx/hqr-site.conf
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	for u in hqr-fcgi.service hqr-jobs.service hqr-jobs.timer; do \
	  $(RENDER) conf/systemd/$$u.in > $(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u; done
	install -m 0644 conf/systemd/hqr.sysusers $(DESTDIR)$(SYSUSERSDIR)/hqr.conf
	install -m 0644 conf/logrotate/hqr $(DESTDIR)$(SYSCONFDIR)/logrotate.d/hqr
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/hqr $(DESTDIR)$(SYSCONFDIR)/hqr/secrets
	[ -e $(DESTDIR)$(SYSCONFDIR)/hqr/hqr.conf ] || { $(CONF_SERVICE) conf/hqr.conf.example \
	  > $(DESTDIR)$(SYSCONFDIR)/hqr/hqr.conf && chmod 0640 $(DESTDIR)$(SYSCONFDIR)/hqr/hqr.conf; }

clean:
	rm -rf build
