//! Trie-node gas: how many nodes of the state trie a contract's write or removal walks.
//!
//! nearcore keeps state in a Merkle-Patricia trie over 4-bit nibbles (branch nodes with 16
//! children, extension nodes for shared runs, leaves). Reads go through flat storage and touch
//! no node, but the first `storage_write` or `storage_remove` of a key in a chunk looks the key
//! up in the in-memory trie to find the value it replaces, and the contract pays
//! `read_cached_trie_node` for every node on that path (2.28 Ggas each at protocol 88). Later
//! accesses to the key in the same chunk find it among the chunk's changes and walk nothing.
//!
//! A contract's keys live under the prefix `0x09 ‖ account_id ‖ ','`, so the path of one of its
//! keys is the shard's nodes above the account ([`crate::Config::shard_trie_depth`], a
//! documented estimate: the real number depends on every other account in the shard) plus the
//! nodes in the account's own subtree, computed here exactly from the keys it held when the
//! block started (the trie a chunk reads is the previous block's).

use std::collections::BTreeMap;
use std::ops::Bound;

/// Nibbles in `key`.
fn nibble_len(key: &[u8]) -> usize {
    key.len() * 2
}

fn nibble(key: &[u8], i: usize) -> u8 {
    let byte = key[i / 2];
    if i.is_multiple_of(2) { byte >> 4 } else { byte & 0x0f }
}

/// The smallest byte string greater than every string starting with `prefix` (`None`: no bound).
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut next = prefix.to_vec();
    while let Some(last) = next.pop() {
        if last < 0xff {
            next.push(last + 1);
            return Some(next);
        }
    }
    None
}

/// The byte range holding exactly the keys whose first `nibbles` nibbles are `key`'s.
fn prefix_range(key: &[u8], nibbles: usize) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let whole = &key[..nibbles / 2];
    let upper = |bytes: Option<Vec<u8>>| bytes.map_or(Bound::Unbounded, Bound::Excluded);
    if nibbles.is_multiple_of(2) {
        return (Bound::Included(whole.to_vec()), upper(successor(whole)));
    }
    let high = nibble(key, nibbles - 1);
    let start = [whole, &[high << 4]].concat();
    let end = if high < 0x0f { Some([whole, &[(high + 1) << 4]].concat()) } else { successor(whole) };
    (Bound::Included(start), upper(end))
}

/// An account's contract keys as the block started: its keys now, less those the block
/// added, plus those it removed.
pub struct BlockStart<'a> {
    pub now: &'a BTreeMap<Vec<u8>, Vec<u8>>,
    /// Keys the block wrote or removed, with whether they existed when it started.
    pub changed: &'a BTreeMap<Vec<u8>, bool>,
}

impl BlockStart<'_> {
    /// The smallest and largest key in `range`.
    fn ends(&self, range: (Bound<Vec<u8>>, Bound<Vec<u8>>)) -> Option<(&[u8], &[u8])> {
        let existed = |key: &&Vec<u8>| self.changed.get(*key).copied().unwrap_or(true);
        let mut kept = self.now.range::<Vec<u8>, _>(range.clone()).map(|(key, _)| key).filter(existed);
        let mut removed = self
            .changed
            .range::<Vec<u8>, _>(range)
            .filter(|(key, existed)| **existed && !self.now.contains_key(*key))
            .map(|(key, _)| key);
        let low = [kept.clone().next(), removed.clone().next()].into_iter().flatten().min()?;
        let high = [kept.next_back(), removed.next_back()].into_iter().flatten().max()?;
        Some((low, high))
    }
}

