osirix_sdk::osirix_class! {
    pub class Patient {}
}

fn main() {}
