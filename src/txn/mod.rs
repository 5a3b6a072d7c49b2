//! Transactions as Kafka's transaction coordinator keeps them: the internal topic
//! `__transaction_state` (50 partitions; a transactional id lives in partition
//! `abs(javaStringHashCode(id)) % 50`), whose records ([`schema`]) hold each id's producer id,
//! epoch, state and partitions.

pub mod coordinator;
pub mod schema;

#[cfg(test)]
mod tests;
