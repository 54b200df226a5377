osirix_sdk::osirix_class! {
    impl Client {
        #[rpc(OsirixCacheObjectForUid, request = OsirixCacheObjectForUidRequest { uid: self })]
        pub fn server_cache_object_type() -> String = object_type;
    }
}

fn main() {}
