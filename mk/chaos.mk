# The chaos suite (chaos/run.sh): workers, brokers and a cluster killed, a broker paused, bad
# input and corrupted data in Kafka; every scenario checks that nothing acknowledged is lost.
# Included by the top-level Makefile (-include mk/chaos.mk). See docs/reliability.md.
# The scenarios run their own brokers (127.0.0.1:19592, the 3-node cluster on 19192..19392);
# the shared broker on 19092 is left alone.

CHAOS_RUN := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../chaos/run.sh)

.PHONY: chaos chaos-ci

chaos: build ## fault injection, full form (about 25 min): every scenario of chaos/run.sh
	@$(CHAOS_RUN)

chaos-ci: build ## fault injection, reduced form for CI (about 9 min; of the cluster scenarios only rolling)
	@$(CHAOS_RUN) --ci
