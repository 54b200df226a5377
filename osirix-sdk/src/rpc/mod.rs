//! What the generated code knows about one RPC declaration, and the response of every RPC by its name
//! (`responses.rs`). A leaf: every stage of the call path reads it and it reads nothing of theirs.

pub mod responses;

/// Whether and how an RPC's answer is cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// Never cached (setters, browser, viewers, top-level calls).
    Never,
    /// Cached until evicted: the value cannot change while the object exists.
    Immutable,
    /// Cached for the growable time-to-live: a collection or count that grows while OsiriX imports.
    Growable,
}

/// One accessor's declaration, as a `static` of the generated accessor.
///
/// The cache keys answers by the address of this static (and the handle's uid): one declaration decodes one
/// Rust type from one payload, so a cached answer is only ever read back as what it was stored as, however many
/// declarations of one RPC a program has.
#[derive(Debug)]
pub struct Rpc {
    /// The RPC name, e.g. `DicomSeriesPaths`.
    pub name: &'static str,
    /// The HTTP/2 path, `/osirixgrpc.OsiriXService/<name>`.
    pub path: &'static str,
    /// The OsiriX class of the handle, e.g. `DicomSeries` (empty for top-level calls).
    pub class: &'static str,
    /// The in-band message meaning "unknown handle", `No <class> cached`.
    pub stale: &'static str,
    /// In-band messages that mean "no value" and become `None`.
    pub absent: &'static [&'static str],
    /// Caching of the answer.
    pub caching: Caching,
    /// Whether the call may be retried.
    pub idempotent: bool,
}

/// Splits a response into its status and the payload to decode (one field, a tuple of fields, or the whole
/// response).
pub type Split<Resp, P> = fn(Resp) -> (Option<osirix_proto::Status>, P);

#[cfg(test)]
mod tests {
    use prost::Message;

    /// The response table is the protocol's: every method of the service, each with its own response message.
    #[test]
    fn the_response_table_is_the_protocols() {
        let names: Vec<&str> = super::responses::TABLE
            .iter()
            .map(|(rpc, _)| *rpc)
            .collect();
        assert_eq!(names, osirix_proto::METHODS, "every method, sorted");
        let descriptors = prost_types::FileDescriptorSet::decode(osirix_proto::FILE_DESCRIPTOR_SET)
            .expect("the protocol's descriptor set");
        let service = descriptors
            .file
            .iter()
            .flat_map(|file| &file.service)
            .find(|service| service.name() == "OsiriXService")
            .expect("the service");
        assert_eq!(service.method.len(), names.len());
        for (rpc, response) in super::responses::TABLE {
            let method = service
                .method
                .iter()
                .find(|m| m.name() == *rpc)
                .expect("a method of the service");
            let expected = method.output_type().rsplit('.').next().unwrap_or_default();
            let got = response().rsplit("::").next().unwrap_or_default();
            // prost changes the case of acronyms only (`ROINameResponse` is `RoiNameResponse`).
            assert!(
                got.eq_ignore_ascii_case(expected),
                "{rpc} answers {expected}, the table says {got}"
            );
        }
    }
}
