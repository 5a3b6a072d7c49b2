//! What a real Kafka and filka must do the same way: the same input into both, the results
//! compared exactly (issue 13). Kafka's side is its own code: a 1-node broker, its producer
//! and consumer, its assignor classes, its tools (drivers in
//! tests/apache-kafka/src/main/java/filka/apachekafka/); filka's side is the `filka` binary
//! (and, for the assignors, the library). One module per check.

mod assignors;
mod group_offsets;
mod list_offsets;
mod partitioner;
mod transactions;

/// A small deterministic generator (no rand dependency in the tests).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Bytes as lowercase hex.
fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Hex back to bytes.
fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}