/// Nodes a lookup of `key` walks in the subtree of an account with contract keys `keys`: none
/// for an account without keys, the leaf for one key, otherwise the extension that ends the
/// account's prefix (and any run the keys share), then one branch per level, down to the leaf
/// of the key or the point where the key leaves the trie.
pub fn subtree_nodes(keys: &BlockStart, key: &[u8]) -> u64 {
    let mut nodes = 0;
    let mut pos = 0;
    loop {
        let Some((low, high)) = keys.ends(prefix_range(key, pos)) else {
            return nodes;
        };
        if low == high {
            return nodes + 1;
        }
        let shared = (pos..nibble_len(low).min(nibble_len(high)))
            .find(|&i| nibble(low, i) != nibble(high, i))
            .unwrap_or(nibble_len(low));
        if shared > pos || pos == 0 {
            nodes += 1;
            if (pos..shared).any(|i| i >= nibble_len(key) || nibble(key, i) != nibble(low, i)) {
                return nodes;
            }
        }
        nodes += 1;
        if nibble_len(key) == shared {
            return nodes;
        }
        pos = shared + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &[&[u8]]) -> BTreeMap<Vec<u8>, Vec<u8>> {
        list.iter().map(|k| (k.to_vec(), vec![])).collect()
    }

    fn subtree_nodes(keys: &BTreeMap<Vec<u8>, Vec<u8>>, key: &[u8]) -> u64 {
        super::subtree_nodes(&BlockStart { now: keys, changed: &BTreeMap::new() }, key)
    }

    #[test]
    fn the_walk_sees_the_keys_of_the_block_start() {
        // Now {"a", "b"}; the block added "b" and removed "q" (0x71).
        let now = keys(&[b"a", b"b"]);
        let changed = BTreeMap::from([(b"b".to_vec(), false), (b"q".to_vec(), true)]);
        let start = BlockStart { now: &now, changed: &changed };
        assert_eq!(super::subtree_nodes(&start, b"a"), 3);
        assert_eq!(subtree_nodes(&keys(&[b"a", b"q"]), b"a"), 3);
        assert_eq!(super::subtree_nodes(&start, b"c"), 3);
        assert_eq!(subtree_nodes(&now, b"c"), 2);
        assert_eq!(super::subtree_nodes(&start, b"q"), 3);
        assert_eq!(subtree_nodes(&now, b"q"), 1);
    }

    #[test]
    fn an_empty_account_has_no_nodes_and_one_key_is_a_leaf() {
        assert_eq!(subtree_nodes(&keys(&[]), b"a"), 0);
        assert_eq!(subtree_nodes(&keys(&[b"a"]), b"a"), 1);
        assert_eq!(subtree_nodes(&keys(&[b"a"]), b"zz"), 1);
    }

    #[test]
    fn paths_count_the_extension_each_branch_and_the_leaf() {
        // "a" = 0x61, "b" = 0x62, "c" = 0x63: the keys share nibble 6, then branch on the second.
        let two = keys(&[b"a", b"b"]);
        assert_eq!(subtree_nodes(&two, b"a"), 3);
        assert_eq!(subtree_nodes(&two, b"c"), 2);
        // 0x71 leaves at the extension.
        assert_eq!(subtree_nodes(&two, b"q"), 1);
        // "a" and "q" (0x71) differ in the first nibble: the account's extension, a branch, a leaf.
        let split = keys(&[b"a", b"q"]);
        assert_eq!(subtree_nodes(&split, b"q"), 3);
        // "a" ends in a branch holding its value, whose one child leads to "aa" and "ab".
        let nested = keys(&[b"a", b"aa", b"ab", b"b"]);
        assert_eq!(subtree_nodes(&nested, b"b"), 3);
        assert_eq!(subtree_nodes(&nested, b"a"), 3);
        // "aa" and "ab" share nibble 6 below that branch and split on the next.
        assert_eq!(subtree_nodes(&nested, b"ab"), 5);
        assert_eq!(subtree_nodes(&nested, b"ac"), 4);
    }

    #[test]
    fn odd_prefixes_and_byte_0xff_stay_in_range() {
        let edge = keys(&[&[0xff, 0xff], &[0xff, 0xfe], &[0xf0]]);
        assert_eq!(subtree_nodes(&edge, &[0xff, 0xff]), 5);
        assert_eq!(subtree_nodes(&edge, &[0xf0]), 3);
    }
}
