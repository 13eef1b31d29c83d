//! What a reader of the hub's views may see, and which rows a view asks for. A trainer sees
//! the groups their sign-in link names; an operator (on the web pages, over the signed admin
//! API or at the hub's own command line) sees every group. Storage takes the scope with
//! each query and filters in SQL on both engines, so no page reads the whole hub to show one
//! trainer's part of it.

use serde::{Deserialize, Serialize};

/// The groups a reader may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// Every group: an operator.
    Everything,
    /// Only these groups: a trainer.
    Groups(Vec<String>),
}

impl Scope {
    /// Whether the reader may see `group`.
    pub fn sees(&self, group: &str) -> bool {
        match self {
            Self::Everything => true,
            Self::Groups(groups) => groups.iter().any(|g| g == group),
        }
    }

    /// The groups to filter by, `None` for every group.
    pub(super) fn groups(&self) -> Option<&[String]> {
        match self {
            Self::Everything => None,
            Self::Groups(groups) => Some(groups),
        }
    }
}

/// Which stored results a view asks for: those in the reader's scope, narrowed to one group,
/// one learner or one module when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultQuery {
    /// What the reader may see.
    pub scope: Scope,
    /// Only this group.
    pub group: Option<String>,
    /// Only this learner (`did:key`).
    pub learner: Option<String>,
    /// Only this module.
    pub module: Option<String>,
}

impl ResultQuery {
    /// Every result in `scope`.
    pub fn new(scope: Scope) -> Self {
        Self {
            scope,
            group: None,
            learner: None,
            module: None,
        }
    }

    /// Every result on the hub: the operator's view.
    pub fn everything() -> Self {
        Self::new(Scope::Everything)
    }

    /// Narrowed to `group`, when one is given.
    pub fn in_group(mut self, group: Option<String>) -> Self {
        self.group = group;
        self
    }

    /// Narrowed to one learner's results.
    pub fn of_learner(mut self, learner: &str) -> Self {
        self.learner = Some(learner.to_owned());
        self
    }

    /// Narrowed to one module's results.
    pub fn of_module(mut self, module: &str) -> Self {
        self.module = Some(module.to_owned());
        self
    }
}
