package filka.apachekafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Kafka's consumer, for differential checks, with no group (assign, never subscribe):
 *
 * <ul>
 *   <li>{@code Consume BOOTSTRAP TOPIC read ISOLATION}: every record of every partition from
 *       its beginning up to the end offset at the start (for read_committed the last stable
 *       offset), printed "partition offset timestamp value-hex" ("-" a null value), by partition
 *       then offset;
 *   <li>{@code Consume BOOTSTRAP TOPIC offsets}: one query per stdin line, "earliest"
 *       (beginningOffsets), "latest" (endOffsets) or a timestamp in ms (offsetsForTimes); prints
 *       one line per query: "partition:offset" per partition, space-separated, and for a
 *       timestamp "partition:offset@timestamp" or "partition:null" when no record is at or
 *       after it.
 * </ul>
 *
 * <p>Exit 2 on bad arguments or input, 1 when the end is not reached within 60 s.
 */
public final class Consume {
  private Consume() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      usage("expected BOOTSTRAP TOPIC read ISOLATION | BOOTSTRAP TOPIC offsets");
    }
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    String mode = args[2];
    if (mode.equals("read")) {
      if (args.length != 4) {
        usage("read wants ISOLATION (read_committed or read_uncommitted)");
      }
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, args[3]);
    } else if (!mode.equals("offsets") || args.length != 3) {
      usage("unknown mode " + mode);
    }
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(args[1], Duration.ofSeconds(30))) {
        tps.add(new TopicPartition(p.topic(), p.partition()));
      }
      tps.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
      consumer.assign(tps);
      if (mode.equals("read")) {
        read(consumer, tps, out);
      } else {
        offsets(consumer, tps, out);
      }
    }
    out.flush();
  }

  private static void read(
      KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> tps, PrintStream out) {
    Map<TopicPartition, Long> end = consumer.endOffsets(tps);
    consumer.seekToBeginning(tps);
    Map<Integer, List<String>> lines = new TreeMap<>();
    HexFormat hex = HexFormat.of();
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      boolean done = true;
      for (TopicPartition tp : tps) {
        if (consumer.position(tp) < end.get(tp)) {
          done = false;
        }
      }
      if (done) {
        break;
      }
      if (System.currentTimeMillis() > deadline) {
        System.err.println("Consume: the end offsets " + end + " not reached within 60 s");
        System.exit(1);
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
          lines
              .computeIfAbsent(r.partition(), k -> new ArrayList<>())
              .add(
                  r.partition() + " " + r.offset() + " " + r.timestamp() + " "
                      + (r.value() == null ? "-" : hex.formatHex(r.value())));
        }
      }
    }
    lines.values().forEach(l -> l.forEach(out::println));
  }

  private static void offsets(
      KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> tps, PrintStream out)
      throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      line = line.strip();
      StringBuilder b = new StringBuilder();
      if (line.equals("earliest") || line.equals("latest")) {
        Map<TopicPartition, Long> o =
            line.equals("earliest") ? consumer.beginningOffsets(tps) : consumer.endOffsets(tps);
        for (TopicPartition tp : tps) {
          b.append(b.length() == 0 ? "" : " ").append(tp.partition()).append(':').append(o.get(tp));
        }
      } else {
        long ts;
        try {
          ts = Long.parseLong(line);
        } catch (NumberFormatException e) {
          usage("a query is earliest, latest or a timestamp in ms, not " + line);
          return;
        }
        Map<TopicPartition, Long> query = new HashMap<>();
        tps.forEach(tp -> query.put(tp, ts));
        Map<TopicPartition, OffsetAndTimestamp> o = consumer.offsetsForTimes(query);
        for (TopicPartition tp : tps) {
          OffsetAndTimestamp at = o.get(tp);
          b.append(b.length() == 0 ? "" : " ").append(tp.partition()).append(':');
          b.append(at == null ? "null" : at.offset() + "@" + at.timestamp());
        }
      }
      out.println(b);
    }
  }

  private static void usage(String why) {
    System.err.println(
        "Consume: "
            + why
            + " (usage: Consume BOOTSTRAP TOPIC read ISOLATION | Consume BOOTSTRAP TOPIC offsets)");
    System.exit(2);
  }
}
