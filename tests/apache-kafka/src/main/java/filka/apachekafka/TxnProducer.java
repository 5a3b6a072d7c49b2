package filka.apachekafka;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Transactions written by Kafka's own producer, so that a real broker's files hold COMMIT and
 * ABORT markers, an aborted-transaction index and transactional producer state: one
 * transaction of C keyed records that commits, then one of A records that is aborted (its
 * records are flushed to the broker first, so they are in the log).
 *
 * <p>Usage: TxnProducer BOOTSTRAP TOPIC TRANSACTIONAL_ID C A. Prints `committed C aborted A`.
 * Exit 2 on bad arguments, 1 when Kafka fails.
 */
public final class TxnProducer {
  private TxnProducer() {}

  public static void main(String[] args) {
    if (args.length != 5) {
      usage("expected 5 arguments");
    }
    int committed = 0;
    int aborted = 0;
    try {
      committed = Integer.parseInt(args[3]);
      aborted = Integer.parseInt(args[4]);
    } catch (NumberFormatException e) {
      usage("C and A must be numbers");
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, args[2]);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    String topic = args[1];
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < committed; i++) {
        producer.send(record(topic, "c", i));
      }
      producer.commitTransaction();
      producer.beginTransaction();
      for (int i = 0; i < aborted; i++) {
        producer.send(record(topic, "a", i));
      }
      producer.flush();
      producer.abortTransaction();
    } catch (RuntimeException e) {
      System.err.println("TxnProducer: " + e);
      System.exit(1);
    }
    System.out.println("committed " + committed + " aborted " + aborted);
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String what, int i) {
    return new ProducerRecord<>(
        topic,
        (what + "-key-" + i).getBytes(StandardCharsets.UTF_8),
        (what + "-value-" + i).getBytes(StandardCharsets.UTF_8));
  }

  private static void usage(String why) {
    System.err.println(
        "TxnProducer: " + why + " (usage: TxnProducer BOOTSTRAP TOPIC TRANSACTIONAL_ID C A)");
    System.exit(2);
  }
}
