# Benchmarks: kafka_queue side by side with Kafka's own tools, on the local broker.
# Included by the top-level Makefile, which provides `build` and `kafka-start`.
# Everything lives in bench/; docs/benchmarks.md explains the figures.
#
#   make bench           the full run (about 5 minutes on 2 cores): a table on the terminal,
#                        docs/bench.json and docs/bench.png
#   make bench-quick     a tenth of the items, one repetition, output in bench/out/: checks
#                        the harness, its figures mean nothing
#   make bench-profile   perf and callgrind profiles of createItem and of the drain,
#                        summary in bench/out/profile/summary.md
#   make bench-chart     redraws docs/bench.png from docs/bench.json
#
# Environment: BENCH_REPS (default 3), BENCH_ONLY (produce,drain,latency,cold,idle,fpm,memory),
# BENCH_REF_JVM (full: Kafka's tools with the JVM options of Kafka's bin scripts, the
# default; lean: those of kafka.sh tool), BENCH_KEEP_TOPICS=1, PHP (the php binary).

BENCH_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../bench)
BENCH_ROOT := $(abspath $(BENCH_DIR)/..)
BENCH_PYTHON ?= python3
BENCH_VENV := $(BENCH_DIR)/.venv
BENCH_CHART_PY := $(BENCH_VENV)/bin/python

.PHONY: bench bench-quick bench-profile bench-chart bench-venv

bench: ## benchmarks vs Kafka's tools: table, docs/bench.json, docs/bench.png
	@$(MAKE) --no-print-directory build
	@scripts/install-deps.sh strace nginx-light php8.2-fpm wrk
	@$(MAKE) --no-print-directory kafka-start
	@$(MAKE) --no-print-directory bench-venv
	$(BENCH_PYTHON) $(BENCH_DIR)/bench.py --json $(BENCH_ROOT)/docs/bench.json
	@$(MAKE) --no-print-directory bench-chart

bench-quick: ## checks the benchmark harness in a minute (figures in bench/out/, meaningless)
	@$(MAKE) --no-print-directory build
	@scripts/install-deps.sh strace nginx-light php8.2-fpm wrk
	@$(MAKE) --no-print-directory kafka-start
	@$(MAKE) --no-print-directory bench-venv
	$(BENCH_PYTHON) $(BENCH_DIR)/bench.py --quick --json $(BENCH_DIR)/out/quick.json
	@if $(BENCH_CHART_PY) -c 'import matplotlib' 2>/dev/null; then \
		$(BENCH_CHART_PY) $(BENCH_DIR)/chart.py $(BENCH_DIR)/out/quick.json $(BENCH_DIR)/out/quick.png; \
	fi

bench-profile: ## perf + callgrind profiles of the hot paths (bench/out/profile/)
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory kafka-start
	$(BENCH_PYTHON) $(BENCH_DIR)/profile.py

bench-chart: ## redraws docs/bench.png from docs/bench.json
	@if $(BENCH_CHART_PY) -c 'import matplotlib' 2>/dev/null; then \
		$(BENCH_CHART_PY) $(BENCH_DIR)/chart.py $(BENCH_ROOT)/docs/bench.json $(BENCH_ROOT)/docs/bench.png; \
	else \
		echo "bench: matplotlib is not available in $(BENCH_VENV): no chart drawn"; \
	fi

# matplotlib for the chart, in a git-ignored venv; a failure costs the chart, not the run.
bench-venv:
	@if ! $(BENCH_CHART_PY) -c 'import matplotlib' 2>/dev/null; then \
		echo "bench: installing matplotlib into $(BENCH_VENV)"; \
		{ $(BENCH_PYTHON) -m venv $(BENCH_VENV) && \
		  $(BENCH_VENV)/bin/pip install --quiet matplotlib; } || \
		echo "bench: could not install matplotlib: the run goes on without a chart"; \
	fi
