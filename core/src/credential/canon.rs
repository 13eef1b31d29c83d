//! RDFC-1.0 (W3C RDF Dataset Canonicalization) with a work budget. The algorithm's costly
//! step, "hash N-degree quads", tries every order of the blank nodes it cannot tell apart and
//! recurses into each, so its work can grow with the factorial of a group's size; a poison
//! graph (the specification's own test074, or a credential whose alike entries are written
//! in different JSON shapes) runs for minutes or forever. Here every call of that step and
//! every order it tries is counted against [`MAX_CANONICALISATION_STEPS`], and past it the
//! document is refused by name: no rewriting of the input gets past a count of the work
//! itself. The first-degree hash of a blank node and the issuing of identifiers are
//! ssi-rdf's; the rest follows the specification's sections 4.4, 4.7 and 4.8, and is held to
//! the W3C test suite, its poison graphs included (`tests/it/rdf_canon.rs`).

use std::collections::{BTreeMap, HashMap};

use rdf_types::BlankId;
use sha2::{Digest, Sha256};
use ssi_rdf::urdna2015::{
    hash_first_degree_quads, issue_identifier, BlankIdPosition, BlankNodeComponents,
    BlankNodeComponentsMut, IdentifierIssuer, NormalizationState,
};
use ssi_rdf::{IntoNQuads, LexicalQuad, LexicalQuadRef};

/// Most work canonicalisation may do: calls of "hash N-degree quads" and orders tried, all
/// together. A credential needs none or a few dozen; six alike entries under one blank node
/// need about 4,300; seven 30,000; eight 280,000 (refused). Measured on one core of a
/// shared 2-core machine, the budget spent takes about 0.1 s (`docs/benchmarks.md`).
pub const MAX_CANONICALISATION_STEPS: u64 = 100_000;

/// Canonicalisation would take more than [`MAX_CANONICALISATION_STEPS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetSpent;

/// The canonical N-Quads of `quads`, one line each (with its newline), sorted and without
/// duplicates; or [`BudgetSpent`] when telling their blank nodes apart would take more than
/// [`MAX_CANONICALISATION_STEPS`].
pub fn canonical_nquads_of(quads: &[LexicalQuad]) -> Result<Vec<String>, BudgetSpent> {
    canonical_nquads_within(quads, MAX_CANONICALISATION_STEPS)
}

/// [`canonical_nquads_of`] with a budget of `steps`.
pub fn canonical_nquads_within(
    quads: &[LexicalQuad],
    steps: u64,
) -> Result<Vec<String>, BudgetSpent> {
    let refs: Vec<LexicalQuadRef<'_>> =
        quads.iter().map(LexicalQuad::as_lexical_quad_ref).collect();
    // 4.4.3 step 2: the quads each blank node is in.
    let mut state = NormalizationState {
        blank_node_to_quads: Default::default(),
        hash_to_blank_nodes: Default::default(),
        canonical_issuer: IdentifierIssuer::new("_:c14n".into()),
    };
    for quad in &refs {
        for blank in quad.blank_node_components() {
            state
                .blank_node_to_quads
                .entry(blank)
                .or_default()
                .push(*quad);
        }
    }
    // Step 3: the first-degree hash of each, kept: "hash related blank node" asks for them
    // again and again.
    let blanks: Vec<&BlankId> = state.blank_node_to_quads.keys().copied().collect();
    let mut first_degree = HashMap::new();
    let mut by_hash: BTreeMap<String, Vec<&BlankId>> = BTreeMap::new();
    for blank in blanks {
        let hash = hash_first_degree_quads(&mut state, blank);
        by_hash.entry(hash.clone()).or_default().push(blank);
        first_degree.insert(blank, hash);
    }
    let mut canon = Canonicaliser {
        quads_of: state.blank_node_to_quads,
        first_degree,
        canonical: state.canonical_issuer,
        work_left: steps,
    };
    // Step 4: a hash only one blank node has names it, in the hashes' order.
    by_hash.retain(|_, nodes| {
        if let [only] = nodes.as_slice() {
            issue_identifier(&mut canon.canonical, only);
            false
        } else {
            true
        }
    });
    // Step 5: the others, told apart by their N-degree hashes.
    for nodes in by_hash.values() {
        let mut paths = Vec::new();
        for &node in nodes {
            if canon.canonical.find_issued_identifier(node).is_some() {
                continue;
            }
            let mut temporary = IdentifierIssuer::new("_:b".into());
            issue_identifier(&mut temporary, node);
            paths.push(canon.hash_n_degree_quads(node, &temporary)?);
        }
        paths.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, issuer) in paths {
            for (existing, _) in issuer.issued_identifiers {
                issue_identifier(&mut canon.canonical, &existing);
            }
        }
    }
    // Step 6: every blank node by its canonical identifier.
    let canonical = refs.iter().map(|quad| {
        let mut quad = quad.into_owned();
        for label in quad.blank_node_components_mut() {
            if let Some(id) = canon.canonical.find_issued_identifier(label) {
                *label = id.to_owned();
            }
        }
        quad
    });
    Ok(canonical.collect::<Vec<_>>().into_nquads_lines())
}

