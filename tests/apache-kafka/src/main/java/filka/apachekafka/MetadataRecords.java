package filka.apachekafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.apache.kafka.common.message.KRaftVersionRecord;
import org.apache.kafka.common.message.KRaftVersionRecordJsonConverter;
import org.apache.kafka.common.message.LeaderChangeMessage;
import org.apache.kafka.common.message.LeaderChangeMessageJsonConverter;
import org.apache.kafka.common.message.SnapshotFooterRecord;
import org.apache.kafka.common.message.SnapshotFooterRecordJsonConverter;
import org.apache.kafka.common.message.SnapshotHeaderRecord;
import org.apache.kafka.common.message.SnapshotHeaderRecordJsonConverter;
import org.apache.kafka.common.message.VotersRecord;
import org.apache.kafka.common.message.VotersRecordJsonConverter;
import org.apache.kafka.common.metadata.MetadataJsonConverters;
import org.apache.kafka.common.metadata.MetadataRecordType;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.ControlRecordUtils;
import org.apache.kafka.metadata.MetadataRecordSerde;
import org.apache.kafka.server.common.ApiMessageAndVersion;

/**
 * Kafka's own codecs of the KRaft metadata log, for byte-for-byte checks of filka's: metadata
 * records framed by MetadataRecordSerde (org.apache.kafka.common.metadata.*Record through
 * MetadataJsonConverters) and KRaft control records (the generated message classes,
 * ControlRecordType, ControlRecordUtils). One item per stdin line, one result line per item on
 * stdout; an item Kafka refuses prints {@code ERROR: <exception>} and the run goes on.
 *
 * <ul>
 *   <li>{@code encode}: {@code TYPE VERSION JSON}, where TYPE is a MetadataRecordType name
 *       ({@code TOPIC_RECORD}...) and JSON the record's data as its JsonConverter reads it:
 *       prints the framed value in hex. TYPE may also be a control record type
 *       ({@code LEADER_CHANGE}, {@code SNAPSHOT_HEADER}, {@code SNAPSHOT_FOOTER},
 *       {@code KRAFT_VERSION}, {@code KRAFT_VOTERS}): prints {@code KEYHEX VALUEHEX}, the
 *       message written at VERSION.
 *   <li>{@code decode}: {@code VALUEHEX} prints what kafka-dump-log --cluster-metadata-decoder
 *       prints after {@code payload: } (offset 0); {@code KEYHEX VALUEHEX} prints what it
 *       prints for a control record after its metadata ({@code LeaderChange: {...}}...).
 *   <li>{@code reencode}: {@code VALUEHEX} is read by MetadataRecordSerde and written again:
 *       prints the hex Kafka writes back.
 * </ul>
 *
 * <p>Usage: MetadataRecords encode|decode|reencode. Exit 2 on bad arguments.
 */
