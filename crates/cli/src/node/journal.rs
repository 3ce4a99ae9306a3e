//! The node's state on disk: the chain is deterministic, so it is kept as the options it was
//! created with and a journal of everything that changed it since (signed transactions
//! accepted, blocks produced, state patches). A restart replays the journal.
//!
//! Crash safety: `node.json` is written once, through a temporary file renamed into place. Each
//! journal record is `length (u32 LE) ‖ checksum (8 bytes of sha256) ‖ JSON`, appended and
//! synced before the node acts on it; a record cut short by a crash fails its length or
//! checksum, and loading drops it (and truncates the file there, so appends stay aligned).

use super::Options;
use localnet::near_primitives::hash::CryptoHash;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Something that changed the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A signed transaction accepted (base64 borsh).
    Transaction { signed_tx_base64: String },
    /// `n` blocks produced.
    Blocks { n: u64 },
    /// Blocks produced until nothing submitted was still running.
    Settle,
    /// A contract state key overwritten (`sandbox_patch_state`), base64 key and value.
    PatchState { account_id: String, key_base64: String, value_base64: String },
    /// A validator's uptime set (`lst_set_validator_uptime`), as a fraction.
    SetUptime { account_id: String, numerator: u128, denominator: u128 },
}

/// The chain's options as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    pub epoch_length: u64,
    pub validators: usize,
    pub accounts: usize,
    pub keeper: bool,
}

impl Genesis {
    pub fn of(options: &Options) -> Genesis {
        Genesis {
            epoch_length: options.epoch_length,
            validators: options.validators,
            accounts: options.accounts,
            keeper: options.keeper,
        }
    }
}

pub struct Journal {
    file: File,
}

/// What loading a state directory found.
pub struct Loaded {
    pub journal: Journal,
    /// The stored options (`None`: a new directory, now holding the given ones).
    pub genesis: Option<Genesis>,
    pub events: Vec<Event>,
    /// Bytes of a torn last record that were dropped.
    pub dropped: u64,
}

fn checksum(payload: &[u8]) -> [u8; 8] {
    CryptoHash::hash_bytes(payload).0[..8].try_into().expect("8 bytes")
}

/// Opens (or creates) the state in `dir`, for a chain with `options` if it is new.
pub fn open(dir: &Path, options: &Options) -> std::io::Result<Loaded> {
    std::fs::create_dir_all(dir)?;
    let genesis_path = dir.join("node.json");
    let genesis = match std::fs::read(&genesis_path) {
        Ok(bytes) => Some(serde_json::from_slice::<Genesis>(&bytes).map_err(std::io::Error::other)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            write_atomically(&genesis_path, &serde_json::to_vec_pretty(&Genesis::of(options))?)?;
            None
        }
        Err(e) => return Err(e),
    };
    let mut file = OpenOptions::new().read(true).append(true).create(true).open(journal_path(dir))?;
    let mut bytes = vec![];
    file.read_to_end(&mut bytes)?;
    let (events, good) = parse(&bytes);
    let dropped = (bytes.len() - good) as u64;
    if dropped > 0 {
        file.set_len(good as u64)?;
        file.sync_all()?;
    }
    file.seek(SeekFrom::End(0))?;
    Ok(Loaded { journal: Journal { file }, genesis, events, dropped })
}

fn journal_path(dir: &Path) -> PathBuf {
    dir.join("journal")
}

/// The events of whole records, and how many bytes they take.
fn parse(bytes: &[u8]) -> (Vec<Event>, usize) {
    let mut events = vec![];
    let mut at = 0;
    while bytes.len() - at >= 12 {
        let length = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let Some(payload) = bytes.get(at + 12..at + 12 + length) else { break };
        if bytes[at + 4..at + 12] != checksum(payload) {
            break;
        }
        let Ok(event) = serde_json::from_slice::<Event>(payload) else { break };
        events.push(event);
        at += 12 + length;
    }
    (events, at)
}

fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension("tmp");
    let mut file = File::create(&temporary)?;
    file.write_all(contents)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

impl Journal {
    /// Appends `event` and syncs it to disk.
    pub fn append(&mut self, event: &Event) -> std::io::Result<()> {
        let payload = serde_json::to_vec(event)?;
        let mut record = Vec::with_capacity(12 + payload.len());
        record.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        record.extend_from_slice(&checksum(&payload));
        record.extend_from_slice(&payload);
        self.file.write_all(&record)?;
        self.file.sync_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_record_is_dropped_and_the_rest_replays() {
        let dir = std::env::temp_dir().join(format!("lst-journal-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let options = Options::default();
        let mut loaded = open(&dir, &options).unwrap();
        assert_eq!((loaded.genesis.clone(), loaded.events.len()), (None, 0));
        let events = [Event::Blocks { n: 3 }, Event::Settle, Event::Blocks { n: 1 }];
        for event in &events {
            loaded.journal.append(event).unwrap();
        }
        drop(loaded);
        // A crash in the middle of the last record: its last 5 bytes never reached the disk.
        let path = journal_path(&dir);
        let full = std::fs::metadata(&path).unwrap().len();
        OpenOptions::new().write(true).open(&path).unwrap().set_len(full - 5).unwrap();
        let mut loaded = open(&dir, &Options { epoch_length: 7, ..options.clone() }).unwrap();
        assert_eq!(loaded.genesis, Some(Genesis::of(&options)));
        assert_eq!(loaded.events, events[..2]);
        assert!(loaded.dropped > 0);
        // Appends continue after the last whole record.
        loaded.journal.append(&Event::Blocks { n: 9 }).unwrap();
        drop(loaded);
        let loaded = open(&dir, &options).unwrap();
        assert_eq!(loaded.events, vec![events[0].clone(), events[1].clone(), Event::Blocks { n: 9 }]);
        assert_eq!(loaded.dropped, 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupted_record_ends_the_journal_there() {
        let record = |event: &Event| {
            let payload = serde_json::to_vec(event).unwrap();
            [&(payload.len() as u32).to_le_bytes()[..], &checksum(&payload), &payload].concat()
        };
        let mut bytes = [record(&Event::Settle), record(&Event::Blocks { n: 2 })].concat();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        let (events, good) = parse(&bytes);
        assert_eq!(events, vec![Event::Settle]);
        assert_eq!(good, record(&Event::Settle).len());
    }
}
