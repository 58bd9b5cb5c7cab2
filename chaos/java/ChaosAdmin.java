import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the chaos scenarios need from Kafka that the extension deliberately does not offer:
 * where partition leaders are, whether replicas are in sync, a topic setting, a commit with
 * arbitrary metadata (a corrupted deleted list), a record the extension did not write.
 *
 * Usage: ChaosAdmin BOOTSTRAP COMMAND ARGS
 *   leaders TOPIC                      "partition leader isr replicas" per line
 *   coordinator GROUP                  the node id of the group's coordinator
 *   in-sync TOPIC SECONDS              waits until every replica of TOPIC and of the offsets
 *                                      topic is in sync; exit 1 at the deadline
 *   set-config TOPIC KEY VALUE         a topic-level setting (incremental alter)
 *   commit GROUP TOPIC PARTITION OFFSET METADATA   commits for an empty group
 *   committed GROUP                    "topic partition offset metadata" per line
 *   produce-raw TOPIC PARTITION VALUE...  one record per VALUE, in order, its bytes (acks=all);
 *                                      "hex:..." gives the bytes in hex, "null:" a null value
 */
public final class ChaosAdmin {

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ChaosAdmin BOOTSTRAP COMMAND ARGS");
      System.exit(2);
    }
    String bootstrap = args[0];
    String command = args[1];
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    if (command.equals("produce-raw")) {
      produceRaw(bootstrap, args[2], Integer.parseInt(args[3]),
          java.util.Arrays.copyOfRange(args, 4, args.length));
      return;
    }
    try (Admin admin = Admin.create(props)) {
      switch (command) {
        case "leaders":
          for (TopicPartitionInfo p : describe(admin, args[2]).partitions()) {
            System.out.printf("%d %d %d %d%n", p.partition(),
                p.leader() == null ? -1 : p.leader().id(), p.isr().size(), p.replicas().size());
          }
          break;

        case "coordinator":
          System.out.println(admin.describeConsumerGroups(List.of(args[2])).all()
              .get(10, TimeUnit.SECONDS).get(args[2]).coordinator().id());
          break;

        case "in-sync":
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
          while (true) {
            String lagging = lagging(admin, List.of(args[2], "__consumer_offsets"));
            if (lagging.isEmpty()) {
              return;
            }
            if (System.nanoTime() > deadline) {
              System.err.println("not in sync: " + lagging);
              System.exit(1);
            }
            Thread.sleep(500);
          }

        case "set-config":
          ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, args[2]);
          admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
              new ConfigEntry(args[3], args[4]), AlterConfigOp.OpType.SET))))
              .all().get(10, TimeUnit.SECONDS);
          break;

        case "commit":
          admin.alterConsumerGroupOffsets(args[2], Map.of(
              new TopicPartition(args[3], Integer.parseInt(args[4])),
              new OffsetAndMetadata(Long.parseLong(args[5]), args[6])))
              .all().get(10, TimeUnit.SECONDS);
          break;

        case "committed":
          Map<TopicPartition, OffsetAndMetadata> offsets = new TreeMap<>(
              (a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                  : a.topic().compareTo(b.topic()));
          offsets.putAll(admin.listConsumerGroupOffsets(args[2]).partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS));
          for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            System.out.printf("%s %d %d %s%n", e.getKey().topic(), e.getKey().partition(),
                e.getValue().offset(), e.getValue().metadata());
          }
          break;

        default:
          System.err.println("unknown command " + command);
          System.exit(2);
      }
    }
  }

  private static TopicDescription describe(Admin admin, String topic) throws Exception {
    return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
        .get(topic);
  }

  /** Partitions whose in-sync replicas are fewer than their replicas, or that have no leader. */
  private static String lagging(Admin admin, Collection<String> topics) {
    try {
      List<String> out = new ArrayList<>();
      for (TopicDescription d : admin.describeTopics(topics).allTopicNames()
          .get(10, TimeUnit.SECONDS).values()) {
        for (TopicPartitionInfo p : d.partitions()) {
          if (p.leader() == null || p.leader().id() < 0 || p.isr().size() < p.replicas().size()) {
            out.add(d.name() + "-" + p.partition());
          }
        }
      }
      return String.join(",", out);
    } catch (Exception e) {
      return "unknown (" + e.getClass().getSimpleName() + ")";
    }
  }

  private static void produceRaw(String bootstrap, String topic, int partition, String[] values)
      throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (String value : values) {
        byte[] bytes;
        if (value.startsWith("hex:")) {
          bytes = java.util.HexFormat.of().parseHex(value.substring(4));
        } else if (value.equals("null:")) {
          bytes = null;
        } else {
          bytes = value.getBytes(StandardCharsets.UTF_8);
        }
        producer.send(new ProducerRecord<>(topic, partition, null, bytes)).get(10, TimeUnit.SECONDS);
      }
      producer.flush();
    }
  }
}