public final class MetadataRecords {
  private static final HexFormat HEX = HexFormat.of();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private MetadataRecords() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1
        || !(args[0].equals("encode") || args[0].equals("decode") || args[0].equals("reencode"))) {
      System.err.println("MetadataRecords: usage: MetadataRecords encode|decode|reencode");
      System.exit(2);
      return;
    }
    String mode = args[0];
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      String result;
      try {
        switch (mode) {
          case "encode" -> result = encode(line.strip());
          case "decode" -> result = decode(line.strip());
          default -> result = reencode(line.strip());
        }
      } catch (Exception e) {
        result = "ERROR: " + String.valueOf(e).replace('\n', ' ');
      }
      out.println(result);
    }
    out.flush();
  }

  private static String encode(String line) throws Exception {
    String[] parts = line.split(" ", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("expected TYPE VERSION JSON: " + line);
    }
    String type = parts[0];
    short version = Short.parseShort(parts[1]);
    JsonNode json = MAPPER.readTree(parts[2]);
    Message control = controlMessage(type, json, version);
    if (control != null) {
      ByteBuffer key = ControlRecordType.valueOf(type).recordKey();
      byte[] keyBytes = new byte[key.remaining()];
      key.get(keyBytes);
      return HEX.formatHex(keyBytes) + " " + HEX.formatHex(write(control, version));
    }
    short apiKey = MetadataRecordType.valueOf(type).id();
    ApiMessage message = MetadataJsonConverters.readJson(json, apiKey, version);
    return HEX.formatHex(frame(new ApiMessageAndVersion(message, version)));
  }

  private static Message controlMessage(String type, JsonNode json, short version) {
    return switch (type) {
      case "LEADER_CHANGE" -> LeaderChangeMessageJsonConverter.read(json, version);
      case "SNAPSHOT_HEADER" -> SnapshotHeaderRecordJsonConverter.read(json, version);
      case "SNAPSHOT_FOOTER" -> SnapshotFooterRecordJsonConverter.read(json, version);
      case "KRAFT_VERSION" -> KRaftVersionRecordJsonConverter.read(json, version);
      case "KRAFT_VOTERS" -> VotersRecordJsonConverter.read(json, version);
      default -> null;
    };
  }

  private static byte[] write(Message message, short version) {
    ObjectSerializationCache cache = new ObjectSerializationCache();
    int size = message.size(cache, version);
    ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.allocate(size));
    message.write(accessor, cache, version);
    return accessor.buffer().array();
  }

  private static byte[] frame(ApiMessageAndVersion record) {
    ObjectSerializationCache cache = new ObjectSerializationCache();
    int size = MetadataRecordSerde.INSTANCE.recordSize(record, cache);
    ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.allocate(size));
    MetadataRecordSerde.INSTANCE.write(record, cache, accessor);
    return accessor.buffer().array();
  }

  private static String decode(String line) {
    String[] parts = line.split(" ");
    if (parts.length == 2) {
      return decodeControl(HEX.parseHex(parts[0]), HEX.parseHex(parts[1]));
    }
    byte[] value = HEX.parseHex(line);
    // As DumpLogSegments' ClusterMetadataLogMessageParser.
    try {
      ApiMessageAndVersion record =
          MetadataRecordSerde.INSTANCE.read(
              new ByteBufferAccessor(ByteBuffer.wrap(value)), value.length);
      ObjectNode json = new ObjectNode(JsonNodeFactory.instance);
      json.set(
          "type",
          new TextNode(MetadataRecordType.fromId(record.message().apiKey()).toString()));
      json.set("version", new IntNode(record.version()));
      json.set("data", MetadataJsonConverters.writeJson(record.message(), record.version()));
      return json.toString();
    } catch (Throwable e) {
      return "Error at 0, skipping. " + e.getMessage();
    }
  }

  /** As DumpLogSegments' printControlRecord, for the KRaft types. */
  private static String decodeControl(byte[] key, byte[] value) {
    ByteBuffer v = ByteBuffer.wrap(value);
    short typeId = ControlRecordType.parseTypeId(ByteBuffer.wrap(key));
    ControlRecordType type = ControlRecordType.fromTypeId(typeId);
    switch (type) {
      case LEADER_CHANGE -> {
        LeaderChangeMessage m = ControlRecordUtils.deserializeLeaderChangeMessage(v);
        return "LeaderChange: " + LeaderChangeMessageJsonConverter.write(m, m.version());
      }
      case SNAPSHOT_HEADER -> {
        SnapshotHeaderRecord m = ControlRecordUtils.deserializeSnapshotHeaderRecord(v);
        return "SnapshotHeader " + SnapshotHeaderRecordJsonConverter.write(m, m.version());
      }
      case SNAPSHOT_FOOTER -> {
        SnapshotFooterRecord m = ControlRecordUtils.deserializeSnapshotFooterRecord(v);
        return "SnapshotFooter " + SnapshotFooterRecordJsonConverter.write(m, m.version());
      }
      case KRAFT_VERSION -> {
        KRaftVersionRecord m = ControlRecordUtils.deserializeKRaftVersionRecord(v);
        return "KRaftVersion " + KRaftVersionRecordJsonConverter.write(m, m.version());
      }
      case KRAFT_VOTERS -> {
        VotersRecord m = ControlRecordUtils.deserializeVotersRecord(v);
        return "KRaftVoters " + VotersRecordJsonConverter.write(m, m.version());
      }
      default -> {
        return "controlType: " + type + "(" + typeId + ")";
      }
    }
  }

  private static String reencode(String line) {
    byte[] value = HEX.parseHex(line);
    ApiMessageAndVersion record =
        MetadataRecordSerde.INSTANCE.read(
            new ByteBufferAccessor(ByteBuffer.wrap(value)), value.length);
    return HEX.formatHex(frame(record));
  }
}
