# crm-tasks — each target is one command a newcomer can type.
#   make run    install, migrate, seed the demo workspace once, serve on http://127.0.0.1:5000
#               with a notify worker beside it (emails as .eml files in instance/mail/)
#   make test   install and run the whole suite, in parallel (pytest-xdist)
#   make test-fast  the inner loop: everything but the slow load, fuzz and fault tests
#   make serve  gunicorn, as in production (gunicorn.conf.py: search indexes warm at start)
#   make bench  search and HTTP benchmarks (see README)
#   make lint   ruff (style, complexity) and mypy (types)
#   make lock   re-resolve requirements-dev.lock after changing dependencies in pyproject.toml
#   make babel-extract / babel-update / babel-compile   the translation catalogs (docs/i18n.md)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
NOTIFY_INTERVAL ?= 20
#: pytest-xdist workers for make test / test-fast (`auto`: one per CPU; 0 runs in-process).
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

.PHONY: run test test-fast serve bench install vendor lint lock clean \
	babel-extract babel-update babel-compile

# Exact versions and hashes come from requirements-dev.lock; the project itself is installed
# on top without resolving anything again.
$(BIN)/activate: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/activate

# --ignore-scripts: no package may download anything at install (vnu-jar's script would
# fetch a Java runtime; the machine's Java 17 runs the HTML checker).
# Every platform and Python >= 3.11 in one file, each pin with its hashes. Existing pins that
# still fit are kept; `make lock UPGRADE=1` moves every pin to the newest release in range.
lock: $(BIN)/activate
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes $(if $(UPGRADE),--upgrade) --output-file requirements-dev.lock

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
	touch $@

static/vendor/htmx.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

# Content-hashed copies of every static file, with .gz and .br twins, and the manifest
# templates read (app/static_assets.py). Rebuilt whenever a file under static/ changes.
STATIC_SOURCES := $(shell find static -regextype posix-basic -type f ! -name '*.gz' ! -name '*.br' \
	! -name cache_manifest.json ! -regex '.*-[0-9a-f]\{32\}\.[^/]*' 2>/dev/null)

static/cache_manifest.json: $(BIN)/activate static/vendor/htmx.min.js $(STATIC_SOURCES)
	$(FLASK) digest clean >/dev/null
	$(FLASK) digest compile >/dev/null

vendor: static/vendor/htmx.min.js static/cache_manifest.json

# Translations (docs/i18n.md): the catalogs (.po) are committed, their compiled .mo files are
# built here and ignored by git. Extraction reads babel.cfg; the template goes to build/.
CATALOGS := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
POT := build/messages.pot
BABEL_KEYWORDS := -k lazy_gettext -k lazy_ngettext:1,2 -k _l

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po $(BIN)/activate
	$(BIN)/pybabel compile --statistics --locale $* --input-file $< --output-file $@

babel-compile: $(COMPILED)

babel-extract: $(BIN)/activate
	mkdir -p build
	$(BIN)/pybabel --quiet extract -F babel.cfg $(BABEL_KEYWORDS) --add-location=file \
		--sort-output --no-wrap --project crm-tasks -o $(POT) app templates

# New messages arrive empty (no fuzzy guesses); messages no longer in the code are dropped.
babel-update: babel-extract
	$(BIN)/pybabel --quiet update -i $(POT) -d app/translations --no-fuzzy-matching \
		--ignore-obsolete --no-wrap
	$(MAKE) babel-compile

install: $(BIN)/activate vendor babel-compile

run: install
	$(FLASK) db upgrade
	@$(FLASK) demo-credentials >/dev/null 2>&1 || $(FLASK) seed-demo
	@$(FLASK) demo-credentials --url http://$(HOST):$(PORT)
	@# The notify worker runs beside the app and stops with it; it says where mail goes
	@# (instance/mail/ as .eml files unless MAIL_SERVER is set).
	@APP_BASE_URL=$${APP_BASE_URL:-http://$(HOST):$(PORT)} \
	  $(FLASK) notify --loop --interval $(NOTIFY_INTERVAL) & notify_pid=$$!; \
	  trap 'kill $$notify_pid 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

serve: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers 2 'app:create_app()'

test: install
	$(PYTEST) $(PYTEST_ARGS)

test-fast: install
	$(PYTEST) -m "not slow" $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench

LINTED := app tests bench migrations

lint: install
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache
