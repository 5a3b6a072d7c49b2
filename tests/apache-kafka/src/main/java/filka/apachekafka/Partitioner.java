package filka.apachekafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;

/**
 * Kafka's default partitioner, for differential checks: reads keys from stdin, hex, one per
 * line (an empty line is the empty key), and prints one line per key, the partition Kafka's
 * producer chooses for it among N partitions (BuiltInPartitioner.partitionForKey, which is
 * toPositive(murmur2(key)) % N), or with --murmur2 the key's raw murmur2 hash.
 *
 * <p>Usage: Partitioner N | Partitioner --murmur2. Exit 2 on bad arguments or bad hex.
 */
public final class Partitioner {
  private Partitioner() {}

  public static void main(String[] args) throws Exception {
    boolean murmur = args.length == 1 && args[0].equals("--murmur2");
    int partitions = 0;
    if (!murmur) {
      if (args.length != 1) {
        usage("expected one argument, N or --murmur2");
      }
      try {
        partitions = Integer.parseInt(args[0]);
      } catch (NumberFormatException e) {
        usage("N is not a number: " + args[0]);
      }
      if (partitions < 1) {
        usage("N must be at least 1: " + args[0]);
      }
    }
    HexFormat hex = HexFormat.of();
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    int lineNo = 0;
    while ((line = in.readLine()) != null) {
      lineNo++;
      byte[] key;
      try {
        key = hex.parseHex(line.strip());
      } catch (IllegalArgumentException e) {
        System.err.println("Partitioner: line " + lineNo + ": not hex: " + e.getMessage());
        System.exit(2);
        return;
      }
      if (murmur) {
        out.println(Utils.murmur2(key));
      } else {
        out.println(BuiltInPartitioner.partitionForKey(key, partitions));
      }
    }
    out.flush();
  }

  private static void usage(String why) {
    System.err.println("Partitioner: " + why + " (usage: Partitioner N | Partitioner --murmur2)");
    System.exit(2);
  }
}
