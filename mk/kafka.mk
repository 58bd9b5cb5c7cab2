# Local Apache Kafka broker (KRaft, loopback) for development and tests.
# Included by the top-level Makefile; everything is done by scripts/kafka/kafka.sh,
# state lives in .kafka/ (git-ignored).

KAFKA_SH := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../scripts/kafka/kafka.sh)

.PHONY: kafka-fetch kafka-start kafka-stop kafka-status kafka-topics \
	kafka-cluster-start kafka-cluster-stop kafka-cluster-status

kafka-fetch: ## download the pinned Kafka jars into .kafka/libs
	@$(KAFKA_SH) fetch

kafka-start: ## start the single broker on 127.0.0.1:19092 (idempotent)
	@$(KAFKA_SH) start

kafka-stop: ## stop the single broker (idempotent)
	@$(KAFKA_SH) stop

kafka-status: ## running or stopped (never fails)
	@$(KAFKA_SH) status || true

kafka-topics: ## list topics on the single broker
	@$(KAFKA_SH) topics

kafka-cluster-start: ## 3-node KRaft cluster on 127.0.0.1:19192,19292,19392
	@$(KAFKA_SH) cluster-start 3

kafka-cluster-stop:
	@$(KAFKA_SH) cluster-stop

kafka-cluster-status:
	@$(KAFKA_SH) cluster-status || true
