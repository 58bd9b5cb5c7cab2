# PHP 8.4 (Drupal 11's usual PHP) and PHP 8.5 next to the host's 8.2: a Debian root for each in
# the git-ignored folder .phproot/<version>/ (Debian 13 for 8.4, Debian unstable for 8.5), set
# up once by scripts/phproot/setup.sh, entered by scripts/phproot/enter.sh (a private mount
# namespace: the repository, the temp dir, the Rust toolchain and Java at their own paths; the
# host's network, so the local broker answers). Included by the top-level Makefile.

PHPROOT_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../scripts/phproot)
# php84 -> 8.4
phproot_version = $(shell echo $(1) | sed -E 's/^([0-9])([0-9]+)$$/\1.\2/')

.PHONY: php84-setup php85-setup test-php84 test-php85 php84-shell php85-shell phproots-early

# make test starts both roots' setup first, in the background (most of it waits for the
# network), while cargo and the 8.2 suites run; test-php84/85 then wait for it (setup.sh takes
# a lock) and print its outcome. A setup that failed in the background runs again there.
phproots-early: deps
	@mkdir -p .phproot; for v in 8.4 8.5; do ( $(PHPROOT_DIR)/setup.sh $$v >.phproot/setup-$$v.log 2>&1 & ); done

php84-setup php85-setup: php%-setup: ## the Debian root with that PHP in .phproot/ (once: about 3 minutes; then seconds)
	@$(PHPROOT_DIR)/setup.sh $(call phproot_version,$*)

test-php84 test-php85: test-php%: kafka-test-brokers ## on that PHP: build with phpize (as PIE does), php -l, tests/php, chaos badinput
	@$(PHPROOT_DIR)/test.sh $(call phproot_version,$*)

php84-shell php85-shell: php%-shell: php%-setup ## a shell in that PHP's root, in this directory
	@$(PHPROOT_DIR)/enter.sh $(call phproot_version,$*) bash
