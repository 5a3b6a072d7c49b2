package filka.apachekafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupSubscription;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka's consumer assignors, for differential checks: reads cases from stdin and prints each
 * one's assignment, calling ConsumerPartitionAssignor.assign(Cluster, GroupSubscription) as the
 * group leader's consumer does.
 *
 * <p>A case, one item per line (fields separated by one space; ids and names hold no space):
 *
 * <pre>
 * case ASSIGNOR                    range, roundrobin, sticky or cooperative-sticky
 * topic NAME PARTITIONS            every topic of the cluster
 * member ID TOPIC,... [GEN OWNED]  in join order; GEN and OWNED (T:P,... or -) for a member
 *                                  that owned partitions in generation GEN
 * end
 * </pre>
 *
 * <p>The members go into the group subscription in the order given (a HashMap, as
 * ConsumerCoordinator builds it, in join order), each subscribed as a real consumer of that
 * assignor subscribes: range and roundrobin with no user data; sticky (eager) with the user data
 * StickyAssignor writes after onAssignment (its previous partitions and generation) and no owned
 * partitions, since an eager member revokes everything before it joins; cooperative-sticky with
 * the owned partitions, the generation field and the user data CooperativeStickyAssignor writes.
 *
 * <p>The answer per case: "case", then "member ID T:P,..." ("-" for none) per member, by member
 * id, each member's partitions in the order the assignor returned them, then "end". Exit 2 on
 * bad input.
 */
public final class Assign {
  private Assign() {}

  private static String assignor;
  private static final List<PartitionInfo> PARTITIONS = new ArrayList<>();
  private static final Map<String, Subscription> SUBSCRIPTIONS = new HashMap<>();
  private static final Node NODE = new Node(101, "127.0.0.1", 9092);

  public static void main(String[] args) throws Exception {
    if (args.length != 0) {
      fail(0, "takes no arguments (the cases come on stdin)");
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    String line;
    int lineNo = 0;
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.strip().split(" ");
      switch (f[0]) {
        case "case":
          if (f.length != 2 || assignor != null) {
            fail(lineNo, "case ASSIGNOR, after the previous case's end");
          }
          assignor = f[1];
          PARTITIONS.clear();
          SUBSCRIPTIONS.clear();
          break;
        case "topic":
          if (f.length != 3 || assignor == null) {
            fail(lineNo, "topic NAME PARTITIONS, inside a case");
          }
          Node[] replicas = {NODE};
          for (int p = 0; p < Integer.parseInt(f[2]); p++) {
            PARTITIONS.add(new PartitionInfo(f[1], p, NODE, replicas, replicas));
          }
          break;
        case "member":
          if ((f.length != 3 && f.length != 5) || assignor == null) {
            fail(lineNo, "member ID TOPIC,... [GENERATION OWNED], inside a case");
          }
          member(lineNo, f);
          break;
        case "end":
          if (assignor == null) {
            fail(lineNo, "end without a case");
          }
          print(out, assign(lineNo));
          assignor = null;
          break;
        default:
          fail(lineNo, "unknown item " + f[0]);
      }
    }
    out.flush();
  }

  // onAssignment takes a ConsumerGroupMetadata, whose public constructor is marked for removal
  // (consumers get theirs from the coordinator); it is the only way in from outside the group.
  @SuppressWarnings("removal")
  private static void member(int lineNo, String[] f) {
    String id = f[1];
    List<String> topics = List.of(f[2].split(","));
    List<TopicPartition> owned = new ArrayList<>();
    int generation = -1;
    boolean previous = f.length == 5;
    if (previous) {
      generation = Integer.parseInt(f[3]);
      if (!f[4].equals("-")) {
        for (String tp : f[4].split(",")) {
          int colon = tp.lastIndexOf(':');
          owned.add(
              new TopicPartition(tp.substring(0, colon), Integer.parseInt(tp.substring(colon + 1))));
        }
      }
    }
    ConsumerGroupMetadata meta = new ConsumerGroupMetadata("judge", generation, id, Optional.empty());
    ConsumerPartitionAssignor.Assignment had = new ConsumerPartitionAssignor.Assignment(owned);
    Subscription s;
    switch (assignor) {
      case "range":
      case "roundrobin":
        s = new Subscription(topics, null, owned, generation, Optional.empty());
        break;
      case "sticky":
        {
          StickyAssignor a = new StickyAssignor();
          if (previous) {
            a.onAssignment(had, meta);
          }
          ByteBuffer userData = a.subscriptionUserData(new HashSet<>(topics));
          s = new Subscription(topics, userData, Collections.emptyList(), generation, Optional.empty());
          break;
        }
      case "cooperative-sticky":
        {
          CooperativeStickyAssignor a = new CooperativeStickyAssignor();
          if (previous) {
            a.onAssignment(had, meta);
          }
          ByteBuffer userData = a.subscriptionUserData(new HashSet<>(topics));
          s = new Subscription(topics, userData, owned, generation, Optional.empty());
          break;
        }
      default:
        fail(lineNo, "unknown assignor " + assignor + " (range, roundrobin, sticky, cooperative-sticky)");
        return;
    }
    if (SUBSCRIPTIONS.put(id, s) != null) {
      fail(lineNo, "member " + id + " given twice");
    }
  }

  private static Map<String, ConsumerPartitionAssignor.Assignment> assign(int lineNo) {
    ConsumerPartitionAssignor a;
    switch (assignor) {
      case "range":
        a = new RangeAssignor();
        break;
      case "roundrobin":
        a = new RoundRobinAssignor();
        break;
      case "sticky":
        a = new StickyAssignor();
        break;
      default:
        a = new CooperativeStickyAssignor();
        break;
    }
    Cluster cluster =
        new Cluster("judge", List.of(NODE), PARTITIONS, Collections.emptySet(), new HashSet<>());
    try {
      return a.assign(cluster, new GroupSubscription(SUBSCRIPTIONS)).groupAssignment();
    } catch (RuntimeException e) {
      fail(lineNo, a.name() + " failed: " + e);
      return null;
    }
  }

  private static void print(PrintStream out, Map<String, ConsumerPartitionAssignor.Assignment> result) {
    out.println("case");
    for (Map.Entry<String, ConsumerPartitionAssignor.Assignment> e : new TreeMap<>(result).entrySet()) {
      StringBuilder b = new StringBuilder();
      for (TopicPartition tp : e.getValue().partitions()) {
        b.append(b.length() == 0 ? "" : ",").append(tp.topic()).append(':').append(tp.partition());
      }
      out.println("member " + e.getKey() + " " + (b.length() == 0 ? "-" : b));
    }
    out.println("end");
  }

  private static void fail(int lineNo, String why) {
    System.err.println("Assign: line " + lineNo + ": " + why);
    System.exit(2);
  }
}
