# Included by the Makefile that phpize and configure generate (see config.m4). cargo builds the
# extension for the PHP of `php-config` (build.rs checks that php and php-config agree); the
# rule depends on the sources, so `make install` (run by PIE with sudo when it must) reuses the
# built .so instead of calling cargo again.
KAFKA_QUEUE_SOURCES = $(KAFKA_QUEUE_CRATE)/Cargo.toml $(KAFKA_QUEUE_CRATE)/Cargo.lock $(KAFKA_QUEUE_CRATE)/build.rs \
	$(shell find $(KAFKA_QUEUE_CRATE)/src -name '*.rs')

$(phplibdir)/kafka_queue.so: $(KAFKA_QUEUE_SOURCES)
	cd $(KAFKA_QUEUE_CRATE) && CARGO_TARGET_DIR="$(KAFKA_QUEUE_TARGET_DIR)" PHP_CONFIG="$(KAFKA_QUEUE_PHP_CONFIG)" \
		PHP="$(PHP_EXECUTABLE)" "$(KAFKA_QUEUE_CARGO)" build --release --locked
	$(mkinstalldirs) $(phplibdir)
	cp "$(KAFKA_QUEUE_TARGET_DIR)/release/libkafka_queue.so" $@
