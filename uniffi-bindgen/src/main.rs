//! `cargo run -p uniffi-bindgen -- generate --library LIB --language kotlin|swift --out-dir DIR`.
fn main() {
    uniffi::uniffi_bindgen_main()
}
