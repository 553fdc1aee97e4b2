# Reclaim — the two commands (see README.md):
#   make demo   installs what it needs, builds, creates demo.gpkg and prints the national status
#   make test   installs what it needs, builds with -Werror and runs every test
# Other targets: build, bench, clean.
BUILD ?= build
JOBS ?= 2
DEMO_DB ?= demo.gpkg
CMAKE_FLAGS ?=

.PHONY: all setup configure build demo test bench clean

all: build

setup:
	@./scripts/setup.sh

$(BUILD)/build.ninja: | setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRECLAIM_WERROR=ON $(CMAKE_FLAGS)

configure: setup $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).key  # a new database: old sessions' key goes too
	$(BUILD)/src/cli/reclaim --db $(DEMO_DB) demo --seed 1
	$(BUILD)/src/cli/reclaim --db $(DEMO_DB) status
	@# The administrator account: RECLAIM_ADMIN_PASSWORD if set, else a random password shown once.
	@pw="$${RECLAIM_ADMIN_PASSWORD:-}"; generated=; \
	if [ -z "$$pw" ]; then \
	  pw=$$(openssl rand -base64 12 2>/dev/null || head -c 12 /dev/urandom | base64); generated=1; \
	fi; \
	printf '%s\n' "$$pw" | $(BUILD)/src/cli/reclaim --db $(DEMO_DB) user add admin \
	  --role administrator --name "Demo administrator" --password-stdin >/dev/null || exit 1; \
	echo; echo "Administrator: admin"; \
	if [ -n "$$generated" ]; then echo "Password (generated, shown once): $$pw"; \
	else echo "Password: the value of RECLAIM_ADMIN_PASSWORD"; fi; \
	echo "Sign in: curl -c cookies.txt -H 'Content-Type: application/json' \
	-d '{\"user\":\"admin\",\"password\":\"…\"}' http://127.0.0.1:8080/api/login"; \
	echo "API token for scripts: $(BUILD)/src/cli/reclaim --db $(DEMO_DB) user token admin"
	@echo
	@echo "Demo database: $(DEMO_DB) — open it in QGIS, or: ogrinfo $(DEMO_DB)"
	@echo "Serving on http://127.0.0.1:8080/ (API /api, OGC API /ogc, tiles /tiles; Ctrl-C stops)"
	$(BUILD)/src/cli/reclaim --db $(DEMO_DB) serve --listen 127.0.0.1:8080

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

bench: build
	./bench/run.sh
	./bench/kml_tiles_bench.sh

clean:
	rm -rf $(BUILD)
