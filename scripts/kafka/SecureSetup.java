import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Used by scripts/kafka/secure.sh once the secured broker listens: waits (up to a deadline)
 * until it answers the admin and its group coordinator is up, creates the ACLs of an ACL file (secure-acls.txt) and checks
 * that the broker then holds exactly those. One JVM for all of it, instead of one
 * kafka-acls run per line.
 *
 * Usage: java -cp 'libs/*:classes' SecureSetup ADMIN_PROPERTIES ACL_FILE DEADLINE_SECONDS
 */
public final class SecureSetup {

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: SecureSetup ADMIN_PROPERTIES ACL_FILE DEADLINE_SECONDS");
      System.exit(2);
    }
    Properties props = new Properties();
    try (var in = Files.newInputStream(Path.of(args[0]))) {
      props.load(in);
    }
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    List<AclBinding> wanted = parse(Path.of(args[1]));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));

    try (Admin admin = Admin.create(props)) {
      // SCRAM logins fail until the broker has loaded its metadata: retry until the deadline.
      while (true) {
        try {
          admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
          break;
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            System.err.println("the secured broker did not answer the admin: " + e.getMessage());
            System.exit(1);
          }
          Thread.sleep(200);
        }
      }
      // The first group look-up creates __consumer_offsets; until its coordinator is loaded,
      // group requests fail with NOT_COORDINATOR. Do that here, not in the first test.
      while (true) {
        try {
          admin.listConsumerGroupOffsets("kafka_queue.secure-setup")
              .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
          break;
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            System.err.println("the secured broker's group coordinator did not come up: "
                + e.getMessage());
            System.exit(1);
          }
          Thread.sleep(200);
        }
      }
      admin.createAcls(wanted).all().get(30, TimeUnit.SECONDS);
      Set<AclBinding> held =
          new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS));
      if (!held.equals(new HashSet<>(wanted))) {
        System.err.println("the broker holds other ACLs than " + args[1] + ": " + held);
        System.exit(1);
      }
      System.out.println(wanted.size());
    }
  }

  /** One ALLOW binding per operation of each line: USER RESOURCE PATTERN NAME OPERATIONS (any case). */
  private static List<AclBinding> parse(Path file) throws Exception {
    List<AclBinding> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      if (f.length != 5) {
        throw new IllegalArgumentException(file + ": expected 5 fields in: " + line);
      }
      ResourcePattern pattern =
          new ResourcePattern(
              ResourceType.fromString(f[1]), f[3], PatternType.fromString(f[2].toUpperCase(Locale.ROOT)));
      for (String op : f[4].split(",")) {
        AclOperation operation = AclOperation.fromString(op);
        if (pattern.resourceType() == ResourceType.UNKNOWN
            || pattern.patternType() == PatternType.UNKNOWN
            || operation == AclOperation.UNKNOWN) {
          throw new IllegalArgumentException(file + ": unknown resource, pattern or operation in: " + line);
        }
        out.add(new AclBinding(pattern,
            new AccessControlEntry("User:" + f[0], "*", operation, AclPermissionType.ALLOW)));
      }
    }
    return out;
  }
}
