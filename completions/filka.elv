
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
            cand init 'Not built yet'
            cand topic 'Not built yet'
            cand produce 'Not built yet'
            cand consume 'Not built yet'
            cand describe 'Not built yet'
            cand dump 'Print the contents of Kafka segment, index, time index and checkpoint files'
            cand demo 'Play the seed''s example end to end on a fresh cluster, step by step'
            cand completions 'Print a shell completion script'
        }
        &'filka;init'= {
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
        }
        &'filka;produce'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
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
