//! Compiles `proto/mvds.proto` (the wire format) and `proto/bundle.proto` (the
//! signed content of a bundle) with protox (a pure-Rust protobuf compiler), so
//! no system `protoc` is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/mvds.proto");
    println!("cargo:rerun-if-changed=proto/bundle.proto");
    let descriptors = protox::compile(["proto/mvds.proto", "proto/bundle.proto"], ["proto"])?;
    prost_build::Config::new().compile_fds(descriptors)?;
    Ok(())
}
