package filka.apachekafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Keyed input for the compaction differential (tests/apache_kafka/compaction.rs): one
 * idempotent producer for plain records and one transactional producer, driven by stdin
 * lines, each step acknowledged before the next:
 *
 * <ul>
 *   <li>{@code p KEY VALUE}: a plain record ({@code VALUE} "-" is a tombstone);
 *   <li>{@code t commit|abort KEY=VALUE...}: a transaction of those records, committed or
 *       aborted (its records are flushed first, so an aborted one is in the log);
 *   <li>{@code sleep MS}: a pause (segment.ms rolls segments between steps).
 * </ul>
 *
 * <p>Usage: Compaction BOOTSTRAP TOPIC TRANSACTIONAL_ID. Prints "done N" (steps). Exit 2 on
 * bad arguments or input, 1 when Kafka fails.
 */
public final class Compaction {
  private Compaction() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("Compaction: expected BOOTSTRAP TOPIC TRANSACTIONAL_ID");
      System.exit(2);
    }
    String topic = args[1];
    Properties plain = new Properties();
    plain.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    plain.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    plain.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    plain.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    Properties txn = new Properties();
    txn.putAll(plain);
    txn.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, args[2]);
    int steps = 0;
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(plain);
        KafkaProducer<byte[], byte[]> t = new KafkaProducer<>(txn)) {
      t.initTransactions();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        String[] w = line.trim().split(" ");
        if (w.length == 0 || w[0].isEmpty()) {
          continue;
        }
        switch (w[0]) {
          case "p" -> {
            if (w.length != 3) {
              bad(line);
            }
            p.send(record(topic, w[1], w[2])).get();
          }
          case "t" -> {
            if (w.length < 3 || !(w[1].equals("commit") || w[1].equals("abort"))) {
              bad(line);
            }
            t.beginTransaction();
            for (int i = 2; i < w.length; i++) {
              String[] kv = w[i].split("=", 2);
              if (kv.length != 2) {
                bad(line);
              }
              t.send(record(topic, kv[0], kv[1]));
            }
            t.flush();
            if (w[1].equals("commit")) {
              t.commitTransaction();
            } else {
              t.abortTransaction();
            }
          }
          case "sleep" -> Thread.sleep(Long.parseLong(w[1]));
          default -> bad(line);
        }
        steps++;
      }
    } catch (RuntimeException e) {
      System.err.println("Compaction: " + e);
      System.exit(1);
    }
    System.out.println("done " + steps);
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
    byte[] v = value.equals("-") ? null : value.getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), v);
  }

  private static void bad(String line) {
    System.err.println("Compaction: bad line: " + line);
    System.exit(2);
  }
}
