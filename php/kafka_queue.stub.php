<?php

// Stubs for kafka_queue

namespace {
    /**
     * A Drupal-style queue whose items live in one Kafka topic.
     *
     * The methods mirror Drupal's QueueInterface, QueueGarbageCollectionInterface and
     * DelayableQueueInterface. Their parameters are `mixed`, which PHP treats like untyped ones,
     * so that a PHP subclass can declare those interfaces (Drupal's module does).
     */
    class KafkaQueue {
        /**
         * A queue named `$name` (its topic: topic_prefix . name, made legal for Kafka), configured
         * by `$config`: the extension's options (topic_prefix, delivery, commit, claim_wait_ms,
         * join_wait_ms, idle_leave_ms, timeout_ms) and librdkafka properties (every other key, such as bootstrap.servers,
         * group.id, sasl.password). Unset keys take their php.ini defaults.
         *
         * @throws \KafkaQueueException On an unknown key or an invalid value, naming it.
         *
         * @param string $name
         * @param array|null $config
         */
        public function __construct(string $name, ?array $config = null) {}

        /**
         * Claims an item for `$lease_time` seconds; FALSE when none is claimable.
         *
         * The item is an object with item_id, data, created (Unix time), partition and offset.
         * FALSE comes at once when the queue is known to be drained, else after claim_wait_ms;
         * a claim within claim_wait_ms after a FALSE waits up to claim_wait_ms for the next item.
         * Until it hands out its first item, a worker that joined while other workers' partitions hold
         * items waits up to join_wait_ms instead, for the group to hand it partitions.
         * @throws \InvalidArgumentException When $lease_time is negative or not a number.
         *
         * @param mixed $lease_time
         * @return mixed
         */
        public function claimItem(mixed $lease_time = 3600): mixed {}

        /**
         * Adds an item; returns its unique id.
         *
         * In strict delivery mode (the default) it returns once the broker has the item.
         * @throws \InvalidArgumentException When $data cannot be serialized (closures, resources).
         * @throws \KafkaQueueException When Kafka does not take the item (missing topic, brokers
         *   unreachable, item too large).
         *
         * @param mixed $data
         * @return string
         */
        public function createItem(mixed $data): string {}

        /**
         * Checks that the topic exists. Creates nothing.
         *
         * @throws \KafkaQueueException When the topic does not exist; the message names it and
         *   says how to provision it.
         *
         * @return void
         */
        public function createQueue(): void {}

        /**
         * Makes a claimed item claimable again no earlier than `$delay` seconds from now.
         *
         * @throws \InvalidArgumentException When $delay is negative, or for an object that is not
         *   an item of this queue.
         *
         * @param mixed $item
         * @param mixed $delay
         * @return bool
         */
        public function delayItem(mixed $item, mixed $delay): bool {}

        /**
         * Deletes a claimed item for good: it is never delivered to this site again.
         *
         * Returns FALSE when this process no longer holds the item.
         * @throws \InvalidArgumentException For an object that is not an item of this queue.
         *
         * @param mixed $item
         * @return bool
         */
        public function deleteItem(mixed $item): bool {}

        /**
         * Deletes every item of the queue; the topic stays.
         *
         * @throws \KafkaQueueException While other workers of the site consume the queue.
         *
         * @return void
         */
        public function deleteQueue(): void {}

        /**
         * Waits until every item created so far is in Kafka; returns how many could not be.
         *
         * @return int
         */
        public function flush(): int {}

        /**
         * Purges the deleted list of what Kafka no longer holds; returns the items retention
         * removed before they were processed.
         *
         * @return int
         */
        public function garbageCollection(): int {}

        /**
         * Items created and not yet deleted, claimed ones included.
         *
         * @return int
         */
        public function numberOfItems(): int {}

        /**
         * Makes a claimed item claimable again at once.
         *
         * @throws \InvalidArgumentException For an object that is not an item of this queue.
         *
         * @param mixed $item
         * @return bool
         */
        public function releaseItem(mixed $item): bool {}

        /**
         * The queue's figures for operators. With `statistics.interval.ms` set, `clients` holds
         * librdkafka's latest statistics of this process's clients of the queue (requests sent,
         * responses, errors and round-trip times per broker); otherwise it is empty.
         *
         * @return array
         */
        public function status(): array {}

        /**
         * The Kafka topic of this queue.
         *
         * @return string
         */
        public function topic(): string {}
    }

    /**
     * Deploy-time operations. Nothing else creates topics.
     */
    class KafkaQueueAdmin {
        /**
         * Configured by `$config`: librdkafka properties (admin credentials may differ from the
         * site's), topic_prefix and timeout_ms.
         *
         * @param array|null $config
         */
        public function __construct(?array $config = null) {}

        /**
         * Creates the missing topics, idempotently; with `$dry_run` only says what it would do.
         *
         * `$queues` are queue names; `$partitions` is the partition count of each new topic (two
         * per web server). Returns one row per queue: queue, topic, partitions, action ("exists",
         * "created", "would create" or "partition count differs": existing topics never change).
         *
         * @param mixed $queues
         * @param mixed $partitions
         * @param mixed $replication_factor
         * @param mixed $dry_run
         * @return array
         */
        public function provision(mixed $queues, mixed $partitions, mixed $replication_factor = 1, mixed $dry_run = false): array {}

        /**
         * The topic a queue name maps to.
         *
         * @param mixed $queue
         * @return string
         */
        public function topicFor(mixed $queue): string {}
    }
}

namespace {
    /**
     * Configuration and broker errors of the extension; getCode() is one of the constants.
     *
     * Bad arguments (a negative delay or lease, an item that is not this queue's, data that
     * cannot be serialized) throw \InvalidArgumentException instead.
     */
    class KafkaQueueException extends \RuntimeException {
        /** A configuration key or value is wrong. */
        const CONFIGURATION = 1;
        /** No broker could be reached. Retriable. */
        const UNREACHABLE = 2;
        /** SASL authentication failed: check the user name, password and mechanism. */
        const AUTHENTICATION = 3;
        /** The TLS handshake or the certificate check failed. */
        const TLS = 4;
        /** An ACL is missing; the message names the topic or group. */
        const NOT_AUTHORIZED = 5;
        /** The queue's topic does not exist: provision it. */
        const TOPIC_MISSING = 6;
        /** No answer within timeout_ms. Retriable. */
        const TIMED_OUT = 7;
        /** This worker lost its group membership. Retriable. */
        const NOT_A_MEMBER = 8;
        /** The broker refused a record (too large, invalid); nothing was written. */
        const REFUSED = 9;
        /** createItem() went out and no answer came: the item may have been written. Retriable. */
        const OUTCOME_UNKNOWN = 10;
        /** Impossible while other workers of the queue are live members of its group. Retriable. */
        const QUEUE_BUSY = 11;
        /** Any other broker failure. */
        const FAILED = 12;

        /** Whether the same call may succeed later without anyone changing anything. */
        public function isRetriable(): bool {}
    }
}
