
use builtin;
use str;

set edit:completion:arg-completer[filka] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'filka'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'filka'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create a cluster: broker folders, the metadata log and its snapshot'
            cand topic 'Create, list, describe, alter and delete topics'
            cand produce 'Produce records to a topic from stdin (or a file), one record per line'
            cand consume 'Not built yet'
            cand describe 'Show brokers, topics, partitions, replicas and the metadata history'
            cand simulate-failure 'Make brokers fail in the ways Kafka brokers fail, and see how the cluster copes'
            cand dump 'Print the contents of Kafka segment, index, time index and checkpoint files'
            cand demo 'Play the seed''s example end to end on a fresh cluster, step by step'
            cand completions 'Print a shell completion script'
        }
        &'filka;init'= {
            cand --brokers 'Number of brokers'
            cand --first-id 'Id of the first broker; the others follow in order (Kafka''s node.id)'
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;topic'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand create 'Create a topic and its replicas'' folders, spreading leaders and followers over the brokers as Kafka does'
            cand list 'List topic names, one per line'
            cand describe 'One topic: a row per partition, then every config with its value and source'
            cand alter 'Add partitions to a topic or set its config overrides'
            cand delete 'Delete topics: their metadata first, then every replica''s folder'
            cand elect-leaders 'Preferred leader election: move leadership back to each partition''s first replica'
        }
        &'filka;topic;create'= {
            cand -p 'Number of partitions [default: 3]'
            cand --partitions 'Number of partitions [default: 3]'
            cand -r 'Replicas of each partition, on distinct brokers [default: 3, or the number of online brokers if fewer]'
            cand --replication-factor 'Replicas of each partition, on distinct brokers [default: 3, or the number of online brokers if fewer]'
            cand -c 'A topic config override, KEY=VALUE (repeat for more). Known keys: retention.ms, retention.bytes, segment.bytes, segment.ms, min.insync.replicas, compression.type, cleanup.policy, unclean.leader.election.enable, message.timestamp.type, and others (`filka describe topic NAME` lists them all)'
            cand --config 'A topic config override, KEY=VALUE (repeat for more). Known keys: retention.ms, retention.bytes, segment.bytes, segment.ms, min.insync.replicas, compression.type, cleanup.policy, unclean.leader.election.enable, message.timestamp.type, and others (`filka describe topic NAME` lists them all)'
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand --if-not-exists 'Succeed without changing anything when the topic already exists'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;topic;list'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -i 'Include internal topics (names starting with ''__'')'
            cand --internal 'Include internal topics (names starting with ''__'')'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;topic;describe'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;topic;alter'= {
            cand -p 'The new total number of partitions (at least the current count)'
            cand --partitions 'The new total number of partitions (at least the current count)'
            cand -c 'A config override to set, KEY=VALUE (repeat for more)'
            cand --config 'A config override to set, KEY=VALUE (repeat for more)'
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;topic;delete'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand --if-exists 'Succeed when a topic does not exist'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;topic;elect-leaders'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;produce'= {
            cand -t 'The topic to write to'
            cand --topic 'The topic to write to'
            cand --input 'Read records from FILE instead of stdin ("-" is stdin)'
            cand --input-format 'How each input line is read'
            cand -K 'Split each line into key and value at the first SEP'
            cand --key-separator 'Split each line into key and value at the first SEP'
            cand -k 'The key of every record (with -K: of the lines without a separator)'
            cand --key 'The key of every record (with -K: of the lines without a separator)'
            cand -H 'Add a header to every record (repeat for more)'
            cand --header 'Add a header to every record (repeat for more)'
            cand -p 'Write every record to partition N instead of letting the partitioner choose'
            cand --partition 'Write every record to partition N instead of letting the partitioner choose'
            cand --null-value 'Produce a value equal to MARKER as a null value (a tombstone)'
            cand --batch-size 'Uncompressed bytes per partition batch before it is written (Kafka''s batch.size)'
            cand -z 'Compression codec of the batches [default: the topic''s compression.type]'
            cand --compression 'Compression codec of the batches [default: the topic''s compression.type]'
            cand --acks 'Wait for no replica (0), the leader (1) or every in-sync replica (all)'
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand --no-create 'Fail with exit code 4 when the topic does not exist, instead of creating it'
            cand --print-offsets 'Print "partition<TAB>offset" for each record once it is acknowledged'
            cand --skip-invalid 'Report malformed lines on stderr and go on, instead of stopping with exit code 5'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;consume'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;describe'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand cluster 'The cluster: its id, counts, and the partitions each broker leads and follows'
            cand brokers 'One row per broker: Id, State (online or down), Paused, Leads, Follows'
            cand topics 'One row per partition of every topic'
            cand topic 'One topic: a row per partition, then every config with its value and source'
            cand partition 'One partition: leader, leader epoch, ISR, high watermark, and one row per replica'
            cand history 'The metadata log in order: every change to brokers, topics and partitions'
        }
        &'filka;describe;cluster'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;describe;brokers'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;describe;topics'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -i 'Include internal topics (names starting with ''__'')'
            cand --internal 'Include internal topics (names starting with ''__'')'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;describe;topic'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;describe;partition'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;describe;history'= {
            cand --topic 'Only the records about this topic (including a deleted one)'
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;simulate-failure'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand broker-down 'Stop a broker: it leaves every ISR and the partitions it led elect new leaders'
            cand broker-up 'Start a broker again: recovery, truncation by leader epoch, catch-up, ISR rejoin'
            cand pause-replication 'Stop a broker''s followers from copying (a slow or cut-off follower)'
            cand resume-replication 'Let a paused broker''s followers copy again; they catch up and rejoin the ISR'
            cand corrupt 'Flip bytes in a replica''s segment data; reads of the damaged batches then fail with their position, and recovery handles it at the next broker-up'
            cand torn-write 'Cut a replica''s active segment in the middle of its last batch, as a crash during a write leaves it'
        }
        &'filka;simulate-failure;broker-down'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand --power-loss 'Also lose every byte its replicas wrote after their last flush (the recovery point; flush.messages decides how often that is), plus a torn tail'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;simulate-failure;broker-up'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;simulate-failure;pause-replication'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;simulate-failure;resume-replication'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;simulate-failure;corrupt'= {
            cand --broker 'Broker holding the replica'
            cand --topic 'Topic'
            cand --partition 'Partition'
            cand --count 'How many bytes to flip'
            cand --seed 'Seed choosing the bytes (the same seed flips the same bytes)'
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;simulate-failure;torn-write'= {
            cand --broker 'Broker holding the replica'
            cand --topic 'Topic'
            cand --partition 'Partition'
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;dump'= {
            cand --max-bytes 'Read at most the first N bytes of each .log file (whole batches only; a batch the limit cuts is not reported)'
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand --print-data 'Also print each record''s offset, timestamp, key, value and headers, not just the batch headers (kafka-dump-log''s --print-data-log)'
            cand --verify 'Check every batch''s CRC and every index entry against the segment beside it, and report each mismatch'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;demo'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;completions'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
    ]
    $completions[$command]
}
