//! Test contract for localnet: grows and shrinks its storage on demand.
use near_sdk::{env, near};

#[near(contract_state)]
#[derive(Default)]
pub struct StorageGrower {
    entries: u32,
}

#[near]
impl StorageGrower {
    /// Writes `count` new entries of `size` bytes each under keys "e<n>" and returns the
    /// account's storage usage afterwards.
    pub fn grow(&mut self, count: u32, size: u32) -> u64 {
        for _ in 0..count {
            let key = format!("e{}", self.entries);
            env::storage_write(key.as_bytes(), &vec![7u8; size as usize]);
            self.entries += 1;
        }
        env::storage_usage()
    }

    /// Removes the newest `count` entries and returns the storage usage afterwards.
    pub fn shrink(&mut self, count: u32) -> u64 {
        for _ in 0..count.min(self.entries) {
            self.entries -= 1;
            env::storage_remove(format!("e{}", self.entries).as_bytes());
        }
        env::storage_usage()
    }

    pub fn entries(&self) -> u32 {
        self.entries
    }

    /// A view that tries to write: views must not change state.
    pub fn write_in_view(&self) {
        env::storage_write(b"view", b"nope");
    }
}
