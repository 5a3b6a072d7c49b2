package filka.apachekafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka's producer, for differential checks: sends one record per stdin line through
 * KafkaProducer (its default partitioner: murmur2 of the key bytes, sticky partitions for null
 * keys) and prints, per record in input order, "partition offset" from its RecordMetadata.
 *
 * <p>A line is KEY, or KEY TAB VALUE, or KEY TAB VALUE TAB PARTITION TAB TIMESTAMP: KEY and
 * VALUE in hex ("" the empty byte string, "-" null; a missing VALUE is null), PARTITION and
 * TIMESTAMP "-" to leave them to the producer.
 *
 * <p>Usage: Produce BOOTSTRAP TOPIC [--sync] [-X KEY=VALUE]... -X sets a producer config
 * (linger.ms, batch.size, acks...); --sync waits for each record's acknowledgement before the
 * next is sent (one record per batch). Exit 2 on bad arguments or input, 1 on a failed send.
 */
public final class Produce {
  private Produce() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      usage("expected BOOTSTRAP TOPIC");
    }
    String topic = args[1];
    boolean sync = false;
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    for (int i = 2; i < args.length; i++) {
      if (args[i].equals("--sync")) {
        sync = true;
      } else if (args[i].equals("-X") && i + 1 < args.length) {
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
    HexFormat hex = HexFormat.of();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      String line;
      int lineNo = 0;
      while ((line = in.readLine()) != null) {
        lineNo++;
        String[] f = line.split("\t", -1);
        if (f.length != 1 && f.length != 2 && f.length != 4) {
          usage("line " + lineNo + ": 1, 2 or 4 tab-separated fields, not " + f.length);
        }
        try {
          byte[] key = bytes(hex, f[0]);
          byte[] value = f.length > 1 ? bytes(hex, f[1]) : null;
          Integer partition = f.length > 2 && !f[2].equals("-") ? Integer.valueOf(f[2]) : null;
          Long ts = f.length > 3 && !f[3].equals("-") ? Long.valueOf(f[3]) : null;
          Future<RecordMetadata> r =
              producer.send(new ProducerRecord<>(topic, partition, ts, key, value));
          if (sync) {
            r.get();
          }
          sent.add(r);
        } catch (IllegalArgumentException e) {
          usage("line " + lineNo + ": " + e.getMessage());
        }
      }
      producer.flush();
      for (Future<RecordMetadata> r : sent) {
        RecordMetadata m = r.get();
        out.println(m.partition() + " " + m.offset());
      }
    }
    out.flush();
  }

  private static byte[] bytes(HexFormat hex, String field) {
    return field.equals("-") ? null : hex.parseHex(field);
  }

  private static void usage(String why) {
    System.err.println(
        "Produce: " + why + " (usage: Produce BOOTSTRAP TOPIC [--sync] [-X KEY=VALUE]...)");
    System.exit(2);
  }
}
