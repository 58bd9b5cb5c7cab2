<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * The run-time principal on the secured broker: the documented settings and ACLs are enough
 * for every queue operation, the broker denies it nothing, and it cannot provision.
 */
final class SecureRuntimeTest extends SecureTestCase {

  public function testReadmeAndDrupalDocsShowTheSameBlock(): void {
    $this->assertSame(static::settingsBlock('docs/drupal.md'), static::settingsBlock('README.md'));
    $settings = static::settings();
    $this->assertSame('SASL_SSL', $settings['security.protocol']);
    $this->assertSame(static::broker()['broker']['bootstrap'], $settings['bootstrap.servers']);
  }

  /**
   * The ACLs the docs give, as kafka-acls commands, are exactly those the test broker holds.
   */
  public function testTheDocumentedAclsAreTheBrokersAcls(): void {
    $broker = [];
    foreach (file(static::repoRoot() . '/scripts/kafka/secure-acls.txt', FILE_IGNORE_NEW_LINES) as $line) {
      if (preg_match('/^(\S+)\s+(topic|group)\s+prefixed\s+(\S+)\s+(\S+)$/', trim($line), $m)) {
        foreach (explode(',', $m[4]) as $operation) {
          $broker[] = "User:$m[1] $m[2] $m[3] $operation";
        }
      }
    }
    foreach (['README.md', 'docs/drupal.md'] as $file) {
      $text = file_get_contents(static::repoRoot() . '/' . $file);
      preg_match_all('/^kafka-acls\.sh .*--resource-pattern-type prefixed \\\\\n\s+(.*)$/m', $text, $commands);
      $documented = [];
      foreach ($commands[1] as $command) {
        $parsed = preg_match('/^--allow-principal (\S+) ((?:--operation \w+ )+)--(topic|group) (\S+)$/', $command, $m);
        $this->assertSame(1, $parsed, "$file: unexpected kafka-acls command: $command");
        preg_match_all('/--operation (\w+)/', $m[2], $operations);
        foreach ($operations[1] as $operation) {
          $documented[] = "$m[1] $m[3] $m[4] $operation";
        }
      }
      sort($documented);
      sort($broker);
      $this->assertSame($broker, $documented, "$file names other ACLs than scripts/kafka/secure-acls.txt");
    }
  }

  public function testTheWholeCycleAsTheRunTimePrincipal(): void {
    $name = static::uniqueName('cycle');
    $topic = static::provisionSecured($name);
    $this->assertStringStartsWith('mysite.prod.', $topic);
    $offset = static::authorizerLogOffset();

    $queue = static::securedQueue($name, static::runTimeConfig());
    $queue->createQueue();
    $ids = [$queue->createItem('strict-1'), $queue->createItem(['strict' => 2])];
    $fast = static::securedQueue($name, static::runTimeConfig(['delivery' => 'fast']));
    foreach (range(1, 3) as $i) {
      $ids[] = $fast->createItem("fast-$i");
    }
    $this->assertSame(0, $fast->flush(), 'every fast item confirmed');
    $this->assertCount(5, array_unique(array_filter($ids, 'is_string')));
    $this->assertSame(5, $queue->numberOfItems());

    $item = $queue->claimItem(30);
    $this->assertIsObject($item);
    $this->assertTrue($queue->releaseItem($item));
    $item = $queue->claimItem(30);
    $this->assertIsObject($item);
    $this->assertTrue($queue->delayItem($item, 1), 'delayItem writes a copy: Write on the topic');
    $this->assertSame(5, $queue->numberOfItems());

    $seen = [];
    $deadline = microtime(TRUE) + 20;
    while (count($seen) < 5 && microtime(TRUE) < $deadline) {
      if ($item = $queue->claimItem(30)) {
        $seen[] = serialize($item->data);
        $this->assertTrue($queue->deleteItem($item));
      }
    }
    $this->assertEqualsCanonicalizing(
      array_map('serialize', ['strict-1', ['strict' => 2], 'fast-1', 'fast-2', 'fast-3']),
      $seen,
      'every item claimed once after release and delay'
    );
    $this->assertSame(0, $queue->numberOfItems());

    $status = $queue->status();
    $this->assertSame($topic, $status['topic']);
    $this->assertSame(0, $status['items']);
    $this->assertSame(0, $queue->garbageCollection());

    $queue->createItem('left over');
    $this->assertSame(1, $queue->numberOfItems());
    // deleteQueue() refuses while a worker of the site consumes: this process's own worker is
    // closed by it, and no other runs.
    $queue->deleteQueue();
    $this->assertSame(0, static::securedQueue($name, static::runTimeConfig())->numberOfItems());

    // The authorizer log is live: a principal without ACLs is denied, and that shows (its
    // exception is SecureErrorsTest's)...
    static::timedFailure(fn() => static::securedQueue($name, static::configFor('mysite-nobody'))->createQueue());
    static::waitFor(fn() => static::deniedSince($offset, 'mysite-nobody'), 10, 'the denial of mysite-nobody in the authorizer log');
    // ... while the run-time principal was denied nothing.
    $this->assertSame([], static::deniedSince($offset, 'mysite-prod'), 'the broker denied the run-time principal');
  }

  public function testProvisioningWorksAsAdminAndIsRefusedToTheRunTimePrincipal(): void {
    $name = static::uniqueName('prov');
    $admin = static::runTimeConfig(['sasl.username' => 'admin', 'sasl.password' => static::password('admin')]);
    $rows = (new \KafkaQueueAdmin($admin))->provision([$name], 2, 1);
    $this->assertSame('created', $rows[0]['action']);
    static::securedQueue($name, static::runTimeConfig())->createQueue();

    $name = static::uniqueName('prov');
    [$e] = static::timedFailure(fn() => (new \KafkaQueueAdmin(static::runTimeConfig()))->provision([$name], 2, 1));
    $this->assertStringContainsString("mysite.prod.$name", $e->getMessage(), 'the refusal names the topic');
    $this->assertSame(static::code('NOT_AUTHORIZED'), $e->getCode(), $e->getMessage());
  }

  /**
   * Runs last: since the broker started (make test starts it from scratch), the run-time
   * principal was denied only the topic creation refused on purpose above.
   */
  public function testTheBrokerDeniedTheRunTimePrincipalNothingElseDuringTheRun(): void {
    $denied = array_filter(
      static::deniedSince(0, 'mysite-prod'),
      fn(string $line) => !preg_match('/operation = CREATE .* for request = CreateTopics /', $line)
    );
    $this->assertSame([], array_values($denied));
  }

}
