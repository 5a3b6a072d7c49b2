package filka.apachekafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka's transactional producer beside a plain one, for differential checks of what
 * read_committed consumers see. Runs a script from stdin, one step per line:
 *
 * <ul>
 *   <li>{@code begin}, {@code commit}, {@code abort}: the transactional producer's
 *       beginTransaction, commitTransaction, abortTransaction;
 *   <li>{@code send PARTITION VALUE}: a record of the open transaction;
 *   <li>{@code plain PARTITION VALUE}: a record of the plain (idempotent, non-transactional)
 *       producer.
 * </ul>
 *
 * <p>Every send waits for its acknowledgement, so records land in script order in each
 * partition. Values are UTF-8 text without spaces; keys are null.
 *
 * <p>Usage: Transactional BOOTSTRAP TOPIC TRANSACTIONAL_ID. Exit 2 on a bad script line.
 */
public final class Transactional {
  private Transactional() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      usage("expected BOOTSTRAP TOPIC TRANSACTIONAL_ID");
    }
    String topic = args[1];
    Properties plainProps = new Properties();
    plainProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    plainProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    plainProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    Properties txnProps = new Properties();
    txnProps.putAll(plainProps);
    txnProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, args[2]);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (KafkaProducer<String, String> txn = new KafkaProducer<>(txnProps);
        KafkaProducer<String, String> plain = new KafkaProducer<>(plainProps)) {
      txn.initTransactions();
      String line;
      int lineNo = 0;
      while ((line = in.readLine()) != null) {
        lineNo++;
        String[] f = line.strip().split(" ");
        switch (f[0]) {
          case "begin":
            txn.beginTransaction();
            break;
          case "commit":
            txn.commitTransaction();
            break;
          case "abort":
            txn.abortTransaction();
            break;
          case "send":
          case "plain":
            if (f.length != 3) {
              usage("line " + lineNo + ": " + f[0] + " wants PARTITION VALUE");
            }
            (f[0].equals("send") ? txn : plain)
                .send(new ProducerRecord<>(topic, Integer.valueOf(f[1]), null, f[2]))
                .get();
            break;
          default:
            usage("line " + lineNo + ": unknown step " + f[0]);
        }
      }
    }
  }

  private static void usage(String why) {
    System.err.println(
        "Transactional: " + why + " (usage: Transactional BOOTSTRAP TOPIC TRANSACTIONAL_ID)");
    System.exit(2);
  }
}
