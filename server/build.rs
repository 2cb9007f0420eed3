//! Embeds every file under `assets/web/` into the server, so the pages
//! (built by a later issue) ship inside the binary: adding a file there is
//! enough for it to be served under `/assets/`.

use std::path::{Path, PathBuf};
use std::{env, fs};

fn collect(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, base, out);
        } else if let Ok(rel) = path.strip_prefix(base) {
            let name = rel.to_string_lossy().replace('\\', "/");
            if !name.starts_with('.') && !name.contains("/.") {
                out.push((name, path.clone()));
            }
        }
    }
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let web = manifest.join("..").join("assets").join("web");
    println!("cargo:rerun-if-changed={}", web.display());
    let mut files = Vec::new();
    collect(&web, &web, &mut files);
    files.sort();
    let mut code = String::from(
        "/// Files embedded from `assets/web/`: (path, bytes).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (name, path) in &files {
        let abs = fs::canonicalize(path).expect("listed file exists");
        code.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            abs.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("web_assets.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
