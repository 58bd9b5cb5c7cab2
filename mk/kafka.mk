# Local Apache Kafka brokers (KRaft, loopback) for development and tests.
# Included by the top-level Makefile; everything is done by scripts/kafka/kafka.sh and
# scripts/kafka/secure.sh (the secured broker), state lives in .kafka/ (git-ignored).

KAFKA_SH := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../scripts/kafka/kafka.sh)
SECURE_SH := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../scripts/kafka/secure.sh)

.PHONY: kafka-fetch kafka-start kafka-stop kafka-status kafka-topics \
	kafka-cluster-start kafka-cluster-stop kafka-cluster-status \
	kafka-secure-start kafka-secure-stop kafka-secure-status kafka-test-brokers

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

kafka-secure-start: ## the secured broker on 127.0.0.1:19095: SASL_SSL, SCRAM users, ACLs (new each start)
	@$(SECURE_SH) start

kafka-secure-stop: ## stop the secured broker (idempotent)
	@$(SECURE_SH) stop

kafka-secure-status: ## running or stopped (never fails)
	@$(SECURE_SH) status || true

# Both brokers of `make test`, started side by side (each script has its own lock). They share
# the jars: fetched once first, or two Maven runs would write the same folder at once.
kafka-test-brokers: kafka-fetch ## start the plain and the secured broker at once
	@$(KAFKA_SH) start & plain=$$!; $(SECURE_SH) start; secure=$$?; wait $$plain && exit $$secure