/// The state of one canonicalisation past its first steps.
struct Canonicaliser<'a> {
    /// The quads each blank node is in.
    quads_of: BTreeMap<&'a BlankId, Vec<LexicalQuadRef<'a>>>,
    /// The first-degree hash of each blank node.
    first_degree: HashMap<&'a BlankId, String>,
    /// The canonical identifiers issued so far.
    canonical: IdentifierIssuer,
    /// What is left of the budget.
    work_left: u64,
}

impl<'a> Canonicaliser<'a> {
    /// Counts `units` of work against the budget.
    fn spend(&mut self, units: u64) -> Result<(), BudgetSpent> {
        self.work_left = self.work_left.checked_sub(units).ok_or(BudgetSpent)?;
        Ok(())
    }

    /// Section 4.8.3, "hash N-degree quads": the hash of `identifier` with every blank node
    /// around it, and the issuer holding the order that gave the least path. One unit of work
    /// for the call and one for each quad it reads.
    fn hash_n_degree_quads(
        &mut self,
        identifier: &BlankId,
        issuer: &IdentifierIssuer,
    ) -> Result<(String, IdentifierIssuer), BudgetSpent> {
        let quads = self.quads_of.get(identifier).cloned().unwrap_or_default();
        self.spend(1 + quads.len() as u64)?;
        // Steps 1-3: the blank nodes related to this one, grouped by their related hash.
        let mut related_by_hash: BTreeMap<String, Vec<&'a BlankId>> = BTreeMap::new();
        for quad in quads {
            for (related, position) in quad.blank_node_components_with_position() {
                if related != identifier {
                    let hash = self.hash_related_blank_node(related, quad, issuer, position);
                    related_by_hash.entry(hash).or_default().push(related);
                }
            }
        }
        // Steps 4-5: for each group in the hashes' order, the order of its nodes whose path
        // is least.
        let mut data_to_hash = String::new();
        let mut issuer = issuer.clone();
        for (related_hash, nodes) in related_by_hash {
            data_to_hash.push_str(related_hash.as_str());
            let mut chosen: Option<(String, IdentifierIssuer)> = None;
            let mut order = Permutations::new(nodes);
            while let Some(permutation) = order.next_permutation() {
                self.spend(1)?;
                if let Some(tried) = self.try_order(permutation, &issuer, chosen.as_ref())? {
                    chosen = Some(tried);
                }
            }
            let (path, chosen_issuer) = chosen.ok_or(BudgetSpent)?;
            data_to_hash.push_str(&path);
            issuer = chosen_issuer;
        }
        Ok((hex_sha256(&data_to_hash), issuer))
    }

