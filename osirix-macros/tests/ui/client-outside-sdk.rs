osirix_sdk::osirix_class! {
    impl Client {
        #[rpc(OsirixCacheUids)]
        pub fn server_cache_uids() -> Vec<String> = uids;
    }
}

fn main() {}
