//! placeholder
/// Outputs.
pub struct Outputs;
/// review_outputs.
pub fn review_outputs() {}
