//! Compiles `proto/mvds.proto` with protox (a pure-Rust protobuf compiler), so
//! no system `protoc` is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/mvds.proto");
    let descriptors = protox::compile(["proto/mvds.proto"], ["proto"])?;
    prost_build::Config::new().compile_fds(descriptors)?;
    Ok(())
}
