fn main() {
    let path = std::env::args().nth(1).expect("path");
    let t = std::time::Instant::now();
    match soapbridge::wsdl::load_path(&path) {
        Ok(w) => {
            println!(
                "{} docs, {} types, {} elements, {:?}",
                w.documents,
                w.schema.types.len(),
                w.schema.elements.len(),
                t.elapsed()
            );
            for b in &w.bindings {
                println!(
                    "binding {} {:?} ops={}",
                    b.name,
                    b.soap_version,
                    b.operations.len()
                );
            }
            for n in &w.notes {
                println!("note: {n}");
            }
            for n in w.warnings.iter().take(50) {
                println!("warn: {n}");
            }
        }
        Err(e) => println!("ERROR {e}"),
    }
}
