# PHP 8.4 (Drupal 11's PHP) next to the host's 8.2: a Debian 13 root in the git-ignored folder
# .php84/, set up once by scripts/php84/setup.sh, entered by scripts/php84/enter.sh (a private
# mount namespace: the repository, the temp dir, the Rust toolchain and Java at their own paths;
# the host's network, so the local broker answers). Included by the top-level Makefile.

PHP84_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../scripts/php84)

.PHONY: php84-setup test-php84 php84-shell

php84-setup: ## the Debian 13 root with PHP 8.4 in .php84/ (once: about 3 minutes; then seconds)
	@$(PHP84_DIR)/setup.sh

test-php84: kafka-test-brokers ## on PHP 8.4: build with phpize (as PIE does), php -l, tests/php, chaos badinput
	@$(PHP84_DIR)/test.sh

php84-shell: php84-setup ## a shell in the PHP 8.4 root, in this directory
	@$(PHP84_DIR)/enter.sh bash