    /// Section 4.7.3, "hash related blank node".
    fn hash_related_blank_node(
        &self,
        related: &BlankId,
        quad: LexicalQuadRef<'_>,
        issuer: &IdentifierIssuer,
        position: BlankIdPosition,
    ) -> String {
        let identifier = match self.canonical.find_issued_identifier(related) {
            Some(id) => id.as_str(),
            None => match issuer.find_issued_identifier(related) {
                Some(id) => id.as_str(),
                None => self.first_degree.get(related).map_or("", String::as_str),
            },
        };
        let mut input = String::from(position.into_char());
        if position != BlankIdPosition::Graph {
            input.push('<');
            input.push_str(quad.predicate().as_str());
            input.push('>');
        }
        input.push_str(identifier);
        hex_sha256(&input)
    }

    /// Steps 5.4.1-5.4.6 for one order of a group: its path and issuer, or `None` as soon as
    /// the path cannot be less than the one `chosen` so far.
    fn try_order(
        &mut self,
        permutation: &[&'a BlankId],
        issuer: &IdentifierIssuer,
        chosen: Option<&(String, IdentifierIssuer)>,
    ) -> Result<Option<(String, IdentifierIssuer)>, BudgetSpent> {
        let worse = |path: &str| {
            chosen.is_some_and(|(best, _)| path.len() >= best.len() && path > best.as_str())
        };
        let mut issuer_copy = issuer.clone();
        let mut path = String::new();
        let mut recursion = Vec::new();
        for &related in permutation {
            if let Some(canonical) = self.canonical.find_issued_identifier(related) {
                path.push_str(canonical.as_str());
            } else {
                if issuer_copy.find_issued_identifier(related).is_none() {
                    recursion.push(related);
                }
                path.push_str(issue_identifier(&mut issuer_copy, related).as_str());
            }
            if worse(&path) {
                return Ok(None);
            }
        }
        for related in recursion {
            let (hash, next_issuer) = self.hash_n_degree_quads(related, &issuer_copy)?;
            path.push_str(issue_identifier(&mut issuer_copy, related).as_str());
            path.push('<');
            path.push_str(&hash);
            path.push('>');
            issuer_copy = next_issuer;
            if worse(&path) {
                return Ok(None);
            }
        }
        let better = chosen.is_none_or(|(best, _)| path < *best);
        Ok(better.then_some((path, issuer_copy)))
    }
}

fn hex_sha256(text: &str) -> String {
    crate::hex::encode(&Sha256::digest(text.as_bytes()))
}

/// Every order of a list, one after another (lexicographic over the items' first places),
/// without holding them all.
struct Permutations<'a> {
    items: Vec<&'a BlankId>,
    places: Vec<usize>,
    current: Vec<&'a BlankId>,
    started: bool,
}

impl<'a> Permutations<'a> {
    fn new(items: Vec<&'a BlankId>) -> Self {
        let places = (0..items.len()).collect();
        Self {
            items,
            places,
            current: Vec::new(),
            started: false,
        }
    }

    /// The next order, or `None` after the last.
    fn next_permutation(&mut self) -> Option<&[&'a BlankId]> {
        if self.started && !next_lexicographic(&mut self.places) {
            return None;
        }
        self.started = true;
        self.current = self.places.iter().map(|&i| self.items[i]).collect();
        Some(&self.current)
    }
}

/// Rearranges `places` into the next permutation in lexicographic order; false after the last.
fn next_lexicographic(places: &mut [usize]) -> bool {
    let Some(pivot) = (1..places.len()).rev().find(|&i| places[i - 1] < places[i]) else {
        return false;
    };
    let pivot = pivot - 1;
    let Some(swap) = (pivot + 1..places.len())
        .rev()
        .find(|&i| places[i] > places[pivot])
    else {
        return false;
    };
    places.swap(pivot, swap);
    places[pivot + 1..].reverse();
    true
}
