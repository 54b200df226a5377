osirix_sdk::osirix_class! {
    impl Osirix {
        #[rpc(OsirixCacheUids)]
        pub fn server_cache_uids() -> Vec<String> = uids;
    }
}

fn main() {}
