# The Drupal module's tests, on real Drupal core and real Drush (docs/drupal.md, "The module's
# tests"). Included by the top-level Makefile, which provides `build`, `kafka-start`, EXT and
# KAFKA_QUEUE_TEST_BROKERS.
#
#   make test-drupal   the site's composer install when needed, then the module's kernel tests
#                      and the CLI tests (drush site:install, drush en, every documented command)
#   make drupal-site   only the composer install of the test site (tests/drupal/site)
#
# Where composer finds Drupal: DRUPAL_OFFLINE_STORE names a directory of composer path
# repositories (its repositories.json); by default ../shared/drupal beside the project, or
# beside the local repository it was cloned from (a clone made elsewhere, e.g. in a temp dir),
# when it exists. Then a COMPOSER_HOME of the build selects it and Packagist is off. With neither,
# composer resolves the same composer.json from Packagist.
#
# Everything installed lives in ignored folders of tests/drupal/site (vendor/, web/,
# composer.lock, .build/) and is reused: composer runs again only when a composer.json changed.

DRUPAL_PROJECT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
DRUPAL_SITE := $(DRUPAL_PROJECT)/tests/drupal/site
DRUPAL_BUILD := $(DRUPAL_SITE)/.build
DRUPAL_ORIGIN := $(filter /%,$(shell git -C $(DRUPAL_PROJECT) config --get remote.origin.url 2>/dev/null))
DRUPAL_OFFLINE_STORE ?= $(firstword $(wildcard $(abspath $(DRUPAL_PROJECT)/../shared/drupal) \
	$(if $(DRUPAL_ORIGIN),$(abspath $(DRUPAL_ORIGIN)/../shared/drupal))))
DRUPAL_STAMP := $(DRUPAL_SITE)/vendor/.kafka_queue-installed
# Extra PHPUnit arguments for both suites, e.g. DRUPAL_PHPUNIT_ARGS="--filter Cron".
DRUPAL_PHPUNIT_ARGS ?=

# PHP of composer, phpunit, drush and every child they start: the extension and
# zend.assertions=1 (Drupal's tests rely on assert()) come from a scan dir, which reaches
# PHPUnit's per-test processes too. The leading ':' keeps the distribution's conf.d.
DRUPAL_ENV := PHP_INI_SCAN_DIR=:$(DRUPAL_BUILD)/php COMPOSER_ALLOW_SUPERUSER=1 \
	$(if $(DRUPAL_OFFLINE_STORE),DRUPAL_OFFLINE_STORE=$(DRUPAL_OFFLINE_STORE) \
	COMPOSER_HOME=$(DRUPAL_BUILD)/composer-home COMPOSER_DISABLE_NETWORK=1)

.PHONY: drupal-site drupal-php-ini test-drupal-kernel test-drupal-cli

# Rewritten on every run (the extension's path is the build's), only when it differs.
drupal-php-ini:
	@mkdir -p $(DRUPAL_BUILD)/php
	@printf '; Written by mk/drupal.mk.\nextension=%s\nzend.assertions = 1\n' '$(EXT)' > $(DRUPAL_BUILD)/php/kafka_queue.ini.new
	@cmp -s $(DRUPAL_BUILD)/php/kafka_queue.ini.new $(DRUPAL_BUILD)/php/kafka_queue.ini \
		&& rm $(DRUPAL_BUILD)/php/kafka_queue.ini.new \
		|| mv $(DRUPAL_BUILD)/php/kafka_queue.ini.new $(DRUPAL_BUILD)/php/kafka_queue.ini

drupal-site: deps drupal-php-ini $(DRUPAL_STAMP) ## composer install of the Drupal test site (reused)

$(DRUPAL_STAMP): $(DRUPAL_SITE)/composer.json $(DRUPAL_PROJECT)/drupal_module/kafka_queue/composer.json
	@if [ -n '$(DRUPAL_OFFLINE_STORE)' ]; then \
		test -f '$(DRUPAL_OFFLINE_STORE)/repositories.json' || { echo "drupal: $(DRUPAL_OFFLINE_STORE) has no repositories.json" >&2; exit 1; }; \
		mkdir -p $(DRUPAL_BUILD)/composer-home; \
		printf '{"repositories": %s}\n' "$$(cat '$(DRUPAL_OFFLINE_STORE)/repositories.json')" > $(DRUPAL_BUILD)/composer-home/config.json; \
		echo "drupal: composer resolves from $(DRUPAL_OFFLINE_STORE) (Packagist off)"; \
	else echo "drupal: composer resolves from Packagist"; fi
	cd $(DRUPAL_SITE) && $(DRUPAL_ENV) timeout 900 composer update --no-interaction --no-progress --quiet
	@touch $@

test-drupal: build kafka-start drupal-site test-drupal-kernel test-drupal-cli ## the Drupal module on real Drupal core and Drush, against the real broker

# Core's phpunit configuration (-c web/core: a directory, so that the per-test processes find
# it after core's bootstrap changed directory), SQLite, the module's tests only.
test-drupal-kernel: build kafka-start drupal-site
	@mkdir -p $(DRUPAL_BUILD)/kernel
	cd $(DRUPAL_SITE) && $(DRUPAL_ENV) KAFKA_QUEUE_TEST_BROKERS=$(KAFKA_QUEUE_TEST_BROKERS) \
		SIMPLETEST_DB=sqlite://localhost/$(DRUPAL_BUILD)/kernel/db.sqlite SIMPLETEST_BASE_URL=http://localhost \
		timeout 900 vendor/bin/phpunit -c web/core $(DRUPAL_PHPUNIT_ARGS) web/modules/contrib/kafka_queue/tests/src

# PHPUnit of the test site; the tests install the site (drush site:install) and run Drush.
test-drupal-cli: build kafka-start drupal-site
	cd $(DRUPAL_SITE) && $(DRUPAL_ENV) KAFKA_QUEUE_TEST_BROKERS=$(KAFKA_QUEUE_TEST_BROKERS) \
		timeout 1200 vendor/bin/phpunit -c $(DRUPAL_PROJECT)/tests/drupal/phpunit.xml $(DRUPAL_PHPUNIT_ARGS)
