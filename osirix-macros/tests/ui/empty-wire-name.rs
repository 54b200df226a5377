osirix_sdk::osirix_class! {
    #[osirix(wire = "")]
    pub class Series {}
}

fn main() {}
