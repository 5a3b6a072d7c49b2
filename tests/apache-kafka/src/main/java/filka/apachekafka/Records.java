package filka.apachekafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Whole records, byte for byte, through Kafka's own clients (for the mirror tests): keys,
 * values and headers in hex, timestamps and partitions.
 *
 * <p>A record is one line of space-separated fields: {@code PARTITION TIMESTAMP KEY VALUE
 * [HEADER...]}, where KEY and VALUE are {@code -} (null) or {@code x} followed by the bytes in
 * hex ({@code x} alone: empty), and a HEADER is {@code xKEYHEX=xVALUEHEX} (value {@code -}:
 * null).
 *
 * <ul>
 *   <li>{@code Records BOOTSTRAP TOPIC read}: every record of every partition from its
 *       beginning up to the end offsets at the start, read_committed, by partition then offset,
 *       each line {@code PARTITION OFFSET TIMESTAMP_TYPE TIMESTAMP KEY VALUE [HEADER...]};
 *   <li>{@code Records BOOTSTRAP TOPIC write [-X KEY=VALUE]...}: sends one record per stdin line
 *       ({@code PARTITION TIMESTAMP KEY VALUE [HEADER...]}, PARTITION and TIMESTAMP {@code -} to
 *       leave them to the producer) through KafkaProducer, in order, and prints "partition
 *       offset" per record. -X sets a producer config (compression.type, linger.ms...); a line
 *       {@code # KEY=VALUE...} closes the producer (all sent) and opens one with these configs
 *       too, e.g. {@code # compression.type=zstd} for the records after it.
 * </ul>
 *
 * <p>Exit 2 on bad arguments or input, 1 when the end is not reached within 60 s or a send
 * fails.
 */
public final class Records {
  private Records() {}

  private static final HexFormat HEX = HexFormat.of();

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      usage("expected BOOTSTRAP TOPIC read|write");
    }
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    if (args[2].equals("read") && args.length == 3) {
      read(args[0], args[1], out);
    } else if (args[2].equals("write")) {
      Properties props = new Properties();
      for (int i = 3; i < args.length; i++) {
        if (args[i].equals("-X") && i + 1 < args.length) {
          String kv = args[++i];
          int eq = kv.indexOf('=');
          if (eq < 1) {
            usage("-X wants KEY=VALUE, not " + kv);
          }
          props.put(kv.substring(0, eq), kv.substring(eq + 1));
        } else {
          usage("unknown argument " + args[i]);
        }
      }
      write(args[0], args[1], props, out);
    } else {
      usage("unknown mode " + args[2]);
    }
    out.flush();
  }

  private static String bytes(byte[] b) {
    return b == null ? "-" : "x" + HEX.formatHex(b);
  }

  private static byte[] parse(String field) {
    if (field.equals("-")) {
      return null;
    }
    if (!field.startsWith("x")) {
      throw new IllegalArgumentException("bytes are - or x<hex>, not " + field);
    }
    return HEX.parseHex(field.substring(1));
  }

  private static void read(String bootstrap, String topic, PrintStream out) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        tps.add(new TopicPartition(p.topic(), p.partition()));
      }
      consumer.assign(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      consumer.seekToBeginning(tps);
      Map<Integer, TreeMap<Long, String>> lines = new TreeMap<>();
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
          System.err.println("Records: the end offsets " + end + " not reached within 60 s");
          System.exit(1);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
            continue;
          }
          StringBuilder b = new StringBuilder();
          b.append(r.partition()).append(' ').append(r.offset()).append(' ');
          b.append(r.timestampType().name).append(' ').append(r.timestamp()).append(' ');
          b.append(bytes(r.key())).append(' ').append(bytes(r.value()));
          for (Header h : r.headers()) {
            b.append(' ').append(bytes(h.key().getBytes(StandardCharsets.UTF_8)));
            b.append('=').append(bytes(h.value()));
          }
          lines.computeIfAbsent(r.partition(), k -> new TreeMap<>()).put(r.offset(), b.toString());
        }
      }
      lines.values().forEach(l -> l.values().forEach(out::println));
    }
  }

  private static void write(String bootstrap, String topic, Properties base, PrintStream out)
      throws Exception {
    base.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    base.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    base.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(base);
    try {
      String line;
      int lineNo = 0;
      while ((line = in.readLine()) != null) {
        lineNo++;
        String[] f = line.split(" ", -1);
        if (f[0].equals("#")) {
          producer.close();
          Properties props = new Properties();
          props.putAll(base);
          for (int i = 1; i < f.length; i++) {
            int eq = f[i].indexOf('=');
            if (eq < 1) {
              usage("line " + lineNo + ": # KEY=VALUE..., not " + line);
            }
            props.put(f[i].substring(0, eq), f[i].substring(eq + 1));
          }
          producer = new KafkaProducer<>(props);
          continue;
        }
        if (f.length < 4) {
          usage("line " + lineNo + ": PARTITION TIMESTAMP KEY VALUE [HEADER...]");
        }
        try {
          Integer partition = f[0].equals("-") ? null : Integer.valueOf(f[0]);
          Long ts = f[1].equals("-") ? null : Long.valueOf(f[1]);
          RecordHeaders headers = new RecordHeaders();
          for (int i = 4; i < f.length; i++) {
            int eq = f[i].indexOf('=');
            if (eq < 1) {
              usage("line " + lineNo + ": a header is xKEY=xVALUE, not " + f[i]);
            }
            byte[] key = parse(f[i].substring(0, eq));
            if (key == null) {
              usage("line " + lineNo + ": a header key is never null");
            }
            headers.add(new String(key, StandardCharsets.UTF_8), parse(f[i].substring(eq + 1)));
          }
          sent.add(
              producer.send(
                  new ProducerRecord<>(topic, partition, ts, parse(f[2]), parse(f[3]), headers)));
        } catch (IllegalArgumentException e) {
          usage("line " + lineNo + ": " + e.getMessage());
        }
      }
      producer.flush();
    } finally {
      producer.close();
    }
    for (Future<RecordMetadata> r : sent) {
      RecordMetadata m = r.get();
      out.println(m.partition() + " " + m.offset());
    }
  }

  private static void usage(String why) {
    System.err.println(
        "Records: "
            + why
            + " (usage: Records BOOTSTRAP TOPIC read | Records BOOTSTRAP TOPIC write [-X"
            + " KEY=VALUE]...)");
    System.exit(2);
  }
}
