# kafka_queue: build, install, run and test.
#
#   make demo      set everything up, start a local Kafka, enqueue and drain a real workload
#   make test      everything the CI runs: cargo tests, then PHPUnit against a real broker, on
#                  PHP 8.2, 8.4 and 8.5 (Debian roots in .phproot/)
#   make dist      release archives for PIE, one per PHP, each checked to load
#   make install   copy the extension into PHP's extension directory as kafka_queue.so
#
# Every target installs what it needs (idempotently) and starts the local broker itself.

SHELL := /bin/bash
EXT := $(CURDIR)/target/release/libkafka_queue.so
# Child PHP processes (workers in the demo and the tests) load the extension from here.
export KAFKA_QUEUE_EXTENSION := $(EXT)
PHP := php -d extension=$(EXT)
PHPUNIT := /usr/bin/phpunit
export KAFKA_QUEUE_BROKER_PORT ?= 19092
export KAFKA_QUEUE_TEST_BROKERS ?= 127.0.0.1:$(KAFKA_QUEUE_BROKER_PORT)

.PHONY: help deps build install demo test test-rust test-php test-drupal stubs lint fmt clean

help: ## list the targets
	@grep -hE '^[a-z0-9 -]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 22

include mk/kafka.mk
-include mk/bench.mk
-include mk/chaos.mk
include mk/drupal.mk
include mk/phproot.mk
include mk/dist.mk

deps: ## install system packages (apt) when missing; check cargo
	@scripts/install-deps.sh

build: deps ## build the extension (release)
	cargo build --release --quiet
	@$(PHP) -r 'exit(class_exists("KafkaQueue") ? 0 : 1);' || { echo "the built extension does not load" >&2; exit 1; }

install: deps ## build for PHP_CONFIG's PHP (default php-config), copy kafka_queue.so into its extension dir
	@scripts/install.sh

demo: build kafka-start ## the main job: enqueue and drain a real workload on the local broker
	$(PHP) php/demo.php --brokers=$(KAFKA_QUEUE_TEST_BROKERS)

test: phproots-early build lint kafka-test-brokers test-rust chaos-ci test-php test-drupal test-php84 test-php85 dist ## everything the CI runs (chaos-ci: the reduced fault-injection suite; then PHP 8.4, 8.5 and the release archives)

test-rust: ## unit tests of the plain Rust queue logic
	cargo test --release --quiet

test-php: ## the extension's contract, against the real brokers (plain and secured)
	$(PHP) $(PHPUNIT) -c tests/php/phpunit.xml

stubs: ## regenerate php/kafka_queue.stub.php from the extension (debug build, cargo-php)
	@command -v cargo-php >/dev/null || cargo install cargo-php --locked
	cargo build --quiet
	cargo php stubs --out php/kafka_queue.stub.php target/debug/libkafka_queue.so
	@# KafkaQueueException is registered by hand (so that it records where it was thrown).
	cat php/exception.stub.inc >> php/kafka_queue.stub.php

lint: ## cargo fmt, clippy, php -l
	cargo fmt --all -- --check
	cargo clippy --release --quiet -- -D warnings
	@git ls-files '*.php' '*.module' '*.install' | xargs -n1 php -l >/dev/null && echo "php -l: clean"

fmt:
	cargo fmt --all

clean:
	cargo clean
