package filka.apachekafka;

import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.metadata.properties.MetaProperties;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.storage.internals.checkpoint.CleanShutdownFileHandler;
import org.apache.kafka.storage.internals.checkpoint.LeaderEpochCheckpointFile;
import org.apache.kafka.storage.internals.checkpoint.OffsetCheckpointFile;
import org.apache.kafka.storage.internals.checkpoint.PartitionMetadata;
import org.apache.kafka.storage.internals.checkpoint.PartitionMetadataFile;
import org.apache.kafka.storage.internals.log.EpochEntry;
import org.apache.kafka.storage.internals.log.LogDirFailureChannel;

/**
 * The small files of a Kafka log dir, read by Kafka's own classes, for comparison with `filka
 * dump`: each named file is read as the broker reads it at start-up and what Kafka understood
 * is printed in filka dump's words, one entry a line, after a `Dumping FILE` line.
 *
 * <ul>
 *   <li>`leader-epoch-checkpoint` (LeaderEpochCheckpointFile): `epoch: E startOffset: O`;
 *   <li>any other `*-checkpoint` (OffsetCheckpointFile: recovery-point, replication,
 *       log-start, cleaner): `topic: T partition: P offset: O`, sorted by topic and partition
 *       (Kafka reads them into a map, so the file's order is not kept);
 *   <li>`partition.metadata` (PartitionMetadataFile): `version: 0 topicId: ID`;
 *   <li>`meta.properties` (MetaPropertiesEnsemble.Loader on its folder, then verify with
 *       REQUIRE_AT_LEAST_ONE_VALID and REQUIRE_METADATA_LOG_DIR, as a broker does at start):
 *       `version: V nodeId: N clusterId: C directoryId: D` (absent ones as `-`);
 *   <li>`.kafka_cleanshutdown` (CleanShutdownFileHandler): `brokerEpoch: E`.
 * </ul>
 *
 * <p>A file Kafka refuses gets `Error: FILE: what Kafka said`, and the run exits 1 after the
 * last file; an unknown name exits 2.
 */
public final class FileChecks {
  private FileChecks() {}

  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("FileChecks: name the files to read (usage: FileChecks FILE...)");
      System.exit(2);
    }
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    boolean failed = false;
    for (String arg : args) {
      File file = new File(arg);
      out.println("Dumping " + arg);
      try {
        for (String line : read(file)) {
          out.println(line);
        }
      } catch (UnknownFile e) {
        out.flush();
        System.err.println("FileChecks: " + arg + ": " + e.getMessage());
        System.exit(2);
      } catch (Exception e) {
        failed = true;
        out.println("Error: " + arg + ": " + e);
      }
    }
    out.flush();
    System.exit(failed ? 1 : 0);
  }

  /** A file name FileChecks does not know. */
  private static final class UnknownFile extends Exception {
    private static final long serialVersionUID = 1L;

    UnknownFile(String why) {
      super(why);
    }
  }

  private static List<String> read(File file) throws Exception {
    String name = file.getName();
    // Failures are thrown (KafkaStorageException), not only reported to the channel.
    LogDirFailureChannel channel = new LogDirFailureChannel(1);
    List<String> lines = new ArrayList<>();
    if (name.equals("leader-epoch-checkpoint")) {
      for (EpochEntry e : new LeaderEpochCheckpointFile(file, channel).read()) {
        lines.add("epoch: " + e.epoch() + " startOffset: " + e.startOffset());
      }
    } else if (name.endsWith("-checkpoint")) {
      Map<TopicPartition, Long> offsets = new OffsetCheckpointFile(file, channel).read();
      offsets.entrySet().stream()
          .sorted(
              (a, b) -> {
                int c = a.getKey().topic().compareTo(b.getKey().topic());
                return c != 0
                    ? c
                    : Integer.compare(a.getKey().partition(), b.getKey().partition());
              })
          .forEach(
              e ->
                  lines.add(
                      "topic: "
                          + e.getKey().topic()
                          + " partition: "
                          + e.getKey().partition()
                          + " offset: "
                          + e.getValue()));
    } else if (name.equals("partition.metadata")) {
      PartitionMetadata m = new PartitionMetadataFile(file, channel).read();
      lines.add("version: " + m.version() + " topicId: " + m.topicId());
    } else if (name.equals("meta.properties")) {
      String dir = file.getAbsoluteFile().getParent();
      MetaPropertiesEnsemble ensemble =
          new MetaPropertiesEnsemble.Loader()
              .addLogDirs(List.of(dir))
              .addMetadataLogDir(dir)
              .load();
      if (!ensemble.errorLogDirs().isEmpty()) {
        throw new IllegalStateException("Kafka could not read " + ensemble.errorLogDirs());
      }
      MetaProperties p = ensemble.logDirProps().get(dir);
      if (p == null) {
        throw new IllegalStateException("Kafka found no meta.properties in " + dir);
      }
      ensemble.verify(
          p.clusterId(),
          p.nodeId(),
          EnumSet.of(
              MetaPropertiesEnsemble.VerificationFlag.REQUIRE_AT_LEAST_ONE_VALID,
              MetaPropertiesEnsemble.VerificationFlag.REQUIRE_METADATA_LOG_DIR));
      OptionalInt node = p.nodeId();
      Optional<String> cluster = p.clusterId();
      lines.add(
          "version: "
              + p.version().number()
              + " nodeId: "
              + (node.isPresent() ? String.valueOf(node.getAsInt()) : "-")
              + " clusterId: "
              + cluster.orElse("-")
              + " directoryId: "
              + p.directoryId().map(Object::toString).orElse("-"));
    } else if (name.equals(CleanShutdownFileHandler.CLEAN_SHUTDOWN_FILE_NAME)) {
      OptionalLong epoch =
          new CleanShutdownFileHandler(file.getAbsoluteFile().getParent()).read();
      lines.add("brokerEpoch: " + (epoch.isPresent() ? String.valueOf(epoch.getAsLong()) : "-"));
    } else {
      throw new UnknownFile(
          "not a file FileChecks reads (*-checkpoint, partition.metadata, meta.properties, "
              + CleanShutdownFileHandler.CLEAN_SHUTDOWN_FILE_NAME
              + ")");
    }
    return lines;
  }
}
