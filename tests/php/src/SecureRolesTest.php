<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * The minimal ACLs of each role (README, "Secured clusters"): each role can do its job with
 * them, the broker denies it nothing while it does, and what it lacks fails with an exception
 * that names the missing right. The worker's role is the run-time principal of
 * SecureRuntimeTest.
 */
final class SecureRolesTest extends SecureTestCase {

  public function testWebNodeOnlyEnqueues(): void {
    $name = static::uniqueName('web');
    $topic = static::provisionSecured($name);
    $offset = static::authorizerLogOffset();

    $web = static::securedQueue($name, static::configFor('mysite-web'));
    $web->createQueue();
    $this->assertIsString($web->createItem('from the web, strict'));
    $fast = static::securedQueue($name, static::configFor('mysite-web', ['delivery' => 'fast']));
    $this->assertIsString($fast->createItem('from the web, fast'));
    $this->assertSame(0, $fast->flush(), 'the fast item confirmed');
    $this->assertSame([], static::deniedSince($offset, 'mysite-web', $name), 'enqueueing needs nothing but Write on the topic');

    $worker = static::securedQueue($name, static::runTimeConfig());
    $this->assertSame(2, $worker->numberOfItems());
    $this->assertEqualsCanonicalizing(
      ['from the web, strict', 'from the web, fast'],
      array_map(fn($item) => $item->data, static::drain($worker))
    );

    $group = "mysite-prod.$topic";
    foreach (['claimItem' => fn() => $web->claimItem(30), 'numberOfItems' => fn() => $web->numberOfItems()] as $call => $f) {
      [$e] = static::timedFailure($f);
      $this->assertSame(static::code('NOT_AUTHORIZED'), $e->getCode(), "$call: " . $e->getMessage());
      $this->assertStringContainsString($group, $e->getMessage(), "$call names the group");
    }
  }

  public function testDeployerProvisionsAndCannotWrite(): void {
    $name = static::uniqueName('deploy');
    $offset = static::authorizerLogOffset();
    $deployer = new \KafkaQueueAdmin(static::deployerConfig());
    $this->assertSame('would create', $deployer->provision([$name], 4, 1, TRUE)[0]['action']);
    $this->assertSame('created', $deployer->provision([$name], 4, 1)[0]['action']);
    $rows = $deployer->provision([$name], 4, 1);
    $this->assertSame('exists', $rows[0]['action']);
    $this->assertSame([], static::deniedSince($offset, 'mysite-deployer', $name), 'provisioning needs nothing but Create and Describe on the topics');

    $this->assertSame(4, count(static::securedQueue($name, static::runTimeConfig())->status()['detail']));
    [$e] = static::timedFailure(fn() => static::securedQueue($name, static::configFor('mysite-deployer'))->createItem('x'));
    $this->assertSame(static::code('NOT_AUTHORIZED'), $e->getCode(), $e->getMessage());
    $this->assertStringContainsString($rows[0]['topic'], $e->getMessage());
  }

}
