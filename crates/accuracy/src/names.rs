//! Identifier spelling helpers.

pub fn snake(var: &str) -> String {
    var.to_lowercase()
}

pub fn camel(var: &str) -> String {
    let mut out = String::new();
    for (i, part) in var.split('_').filter(|p| !p.is_empty()).enumerate() {
        let p = part.to_lowercase();
        if i == 0 {
            out.push_str(&p);
        } else {
            let mut cs = p.chars();
            if let Some(c) = cs.next() {
                out.extend(c.to_uppercase());
                out.push_str(cs.as_str());
            }
        }
    }
    out
}

pub fn pascal(var: &str) -> String {
    let c = camel(var);
    let mut cs = c.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => c,
    }
}

pub fn dotted(var: &str) -> String {
    var.to_lowercase().replace("__", ".").replace('_', ".")
}

pub fn kebab(var: &str) -> String {
    var.to_lowercase().replace('_', "-")
}

pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn json_escape(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(camel("AWS_SECRET_ACCESS_KEY"), "awsSecretAccessKey");
        assert_eq!(pascal("DD_API_KEY"), "DdApiKey");
        assert_eq!(
            dotted("AIRFLOW__CORE__FERNET_KEY"),
            "airflow.core.fernet.key"
        );
    }
}
